"""Evaluate a checkpoint: MMDetection's tools/test.py with mmdet_alssl loaded.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.pkl]
        [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
from mmdet_alssl.loop.mmdet_tools import run_mmdet_tool

if __name__ == '__main__':
    run_mmdet_tool('test.py')
