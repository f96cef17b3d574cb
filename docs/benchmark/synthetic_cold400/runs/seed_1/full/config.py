_base_ = '../../configs/7c09fd84bb39f5ad.py'
