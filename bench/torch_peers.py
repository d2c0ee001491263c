"""PyTorch eager, the peer of bench rows 2-4, at one thread count.

    python3 bench/torch_peers.py --threads N [--rows elementwise,mlp,cnn]

Prints one JSON object: the median of each measurement and what ran it.
bench/run starts one process per thread count, with OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS set to N before torch is imported (Debian's torch runs
ATen and oneDNN on libgomp and its GEMMs on OpenBLAS's own pool, so both
need the count).

The models and optimizers are the team's peer scripts' (shared/peers/py:
models.py, w2_elementwise.py, w3_mlp.py, w4_cnn.py) and the Kiln side's
(bench/TrainingBench.cpp): the same shapes, losses, optimizers, batches of
Fashion-MNIST. Timing matches Google Benchmark's on the Kiln side: a
warm-up, then 5 repetitions of at least 0.3 s each; a repetition's time is
its mean wall time per call, and the result is the median repetition.
Wall time, as on the Kiln side: at 2 threads CPU time would add up both
threads' time (and their spinning at barriers).
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, required=True)
ap.add_argument("--rows", default="elementwise,mlp,cnn")
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = ap.parse_args()
rows = set(args.rows.split(","))

import torch  # noqa: E402 (after argument errors, which need no torch)
import torch.nn as nn  # noqa: E402

torch.set_num_threads(args.threads)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

WARM_UP_S = 0.2
REPETITIONS = 5
MIN_REPETITION_S = 0.3


def median_ms(fn, warm_up_calls=3):
    """Median over repetitions of the mean wall time per call, in ms."""
    deadline = time.perf_counter() + WARM_UP_S
    calls = 0
    while calls < warm_up_calls or time.perf_counter() < deadline:
        fn()
        calls += 1
    means = []
    for _ in range(REPETITIONS):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= MIN_REPETITION_S:
                break
        means.append(elapsed / calls * 1e3)
    return statistics.median(means)


def read_idx_gz(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def batches(size, count):
    """The first `count` batches of `size` Fashion-MNIST training images
    [B, 1, 28, 28] in [0, 1] and their labels, in file order."""
    images = read_idx_gz(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    labels = read_idx_gz(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images[:size * count].astype(np.float32)[:, None] / 255.0)
    y = torch.from_numpy(labels[:size * count].astype(np.int64))
    return [(x[i * size:(i + 1) * size].contiguous(),
             y[i * size:(i + 1) * size].contiguous()) for i in range(count)]


def mlp():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512), nn.ReLU(),
        nn.Linear(512, 512), nn.ReLU(),
        nn.Linear(512, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3136, 10))


def training_step_ms(model, optimizer, data):
    """One step = zero_grad + forward + cross-entropy + backward + update,
    cycling through pre-sliced batches."""
    loss_fn = nn.CrossEntropyLoss()
    position = [0]

    def step():
        x, y = data[position[0] % len(data)]
        position[0] += 1
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        optimizer.step()

    return median_ms(step, warm_up_calls=10)


result = {"threads": args.threads, "torch": torch.__version__,
          "torch_threads": torch.get_num_threads(),
          "loadavg": open("/proc/loadavg").read().split()[:3]}

if "elementwise" in rows:
    n = 1 << 24
    x = torch.sin(torch.arange(n, dtype=torch.float32) * 0.001) * 4.0
    ms = median_ms(lambda: torch.tanh(x * 0.5 + 1.0) * x, warm_up_calls=1)
    result["elementwise_gbps"] = 2 * 4 * n / (ms * 1e-3) * 1e-9

torch.manual_seed(0)
if "mlp" in rows:
    model = mlp()
    data = batches(128, 32)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    result["mlp_train_ms"] = training_step_ms(model, optimizer, data)
    model.eval()
    with torch.no_grad():
        x = data[0][0]
        result["mlp_inference_ms"] = median_ms(lambda: model(x), warm_up_calls=10)

if "cnn" in rows:
    model = cnn()
    data = batches(64, 32)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    result["cnn_train_ms"] = training_step_ms(model, optimizer, data)

json.dump(result, sys.stdout)
print()
