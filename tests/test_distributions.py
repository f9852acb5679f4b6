"""microtorch.distributions against torch.distributions: the same parameters in both libraries (float64).

For each family: log_prob, cdf, icdf, entropy, mean, variance and stddev equal torch's; the gradients of
log_prob with respect to every parameter equal torch's; rsample with the same noise in both libraries gives
the same values and gradients; sample moments lie within ``SIGMAS`` standard errors of the analytic mean
(fixed seeds); invalid parameters and values raise torch's ValueError; kl_divergence equals torch's for every
pair registered in both.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import microtorch
import microtorch.distributions as mdist
import torch.distributions as tdist

SIGMAS = 5.0  # sample means must lie within this many standard errors of the analytic mean
N_SAMPLES = 20000
RNG = np.random.default_rng(1234)


def _pos(*shape, lo=0.5, hi=3.0):
    return RNG.uniform(lo, hi, size=shape)


def _real(*shape):
    return RNG.normal(size=shape)


def _spd(n, batch=()):
    a = RNG.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


# name -> (constructor(D, **tensors), parameters (float64 arrays), values to evaluate log_prob at)
CASES = {
    "Normal": (lambda D, loc, scale: D.Normal(loc, scale), dict(loc=_real(3), scale=_pos(2, 3)), _real(4, 2, 3)),
    "Uniform": (lambda D, low, high: D.Uniform(low, low + high), dict(low=_real(3), high=_pos(3)), None),
    "Bernoulli_probs": (lambda D, p: D.Bernoulli(probs=p), dict(p=RNG.uniform(0.1, 0.9, 4)),
                        RNG.integers(0, 2, (3, 4)).astype(float)),
    "Bernoulli_logits": (lambda D, l: D.Bernoulli(logits=l), dict(l=_real(4)), RNG.integers(0, 2, (3, 4)).astype(float)),
    "Categorical_probs": (lambda D, p: D.Categorical(probs=p), dict(p=_pos(2, 5)), RNG.integers(0, 5, (3, 2))),
    "Categorical_logits": (lambda D, l: D.Categorical(logits=l), dict(l=_real(2, 5)), RNG.integers(0, 5, (3, 2))),
    "Exponential": (lambda D, rate: D.Exponential(rate), dict(rate=_pos(3)), _pos(2, 3, lo=0.01, hi=4)),
    "Laplace": (lambda D, loc, scale: D.Laplace(loc, scale), dict(loc=_real(3), scale=_pos(3)), _real(2, 3)),
    "Gamma": (lambda D, c, r: D.Gamma(c, r), dict(c=_pos(3), r=_pos(3)), _pos(2, 3, lo=0.05, hi=4)),
    "Chi2": (lambda D, df: D.Chi2(df), dict(df=_pos(3, lo=1, hi=5)), _pos(2, 3, lo=0.05, hi=4)),
    "Beta": (lambda D, a, b: D.Beta(a, b), dict(a=_pos(3), b=_pos(3)), RNG.uniform(0.05, 0.95, (2, 3))),
    "Dirichlet": (lambda D, c: D.Dirichlet(c), dict(c=_pos(2, 4)), RNG.dirichlet(np.ones(4), (3, 2))),
    "LogNormal": (lambda D, loc, scale: D.LogNormal(loc, scale), dict(loc=_real(3), scale=_pos(3, hi=1.0)),
                  _pos(2, 3, lo=0.1, hi=4)),
    "MVN_cov": (lambda D, loc, cov: D.MultivariateNormal(loc, covariance_matrix=cov),
                dict(loc=_real(3), cov=_spd(3, (2,))), _real(4, 2, 3)),
    "MVN_prec": (lambda D, loc, prec: D.MultivariateNormal(loc, precision_matrix=prec),
                 dict(loc=_real(2, 3), prec=_spd(3)), _real(4, 2, 3)),
    "MVN_tril": (lambda D, loc, tril: D.MultivariateNormal(loc, scale_tril=tril),
                 dict(loc=_real(3), tril=np.linalg.cholesky(_spd(3))), _real(4, 3)),
    "Independent": (lambda D, loc, scale: D.Independent(D.Normal(loc, scale), 1), dict(loc=_real(2, 3), scale=_pos(2, 3)),
                    _real(4, 2, 3)),
    "Transformed_sigmoid_affine": (
        lambda D, loc, scale: D.TransformedDistribution(
            D.Normal(loc, scale), [D.transforms.AffineTransform(0.5, 2.0), D.transforms.SigmoidTransform()]),
        dict(loc=_real(3), scale=_pos(3, hi=1.0)), RNG.uniform(0.05, 0.95, (2, 3))),
    "Transformed_tanh_exp": (
        lambda D, loc, scale: D.TransformedDistribution(
            D.Normal(loc, scale), D.transforms.ComposeTransform([D.transforms.TanhTransform(), D.transforms.ExpTransform()])),
        dict(loc=_real(3), scale=_pos(3, hi=1.0)), RNG.uniform(0.4, 2.6, (2, 3))),
    "Transformed_stickbreaking": (
        lambda D, loc, scale: D.TransformedDistribution(
            D.Independent(D.Normal(loc, scale), 1), D.transforms.StickBreakingTransform()),
        dict(loc=_real(3), scale=_pos(3, hi=1.0)), RNG.dirichlet(np.ones(4), (2,))),
    "Transformed_power": (
        lambda D, r: D.TransformedDistribution(D.Exponential(r), D.transforms.PowerTransform(0.5)),
        dict(r=_pos(3)), _pos(2, 3, lo=0.1, hi=2)),
    "Binomial": (lambda D, p: D.Binomial(5, probs=p), dict(p=RNG.uniform(0.1, 0.9, 4)),
                 RNG.integers(0, 6, (3, 4)).astype(float)),
    "Binomial_logits": (lambda D, l: D.Binomial(D.Binomial(5, logits=l).total_count * 0 + 7, logits=l), dict(l=_real(4)),
                        RNG.integers(0, 8, (3, 4)).astype(float)),
    "Multinomial": (lambda D, p: D.Multinomial(6, probs=p), dict(p=_pos(2, 4)),
                    RNG.multinomial(6, [0.25] * 4, size=(3, 2)).astype(float)),
    "Poisson": (lambda D, rate: D.Poisson(rate), dict(rate=_pos(3)), RNG.integers(0, 6, (2, 3)).astype(float)),
    "Geometric": (lambda D, p: D.Geometric(p), dict(p=RNG.uniform(0.1, 0.9, 3)), RNG.integers(0, 6, (2, 3)).astype(float)),
    "OneHotCategorical": (lambda D, p: D.OneHotCategorical(probs=p), dict(p=_pos(2, 4)),
                          np.eye(4)[RNG.integers(0, 4, (3, 2))]),
    "Cauchy": (lambda D, loc, scale: D.Cauchy(loc, scale), dict(loc=_real(3), scale=_pos(3)), _real(2, 3)),
    "StudentT": (lambda D, df, loc, scale: D.StudentT(df, loc, scale), dict(df=_pos(3, lo=0.5, hi=4.0), loc=_real(3),
                 scale=_pos(3)), _real(2, 3)),
    "Gumbel": (lambda D, loc, scale: D.Gumbel(loc, scale), dict(loc=_real(3), scale=_pos(3)), _real(2, 3)),
    "HalfNormal": (lambda D, scale: D.HalfNormal(scale), dict(scale=_pos(3)), _pos(2, 3, lo=0.01, hi=3)),
    "HalfCauchy": (lambda D, scale: D.HalfCauchy(scale), dict(scale=_pos(3)), _pos(2, 3, lo=0.01, hi=3)),
    "LogisticNormal": (lambda D, loc, scale: D.LogisticNormal(loc, scale), dict(loc=_real(2, 3), scale=_pos(2, 3, hi=1.0)),
                       RNG.dirichlet(np.ones(4), (2,))),
    "LowRankMVN": (lambda D, loc, w, d: D.LowRankMultivariateNormal(loc, w, d),
                   dict(loc=_real(3), w=_real(2, 3, 2), d=_pos(3)), _real(4, 2, 3)),
    "MixtureSameFamily": (lambda D, l, loc, scale: D.MixtureSameFamily(D.Categorical(logits=l), D.Normal(loc, scale)),
                          dict(l=_real(2, 3), loc=_real(2, 3), scale=_pos(2, 3)), _real(4, 2)),
    "RelaxedBernoulli": (lambda D, t, p: D.RelaxedBernoulli(t, probs=p), dict(t=_pos(3, lo=0.3, hi=1.5),
                         p=RNG.uniform(0.1, 0.9, 3)), RNG.uniform(0.05, 0.95, (2, 3))),
    "RelaxedOneHotCategorical": (lambda D, t, p: D.RelaxedOneHotCategorical(t, probs=p),
                                 dict(t=_pos(lo=0.3, hi=1.5), p=_pos(2, 4)), RNG.dirichlet(np.ones(4), (3, 2))),
    "ContinuousBernoulli": (lambda D, p: D.ContinuousBernoulli(probs=p),
                            dict(p=np.array([0.1, 0.3, 0.4995, 0.5003, 0.7, 0.95])), RNG.uniform(0.02, 0.98, (2, 6))),
    "ContinuousBernoulli_logits": (lambda D, l: D.ContinuousBernoulli(logits=l), dict(l=_real(4)),
                                   RNG.uniform(0.02, 0.98, (2, 4))),
    "Weibull": (lambda D, s, k: D.Weibull(s, k), dict(s=_pos(3), k=_pos(3, lo=0.7)), _pos(2, 3, lo=0.05, hi=4)),
    "Pareto": (lambda D, s, a: D.Pareto(s, a), dict(s=_pos(3, lo=0.2, hi=1.0), a=_pos(3, lo=2.5, hi=5)),
               _pos(2, 3, lo=1.0, hi=4)),
    "NegativeBinomial": (lambda D, r, p: D.NegativeBinomial(r, probs=p), dict(r=_pos(4, lo=1, hi=5),
                         p=RNG.uniform(0.1, 0.8, 4)), RNG.integers(0, 7, (3, 4)).astype(float)),
    "NegativeBinomial_logits": (lambda D, r, l: D.NegativeBinomial(r, logits=l), dict(r=_pos(4, lo=1, hi=5),
                                l=_real(4)), RNG.integers(0, 7, (3, 4)).astype(float)),
    "InverseGamma": (lambda D, c, r: D.InverseGamma(c, r), dict(c=_pos(3, lo=2.5, hi=5), r=_pos(3)),
                     _pos(2, 3, lo=0.05, hi=3)),
    "Kumaraswamy": (lambda D, a, b: D.Kumaraswamy(a, b), dict(a=_pos(3), b=_pos(3)), RNG.uniform(0.05, 0.95, (2, 3))),
    "FisherSnedecor": (lambda D, d1, d2: D.FisherSnedecor(d1, d2), dict(d1=_pos(3, lo=1, hi=6), d2=_pos(3, lo=4.5, hi=9)),
                       _pos(2, 3, lo=0.05, hi=4)),
    "GeneralizedPareto": (lambda D, loc, s, xi: D.GeneralizedPareto(loc, s, xi),
                          dict(loc=RNG.uniform(-1.5, -1.0, 4), s=_pos(4), xi=np.array([-0.2, 0.0, 0.1, 0.3])),
                          RNG.uniform(-0.9, 1.0, (2, 4))),
}
STATS = ("mean", "variance", "stddev")
# torch's Multinomial.entropy takes lgamma(n + 1) of an int64 tensor, so in float32: ours is exact (math.lgamma)
ENTROPY_RTOL = {"Multinomial": 1e-7}


def _build(lib, name, requires_grad=False):
    ctor, params, _ = CASES[name]
    tensors = {k: lib.tensor(v, dtype=lib.float64, requires_grad=requires_grad) for k, v in params.items()}
    D = mdist if lib is microtorch else tdist
    return ctor(D, **tensors), tensors


def _value(lib, name, dist_t):
    values = CASES[name][2]
    if values is None:  # inside the support: a torch sample
        torch.manual_seed(0)
        values = dist_t.sample((2,)).numpy()
    dtype = lib.int64 if values.dtype.kind == "i" else lib.float64
    return lib.tensor(values, dtype=dtype)


def _close(a, b, rtol=1e-10, atol=1e-10):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


#: families whose torch methods fail in float64, compared in float32 in their own test
TORCH_FAILS_IN_FLOAT64 = {"GeneralizedPareto": "log_prob and cdf compare with torch.tensor(0.0): Double did not match Float"}


@pytest.mark.parametrize("name", sorted(set(CASES) - set(TORCH_FAILS_IN_FLOAT64)))
def test_log_prob_and_statistics_match_torch(name):
    d_m, p_m = _build(microtorch, name, requires_grad=True)
    d_t, p_t = _build(torch, name, requires_grad=True)
    assert tuple(d_m.batch_shape) == tuple(d_t.batch_shape) and tuple(d_m.event_shape) == tuple(d_t.event_shape)
    v_m, v_t = _value(microtorch, name, d_t), _value(torch, name, d_t)
    lp_m, lp_t = d_m.log_prob(v_m), d_t.log_prob(v_t)
    _close(lp_m, lp_t)
    g_m = microtorch.autograd.grad(lp_m.sum(), list(p_m.values()))
    g_t = torch.autograd.grad(lp_t.sum(), list(p_t.values()))
    for a, b in zip(g_m, g_t):
        _close(a, b, rtol=1e-8, atol=1e-10)
    for stat in STATS:
        try:
            expected = getattr(d_t, stat)
        except NotImplementedError:
            continue
        _close(getattr(d_m, stat), expected)
    try:
        expected_entropy = d_t.entropy()
    except NotImplementedError:
        expected_entropy = None
    if expected_entropy is not None:
        _close(d_m.entropy(), expected_entropy, rtol=ENTROPY_RTOL.get(name, 1e-10))


CDF_CASES = ["Normal", "Uniform", "Exponential", "Laplace", "Transformed_sigmoid_affine", "Gamma", "Cauchy", "HalfNormal",
             "HalfCauchy", "Weibull", "Pareto", "Kumaraswamy", "ContinuousBernoulli"]


@pytest.mark.parametrize("name", CDF_CASES)
def test_cdf_and_icdf_match_torch(name):
    d_m, _ = _build(microtorch, name)
    d_t, _ = _build(torch, name)
    v_m, v_t = _value(microtorch, name, d_t), _value(torch, name, d_t)
    if name == "Gamma":  # torch's Gamma.cdf is the regularized incomplete gamma, differentiable only in the value
        v_m, v_t = v_m.requires_grad_(), v_t.requires_grad_()
        c_m, c_t = d_m.cdf(v_m), d_t.cdf(v_t)
        _close(c_m, c_t, rtol=1e-9)
        _close(microtorch.autograd.grad(c_m.sum(), v_m)[0], torch.autograd.grad(c_t.sum(), v_t)[0], rtol=1e-9)
        d_m, _ = _build(microtorch, name, requires_grad=True)
        with pytest.raises(NotImplementedError, match="igamma: input"):
            d_m.cdf(v_m).sum().backward()
        return
    _close(d_m.cdf(v_m), d_t.cdf(v_t))
    q = RNG.uniform(0.02, 0.98, (2,) + tuple(d_t.batch_shape))
    _close(d_m.icdf(microtorch.tensor(q)), d_t.icdf(torch.tensor(q)), rtol=1e-9)


def test_generalized_pareto_matches_torch_in_float32():
    _, params, values = CASES["GeneralizedPareto"]
    results = []
    for lib, D in ((microtorch, mdist), (torch, tdist)):
        p = {k: lib.tensor(v, dtype=lib.float32, requires_grad=True) for k, v in params.items()}
        d = D.GeneralizedPareto(p["loc"], p["s"], p["xi"])
        x = lib.tensor(values, dtype=lib.float32)
        q = lib.tensor(np.linspace(0.05, 0.95, 8).reshape(2, 4), dtype=lib.float32)
        lp = d.log_prob(x)
        grads = lib.autograd.grad(lp.sum(), list(p.values()))
        results.append([lp, *grads, d.cdf(x), d.icdf(q), d.log_survival_function(x), d.mean, d.variance, d.entropy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("dim", [2, 4])
def test_lkj_cholesky_scores_as_torch_and_samples_its_correlations(dim):
    conc = np.array([0.5, 1.0, 3.0])
    torch.manual_seed(0)
    values = tdist.LKJCholesky(dim, torch.tensor(conc)).sample((5,))
    scores = []
    for lib, D in ((microtorch, mdist), (torch, tdist)):
        c = lib.tensor(conc, requires_grad=True)
        lp = D.LKJCholesky(dim, c).log_prob(lib.tensor(values.numpy()))
        scores.append((lp, lib.autograd.grad(lp.sum(), c)[0]))
    for ours, theirs in zip(*scores):
        _close(ours, theirs, rtol=1e-10)
    microtorch.manual_seed(4)
    d = mdist.LKJCholesky(dim, microtorch.tensor(conc))
    factors = d.sample((20000,))
    assert tuple(factors.shape) == (20000, 3, dim, dim) and bool(d.support.check(factors).all())
    corr = (factors @ factors.mT).numpy()[..., 1, 0]  # an off-diagonal correlation: mean 0, var 1/(2 eta + d - 1)
    variance = 1 / (2 * conc + dim - 1)
    assert (np.abs(corr.mean(0)) <= SIGMAS * np.sqrt(variance / 20000)).all()
    np.testing.assert_allclose(corr.var(0), variance, rtol=0.05)
    assert tuple(d.expand((2, 3)).sample().shape) == (2, 3, dim, dim)
    for lib, D in ((microtorch, mdist), (torch, tdist)):
        with pytest.raises(ValueError, match="Expected dim to be an integer greater than or equal to 2. Found dim=1"):
            D.LKJCholesky(1, 1.0)


@pytest.mark.parametrize("form", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart_scores_as_torch_and_samples_its_mean(form):
    cov = _spd(3, (2,)) / 3
    param = {"covariance_matrix": cov, "precision_matrix": np.linalg.inv(cov), "scale_tril": np.linalg.cholesky(cov)}
    df = np.array([4.5, 7.0])
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's "Singular sample detected.", which it gives for every draw)
        values = tdist.Wishart(torch.tensor(df), covariance_matrix=torch.tensor(cov)).sample((4,))
    results = []
    for lib, D in ((microtorch, mdist), (torch, tdist)):
        nu, m = lib.tensor(df, requires_grad=True), lib.tensor(param[form], requires_grad=True)
        d = D.Wishart(nu, **{form: m})
        lp = d.log_prob(lib.tensor(values.numpy()))
        results.append([lp, *lib.autograd.grad(lp.sum(), [nu, m]), d.mean, d.variance, d.entropy(), d.mode])
    for ours, theirs in zip(*results):
        _close(ours, theirs, rtol=1e-9)
    microtorch.manual_seed(2)
    d = mdist.Wishart(microtorch.tensor(df), **{form: microtorch.tensor(param[form])})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (torch warns "Singular sample detected." for every draw: its mask is inverted)
        draws = d.rsample((20000,))
    assert tuple(draws.shape) == (20000, 2, 3, 3) and bool(d.support.check(draws).all())
    standard_error = (d.variance / 20000).sqrt().numpy()
    assert (np.abs(draws.mean(0).numpy() - d.mean.numpy()) <= SIGMAS * standard_error).all()
    for lib, D in ((microtorch, mdist), (torch, tdist)):
        with pytest.raises(ValueError, match="expected to be greater than ndim - 1 = 2"):
            D.Wishart(lib.tensor(1.5), covariance_matrix=lib.eye(3))
        with pytest.raises(AssertionError, match="Exactly one of covariance_matrix"):
            D.Wishart(lib.tensor(4.0))


def test_kumaraswamy_mode_is_the_densitys_maximum():
    """torch 2.13's Kumaraswamy.mode is nan everywhere (it takes log1p(-b) for b > 1); microtorch's is the
    closed form ((a - 1) / (a b - 1))^(1 / a), checked here as the argmax of the density on a fine grid."""
    a, b = np.array([2.0, 3.5, 1.5, 0.5]), np.array([3.0, 1.2, 5.0, 2.0])
    d = mdist.Kumaraswamy(microtorch.tensor(a), microtorch.tensor(b))
    grid = np.linspace(1e-4, 1 - 1e-4, 200001)
    density = np.exp(d.log_prob(microtorch.tensor(np.repeat(grid[:, None], 4, axis=1))).numpy())
    mode = d.mode.numpy()
    np.testing.assert_allclose(mode[:3], grid[density[:, :3].argmax(0)], atol=1e-4)
    assert np.isnan(mode[3])  # (a < 1: the density is unbounded at 0)
    assert torch.isnan(tdist.Kumaraswamy(torch.tensor(a), torch.tensor(b)).mode).all()


# ---- rsample with fixed noise -------------------------------------------------------------------------
def _fix_noise(monkeypatch, name, shape):
    """The same noise in both libraries: replace microtorch's noise sources and the torch call the family uses."""
    u = RNG.uniform(0.01, 0.99, shape)
    pool = RNG.normal(size=4 * int(np.prod(shape)))  # each call takes the first prod(s) numbers

    def z(s):
        return pool[:int(np.prod(s))].reshape(tuple(s))

    monkeypatch.setattr(mdist.utils, "uniform", lambda s, dtype, device: microtorch.tensor(u.reshape(s), dtype=dtype))
    monkeypatch.setattr(mdist.utils, "standard_normal", lambda s, dtype, device: microtorch.tensor(z(s), dtype=dtype))
    normal = lambda s, dtype, device: torch.tensor(z(s), dtype=dtype)  # noqa: E731
    monkeypatch.setattr(tdist.lowrank_multivariate_normal, "_standard_normal", normal)
    monkeypatch.setattr(torch.Tensor, "cauchy_", lambda self: self.copy_(torch.tensor(np.tan(np.pi * (u - 0.5))).reshape(self.shape)))
    monkeypatch.setattr(tdist.normal, "_standard_normal", normal)
    monkeypatch.setattr(tdist.multivariate_normal, "_standard_normal", normal)
    monkeypatch.setattr(torch, "rand", lambda *s, dtype=None, device=None: torch.tensor(u.reshape(s[0]), dtype=dtype))
    eps = torch.finfo(torch.float64).eps
    monkeypatch.setattr(torch.Tensor, "exponential_", lambda self: self.copy_(torch.tensor(-np.log1p(-u)).reshape(self.shape)))
    monkeypatch.setattr(torch.Tensor, "uniform_", lambda self, a, b: self.copy_(
        torch.tensor(u * (2 - eps) + (eps - 1)).reshape(self.shape)))


