from .backbones import EfficientNetLite
from .dense_heads import PseudoLabelSSDHead
from .detectors import ConsistencySSD

__all__ = ['ConsistencySSD', 'EfficientNetLite', 'PseudoLabelSSDHead']
