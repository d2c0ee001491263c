#!/usr/bin/env python3
"""Exports the real models of Kiln's tests and benchmarks to ONNX.

    python3 examples/onnx_models/export_models.py --out DIR [--batch 1 8]
            [resnet18 mobilenet_v2 encoder]

For each model and batch size it writes, into DIR:

    <model>_b<batch>.onnx         torch.onnx.export, opset 13, static shapes,
                                  input 'input', output 'output'
    <model>_b<batch>.input.npy    a fixed-seed input (float32)
    <model>_b<batch>.output.npy   PyTorch's output for it (eval, no_grad)

The models are those of the team's peer measurements (shared/peers):

    resnet18      torchvision ResNet-18, random weights (torch.manual_seed(0))
                  and batch normalization statistics calibrated on random
                  inputs (see calibrate()), input Bx3x224x224
    mobilenet_v2  torchvision MobileNetV2, the same, Bx3x224x224
    encoder       torch.nn.TransformerEncoderLayer(d_model 256, 4 heads,
                  feed-forward 1024, dropout 0, batch_first), Bx64x256

Weights come from a fixed seed and the input from a generator seeded with 1,
so the files are the same on every run with the same PyTorch. Files that
exist already are kept (delete them to export again).

Exit status: 0 on success, 77 when torch or torchvision is not installed
(ctest reports the test as skipped), 1 on any other failure.
"""
import argparse
import os
import sys
import warnings

SKIP = 77

MODELS = ("resnet18", "mobilenet_v2", "encoder")


def calibrate(model, sample, torch):
    """Sets the running statistics of every batch normalization to those of
    the activations of random inputs. Left at their initial values (mean 0,
    variance 1, weight 1, bias 0) each normalization is almost the identity,
    which would leave most of the folding of its statistics untested, and
    MobileNetV2's logits shrink to about 1e-9; calibrated, every layer sees
    activations of about unit scale, as in a trained network."""
    norms = [m for m in model.modules()
             if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average over the batches
    generator = torch.Generator().manual_seed(2)
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(8, *sample, generator=generator))
    return model.eval()


def build(name, torch, torchvision):
    """The model in eval mode and the shape of one input sample."""
    torch.manual_seed(0)
    if name == "resnet18":
        model = torchvision.models.resnet18(weights=None)
        return calibrate(model, (3, 224, 224), torch), (3, 224, 224)
    if name == "mobilenet_v2":
        model = torchvision.models.mobilenet_v2(weights=None)
        return calibrate(model, (3, 224, 224), torch), (3, 224, 224)
    layer = torch.nn.TransformerEncoderLayer(
        d_model=256, nhead=4, dim_feedforward=1024, dropout=0.0,
        batch_first=True)
    return layer.eval(), (64, 256)


def export(name, batch, out_dir, torch, torchvision, numpy):
    stem = os.path.join(out_dir, f"{name}_b{batch}")
    paths = [stem + ".onnx", stem + ".input.npy", stem + ".output.npy"]
    if all(os.path.exists(p) for p in paths):
        print(f"{name} batch {batch}: up to date ({stem}.*)")
        return
    model, sample = build(name, torch, torchvision)
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(batch, *sample, generator=generator)
    with torch.no_grad():
        expected = model(x)
    # Autograd stays on while tracing, so that torch 1.13 does not take the
    # fused inference path of TransformerEncoderLayer (which has no ONNX
    # export); the traced graph is the layer's plain ops.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), paths[0], opset_version=13,
                          input_names=["input"], output_names=["output"],
                          do_constant_folding=True)
    numpy.save(paths[1], x.numpy().astype(numpy.float32))
    numpy.save(paths[2], expected.numpy().astype(numpy.float32))
    print(f"{name} batch {batch}: {stem}.onnx, input {list(x.shape)}, "
          f"output {list(expected.shape)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", metavar="MODEL",
                        help="any of " + ", ".join(MODELS) + " (default: all)")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--batch", type=int, nargs="+", default=[1],
                        help="batch sizes (default: 1)")
    parser.add_argument("--threads", type=int, default=1,
                        help="PyTorch threads for the reference outputs")
    args = parser.parse_args()
    for name in args.models:
        if name not in MODELS:
            parser.error(f"unknown model '{name}' (expected one of "
                         + ", ".join(MODELS) + ")")
    if any(batch < 1 for batch in args.batch):
        parser.error("batch sizes must be positive")
    try:
        import numpy
        import torch
        import torchvision
    except ImportError as e:
        print(f"export_models.py: skipped, {e} (install python3-torch and "
              "python3-torchvision)", file=sys.stderr)
        return SKIP
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    for name in args.models or MODELS:
        for batch in args.batch:
            export(name, batch, args.out, torch, torchvision, numpy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
