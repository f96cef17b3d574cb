from .consistency_detector import ConsistencyDetector
from .consistency_ssd import ConsistencySSD

__all__ = ['ConsistencyDetector', 'ConsistencySSD']
