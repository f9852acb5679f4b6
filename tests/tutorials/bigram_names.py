"""A makemore-style character bigram model: counts with integer tensors, a one-hot neural version trained by
hand (indexing with range and tensors, W.grad = None, W.data += ...), keywords as the notebooks write them."""
import numpy as np


def main(torch, init):
    F = torch.nn.functional

    words = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    n = len(stoi)
    N = torch.zeros((n, n), dtype=torch.int32)
    xs, ys = [], []
    for w in words:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            N[stoi[ch1], stoi[ch2]] += 1
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    P = (N + 1).float()
    P /= P.sum(dim=1, keepdim=True)
    xs, ys = torch.tensor(xs), torch.tensor(ys)
    num = xs.nelement()
    losses = [-P[xs, ys].log().mean().item()]

    W = torch.tensor(np.random.RandomState(3).randn(n, n).astype("float32"), requires_grad=True)
    for k in range(20):
        xenc = F.one_hot(xs, num_classes=n).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdim=True)
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
        loss2 = -probs[range(num), ys].log().mean() + 0.01 * (W**2).mean()
        assert abs(loss.item() - loss2.item()) < 1e-6
        losses.append(loss.item())
        W.grad = None
        loss.backward()
        W.data += -10 * W.grad
    losses.append(F.cross_entropy(input=logits, target=ys).item())
    return losses
