from .consistency import (flip_consistency_loss, location_consistency,
                          mirrored_prior_index, ramp_weight, symmetric_kl)

__all__ = ['symmetric_kl', 'location_consistency', 'flip_consistency_loss',
           'mirrored_prior_index', 'ramp_weight']