RSAMPLE_CASES = ["Normal", "Uniform", "Exponential", "Laplace", "LogNormal", "MVN_cov", "MVN_tril", "Independent",
                 "Transformed_sigmoid_affine", "Cauchy", "Gumbel", "HalfNormal", "LogisticNormal", "LowRankMVN",
                 "RelaxedBernoulli", "RelaxedOneHotCategorical", "Weibull", "Pareto", "Kumaraswamy", "ContinuousBernoulli",
                 "GeneralizedPareto"]


@pytest.mark.parametrize("name", RSAMPLE_CASES)
def test_rsample_with_fixed_noise_matches_torch(monkeypatch, name):
    d_m, p_m = _build(microtorch, name, requires_grad=True)
    d_t, p_t = _build(torch, name, requires_grad=True)
    _fix_noise(monkeypatch, name, (5,) + tuple(d_t.batch_shape) + tuple(d_t.event_shape))
    s_m, s_t = d_m.rsample((5,)), d_t.rsample((5,))
    _close(s_m, s_t)
    weights = np.linspace(-1.0, 2.0, s_t.numel()).reshape(tuple(s_t.shape))
    g_m = microtorch.autograd.grad((s_m * microtorch.tensor(weights)).sum(), list(p_m.values()))
    g_t = torch.autograd.grad((s_t * torch.tensor(weights)).sum(), list(p_t.values()))
    for a, b in zip(g_m, g_t):
        _close(a, b, rtol=1e-9)


