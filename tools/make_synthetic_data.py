"""Generate the embedded synthetic shapes data set (VOC layout).

    python tools/make_synthetic_data.py data/synthetic_shapes --seed 0

Does nothing (in well under a second) when OUT_DIR already holds a complete
set made with the same parameters; see
``mmdet_alssl/datasets/synthetic_voc.py`` for the layout.
"""
import argparse
import sys

from mmdet_alssl.datasets.synthetic_voc import generate_voc_dataset


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir', help='data root to create')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-train', type=int, default=1200,
                        help='trainval images (default 1200)')
    parser.add_argument('--num-test', type=int, default=300,
                        help='test images (default 300)')
    parser.add_argument('--image-size', type=int, default=128,
                        help='square image side in px (default 128)')
    parser.add_argument('--hard-fraction', type=float, default=0.3,
                        help='share of hard images (default 0.3)')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes; the output does not depend on it')
    parser.add_argument('--force', action='store_true',
                        help='replace OUT_DIR even if another tool made it')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        summary = generate_voc_dataset(
            args.out_dir, seed=args.seed, num_train=args.num_train,
            num_test=args.num_test, image_size=args.image_size,
            hard_fraction=args.hard_fraction, num_workers=args.workers,
            overwrite=args.force)
    except (ValueError, FileExistsError) as error:
        print(f'make_synthetic_data: {error}', file=sys.stderr)
        return 2
    if summary['skipped']:
        print(f'{summary["out_dir"]}: complete data set with these '
              f'parameters already there; nothing to do')
        return 0
    print(f'{summary["out_dir"]}: {summary["num_images"]["trainval"]} '
          f'trainval + {summary["num_images"]["test"]} test images, '
          f'{summary["num_boxes"]} boxes, {summary["difficulty_counts"]} '
          f'in {summary["seconds"]:.1f} s')
    for name, count in summary['class_counts'].items():
        print(f'  {name:<15} {count:>6}  '
              f'{100.0 * count / max(summary["num_boxes"], 1):5.1f}%')
    return 0


if __name__ == '__main__':
    sys.exit(main())
