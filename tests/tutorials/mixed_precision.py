"""The "Automatic Mixed Precision" recipe: autocast around the forward pass and the loss, a GradScaler
for the backward pass, gradient clipping after unscale_ (float16 on the CPU, so it runs anywhere)."""
import numpy as np


def main(torch, init):
    device = "cpu"
    rng = np.random.RandomState(1)
    data = [torch.tensor(rng.randn(16, 32).astype("float32")) for _ in range(6)]
    targets = [torch.tensor(rng.randn(16, 8).astype("float32")) for _ in range(6)]

    def make_model(in_size, out_size, num_layers):
        layers = []
        for _ in range(num_layers - 1):
            layers.append(torch.nn.Linear(in_size, in_size))
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(in_size, out_size))
        return torch.nn.Sequential(*tuple(layers)).to(device)

    net = make_model(32, 8, 3)
    init(net)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    scaler = torch.amp.GradScaler(device, init_scale=2.0**8)
    losses = []
    for epoch in range(3):
        for input, target in zip(data, targets):
            with torch.autocast(device_type=device, dtype=torch.float16):
                output = net(input)
                assert output.dtype is torch.float16
                loss = loss_fn(output, target)
                assert loss.dtype is torch.float32
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm=1.0)
            scaler.step(opt)
            scaler.update()
            opt.zero_grad(set_to_none=True)
            losses.append(loss.item())
    checkpoint = {"model": net.state_dict(), "optimizer": opt.state_dict(), "scaler": scaler.state_dict()}
    losses.append(checkpoint["scaler"]["scale"])
    return losses
