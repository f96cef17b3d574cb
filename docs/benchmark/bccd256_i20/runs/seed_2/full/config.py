_base_ = '../../../../bccd256/runs/configs/f0390114933239c9.py'
