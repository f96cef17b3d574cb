_base_ = '../../configs/f0390114933239c9.py'
