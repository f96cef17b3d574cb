from .pseudo_label_dense_heads import (PseudoLabelATSSHead,
                                       PseudoLabelFCOSHead,
                                       PseudoLabelRetinaHead)
from .pseudo_label_ssd_head import PseudoLabelSSDHead

__all__ = ['PseudoLabelSSDHead', 'PseudoLabelRetinaHead',
           'PseudoLabelATSSHead', 'PseudoLabelFCOSHead']
