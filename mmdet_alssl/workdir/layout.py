"""Every name in an active-learning WORK_DIR, and the order of a cycle's steps.

The one place these names live: the loop, the hook, the human-label import,
the report and the benchmark import them from here. Layout (``k`` = 0, 1,
...)::

    WORK_DIR/
      manifest.json          the run's identity (config hash, seed, strategy,
                             tau, budget, ...); checked on every re-use
      pool.txt               every image id the loop works on
      summary.json           {"cycles": [{"cycle", "labeled",
                             "pseudo_labeled", "mAP", ...}, ...]}
      loop.lock              held (flock) by the one loop writing here
      node_launch.json       several machines: the training the loop on
                             node 0 is starting, for the other nodes
      cycle_<k>/
        labeled.txt          ids cycle k trains on as human-labeled
        unlabeled.txt        ids of the rest of the pool (disjoint)
        pseudo_labels.json   pseudo-labels cycle k trains with: made by
                             cycle k-1's model on unlabeled.txt (absent
                             for k = 0); COCO-style
        train/               cycle k's training run (MMEngine work_dir:
                             the checkpoint, last_checkpoint, logs)
        acquire/             the zero-iteration run that scores the pool
                             after a resume (see STEPS below)
        test/                the test run's logs
        metrics.json         cycle k's model on the test split
        scores.csv           cycle k's model on unlabeled.txt: image_id,
                             entropy, inconsistency, unified,
                             num_detections[, further numeric columns]
        selected.txt         what cycle k chose for labeling, best first;
                             cycle k+1's labeled.txt = labeled + selected
        skipped_images.json  pool images that could not be decoded
        to_label.txt / to_label.json / to_label_images.txt
                             --human: the images to label this cycle
        human_labels.json    --human: the boxes a human drew (this and all
                             earlier cycles)
        done/<step>.json     done markers: written last, list the step's
                             files; a step is done iff its marker and
                             every listed file exist

Steps of a cycle, in the order they run (:data:`STEPS`):

==========  ==============================================================
``split``   cycle 0 only: ``pool.txt`` + the seeded initial split. Cycle
            k > 0's split is written by cycle k-1's ``acquire``.
``export``  ``--human`` only: the ``to_label`` files, the images that
            entered ``labeled.txt`` in this cycle.
``labels``  ``--human`` only: ``human_labels.json``, written by
            ``tools/import_labels.py``; the loop stops until it exists.
``train``   a finished checkpoint under ``cycle_<k>/train``.
``acquire`` ``ActiveLearningHook`` at the end of training: scores,
            selection, pseudo-labels and cycle k+1's split; skipped on the
            last cycle and when nothing is left to select.
``test``    ``metrics.json`` and the cycle's ``summary.json`` entry.
==========  ==============================================================

Files of a cycle for the labeling tools (docs/labeling_tools.md):
``predictions.json`` (written by ``acquire``: cycle k's boxes scoring >=
``suggest_thr`` on ``selected.txt``, the next cycle's suggestions);
``to_label_label_studio.json``, ``label_studio_config.xml`` and
``to_label_cvat.json`` (written by ``export`` with ``--human``: the images
to label with the previous cycle's predictions, for Label Studio and CVAT);
``label_studio_pushed.json`` (``--label-studio``: the tasks pushed).
"""
#: WORK_DIR files.
MANIFEST = 'manifest.json'
POOL_IDS = 'pool.txt'
SUMMARY = 'summary.json'
LOCK_FILE = 'loop.lock'
NODE_LAUNCH = 'node_launch.json'
#: A cycle directory's name.
CYCLE_DIR = 'cycle_{}'
#: Files of a cycle directory.
LABELED_IDS = 'labeled.txt'
UNLABELED_IDS = 'unlabeled.txt'
PSEUDO_LABELS = 'pseudo_labels.json'
METRICS = 'metrics.json'
SCORES = 'scores.csv'
SELECTED_IDS = 'selected.txt'
SKIPPED_IMAGES = 'skipped_images.json'
TO_LABEL_IDS = 'to_label.txt'
TO_LABEL_JSON = 'to_label.json'
TO_LABEL_IMAGES = 'to_label_images.txt'
HUMAN_LABELS = 'human_labels.json'
PREDICTIONS = 'predictions.json'
TO_LABEL_LABEL_STUDIO = 'to_label_label_studio.json'
LABEL_STUDIO_CONFIG = 'label_studio_config.xml'
TO_LABEL_CVAT = 'to_label_cvat.json'
LABEL_STUDIO_PUSHED = 'label_studio_pushed.json'
DONE_DIR = 'done'
#: MMEngine's pointer to the newest checkpoint of a training run's folder.
LAST_CHECKPOINT = 'last_checkpoint'

#: Steps of a cycle (also the names of its run folders: train/, acquire/,
#: test/ and of its done markers).
SPLIT, EXPORT, LABELS, TRAIN, ACQUIRE, TEST = ('split', 'export', 'labels',
                                               'train', 'acquire', 'test')
#: The order in which a cycle's steps run.
STEPS = (SPLIT, EXPORT, LABELS, TRAIN, ACQUIRE, TEST)
#: Not a step: the loop has nothing left to do.
END = 'end'
#: Columns of scores.csv, in order.
SCORE_COLUMNS = ('image_id', 'entropy', 'inconsistency', 'unified',
                 'num_detections')
