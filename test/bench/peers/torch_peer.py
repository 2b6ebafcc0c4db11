"""PyTorch peer: trains the seed CNN on the harness's data and reports samples/s.

Run by test/bench/run.js with /usr/bin/python3 (Debian python3-torch); the job format is in common_peer.py.
"""
import os
import time

import numpy as np
import torch
from torch import nn

from common_peer import emit, load_data, read_job


def seed_cnn(batchnorm, num_classes=10):
    """Layerbench's seed CNN: Conv2D+ReLU (+BatchNormalization with Keras's momentum and epsilon)."""
    layers = []

    def conv(cin, cout, padding):
        layers.extend([nn.Conv2d(cin, cout, 3, padding=padding), nn.ReLU()])
        if batchnorm:
            # Keras momentum 0.99 is PyTorch momentum 0.01.
            layers.append(nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01))

    conv(3, 32, 1)
    conv(32, 32, 0)
    layers.append(nn.MaxPool2d(2))
    conv(32, 64, 1)
    conv(64, 64, 0)
    layers.append(nn.MaxPool2d(2))
    # Logits; CrossEntropyLoss applies the softmax, as Keras's softmax + categorical crossentropy.
    layers += [nn.Flatten(), nn.Linear(64 * 6 * 6, 512), nn.ReLU(), nn.Linear(512, num_classes)]
    return nn.Sequential(*layers)


class ResidualBlock(nn.Module):
    """One block of Layerbench's resnet20 preset; BatchNormalization with Keras's momentum and epsilon."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        bn = lambda c: nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)  # noqa: E731
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), bn(cout), nn.ReLU(), nn.Conv2d(cout, cout, 3, 1, 1, bias=False), bn(cout)
        )
        identity = stride == 1 and cin == cout
        self.shortcut = nn.Identity() if identity else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), bn(cout))

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def resnet20(num_classes=10):
    """Layerbench's resnet20 preset: stem, 3 stages of 3 residual blocks (16/32/64 filters), global average pooling."""
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16, eps=1e-3, momentum=0.01), nn.ReLU()]
    cin = 16
    for stage, cout in enumerate((16, 32, 64)):
        for block in range(3):
            layers.append(ResidualBlock(cin, cout, 2 if stage > 0 and block == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, num_classes)]
    return nn.Sequential(*layers)


def main():
    job = read_job()
    # PyTorch defaults to the physical core count (1 here); TensorFlow uses every logical CPU.
    threads = job.get("threads") or os.cpu_count() or 1
    torch.set_num_threads(threads)
    torch.manual_seed(job.get("seed", 42))
    x_u8, y = load_data(job)
    batch = job["batchSize"]
    n = min(len(x_u8), batch * job["batchesPerRepeat"])
    # Float NCHW once, as a PyTorch script converts a dataset that fits in memory.
    x = torch.from_numpy(x_u8[:n].astype(np.float32) / 255.0).permute(0, 3, 1, 2).contiguous()
    labels = torch.from_numpy(y[:n])
    model = resnet20() if job["variant"] == "resnet20" else seed_cnn(job["variant"] == "batchnorm")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        model.train()
        order = torch.randperm(n)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            xb, yb = x[idx], labels[idx]
            optimizer.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            optimizer.step()
            # Keras and Layerbench read the batch loss and accuracy back each step; so does this.
            float(loss.item())
            (out.argmax(1) == yb).float().mean().item()

    times = []
    for i in range(1 + job["repeats"]):
        t0 = time.perf_counter()
        epoch()
        if i > 0:  # the first epoch is the warm-up
            times.append(time.perf_counter() - t0)
    train = [n / t for t in times]

    inference = []
    if job.get("inferenceBatches", 0) > 0:
        ib = job["inferenceBatch"]
        m = min(len(x_u8), ib * job["inferenceBatches"])
        model.eval()
        with torch.no_grad():
            xi = torch.from_numpy(x_u8[:m].astype(np.float32) / 255.0).permute(0, 3, 1, 2).contiguous()
            model(xi[:ib])
            for _ in range(job["repeats"]):
                t0 = time.perf_counter()
                for start in range(0, m, ib):
                    model(xi[start : start + ib]).argmax(1)
                inference.append(m / (time.perf_counter() - t0))

    emit(
        {
            "peer": "pytorch",
            "params": sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers() if b.dtype.is_floating_point),
            "version": f"PyTorch {torch.__version__}",
            "threads": {"intraOp": torch.get_num_threads(), "cpus": os.cpu_count()},
            "trainSamplesPerSec": train,
            "inferenceSamplesPerSec": inference,
        }
    )


if __name__ == "__main__":
    main()
