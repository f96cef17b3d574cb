_base_ = '../../configs/411b1d2639b6e4d7.py'