def test_standard_gamma_gradient_matches_torch():
    """Gamma's reparameterised gradient dx/dalpha at a sample x (implicit differentiation) against torch's
    _standard_gamma_grad; torch's own series is accurate to about 2e-4 relative, hence the tolerance."""
    from microtorch.autograd.ops.special import StandardGammaGrad

    alpha = np.array([0.1, 0.5, 1.0, 2.0, 5.0, 30.0, 0.5, 3.0])
    x = np.array([0.05, 0.3, 1.0, 2.5, 4.0, 28.0, 2.0, 0.4])
    ours = StandardGammaGrad.apply(microtorch.tensor(alpha), microtorch.tensor(x)).numpy()
    theirs = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=2e-3)


@pytest.mark.parametrize("name", ["Gamma", "Beta", "Dirichlet"])
def test_implicit_reparameterisation_gradient_is_unbiased(name):
    """d E[x] / d params estimated from rsample's pathwise gradient matches the analytic derivative of the mean."""
    microtorch.manual_seed(3)
    d_m, p_m = _build(microtorch, name, requires_grad=True)
    d_t, p_t = _build(torch, name, requires_grad=True)
    samples = d_m.rsample((4000,))
    g_m = microtorch.autograd.grad(samples.mean(0).sum(), list(p_m.values()))
    g_t = torch.autograd.grad(d_t.mean.sum(), list(p_t.values()))
    for a, b in zip(g_m, g_t):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0.1, atol=0.02)


