"""The active-learning loop: initial split, then per cycle train -> score and
select (ActiveLearningHook) -> test, with every step's state on disk.

    tools/al_loop.sh CONFIG WORK_DIR [--cycles N] [--initial N] [--budget N]
        [--strategy NAME] [--tau X] [--seed N] [--score-thr X]
        [--warm-start | --no-warm-start]
        [--human [--label-studio URL --label-studio-project ID]]
        [--suggest-thr X] [--train-iters N] [--initial-iters N] [--pool-size N]
        [--launcher pytorch --nproc-per-node N [--master-port P]
         [--nnodes N --node-rank R --master-addr HOST]]
        [--cfg-options k=v ...]

Defaults come from the config's ``active_learning`` dict. Cycle k trains
with MMDetection's own ``tools/train.py`` (:mod:`.mmdet_tools`) in a child
process: ``CONFIG --work-dir WORK_DIR/cycle_k/train --cfg-options ...``
(the cycle's id files, the hook's settings, ``randomness.seed``); every
cycle starts from the same initialisation unless warm-started
(``--warm-start`` or ``active_learning.warm_start``, which the CPU configs
set; ``--no-warm-start`` turns it off).
``--initial-iters`` gives cycle 0 (trained from scratch and, in the
benchmark, shared by every strategy) its own length. In-training validation
is switched off: the loop tests each cycle's final checkpoint itself
(:mod:`.evaluate`).

With ``--launcher pytorch`` each training (and the scoring that ends it)
runs on ``--nproc-per-node`` processes through torchrun: scoring is
sharded, rank 0 alone writes the cycle state; on a CPU the processes use
gloo (:func:`.mmdet_tools.prepare_cpu_distributed`). With ``--nnodes N`` the
same command runs on each of N machines with its ``--node-rank``: node 0 is
the loop, the others follow its runs (:mod:`.node_launch`).

Re-running the same command resumes at the first unfinished step
(:mod:`.loop_plan`); a WORK_DIR made with other settings is refused.
``--human`` stops after each selection with the images to label exported
(for CVAT / Label Studio with the model's boxes to correct,
:mod:`mmdet_alssl.labeling`); ``tools/import_labels.py`` brings the labels
in, or, with ``--label-studio``, the loop pushes and pulls them itself
(:mod:`.label_studio_link`). Exit status: 0 done /
waiting for labels, 1 a training run failed, 2 bad input.
"""
import argparse
import copy
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Optional

from mmdet.registry import DATASETS
from mmdet.utils import register_all_modules
from mmengine.config import Config, DictAction

from ..acquisition.settings import AcquisitionSettings, check_int
from ..labeling.label_studio_api import LabelStudioAPI
from . import loop_plan as plan
from ..datasets.pool import build_pool, find_al_datasets
from .cycle_config import cycle_cfg_options
from ..workdir.cycle_state import CycleState
from .evaluate import evaluate_cycle
from .human_labels import build_to_label_json
from .label_studio_link import link_of, sync_labels
from .labeling_export import write_labeling_files
from .loop_settings import resolve_settings, run_manifest
from .mmdet_tools import TOOL_MODULE, trust_own_checkpoints
from .node_launch import LaunchBoard, follow
from .train_exit import describe_exit
from ..workdir.state_io import atomic_write_text, write_ids, write_json
from ..workdir.layout import (ACQUIRE, END, EXPORT, LABELED_IDS,
                              LABELS, LAST_CHECKPOINT, MANIFEST, METRICS,
                              POOL_IDS, PSEUDO_LABELS, SPLIT, SUMMARY, TEST,
                              TO_LABEL_CVAT, TO_LABEL_IDS, TO_LABEL_IMAGES,
                              TO_LABEL_JSON, TO_LABEL_LABEL_STUDIO, TRAIN,
                              UNLABELED_IDS)
from ..workdir.lock import DIE_WITH_PARENT_ENV, WorkDirLock, die_with_parent


