from .consistency_ssd import ConsistencySSD

__all__ = ['ConsistencySSD']
