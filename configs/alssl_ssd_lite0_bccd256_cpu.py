# BCCD at 256 px: configs/alssl_ssd_lite0_bccd_cpu.py with images read at
# 256 px and the priors doubled. At 128 px platelets (~8x10 px) are under the
# smallest priors (10 px every 8 px); at 256 px ~16x21. Results:
# docs/results/bccd.md.
#   tools/al_loop.sh configs/alssl_ssd_lite0_bccd256_cpu.py work_dirs/bccd256
_base_ = './alssl_ssd_lite0_bccd_cpu.py'
from mmdet_alssl.config_tools import at_input_size  # noqa: E402

globals().update(at_input_size(_base_, 256))
