from .cycle_cosine_lr import CycleCosineLR

__all__ = ['CycleCosineLR']
