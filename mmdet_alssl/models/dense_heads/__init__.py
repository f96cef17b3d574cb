from .pseudo_label_ssd_head import PseudoLabelSSDHead

__all__ = ['PseudoLabelSSDHead']
