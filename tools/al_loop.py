"""The resumable active-learning loop; see
:mod:`mmdet_alssl.loop.active_learning_loop` for the flags.

    python tools/al_loop.py CONFIG WORK_DIR [--cycles N] [--initial N] ...
"""
import sys

from mmdet_alssl.loop.active_learning_loop import main

if __name__ == '__main__':
    sys.exit(main())