class LoopError(RuntimeError):
    """A step's process failed; re-running resumes after the fix."""


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Active-learning loop (resumable): re-run the same '
        'command after an interruption.')
    p.add_argument('config')
    p.add_argument('work_dir')
    for name, kind, doc in (
            ('initial', int, 'images labeled at random before cycle 0'),
            ('cycles', int, 'active-learning cycles after cycle 0'),
            *AcquisitionSettings.flags()):
        p.add_argument(f'--{name.replace("_", "-")}', type=kind,
                       default=None, help=f"{doc} (default: the config's "
                       f'active_learning value)')
    p.add_argument('--warm-start', action=argparse.BooleanOptionalAction,
                   default=None,
                   help="start each cycle from the previous cycle's weights "
                   '(--no-warm-start: every cycle from the initial weights, '
                   "the paper's protocol; default: the config's)")
    p.add_argument('--human', action='store_true',
                   help='stop after each selection to let a human label')
    p.add_argument('--label-studio', metavar='URL', default=None,
                   help='--human: push the tasks to this Label Studio '
                   'server and pull the labels from it (token: '
                   '$LABEL_STUDIO_API_KEY)')
    p.add_argument('--label-studio-project', metavar='ID', type=int,
                   default=None, help='the Label Studio project to use')
    p.add_argument('--train-iters', type=int, default=None,
                   help='train_cfg.max_iters of every cycle')
    p.add_argument('--initial-iters', type=int, default=None,
                   help='train_cfg.max_iters of cycle 0 only (default: as '
                   'every cycle)')
    p.add_argument('--pool-size', type=int, default=None,
                   help='work on a seeded random subset of the pool')
    p.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                   help='config overrides (key=value) for every run')
    p.add_argument('--launcher', choices=('none', 'pytorch'), default='none',
                   help='pytorch: train and score each cycle on '
                   '--nproc-per-node processes (torchrun; gloo on CPUs)')
    p.add_argument('--nproc-per-node', type=int, default=1)
    p.add_argument('--nnodes', type=int, default=1,
                   help='machines; run this command on each with its '
                   '--node-rank, from the same shared directory')
    p.add_argument('--node-rank', type=int, default=0,
                   help='0: the loop; others follow its runs')
    p.add_argument('--master-addr', default='127.0.0.1',
                   help="node 0's address (torchrun's)")
    p.add_argument('--master-port', type=int, default=29500)
    args = p.parse_args(argv)
    if args.launcher == 'none' and (args.nproc_per_node != 1
                                    or args.nnodes != 1):
        p.error('--nproc-per-node and --nnodes need --launcher pytorch')
    if args.nproc_per_node < 1 or args.nnodes < 1:
        p.error(f'--nproc-per-node={args.nproc_per_node} and '
                f'--nnodes={args.nnodes} must be >= 1')
    if (args.label_studio is None) != (args.label_studio_project is None) \
            or (args.label_studio is not None and not args.human):
        p.error('--label-studio URL and --label-studio-project ID go '
                'together, with --human')
    if not 0 <= args.node_rank < args.nnodes:
        p.error(f'--node-rank={args.node_rank} must be in [0, '
                f'{args.nnodes}) for --nnodes={args.nnodes}')
    return args


