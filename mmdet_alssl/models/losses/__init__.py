from .consistency import (flip_consistency_loss, location_consistency,
                          mirrored_prior_index, ramp_weight, residual_penalty,
                          symmetric_kl)
from .dense_consistency import (foreground_mask, paired_flip_consistency,
                                sigmoid_symmetric_kl)

__all__ = ['symmetric_kl', 'location_consistency', 'flip_consistency_loss',
           'mirrored_prior_index', 'ramp_weight', 'residual_penalty',
           'foreground_mask', 'paired_flip_consistency',
           'sigmoid_symmetric_kl']
