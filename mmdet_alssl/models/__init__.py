from .backbones import EfficientNetLite
from .dense_heads import (PseudoLabelATSSHead, PseudoLabelFCOSHead,
                          PseudoLabelRetinaHead, PseudoLabelSSDHead)
from .detectors import ConsistencyDetector, ConsistencySSD

__all__ = ['ConsistencyDetector', 'ConsistencySSD', 'EfficientNetLite',
           'PseudoLabelSSDHead', 'PseudoLabelRetinaHead',
           'PseudoLabelATSSHead', 'PseudoLabelFCOSHead']
