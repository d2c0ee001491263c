"""The Fashion-MNIST examples' networks and data, in PyTorch.

The same networks as examples/fashion_mnist/Models.cpp, with the same layer
indices, so a state_dict of one loads into the other; and the IDX files read
the way runtime/data reads them (pixels scaled to [0, 1]).
"""
import gzip
import json
import os
import struct

import numpy as np
import torch.nn as nn

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(split, data=DATA):
    """(images f32 [N, 1, 28, 28] in [0, 1], labels i64 [N]) as NumPy
    arrays; split is "train" or "t10k"."""
    images = read_idx(os.path.join(data, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data, f"{split}-labels-idx1-ubyte.gz"))
    return (images.astype(np.float32)[:, None] / 255.0,
            labels.astype(np.int64))


def save_safetensors(path, state):
    header, blobs, offset = {}, [], 0
    for name, tensor in state.items():
        blob = tensor.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(),
                         nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(3136, 10))


def train_steps(model, optimizer, images, labels, batches):
    """One step of `optimizer` on the cross-entropy of each index tensor in
    `batches`, as the examples' training step does; returns the losses."""
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for idx in batches:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(images[idx]), labels[idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
