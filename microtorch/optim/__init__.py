"""Optimizers and learning-rate schedulers with ``torch.optim``'s names and algorithms."""
from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from ._muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler", "Adadelta", "Adamax", "NAdam",
           "RAdam", "ASGD", "Rprop", "LBFGS", "swa_utils", "Adafactor", "Muon"]
