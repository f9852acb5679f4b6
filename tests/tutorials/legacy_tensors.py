"""The old "Learning PyTorch with Examples" two-layer network, as pre-1.0 code wrote it: legacy tensor types,
Variable, .data updates, .type() casts and x.new(...)."""
import numpy as np


def main(torch, init):
    Variable = torch.autograd.Variable

    dtype = torch.FloatTensor
    N, D_in, H, D_out = 16, 10, 20, 3
    rng = np.random.RandomState(2)
    x = Variable(torch.from_numpy(rng.randn(N, D_in)).type(dtype), requires_grad=False)
    y = Variable(torch.from_numpy(rng.randn(N, D_out)).type(dtype), requires_grad=False)
    w1 = Variable(torch.from_numpy(rng.randn(D_in, H) * 0.1).type(dtype), requires_grad=True)
    w2 = Variable(torch.from_numpy(rng.randn(H, D_out) * 0.1).type(dtype), requires_grad=True)
    assert isinstance(w1.data, torch.FloatTensor) and not isinstance(w1.data, torch.DoubleTensor)
    labels = torch.LongTensor([t % D_out for t in range(N)])

    learning_rate = 1e-2
    losses = []
    for t in range(25):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum() + torch.nn.functional.cross_entropy(y_pred, labels)
        losses.append(loss.data.item())
        loss.backward()
        w1.data -= learning_rate * w1.grad.data
        w2.data -= learning_rate * w2.grad.data
        w1.grad.data.zero_()
        w2.grad.data.zero_()
    ones = w1.data.new(2, 2).fill_(1)
    losses.append(ones.sum().item())
    losses.append(float(w2.data.type(torch.DoubleTensor).sum()))
    return losses