class ActiveLearningLoop:
    """Runs the steps :func:`loop_plan.next_step` names until the end, a
    human step, or an error."""

    def __init__(self, config, cfg: Config, work_dir, settings: dict,
                 options: dict, lock: WorkDirLock,
                 launch: Optional[argparse.Namespace] = None,
                 link: Optional[LabelStudioAPI] = None):
        self.config = Path(config)
        self.lock = lock  # held: this loop is the WORK_DIR's one writer
        self.link = link  # a checked Label Studio project, or None
        self.launch = launch or argparse.Namespace(launcher='none')
        self.cfg = cfg  # with the user's options merged
        self.s = settings
        self.options = dict(options)  # the user's, for every run
        self.state = CycleState(Path(work_dir).absolute())
        self.board = LaunchBoard(self.state.work_dir) if getattr(
            self.launch, 'nnodes', 1) > 1 else None
        self._parts = None
        register_all_modules(init_default_scope=True)

    def log(self, msg: str) -> None:
        print(f'[al_loop] {msg}', flush=True)

    def run(self) -> int:
        s = self.s
        manifest = self.state.work_dir / MANIFEST
        fresh = not manifest.exists()
        # WORK_DIRs made before a setting existed ran at its default.
        self.state.ensure_manifest(
            run_manifest(self.config, s, plan.cli_options(self.options)),
            defaults=AcquisitionSettings().to_dict())
        try:
            return self._run_steps()
        except BaseException:
            # A first run that failed before its split (e.g. an unreadable
            # pool) must not tie the still empty WORK_DIR to its settings.
            if fresh and not self.state.cycles():
                manifest.unlink(missing_ok=True)
            raise
        finally:
            if self.board is not None:
                self.board.publish_end()

    def _run_steps(self) -> int:
        s = self.s
        last = None
        while True:
            step = plan.next_step(self.state, s['cycles'], s['human'])
            if step == last:
                raise RuntimeError(f'step {step.name!r} of cycle {step.cycle} '
                                   f'ran but is still not done')
            last = step
            if step.name == END:
                self.log(f'done: {step.reason}; summary in '
                         f'{self.state.work_dir / SUMMARY}')
                return 0
            if step.name == LABELS:
                if self.link is None:
                    self.log(self._labels_message(step.cycle))
                    return 0
                if not sync_labels(self.link, self.state, step.cycle,
                                   self.log):
                    return 0
                continue
            self.log(f'cycle {step.cycle}: {step.name}')
            if not getattr(self, f'_{step.name}')(step):
                return 0

    # ---- the pool --------------------------------------------------------
    def pool_parts(self) -> list:
        """The pool's data sets (the unlabeled active-split ones of
        train_dataloader with every image, else the labeled ones)."""
        if self._parts is None:
            self._parts = build_pool(self.cfg.train_dataloader)
            for part in self._parts:
                if part.unusable_images:
                    self.log(f'{len(part.unusable_images)} pool image(s) '
                             f'cannot be used and are left out of the pool '
                             f'(listed in each cycle\'s skipped images): '
                             f'{list(part.unusable_images.items())[:10]}')
        return self._parts

    def pool_infos(self) -> dict:
        infos = {}
        for part in self.pool_parts():
            for i in range(len(part)):
                info = part.get_data_info(i)
                infos[str(info['img_id'])] = dict(
                    image_id=str(info['img_id']), img_path=info['img_path'],
                    width=info['width'], height=info['height'])
        return infos

    # ---- steps (return False to stop the loop cleanly) -------------------
    def _split(self, step) -> bool:
        ids = list(self.pool_infos())
        if not ids:
            files = [part.ann_file for part in self.pool_parts()]
            self.log(f'the pool is empty: the data set(s) of '
                     f'train_dataloader ({files}) hold no usable image; '
                     f'nothing to do')
            return False
        split = plan.initial_split(ids, self.s['initial'], self.s['seed'],
                                   self.s['pool_size'])
        for msg in split.messages:
            self.log(msg)
        pool_file = self.state.work_dir / POOL_IDS
        write_ids(pool_file, split.pool)
        self.state.write_split(0, split.labeled, split.unlabeled)
        self.state.mark_done(0, SPLIT, [LABELED_IDS, UNLABELED_IDS, pool_file])
        self.log(f'cycle 0: {len(split.labeled)} labeled, '
                 f'{len(split.unlabeled)} unlabeled of a pool of '
                 f'{len(split.pool)}')
        return True

    def _export(self, step) -> bool:
        k, state = step.cycle, self.state
        ids = plan.new_labeled_ids(state, k)
        infos = self.pool_infos()
        coco = build_to_label_json([infos[i] for i in ids],
                                   self.pool_parts()[0].metainfo['classes'])
        write_ids(state.path(k, TO_LABEL_IDS), ids)
        atomic_write_text(state.path(k, TO_LABEL_IMAGES), ''.join(
            f'{os.path.abspath(infos[i]["img_path"])}\n' for i in ids))
        write_json(state.path(k, TO_LABEL_JSON), coco)
        tools = write_labeling_files(
            state, k, coco, {i: infos[i]['img_path'] for i in ids},
            self.s['strategy'])
        state.mark_done(k, EXPORT,
                        [TO_LABEL_IDS, TO_LABEL_IMAGES, TO_LABEL_JSON, *tools])
        return True

    def _labels_message(self, k: int) -> str:
        d = self.state.cycle_dir(k)
        n = len(plan.new_labeled_ids(self.state, k))
        return (f'cycle {k}: waiting for labels. Label the {n} image(s) of '
                f'{d / TO_LABEL_JSON} (paths in {d / TO_LABEL_IMAGES}; with '
                f'the model\'s boxes to correct: {TO_LABEL_LABEL_STUDIO} for '
                f'Label Studio, {TO_LABEL_CVAT} for CVAT), export them (COCO, '
                f'or Label Studio JSON), run\n'
                f'  python tools/import_labels.py {self.state.work_dir} '
                f'LABELS.json\nthen re-run this command')

    def _train(self, step) -> bool:
        k = step.cycle
        train_dir = self.state.path(k, TRAIN)
        length = plan.cycle_length(self.cfg.train_cfg, k,
                                   self.s['initial_iters'])
        train_cfg = Config(dict(train_cfg=self.cfg.train_cfg))
        train_cfg.merge_from_dict(length)  # the config's, with k's length
        ckpt = plan.finished_checkpoint(train_dir, train_cfg.train_cfg)
        if ckpt is None:
            if step.select:
                self._budget_notice(k)
            options = {**self.cycle_options(k, step.select), **length}
            self.preflight(options)
            for stale in [*train_dir.glob('*.pth'),
                          train_dir / LAST_CHECKPOINT]:
                stale.unlink(missing_ok=True)  # an interrupted run's
            if self.s['warm_start'] and k > 0:
                options['load_from'] = str(
                    self.state.trained_checkpoint(k - 1))
                options.update(self.s['warm_start_cfg_options'])
            self.run_train(k, train_dir, options, 'training')
            ckpt = plan.finished_checkpoint(train_dir, train_cfg.train_cfg)
            if ckpt is None:
                raise LoopError(f'cycle {k}: training ended without a final '
                                f'checkpoint in {train_dir}')
        else:
            self.log(f'cycle {k}: training had finished ({ckpt}); kept')
        self.state.mark_done(k, TRAIN, [ckpt])
        return True

    def _acquire(self, step) -> bool:
        k = step.cycle
        self._budget_notice(k)
        options = self.cycle_options(k, True)
        options.update(plan.zero_length(self.cfg.train_cfg),
                       load_from=str(self.state.trained_checkpoint(k)))
        self.run_train(k, self.state.path(k, ACQUIRE), options,
                       'scoring the pool')
        return True

    def _test(self, step) -> bool:
        k, state = step.cycle, self.state
        metrics = evaluate_cycle(self.cfg, str(state.trained_checkpoint(k)),
                                 state.work_dir, k)
        labeled, unlabeled = state.read_split(k)
        pseudo = state.read_pseudo_labels(k) if state.path(
            k, PSEUDO_LABELS).is_file() else dict(images=[], annotations=[])
        selected = state.read_selected(k) if state.is_done(
            k, ACQUIRE) else []
        state.update_summary(
            k, labeled=len(labeled), pseudo_labeled=len(pseudo['images']),
            mAP=metrics['mAP'], unlabeled=len(unlabeled),
            pseudo_boxes=len(pseudo['annotations']), selected=len(selected),
            per_class_AP=metrics['per_class_AP'])
        state.mark_done(k, TEST, [METRICS])
        self.log(f'cycle {k}: mAP {metrics["mAP"]} with {len(labeled)} '
                 f'labeled, {len(pseudo["images"])} pseudo-labeled images')
        return True

    # ---- helpers ---------------------------------------------------------
    def _budget_notice(self, k: int) -> None:
        _, unlabeled = self.state.read_split(k)
        msg = plan.budget_message(self.s['budget'], len(unlabeled), k)
        if msg:
            self.log(msg)

    def cycle_options(self, k: int, select: bool) -> dict:
        s = self.s
        options = {'randomness.seed': s['seed'], 'val_cfg': None,
                   'val_dataloader': None, 'val_evaluator': None}
        acquisition = {n: s[n] for n in AcquisitionSettings.names()}
        options.update(cycle_cfg_options(self.cfg, self.state, k,
                                         human=s['human'], select=select,
                                         acquisition=acquisition))
        clash = sorted(set(options) & set(self.options))
        if clash:
            raise ValueError(f'--cfg-options {clash} are set by the loop '
                             f'itself (use --seed / the loop flags instead)')
        return options

    def preflight(self, options: dict) -> None:
        """Build the cycle's training data sets here, so that a missing
        annotation or image is reported before a training process starts."""
        cfg = self.cfg.copy()
        cfg.merge_from_dict(options)
        for _, ds_cfg in find_al_datasets(cfg.train_dataloader):
            DATASETS.build(copy.deepcopy(dict(ds_cfg)))

    def train_command(self, work_dir: Path, options: dict) -> list:
        """MMDetection's tools/train.py for one run (:mod:`.mmdet_tools`),
        under torchrun with ``--launcher pytorch``."""
        tool = ['-m', TOOL_MODULE, 'train.py', str(self.config),
                '--work-dir', str(work_dir), '--cfg-options',
                *plan.cli_options({**self.options, **options})]
        if self.launch.launcher == 'none':
            return [sys.executable, *tool]
        tool += ['--launcher', 'pytorch']
        if self.board is not None:  # the other nodes start it too
            self.board.publish_run(tool)
        return torchrun_command(self.launch, tool)

    def run_train(self, k: int, work_dir: Path, options: dict,
                  what: str) -> None:
        cmd = self.train_command(work_dir, options)
        env = dict(os.environ, **{DIE_WITH_PARENT_ENV: '1'})
        self.log(f'cycle {k}: {what}: {shlex.join(cmd)}')
        # The child inherits the WORK_DIR lock and dies with the loop: a
        # killed loop leaves no process writing into its state.
        rc = subprocess.run(cmd, env=env, pass_fds=(self.lock.fd, ),
                            preexec_fn=die_with_parent).returncode
        if rc != 0:
            raise LoopError(f'cycle {k}: {what} {describe_exit(rc, self.cfg)}'
                            f'; its log is under {work_dir}. Fix the cause '
                            f'and re-run the same command to resume')


