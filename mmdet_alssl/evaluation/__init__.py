from .voc_class_ap_metric import ClassAPVOCMetric

__all__ = ['ClassAPVOCMetric']
