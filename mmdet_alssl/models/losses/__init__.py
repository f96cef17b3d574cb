from .consistency import (flip_consistency_loss, location_consistency,
                          ramp_weight, symmetric_kl)

__all__ = ['symmetric_kl', 'location_consistency', 'flip_consistency_loss',
           'ramp_weight']
