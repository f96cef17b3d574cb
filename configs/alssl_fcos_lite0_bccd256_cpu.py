# BCCD at 256 px with FCOS: alssl_fcos_lite0_bccd_cpu.py with images read
# at 256 px and the regression ranges doubled (platelets ~16x21 px).
#   tools/al_loop.sh configs/alssl_fcos_lite0_bccd256_cpu.py work_dirs/bccd256_fcos
_base_ = './alssl_fcos_lite0_bccd_cpu.py'
from mmdet_alssl.config_tools import at_input_size  # noqa: E402

globals().update(at_input_size(_base_, 256))