def torchrun_command(launch: argparse.Namespace, tool_args: list) -> list:
    """torchrun (static rendezvous at ``--master-addr:--master-port``) of
    this node around a tool's arguments."""
    return [sys.executable, '-m', 'torch.distributed.run',
            f'--nproc_per_node={launch.nproc_per_node}',
            f'--nnodes={launch.nnodes}', f'--node_rank={launch.node_rank}',
            f'--master_addr={launch.master_addr}',
            f'--master_port={launch.master_port}', *tool_args]


def follow_node_zero(args: argparse.Namespace) -> int:
    """``--node-rank`` > 0: start node 0's runs here until its loop ends."""
    env = dict(os.environ, **{DIE_WITH_PARENT_ENV: '1'})
    return follow(args.work_dir, lambda tool: torchrun_command(args, tool),
                  env, lambda msg: print(f'[al_loop node {args.node_rank}] '
                                         f'{msg}', flush=True))


def resolve_run(args: argparse.Namespace):
    """The loaded config, the loop's settings and the user's overrides of
    one command line (:func:`parse_args`); every value validated here.

    Returns:
        tuple[Config, dict, dict]: the config with the overrides merged,
        the settings (:func:`.loop_settings.resolve_settings`), the
        overrides (``--cfg-options`` and ``--train-iters``).
    """
    options = dict(args.cfg_options or {})
    if args.train_iters is not None:
        check_int('train_iters', args.train_iters, 1,
                  'iterations per cycle')
        options['train_cfg.max_iters'] = args.train_iters
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(options)
    settings = resolve_settings(vars(args), cfg.get('active_learning'))
    # an epoch-based config with initial_iters: refused before any write
    plan.cycle_length(cfg.train_cfg, 0, settings['initial_iters'])
    return cfg, settings, options


def run_manifest_of(argv) -> dict:
    """The manifest the loop writes for the command line ``argv``."""
    args = parse_args(argv)
    _, settings, options = resolve_run(args)
    return run_manifest(args.config, settings, plan.cli_options(options))


def main(argv=None) -> int:
    args = parse_args(argv)
    trust_own_checkpoints()
    if args.node_rank > 0:
        return follow_node_zero(args)
    try:
        cfg, settings, options = resolve_run(args)
        link = link_of(args)
        with WorkDirLock(args.work_dir) as lock:
            return ActiveLearningLoop(args.config, cfg, args.work_dir,
                                      settings, options, lock, args,
                                      link).run()
    except LoopError as err:
        print(f'al_loop: {err}', file=sys.stderr)
        return 1
    except (ValueError, FileNotFoundError) as err:
        print(f'al_loop: error: {err}', file=sys.stderr)
        return 2
    except OSError as err:  # a full disk, a read-only folder: nothing lost
        print(f'al_loop: error: cannot write {err.filename or "the state"}: '
              f'{err.strerror or err}. Every state file is written '
              f'atomically, so nothing is half-written: free space or fix '
              f'the permissions, then re-run the same command to resume',
              file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
