"""The distributions examples train in the suite (short runs): REINFORCE on the corridor, the VAE on digits."""
from __future__ import annotations

import pytest

from helpers import load_example


def test_policy_gradient_agent_learns_the_shortest_path(capsys):
    example = load_example("policy_gradient")
    result = example.main(["--episodes", "100"])
    lengths = result["episode_lengths"]
    assert len(lengths) == 100
    shortest = result["env"].length - 1  # five steps right
    early, late = sum(lengths[:20]) / 20, sum(lengths[-20:]) / 20
    assert late < early and late <= shortest + 2, (early, late)
    probs = example.Categorical(logits=result["policy"](0)).probs
    assert probs[1].item() > 0.8  # at the start, it goes right


def test_vae_on_digits_improves_its_elbo(capsys):
    pytest.importorskip("sklearn", reason="the VAE example loads scikit-learn's digits (pip install -e '.[examples]')")
    example = load_example("vae_digits")
    history = example.main(["--epochs", "3"])["history"]
    assert history[0] > history[1] > history[2]
    assert history[-1] < 27.0  # nats per digit; about 44 (64 log 2) for a model that knows nothing
