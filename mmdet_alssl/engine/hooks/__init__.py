from .active_learning_hook import ActiveLearningHook
from .finite_loss_hook import FiniteLossHook

__all__ = ['ActiveLearningHook', 'FiniteLossHook']
