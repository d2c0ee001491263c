#!/usr/bin/env python3
"""Test accuracy of a Fashion-MNIST example over several seeds, Kiln and
PyTorch side by side.

One seed is one draw: the initial parameters and the batch order decide
where two epochs of Adam end, by more than half a point between seeds for
either framework. This trains the example with Kiln (the example's program,
`--seed S`) and the same network with PyTorch (torch.manual_seed(S) for the
initial parameters, torch.randperm with a generator seeded S for each
epoch's order, the last partial batch kept, as the examples do) for each
seed, and prints each accuracy and the spread of each side. Each side's
seeds are its own: Kiln's seed 3 and PyTorch's seed 3 share nothing.

  examples/fashion_mnist/accuracy_spread.py \\
      --kiln build/bin/kiln-fashion-mnist-cnn --seeds 0-7

With --max-gap P it exits 1 when the two means are more than P points
apart. With --kiln-init torch, Kiln starts each seed from PyTorch's initial
parameters for that seed (through the example's --init), so the two sides
differ only in their batch orders.
"""
import argparse
import concurrent.futures
import os
import re
import statistics
import subprocess
import sys
import tempfile

import torch

from torch_models import (cnn, load_split, mlp, save_safetensors,
                          train_steps)

# The examples' setups (examples/fashion_mnist/{cnn,mlp}.cpp).
SETUPS = {
    "cnn": dict(network=cnn, batch=64, epochs=2,
                optimizer=lambda p: torch.optim.Adam(p, lr=1e-3)),
    "mlp": dict(network=mlp, batch=128, epochs=5,
                optimizer=lambda p: torch.optim.SGD(p, lr=0.01,
                                                    momentum=0.9)),
    "mlp-adam": dict(network=mlp, batch=128, epochs=5,
                     optimizer=lambda p: torch.optim.Adam(p, lr=1e-3)),
}


def parse_seeds(text):
    first, _, last = text.partition("-")
    try:
        seeds = list(range(int(first), int(last or first) + 1))
    except ValueError:
        seeds = []
    if not seeds:
        raise argparse.ArgumentTypeError(
            f"seeds must be N or N-M with N <= M, got '{text}'")
    return seeds


def torch_init(args, seed):
    """PyTorch's initial parameters for `seed` (torch_accuracy's too)."""
    torch.manual_seed(seed)
    return SETUPS[args.model]["network"]().state_dict()


def kiln_accuracy(args, seed):
    command = [args.kiln, "--seed", str(seed), "--threads", str(args.threads)]
    with tempfile.TemporaryDirectory() as scratch:
        if args.kiln_init == "torch":
            init = os.path.join(scratch, "init.safetensors")
            save_safetensors(init, torch_init(args, seed))
            command += ["--init", init]
        return run_kiln(args, command)


def run_kiln(args, command):
    if args.model == "mlp-adam":
        command += ["--optimizer", "adam"]
    if args.max_steps:
        command += ["--max-steps", str(args.max_steps)]
    run = subprocess.run(command, capture_output=True, text=True)
    found = re.search(r"test accuracy: ([0-9.]+)%", run.stdout)
    if run.returncode != 0 or not found:
        last = (run.stderr.strip() or run.stdout.strip()).splitlines()
        raise RuntimeError(f"{' '.join(command)} failed (exit "
                           f"{run.returncode}): {last[-1] if last else ''}")
    return float(found.group(1))


def torch_accuracy(args, seed):
    setup = SETUPS[args.model]
    torch.set_num_threads(args.threads)
    images, labels = map(torch.from_numpy, load_split("train", args.data))
    test_images, test_labels = map(torch.from_numpy,
                                   load_split("t10k", args.data))
    model = setup["network"]()
    model.load_state_dict(torch_init(args, seed))
    opt = setup["optimizer"](model.parameters())
    order = torch.Generator().manual_seed(seed)
    batch = setup["batch"]
    for _ in range(setup["epochs"]):
        perm = torch.randperm(images.shape[0], generator=order)
        batches = [perm[start:start + batch]
                   for start in range(0, images.shape[0], batch)]
        train_steps(model, opt, images, labels,
                    batches[:args.max_steps or None])
    model.eval()
    with torch.no_grad():
        correct = sum(
            int((model(test_images[i:i + 500]).argmax(1) ==
                 test_labels[i:i + 500]).sum())
            for i in range(0, test_images.shape[0], 500))
    return 100.0 * correct / test_images.shape[0]


def summary(name, values, bar):
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    below = sum(v < bar for v in values) if bar else 0
    text = (f"{name:8} mean {statistics.mean(values):.2f}  sd {spread:.2f}  "
            f"min {min(values):.2f}  max {max(values):.2f}")
    if bar:
        text += f"  below {bar:g}: {below} of {len(values)}"
    return text


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--kiln", required=True,
                        help="the example's program, e.g. "
                             "build/bin/kiln-fashion-mnist-cnn")
    parser.add_argument("--model", choices=sorted(SETUPS), default="cnn",
                        help="which example's setup PyTorch repeats "
                             "(default cnn)")
    parser.add_argument("--seeds", type=parse_seeds,
                        default=parse_seeds("0-7"),
                        help="N or N-M (default 0-7)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads of each run (default 1)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="runs at a time (default 1)")
    parser.add_argument("--max-steps", type=int, default=0,
                        help="stop each epoch after N steps (a quick look)")
    parser.add_argument("--bar", type=float, default=0.0,
                        help="count the runs below this accuracy, in %%")
    parser.add_argument("--max-gap", type=float, default=None,
                        help="exit 1 if the means differ by more than this, "
                             "in points")
    parser.add_argument("--kiln-init", choices=["kiln", "torch"],
                        default="kiln",
                        help="Kiln's own seeded initializers, or PyTorch's "
                             "initial parameters for the same seed")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    if not os.access(args.kiln, os.X_OK):
        parser.error(f"--kiln: '{args.kiln}' is not an executable program")

    with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
        kiln = {s: pool.submit(kiln_accuracy, args, s) for s in args.seeds}
        peer = {s: pool.submit(torch_accuracy, args, s) for s in args.seeds}
        try:
            kiln = {s: f.result() for s, f in kiln.items()}
            peer = {s: f.result() for s, f in peer.items()}
        except RuntimeError as error:
            print(f"accuracy_spread: {error}", file=sys.stderr)
            return 1

    print(f"{args.model}, test accuracy in %"
          + (", Kiln from PyTorch's initial parameters"
             if args.kiln_init == "torch" else "")
          + (f", {args.max_steps} steps per epoch" if args.max_steps else ""))
    print("seed   Kiln  PyTorch")
    for s in args.seeds:
        print(f"{s:4}  {kiln[s]:5.2f}  {peer[s]:6.2f}")
    print(summary("Kiln", list(kiln.values()), args.bar))
    print(summary("PyTorch", list(peer.values()), args.bar))
    gap = statistics.mean(kiln.values()) - statistics.mean(peer.values())
    print(f"means differ by {gap:+.2f} points")
    if args.max_gap is not None and abs(gap) > args.max_gap:
        print(f"accuracy_spread: the means differ by more than "
              f"{args.max_gap:g} points", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
