# What every mmdet-alssl config adds to an MMDetection one: the plugin import,
# an iteration-based schedule (the semi-supervised sampler is infinite) and
# the active-learning settings that tools/al_loop.sh and ActiveLearningHook
# read. Each cycle's data (labeled / unlabeled ids, pseudo-labels) is given by
# the dataset config's top-level variables, which the loop overrides with
# --cfg-options.
custom_imports = dict(imports=['mmdet_alssl'], allow_failed_imports=False)

# Active learning (defaults for tools/al_loop.sh; CLI flags override them).
active_learning = dict(
    initial=2000,  # images labeled at random before cycle 0
    budget=1000,  # images a human labels per cycle
    cycles=5,  # active-learning cycles after the initial training
    strategy='unified',  # random|entropy|inconsistency|unified|entropy_filtered
    tau=0.99,  # pseudo-label threshold on the top class probability (Eq. 6)
    score_thr=0.5,  # detections kept for the acquisition scores
    pseudo_labels=True,  # pseudo-label the confident unlabeled images
    # Count guard (ours): no pseudo-labels in a cycle whose model is sure of
    # more than 2x the boxes of a class per image than the labeled images
    # hold (a saturated model; docs/findings.md). None: τ alone, as the paper.
    pseudo_max_count_ratio=2.0,
    warm_start=False,  # paper: retrain each cycle from the same init
    seed=0)