# ---- sample moments -------------------------------------------------------------------------------------
MOMENT_CASES = ["Normal", "Uniform", "Bernoulli_probs", "Exponential", "Laplace", "Gamma", "Chi2", "Beta", "Dirichlet",
                "LogNormal", "MVN_cov", "MVN_prec", "Independent", "Binomial", "Multinomial", "Poisson", "Geometric",
                "OneHotCategorical", "Gumbel", "HalfNormal", "LowRankMVN", "MixtureSameFamily", "Weibull", "Pareto",
                "NegativeBinomial", "InverseGamma", "Kumaraswamy", "FisherSnedecor", "GeneralizedPareto",
                "ContinuousBernoulli"]


@pytest.mark.parametrize("name", MOMENT_CASES)
def test_sample_mean_within_sigmas(name):
    microtorch.manual_seed(7)
    d_m, _ = _build(microtorch, name)
    samples = d_m.sample((N_SAMPLES,))
    assert tuple(samples.shape) == (N_SAMPLES,) + tuple(d_m.batch_shape) + tuple(d_m.event_shape)
    standard_error = (d_m.variance / N_SAMPLES).sqrt().numpy()
    deviation = np.abs(samples.mean(0).numpy() - d_m.mean.numpy())
    assert (deviation <= SIGMAS * standard_error).all(), (deviation / standard_error).max()
    assert bool(d_m.support.check(samples).all())


