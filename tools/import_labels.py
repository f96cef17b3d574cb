"""Bring a human's labels into an active-learning WORK_DIR (``--human``);
see :mod:`mmdet_alssl.loop.import_labels`.

    python tools/import_labels.py WORK_DIR LABELS.json [--cycle K]
"""
import argparse
import sys

from mmdet_alssl.loop.import_labels import import_labels


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir')
    parser.add_argument('labels', help='COCO JSON from the labeling tool')
    parser.add_argument('--cycle', type=int, default=None)
    args = parser.parse_args(argv)
    try:
        merged = import_labels(args.work_dir, args.labels, args.cycle)
    except (ValueError, FileNotFoundError) as err:
        print(f'import_labels: error: {err}', file=sys.stderr)
        return 2
    print(f'imported: {len(merged["images"])} labeled images with '
          f'{len(merged["annotations"])} boxes in all; re-run the same '
          f'tools/al_loop.sh command to continue')
    return 0


if __name__ == '__main__':
    sys.exit(main())
