"""PyTorch eager's rate on bench row 2: y = tanh(x * 0.5 + 1.0) * x.

Prints the median effective GB/s (8 bytes per element: x read, y written)
over 7 repetitions of at least 0.3 s each, after a warm-up, on 2^24 f32
elements, at 1 and at 2 threads, as one line "X1,X2"; bench/run passes it
to kiln-bench-elementwise (--torch-gbps), which prints the tables.
"""
import statistics
import sys
import time

import torch


THREAD_COUNTS = (1, 2)  # kThreadCounts of bench/ElementwiseBench.cpp


def rate(threads):
    torch.set_num_threads(threads)
    n = 1 << 24
    x = torch.sin(torch.arange(n, dtype=torch.float32) * 0.001) * 4.0

    def step():
        return torch.tanh(x * 0.5 + 1.0) * x

    deadline = time.perf_counter() + 0.2
    while time.perf_counter() < deadline:
        step()
    rates = []
    for _ in range(7):
        calls, start = 0, time.perf_counter()
        while True:
            step()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= 0.3:
                break
        rates.append(2 * 4 * n * calls / elapsed * 1e-9)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)",
          file=sys.stderr)
    return statistics.median(rates)


def main():
    print(",".join(f"{rate(t):.3f}" for t in THREAD_COUNTS))


if __name__ == "__main__":
    main()
