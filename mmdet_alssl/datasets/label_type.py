"""How an image of a training batch is supervised.

The flag travels in each data sample's metainfo under ``LABEL_TYPE_KEY`` and
decides which losses the image receives:

- ``labeled``: human (or oracle) boxes; full SSD loss incl. hard negatives.
- ``pseudo``: the previous cycle's confident boxes; positives only (Eq. 10).
- ``unlabeled``: no boxes; only the flip-consistency loss.
"""

LABEL_TYPE_KEY = 'label_type'
LABELED = 'labeled'
PSEUDO = 'pseudo'
UNLABELED = 'unlabeled'
LABEL_TYPES = (LABELED, PSEUDO, UNLABELED)


def check_label_type(value: str) -> str:
    """Return ``value`` if it is a known label type, else raise ValueError."""
    if value not in LABEL_TYPES:
        raise ValueError(f'unknown label type {value!r}: expected one of '
                         f'{LABEL_TYPES}')
    return value


def get_label_type(data_sample) -> str:
    """Label type of a ``DetDataSample``; images without the flag count as
    labeled, so plain MMDetection datasets keep their usual loss."""
    return check_label_type(data_sample.metainfo.get(LABEL_TYPE_KEY, LABELED))
