from .hooks import *  # noqa: F401,F403
from .model_wrappers import *  # noqa: F401,F403
from .schedulers import *  # noqa: F401,F403
