"""PyTorch eager latency of one of the real models, for bench/models.

    python3 bench/models_torch.py MODEL INPUT.npy THREADS MIN_REPS MIN_TIME_S

The model is built exactly as examples/onnx_models/export_models.py builds
it (same seeds, eval mode) and run under torch.no_grad(), as in the team's
peer measurements (shared/peers, "torch eager (no_grad) [default env]"):
torch.set_num_threads(THREADS), one inter-op thread, OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS set by the caller. Five warm-up runs, then timed runs
until both MIN_REPS runs and MIN_TIME_S seconds; prints the median in ms.
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "examples", "onnx_models"))
import export_models  # noqa: E402

import numpy  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402


def main():
    name, input_path, threads, min_reps, min_time = sys.argv[1:]
    torch.set_num_threads(int(threads))
    torch.set_num_interop_threads(1)
    model, _ = export_models.build(name, torch, torchvision)
    x = torch.from_numpy(numpy.load(input_path))
    times = []
    with torch.no_grad():
        for _ in range(5):
            model(x)
        start = time.perf_counter()
        while (len(times) < int(min_reps)
               or time.perf_counter() - start < float(min_time)):
            t = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - t) * 1e3)
    print(f"median {statistics.median(times):.3f} ms over {len(times)} runs "
          f"(torch {torch.__version__})")


if __name__ == "__main__":
    main()