def test_categorical_sample_frequencies_within_sigmas():
    microtorch.manual_seed(11)
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    samples = mdist.Categorical(probs=microtorch.tensor(probs)).sample((N_SAMPLES,)).numpy()
    freq = np.bincount(samples, minlength=4) / N_SAMPLES
    assert (np.abs(freq - probs) <= SIGMAS * np.sqrt(probs * (1 - probs) / N_SAMPLES)).all()


def test_sampling_is_reproducible_with_manual_seed():
    d = mdist.Normal(microtorch.zeros(3), 1.0)
    microtorch.manual_seed(5)
    a = d.sample((4,))
    microtorch.manual_seed(5)
    assert (d.sample((4,)) == a).all().item()


# ---- KL divergences ----------------------------------------------------------------------------------------
KL_FAMILIES = {
    "Normal": lambda D, L: D.Normal(L(_real(3)), L(_pos(3))),
    "Uniform": lambda D, L: D.Uniform(L(_real(3) - 3), L(_pos(3) + 3)),
    "Uniform01": lambda D, L: D.Uniform(L(RNG.uniform(0.05, 0.3, 3)), L(RNG.uniform(0.6, 0.95, 3))),
    "Bernoulli": lambda D, L: D.Bernoulli(probs=L(RNG.uniform(0.1, 0.9, 3))),
    "Categorical": lambda D, L: D.Categorical(probs=L(_pos(3, 4))),
    "Exponential": lambda D, L: D.Exponential(L(_pos(3))),
    "Laplace": lambda D, L: D.Laplace(L(_real(3)), L(_pos(3))),
    "Gamma": lambda D, L: D.Gamma(L(_pos(3)), L(_pos(3))),
    "Beta": lambda D, L: D.Beta(L(_pos(3)), L(_pos(3))),
    "Dirichlet": lambda D, L: D.Dirichlet(L(_pos(3, 4))),
    "MultivariateNormal": lambda D, L: D.MultivariateNormal(L(_real(2, 3)), covariance_matrix=L(_spd(3, (2,)))),
    "Independent": lambda D, L: D.Independent(D.Normal(L(_real(3, 2)), L(_pos(3, 2))), 1),
    "LogNormal": lambda D, L: D.LogNormal(L(_real(3)), L(_pos(3))),
    "Binomial": lambda D, L: D.Binomial(4, probs=L(RNG.uniform(0.1, 0.9, 3))),
    "Geometric": lambda D, L: D.Geometric(L(RNG.uniform(0.1, 0.9, 3))),
    "Gumbel": lambda D, L: D.Gumbel(L(_real(3)), L(_pos(3))),
    "HalfNormal": lambda D, L: D.HalfNormal(L(_pos(3))),
    "OneHotCategorical": lambda D, L: D.OneHotCategorical(probs=L(_pos(3, 4))),
    "Poisson": lambda D, L: D.Poisson(L(_pos(3))),
    "Cauchy": lambda D, L: D.Cauchy(L(_real(3)), L(_pos(3))),
    "LowRankMultivariateNormal": lambda D, L: D.LowRankMultivariateNormal(L(_real(2, 3)), L(_real(3, 2)), L(_pos(3))),
    # alpha straddles 1 and 2 (the infinite moments) and the scales straddle the other's (the infinite supports)
    "Pareto": lambda D, L: D.Pareto(L(RNG.uniform(0.5, 1.5, 6)), L(np.array([0.8, 1.5, 2.5, 3.0, 4.0, 6.0]))),
    "Uniform6": lambda D, L: D.Uniform(L(RNG.uniform(0.3, 1.2, 6)), L(RNG.uniform(1.5, 3.0, 6))),
    "Normal6": lambda D, L: D.Normal(L(_real(6)), L(_pos(6))),
    "Exponential6": lambda D, L: D.Exponential(L(_pos(6))),
    "Gamma6": lambda D, L: D.Gamma(L(_pos(6)), L(_pos(6))),
    "ContinuousBernoulli": lambda D, L: D.ContinuousBernoulli(L(np.array([0.1, 0.4995, 0.7]))),
    "Uniform01b": lambda D, L: D.Uniform(L(np.array([-0.5, 0.1, 0.2])), L(np.array([0.9, 1.0, 1.5]))),
}
KL_SAME = [(f, f) for f in KL_FAMILIES if f != "Uniform01" and not f.endswith("6")]
KL_CROSS = [(p, q) for p in ("Beta", "Exponential", "Gamma", "Laplace", "Normal", "Uniform", "Uniform01", "Gumbel")
            for q in ("Beta", "Exponential", "Gamma", "Normal", "Uniform", "Gumbel")
            if p != q and not (p.startswith("Uniform") and q == "Uniform")
            and (p, q) not in (("Beta", "Gumbel"), ("Laplace", "Gumbel"))]  # (no closed form registered in torch)
