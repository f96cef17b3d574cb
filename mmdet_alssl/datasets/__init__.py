from .active_learning_dataset import ActiveLearningDataset
from .active_split import ALCocoDataset, ALVOCDataset
from .label_type import LABEL_TYPE_KEY, LABELED, PSEUDO, UNLABELED
from .semi_supervised_sampler import SemiSupervisedSampler

__all__ = ['ActiveLearningDataset', 'ALVOCDataset', 'ALCocoDataset', 'SemiSupervisedSampler',
           'LABEL_TYPE_KEY', 'LABELED', 'PSEUDO', 'UNLABELED']
