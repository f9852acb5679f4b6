"""REINFORCE (the policy-gradient method of PyTorch's reinforcement-learning example) on a small corridor.

The agent starts at the left end of a corridor of ``length`` cells and moves left or right; reaching the right
end pays +1 and ends the episode, every step costs 0.01, and an episode stops after ``max_steps``. The policy is
an MLP on the one-hot cell giving the logits of a ``Categorical``; its loss is -log pi(a|s) times the
discounted, normalised return, as in the official example.

    python examples/policy_gradient.py [--episodes 300]
"""
from __future__ import annotations

import argparse

import microtorch as torch
import microtorch.nn as nn
import microtorch.nn.functional as F
from microtorch.distributions import Categorical


class Corridor:
    """A one-dimensional walk: cells 0..length-1, actions 0 (left) and 1 (right), the goal at the right end."""

    def __init__(self, length: int = 6, max_steps: int = 30) -> None:
        self.length, self.max_steps = length, max_steps

    def reset(self) -> int:
        self.position, self.steps = 0, 0
        return self.position

    def step(self, action: int) -> tuple:
        """(next cell, reward, done)."""
        self.position = max(0, min(self.length - 1, self.position + (1 if action == 1 else -1)))
        self.steps += 1
        at_goal = self.position == self.length - 1
        return self.position, (1.0 if at_goal else -0.01), at_goal or self.steps >= self.max_steps


class Policy(nn.Module):
    """Cell -> action logits."""

    def __init__(self, n_cells: int, hidden: int = 32) -> None:
        super().__init__()
        self.n_cells = n_cells
        self.net = nn.Sequential(nn.Linear(n_cells, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, cell: int) -> torch.Tensor:
        return self.net(F.one_hot(torch.tensor(cell), self.n_cells).float())


def run_episode(env: Corridor, policy: Policy) -> tuple:
    """One episode with actions sampled from the policy: (log-probabilities of the actions, rewards)."""
    cell, done = env.reset(), False
    log_probs, rewards = [], []
    while not done:
        dist = Categorical(logits=policy(cell))
        action = dist.sample()
        log_probs.append(dist.log_prob(action))
        cell, reward, done = env.step(int(action.item()))
        rewards.append(reward)
    return log_probs, rewards


def reinforce_loss(log_probs: list, rewards: list, gamma: float) -> torch.Tensor:
    """sum_t -log pi(a_t|s_t) G_t with G_t the discounted return from t, normalised over the episode."""
    returns, running = [], 0.0
    for r in reversed(rewards):
        running = r + gamma * running
        returns.insert(0, running)
    returns = torch.tensor(returns)
    if len(returns) > 1:
        returns = (returns - returns.mean()) / (returns.std() + 1e-8)
    return -(torch.stack(log_probs) * returns).sum()


def main(argv: list | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=300)
    parser.add_argument("--length", type=int, default=6)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=543)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    env, policy = Corridor(args.length), Policy(args.length)
    optimizer = torch.optim.Adam(policy.parameters(), lr=args.lr)
    lengths = []
    for episode in range(args.episodes):
        log_probs, rewards = run_episode(env, policy)
        loss = reinforce_loss(log_probs, rewards, args.gamma)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        lengths.append(len(rewards))
        if episode % 50 == 0:
            print(f"episode {episode:4d}  steps {len(rewards):3d}  return {sum(rewards):.2f}")
    return {"episode_lengths": lengths, "policy": policy, "env": env}


if __name__ == "__main__":
    main()
