"""``torch.distributions``: probability distributions with sampling, log-densities, entropies and KL divergences.

Every family follows torch's API and formulas; sampling draws from the parameters' device generator
(``microtorch.manual_seed`` makes it reproducible) and ``rsample`` is differentiable where torch's is.
"""
from . import constraints, transforms
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .chi2 import Chi2
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import *  # noqa: F401,F403
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Categorical", "Chi2", "Dirichlet", "Distribution", "Exponential", "ExponentialFamily",
    "Gamma", "Independent", "Laplace", "LogNormal", "MultivariateNormal", "Normal", "TransformedDistribution",
    "Uniform", "constraints", "kl_divergence", "register_kl", "transforms",
] + list(transforms.__all__)
