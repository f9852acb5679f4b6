"""A variational autoencoder (after PyTorch's VAE example) on scikit-learn's 8x8 digits.

The encoder gives a diagonal Gaussian q(z|x) = Independent(Normal(mu, sigma), 1); a reparameterised sample
(``rsample``) goes through the decoder to Bernoulli logits over the binarised pixels; the loss is the
negative ELBO, -E_q[log p(x|z)] + KL(q(z|x) || N(0, I)), the KL from ``kl_divergence``.

    pip install -e ".[examples]"
    python examples/vae_digits.py [--epochs 30]
"""
from __future__ import annotations

import argparse

import microtorch as torch
import microtorch.nn as nn
from microtorch.distributions import Bernoulli, Independent, Normal, kl_divergence


def load_digits() -> torch.Tensor:
    """The 1797 digits as (N, 64) pixels in {0, 1} (scikit-learn's 0..16 intensities thresholded at 8)."""
    from sklearn.datasets import load_digits as sk_load

    return torch.tensor((sk_load().data > 8).astype("float32"))


class VAE(nn.Module):
    """64 pixels -> (mu, log sigma) of a ``latent``-dim Gaussian -> 64 pixel logits."""

    def __init__(self, latent: int = 4, hidden: int = 64) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent))
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 64))

    def posterior(self, x: torch.Tensor) -> Independent:
        mu, log_sigma = self.encoder(x).chunk(2, -1)
        return Independent(Normal(mu, log_sigma.exp()), 1)

    def negative_elbo(self, x: torch.Tensor) -> torch.Tensor:
        """The mean over the batch of -log p(x|z) + KL(q(z|x) || p(z)), z ~ q(z|x) reparameterised."""
        q = self.posterior(x)
        z = q.rsample()
        likelihood = Independent(Bernoulli(logits=self.decoder(z)), 1)
        prior = Independent(Normal(torch.zeros_like(z), torch.ones_like(z)), 1)
        return (-likelihood.log_prob(x) + kl_divergence(q, prior)).mean()


def main(argv: list | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    data = load_digits()
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data), batch_size=args.batch_size, shuffle=True)
    history = []
    for epoch in range(args.epochs):
        total = 0.0
        for (batch,) in loader:
            loss = model.negative_elbo(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        history.append(total / len(data))
        print(f"epoch {epoch:3d}  -ELBO {history[-1]:.3f} nats per digit")
    return {"history": history, "model": model, "data": data}


if __name__ == "__main__":
    main()
