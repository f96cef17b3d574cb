# Aquarium at 256 px: configs/alssl_ssd_lite0_aquarium_cpu.py with images
# read at 256 px and the priors doubled. At 128 px the median fish (~12x8 px)
# and penguin (~7x7) are under the smallest priors (10 px every 8 px).
#   tools/al_loop.sh configs/alssl_ssd_lite0_aquarium256_cpu.py work_dirs/aquarium256
_base_ = './alssl_ssd_lite0_aquarium_cpu.py'
from mmdet_alssl.config_tools import at_input_size  # noqa: E402

globals().update(at_input_size(_base_, 256))