KL_CROSS += [("Bernoulli", "Poisson"), ("Poisson", "Bernoulli"), ("Poisson", "Binomial"),
             ("MultivariateNormal", "LowRankMultivariateNormal"), ("LowRankMultivariateNormal", "MultivariateNormal")]
KL_CROSS += [("Pareto", q) for q in ("Normal6", "Exponential6", "Gamma6", "Uniform6", "Beta")]
KL_CROSS += [("ContinuousBernoulli", q) for q in ("Pareto", "Exponential", "Normal", "Uniform", "Uniform01b")]
KL_CROSS += [(p, "ContinuousBernoulli") for p in ("Beta", "Uniform01", "Uniform01b", "Exponential", "Gamma", "Gumbel",
                                                  "Laplace", "Normal", "Pareto")]
KL_CROSS += [(p, "Pareto") for p in ("Beta", "Exponential", "Gamma", "Laplace", "Normal", "Gumbel", "Uniform6")]


@pytest.mark.parametrize("pair", KL_SAME + KL_CROSS, ids=lambda p: f"{p[0]}-{p[1]}")
def test_kl_divergence_matches_torch(pair):
    state = RNG.bit_generator.state
    results = []
    for lib, D in ((microtorch, mdist), (torch, tdist)):
        RNG.bit_generator.state = state  # the same parameters in both libraries
        L = lambda a, lib=lib: lib.tensor(a, dtype=lib.float64)  # noqa: E731
        p, q = KL_FAMILIES[pair[0]](D, L), KL_FAMILIES[pair[1]](D, L)
        results.append(D.kl_divergence(p, q))
    _close(*results, rtol=1e-9)


def test_register_kl_and_dispatch_to_most_specific():
    class MyNormal(mdist.Normal):
        pass

    @mdist.register_kl(MyNormal, mdist.Normal)
    def _kl_my(p, q):
        return p.loc * 0 + 42.0

    p, q = MyNormal(microtorch.zeros(2), 1.0), mdist.Normal(microtorch.zeros(2), 1.0)
    assert mdist.kl_divergence(p, q).tolist() == [42.0, 42.0]
    assert mdist.kl_divergence(q, q).tolist() == [0.0, 0.0]
    with pytest.raises(NotImplementedError, match="No KL"):
        mdist.kl_divergence(mdist.Laplace(0.0, 1.0), mdist.Bernoulli(probs=microtorch.tensor(0.5)))


# ---- validation -----------------------------------------------------------------------------------------------
def test_invalid_parameters_raise_value_error_as_torch():
    bad = [
        lambda D, T: D.Normal(T([0.0]), T([-1.0])),
        lambda D, T: D.Bernoulli(probs=T([1.5])),
        lambda D, T: D.Categorical(probs=T([-0.1, 1.1])),
        lambda D, T: D.Gamma(T([1.0]), T([0.0])),
        lambda D, T: D.Beta(T([-1.0]), T([1.0])),
        lambda D, T: D.Dirichlet(T([1.0, -2.0])),
        lambda D, T: D.Uniform(T([1.0]), T([0.0])),
        lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), covariance_matrix=T([[1.0, 2.0], [2.0, 1.0]])),
        lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), scale_tril=T([[-1.0, 0.0], [0.0, 1.0]])),
        lambda D, T: D.Exponential(T([-1.0])),
        lambda D, T: D.Bernoulli(),
        lambda D, T: D.Weibull(T([1.0]), T([-2.0])),
        lambda D, T: D.Pareto(T([0.0]), T([1.0])),
        lambda D, T: D.NegativeBinomial(T([-1.0]), probs=T([0.5])),
        lambda D, T: D.NegativeBinomial(T([2.0]), probs=T([1.0])),
        lambda D, T: D.NegativeBinomial(T([2.0])),
        lambda D, T: D.InverseGamma(T([1.0]), T([0.0])),
        lambda D, T: D.Kumaraswamy(T([-1.0]), T([1.0])),
        lambda D, T: D.FisherSnedecor(T([1.0]), T([-3.0])),
        lambda D, T: D.GeneralizedPareto(T([0.0]), T([-1.0]), T([0.1])),
    ]
    for make in bad:
        with pytest.raises(ValueError) as expected:
            make(tdist, lambda v: torch.tensor(v, dtype=torch.float64))
        with pytest.raises(ValueError) as got:
            make(mdist, lambda v: microtorch.tensor(v, dtype=microtorch.float64))
        assert str(got.value).split("(")[0] == str(expected.value).split("(")[0]


def test_invalid_values_raise_value_error_as_torch():
    cases = [
        (lambda D, T: D.Normal(T([0.0, 1.0]), T([1.0, 1.0])), [[0.0, 1.0, 2.0]]),  # does not broadcast
        (lambda D, T: D.Exponential(T([1.0])), [-1.0]),  # outside the support
        (lambda D, T: D.Bernoulli(probs=T([0.5])), [0.5]),
        (lambda D, T: D.Categorical(probs=T([0.5, 0.5])), [2.0]),
        (lambda D, T: D.Beta(T([1.0]), T([1.0])), [1.5]),
        (lambda D, T: D.Pareto(T([2.0]), T([1.0])), [1.5]),  # below the scale
        (lambda D, T: D.NegativeBinomial(T([2.0]), probs=T([0.5])), [1.5]),
        (lambda D, T: D.Kumaraswamy(T([2.0]), T([2.0])), [1.5]),
        (lambda D, T: D.Dirichlet(T([1.0, 1.0])), [0.2, 0.2]),
        (lambda D, T: D.MultivariateNormal(T([0.0, 0.0]), covariance_matrix=T([[1.0, 0.0], [0.0, 1.0]])), [1.0]),
    ]
    for make, value in cases:
        messages = []
        for lib, D in ((torch, tdist), (microtorch, mdist)):
            T = lambda v, lib=lib: lib.tensor(v, dtype=lib.float64)  # noqa: E731
            with pytest.raises(ValueError) as e:
                make(D, T).log_prob(T(value))
            messages.append(str(e.value).replace("microtorch.", "torch.").split("(")[0])
        assert messages[0] == messages[1]


