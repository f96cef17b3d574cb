# BCCD at 256 px with RetinaNet: alssl_retinanet_lite0_bccd_cpu.py with
# images read at 256 px and the anchors doubled (platelets ~16x21 px).
#   tools/al_loop.sh configs/alssl_retinanet_lite0_bccd256_cpu.py work_dirs/bccd256_retinanet
_base_ = './alssl_retinanet_lite0_bccd_cpu.py'
from mmdet_alssl.config_tools import at_input_size  # noqa: E402

globals().update(at_input_size(_base_, 256))
