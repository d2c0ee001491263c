#!/usr/bin/env python3
"""The PyTorch side of TrainsLikePyTorchTest.

Trains the Fashion-MNIST examples' networks with PyTorch for a few hundred
steps and writes, for each case, what Kiln needs to repeat the run exactly
and what it must reach:
  CASE/init.safetensors   the initial parameters (PyTorch's init, seeded)
  CASE/order.bin          the sample indices of the batches, int64
  CASE/losses.bin         the loss of each step, float64
  CASE/final.safetensors  the parameters after the last step
One thread, so PyTorch's own numbers do not depend on the machine.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "examples", "fashion_mnist"))
from torch_models import (cnn, load_split, mlp, save_safetensors,  # noqa: E402
                          train_steps)


CASES = {
    # name: (network, batch, optimizer, steps)
    "mlp_sgd": (mlp, 128,
                lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9), 200),
    "mlp_adam": (mlp, 128, lambda p: torch.optim.Adam(p, lr=1e-3), 200),
    "cnn_adam": (cnn, 64, lambda p: torch.optim.Adam(p, lr=1e-3), 100),
}


def train(network, optimizer, init, images, labels, order, batch, steps):
    """Trains `network` from the state dict `init` on the batches `order`
    gives; returns the model and each step's loss."""
    model = network()
    model.load_state_dict(init)
    batches = (order[s * batch:(s + 1) * batch] for s in range(steps))
    losses = train_steps(model, optimizer(model.parameters()), images, labels,
                         batches)
    return model, np.array(losses)


def report_perturbed(name, losses, perturbed, rel):
    """How far PyTorch drifts from itself when the initial parameters move
    by `rel`: the yardstick for how closely Kiln can be asked to follow."""
    tail = len(losses) // 4
    step_gap = np.abs(perturbed - losses) / losses
    beyond = np.flatnonzero(step_gap > 1e-4)
    tail_gap = (abs(perturbed[-tail:].mean() - losses[-tail:].mean())
                / losses[-tail:].mean())
    print(f"{name}: init perturbed by {rel:g}: losses apart by up to "
          f"{step_gap.max():.1e}, first beyond 1e-4 at step "
          f"{beyond[0] if beyond.size else 'none'}; last-quarter mean loss "
          f"apart by {tail_gap:.1e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--perturb", type=float, default=0.0, metavar="REL",
        help="also train each case again from its initial parameters "
             "scaled by (1 + REL * N(0, 1)) and print how far the losses "
             "drift apart")
    args = parser.parse_args()
    torch.set_num_threads(1)
    images, labels = map(torch.from_numpy, load_split("train", args.data))
    for name, (network, batch, optimizer, steps) in CASES.items():
        out = os.path.join(args.out, name)
        os.makedirs(out, exist_ok=True)
        torch.manual_seed(args.seed)
        init = {k: v.clone() for k, v in network().state_dict().items()}
        save_safetensors(os.path.join(out, "init.safetensors"), init)
        order = torch.randperm(images.shape[0])[:steps * batch]
        model, losses = train(network, optimizer, init, images, labels,
                              order, batch, steps)
        order.numpy().astype("<i8").tofile(os.path.join(out, "order.bin"))
        losses.astype("<f8").tofile(os.path.join(out, "losses.bin"))
        save_safetensors(os.path.join(out, "final.safetensors"),
                         model.state_dict())
        print(f"{name}: {steps} steps, loss {losses[0]:.4f} -> "
              f"{losses[-1]:.4f}")
        if args.perturb:
            noisy = {k: v * (1 + args.perturb * torch.randn_like(v))
                     for k, v in init.items()}
            _, perturbed = train(network, optimizer, noisy, images, labels,
                                 order, batch, steps)
            report_perturbed(name, losses, perturbed, args.perturb)


if __name__ == "__main__":
    main()