def test_validation_can_be_turned_off():
    mdist.Distribution.set_default_validate_args(False)
    try:
        d = mdist.Normal(microtorch.tensor([0.0]), microtorch.tensor([-1.0]))
        assert math.isnan(d.log_prob(microtorch.tensor([0.0])).item())
    finally:
        mdist.Distribution.set_default_validate_args(True)
    assert mdist.Normal(0.0, 1.0, validate_args=False)._validate_args is False


def test_expand_enumerate_support_and_repr():
    d = mdist.Bernoulli(probs=microtorch.tensor([0.2, 0.7]))
    assert tuple(d.expand((3, 2)).batch_shape) == (3, 2)
    assert d.enumerate_support().tolist() == [[0.0, 0.0], [1.0, 1.0]]
    c = mdist.Categorical(logits=microtorch.zeros(2, 3)).expand((4, 2))
    assert tuple(c.sample().shape) == (4, 2) and c.enumerate_support(expand=False).shape == (3, 1, 1)
    n = mdist.Normal(microtorch.zeros(2), 1.0).expand((5, 2))
    assert tuple(n.rsample((3,)).shape) == (3, 5, 2)
    assert repr(mdist.Normal(0.0, 1.0)) == repr(tdist.Normal(0.0, 1.0))


# ---- devices ------------------------------------------------------------------------------------------------------
from conftest import DEVICES  # noqa: E402


@pytest.mark.parametrize("device", DEVICES)
def test_families_sample_and_score_on_every_device(device):
    microtorch.manual_seed(2)
    on = lambda a: microtorch.tensor(a, dtype=microtorch.float64, device=device)  # noqa: E731
    families = [
        mdist.Normal(on(_real(3)), on(_pos(3))), mdist.Gamma(on(_pos(3)), on(_pos(3))),
        mdist.Categorical(logits=on(_real(2, 4))), mdist.Dirichlet(on(_pos(2, 3))), mdist.Poisson(on(_pos(3))),
        mdist.MultivariateNormal(on(_real(3)), covariance_matrix=on(_spd(3))),
        mdist.TransformedDistribution(mdist.Normal(on(_real(3)), on(_pos(3))), mdist.transforms.TanhTransform()),
    ]
    for d in families:
        x = d.sample((4,))
        assert x.device.type == microtorch.device(device).type
        lp = d.log_prob(x)
        assert lp.device.type == x.device.type and bool(lp.isfinite().all())
    f = lambda v: (v.sin() * v).sum()  # noqa: E731
    per_row = microtorch.func.vmap(microtorch.func.grad(f))(on(X_DEVICE))
    np.testing.assert_allclose(per_row.cpu().numpy(), np.sin(X_DEVICE) + X_DEVICE * np.cos(X_DEVICE), rtol=1e-12)


X_DEVICE = RNG.normal(size=(3, 2))


def test_von_mises_matches_torch_and_samples_its_circular_moment():
    loc, kappa = RNG.normal(size=3), np.array([0.5, 2.0, 8.0])
    d_m = mdist.VonMises(microtorch.tensor(loc, requires_grad=True), microtorch.tensor(kappa, requires_grad=True))
    d_t = tdist.VonMises(torch.tensor(loc, requires_grad=True), torch.tensor(kappa, requires_grad=True))
    v = RNG.uniform(-np.pi, np.pi, (4, 3))
    lp_m, lp_t = d_m.log_prob(microtorch.tensor(v)), d_t.log_prob(torch.tensor(v))
    _close(lp_m, lp_t)
    for a, b in zip(microtorch.autograd.grad(lp_m.sum(), [d_m.loc, d_m.concentration]),
                    torch.autograd.grad(lp_t.sum(), [d_t.loc, d_t.concentration])):
        _close(a, b, rtol=1e-8)
    _close(d_m.variance, d_t.variance)
    microtorch.manual_seed(4)
    x = d_m.sample((N_SAMPLES,))
    assert bool(((x >= -np.pi) & (x < np.pi)).all())
    # E[cos(x - loc)] = I1(kappa) / I0(kappa) = 1 - variance; cos is bounded, so its standard error is at most 1/sqrt(N)
    mean_cos = (x - d_m.loc).cos().mean(0).detach().numpy()
    assert (np.abs(mean_cos - (1 - d_m.variance.detach().numpy())) <= SIGMAS / np.sqrt(N_SAMPLES)).all()


# ---- transforms and constraints --------------------------------------------------------------------------------
def _transform_cases(D, T):
    t = D.transforms
    return [
        (t.ExpTransform(), _real(2, 3)), (t.SigmoidTransform(), _real(2, 3)), (t.TanhTransform(), _real(2, 3)),
        (t.AffineTransform(T(_real(3)), T(_pos(3))), _real(2, 3)), (t.AffineTransform(1.5, -2.0), _real(2, 3)),
        (t.AffineTransform(T(_real(3)), T(_pos(3)), event_dim=1), _real(2, 3)),
        (t.PowerTransform(T(2.5)), _pos(2, 3)), (t.SoftmaxTransform(), _real(2, 3)),
        (t.StickBreakingTransform(), _real(2, 3)), (t.LowerCholeskyTransform(), _real(2, 3, 3)),
        (t.ReshapeTransform((2, 3), (3, 2)), _real(4, 2, 3)), (t.IndependentTransform(t.ExpTransform(), 1), _real(2, 3)),
        (t.ComposeTransform([t.AffineTransform(0.5, 2.0), t.TanhTransform(), t.ExpTransform()]), _real(2, 3)),
        (t.ExpTransform().inv, _pos(2, 3)), (t.AbsTransform(), _real(2, 3)),
        (t.SoftplusTransform(), _real(2, 3)),
        (t.CatTransform([t.ExpTransform(), t.SigmoidTransform()], dim=1, lengths=[1, 2]), _real(2, 3)),
        (t.CatTransform([t.ExpTransform(), t.TanhTransform()], dim=0), _real(2, 3)),
        (t.StackTransform([t.ExpTransform(), t.SigmoidTransform(), t.TanhTransform()], dim=-1), _real(2, 3)),
        (t.CumulativeDistributionTransform(D.Normal(T(_real(3)), T(_pos(3)))), _real(2, 3)),
        (t.PositiveDefiniteTransform(), _real(2, 3, 3)), (t.CorrCholeskyTransform(), _real(2, 6)),
    ]


