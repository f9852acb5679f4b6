"""The "Quickstart" tutorial's shape: device selection with torch.accelerator, a Dataset and DataLoader,
an nn.Module of Flatten/Linear/ReLU, CrossEntropyLoss and SGD, train and test loops."""
import numpy as np


def main(torch, init):
    nn = torch.nn

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    torch.backends.cudnn.benchmark = True  # tutorials set it; harmless without cuDNN

    rng = np.random.RandomState(0)
    images = torch.tensor(rng.rand(96, 1, 6, 6).astype("float32"))
    labels = torch.tensor(rng.randint(0, 4, size=96))
    dataset = torch.utils.data.TensorDataset(images, labels)
    train_dataloader = torch.utils.data.DataLoader(dataset, batch_size=16)
    test_dataloader = torch.utils.data.DataLoader(dataset, batch_size=32)

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(nn.Linear(36, 32), nn.ReLU(), nn.Linear(32, 4))

        def forward(self, x):
            x = self.flatten(x)
            return self.linear_relu_stack(x)

    model = NeuralNetwork().to(device)
    init(model)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = []

    def train(dataloader, model, loss_fn, optimizer):
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())

    def test(dataloader, model, loss_fn):
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                X, y = X.to(device), y.to(device)
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        losses.append(test_loss / len(dataloader))
        losses.append(correct / len(dataloader.dataset))

    for _ in range(3):
        train(train_dataloader, model, loss_fn, optimizer)
        test(test_dataloader, model, loss_fn)
    return losses
