from .dense_heads import PseudoLabelSSDHead
from .detectors import ConsistencySSD

__all__ = ['ConsistencySSD', 'PseudoLabelSSDHead']