def test_transforms_match_torch():
    state = RNG.bit_generator.state
    cases = []
    for lib, D in ((microtorch, mdist), (torch, tdist)):
        RNG.bit_generator.state = state
        T = lambda a, lib=lib: lib.tensor(a, dtype=lib.float64)  # noqa: E731
        cases.append([(tr, T(x)) for tr, x in _transform_cases(D, T)])
    for (tm, xm), (tt, xt) in zip(*cases):
        ym, yt = tm(xm), tt(xt)
        _close(ym, yt)
        assert tuple(tm.forward_shape(xm.shape)) == tuple(tt.forward_shape(xt.shape))
        assert (tm.domain.event_dim, tm.codomain.event_dim) == (tt.domain.event_dim, tt.codomain.event_dim)
        assert repr(tm.codomain) == repr(tt.codomain)
        if tt.bijective:
            _close(tm.inv(ym), tt.inv(yt), rtol=1e-8)
            _close(tm.log_abs_det_jacobian(xm, ym), tt.log_abs_det_jacobian(xt, yt), rtol=1e-8)
        assert bool(tm.codomain.check(ym).all()) == bool(tt.codomain.check(yt).all())


def _constraints(C, T):
    return [C.real, C.positive, C.nonnegative, C.greater_than(T(_real(3))), C.greater_than_eq(-1.5),
            C.less_than(T(_real(3))), C.unit_interval, C.interval(T(_real(3)) - 2, T(_pos(3))),
            C.half_open_interval(-1.0, 4.0), C.simplex, C.independent(C.positive, 1), C.corr_cholesky,
            C.cat([C.positive, C.unit_interval], 1, [1, 2]), C.stack([C.real, C.positive, C.unit_interval], 1)]


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
def test_biject_to_and_transform_to_as_torchs(registry):
    state = RNG.bit_generator.state
    results = []
    for lib, D in ((microtorch, mdist), (torch, tdist)):
        RNG.bit_generator.state = state
        T = lambda a, lib=lib: lib.tensor(a, dtype=lib.float64)  # noqa: E731
        extra = [D.constraints.lower_cholesky, D.constraints.positive_definite] if registry == "transform_to" else []
        row = []
        for c in _constraints(D.constraints, T) + extra:
            t = getattr(D, registry)(c)
            x = T(_real(*((2, 6) if c is D.constraints.corr_cholesky else (2, 3, 3) if c in extra else (2, 3))))
            y = t(x)
            row.append((repr(t), y, t.log_abs_det_jacobian(x, y) if t.bijective else None, bool(c.check(y).all())))
        results.append(row)
    for (rm, ym, lm, okm), (rt, yt, lt, okt) in zip(*results):
        assert rm == rt and okm and okt
        _close(ym, yt)
        if lt is not None:
            _close(lm, lt)
    for lib, D in ((microtorch, mdist), (torch, tdist)):
        with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
            getattr(D, registry)(D.constraints.boolean)
        with pytest.raises(TypeError, match="Expected constraint to be either a Constraint subclass or instance"):
            getattr(D, registry).register(int, lambda c: None)


def test_transform_cache_and_equality():
    t = mdist.transforms.ExpTransform(cache_size=1)
    x = microtorch.randn(3)
    y = t(x)
    assert t.inv(y) is x  # the cached pair, as torch's cache_size=1
    assert mdist.transforms.ExpTransform() == mdist.transforms.ExpTransform() != mdist.transforms.TanhTransform()
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        mdist.transforms.ExpTransform(cache_size=2)


def test_constraints_check_like_torch():
    values = [_real(3, 3), np.abs(_real(3, 3)), RNG.dirichlet(np.ones(3), 2), np.eye(3)[[0, 2, 1]], _spd(3),
              np.linalg.cholesky(_spd(3)), RNG.integers(0, 4, (2, 3)).astype(float), np.array([[0.0, 1.0], [1.0, 1.0]])]
    names = ["real", "positive", "nonnegative", "unit_interval", "simplex", "one_hot", "boolean", "nonnegative_integer",
             "lower_triangular", "lower_cholesky", "positive_definite", "symmetric", "real_vector", "square"]
    for name in names:
        cm, ct = getattr(mdist.constraints, name), getattr(tdist.constraints, name)
        assert repr(cm) == repr(ct) and cm.event_dim == ct.event_dim and cm.is_discrete == ct.is_discrete
        for v in values:
            if v.ndim < ct.event_dim or (ct.event_dim == 2 and v.shape[-1] != v.shape[-2] and name != "square"):
                continue
            np.testing.assert_array_equal(cm.check(microtorch.tensor(v)).numpy(), ct.check(torch.tensor(v)).numpy(),
                                          err_msg=name)
    interval = (mdist.constraints.interval(0.0, 2.0), tdist.constraints.interval(0.0, 2.0))
    assert repr(interval[0]) == repr(interval[1])


def test_bregman_kl_of_exponential_families_matches_the_closed_forms():
    """The generic ExponentialFamily pair (a Bregman divergence of the log-normalizer) on families whose closed
    forms torch registers: the two must agree."""
    from microtorch.distributions.kl import _kl_expfamily_expfamily

    for family in ("Normal", "Gamma", "Exponential", "Beta", "Dirichlet", "Bernoulli", "Poisson"):
        state = RNG.bit_generator.state
        results = []
        for lib, D in ((microtorch, mdist), (torch, tdist)):
            RNG.bit_generator.state = state
            L = lambda a, lib=lib: lib.tensor(a, dtype=lib.float64)  # noqa: E731
            p, q = KL_FAMILIES[family](D, L), KL_FAMILIES[family](D, L)
            results.append(_kl_expfamily_expfamily(p, q) if lib is microtorch else D.kl_divergence(p, q))
        _close(*results, rtol=1e-8)
