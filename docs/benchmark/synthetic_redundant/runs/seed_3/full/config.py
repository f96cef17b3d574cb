_base_ = '../../configs/ab7681a76b09e9ae.py'
