"""The benchmark table: Kiln against its peers, one row per measurement.

    python3 bench/table.py RESULTS_DIR

RESULTS_DIR is what bench/run fills: the Google Benchmark JSON files of the
Kiln programs (gemm.json, conv.json, training.json and, when the program is
built, elementwise.json) and PyTorch's medians (torch-1.json, torch-2.json
from bench/torch_peers.py). Every number is a median over repetitions in
wall time. Prints a Markdown table: the row, the thread count, Kiln's and
the peer's figure, Kiln / peer, the target of issue 4 and whether it is met
(and if not, by how much it is missed and how much faster Kiln must get).
Rows a run did not measure (a --benchmark_filter, a program not built) say
so instead of a number.
"""
import json
import os
import sys

RESULTS = sys.argv[1] if len(sys.argv) > 1 else "build/bench-results"
THREADS = (1, 2)
TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def load_json(name):
    path = os.path.join(RESULTS, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def medians(name):
    """(benchmark, numeric args) -> the median aggregate's fields, with its
    real time converted to ms."""
    data = load_json(name)
    out = {}
    for b in (data or {}).get("benchmarks", []):
        if b.get("aggregate_name") != "median" or b.get("error_occurred"):
            continue
        parts = b["run_name"].split("/")
        out[(parts[0], benchmark_args(parts[1:]))] = b
        b["ms"] = b["real_time"] * TO_MS[b["time_unit"]]
    return out


def benchmark_args(parts):
    """The numeric arguments of a run name's parts: "256", "1", or named
    with ArgName ("threads:2"); Google Benchmark's own settings
    ("min_time:0.300", "repeats:5", "real_time") are not arguments."""
    args = []
    for part in parts:
        key, _, value = part.rpartition(":")
        if key in ("min_time", "min_warmup_time", "repeats", "iterations"):
            continue
        if value.isdigit():
            args.append(int(value))
    return tuple(args)


gemm = medians("gemm.json")
conv = medians("conv.json")
training = medians("training.json")
elementwise = medians("elementwise.json")
torch = {t: load_json(f"torch-{t}.json") or {} for t in THREADS}


def get(results, name, args, field):
    b = results.get((name, args))
    return None if b is None else b.get(field)


def elementwise_rate(name, threads):
    """kiln-bench-elementwise's GB/s; a program with one-thread rows only
    (no thread argument) gives the 1-thread figures."""
    rate = get(elementwise, name, (threads,), "GB/s")
    if rate is None and threads == 1:
        rate = get(elementwise, name, (), "GB/s")
    return rate


def copy_rate(threads):
    rates = [r for r in (elementwise_rate("BM_Memcpy", threads),
                         elementwise_rate("BM_LoopCopy", threads)) if r]
    return max(rates) if rates else None


# (row, what, threads, kiln, peer name, peer, unit, higher is better,
#  target ratio or None, note)
rows = []


def add(row, what, threads, kiln, peer_name, peer, unit, higher, target=None):
    rows.append((row, what, threads, kiln, peer_name, peer, unit, higher, target))


for t in THREADS:
    for n in (256, 1024, 2048):
        add("1", f"GEMM {n}^3", t, get(gemm, "BM_Kiln", (n, t), "GFLOP"),
            "OpenBLAS", get(gemm, "BM_OpenBLAS", (n, t), "GFLOP"), "GFLOP/s",
            True, 0.90 if n > 256 else None)
for t in THREADS:
    fused = elementwise_rate("BM_KilnFused", t)
    add("2", "tanh(x*0.5+1)*x, 2^24", t, fused, "copy", copy_rate(t), "GB/s",
        True, 0.85)
    add("2", "tanh(x*0.5+1)*x, 2^24", t, fused, "PyTorch",
        torch[t].get("elementwise_gbps"), "GB/s", True, 3.0)
for t in THREADS:
    add("3", "MLP training step", t, get(training, "BM_KilnMlpTrain", (t,), "ms"),
        "PyTorch", torch[t].get("mlp_train_ms"), "ms", False, 0.8)
    add("3", "MLP inference step", t,
        get(training, "BM_KilnMlpInference", (t,), "ms"), "PyTorch",
        torch[t].get("mlp_inference_ms"), "ms", False)
for t in THREADS:
    add("4", "CNN training step", t, get(training, "BM_KilnCnnTrain", (t,), "ms"),
        "PyTorch", torch[t].get("cnn_train_ms"), "ms", False, 1.0)
for t in THREADS:
    for n in (1, 8):
        kiln = get(conv, "BM_Kiln", (n, t), "GFLOP")
        add("5", f"conv2d 3x3 64ch 56x56, batch {n}", t, kiln, "oneDNN",
            get(conv, "BM_OneDNN", (n, t), "GFLOP"), "GFLOP/s", True, 0.70)
        add("5", f"  same, oneDNN on NCHW (info)", t, kiln, "oneDNN NCHW",
            get(conv, "BM_OneDNNPlain", (n, t), "GFLOP"), "GFLOP/s", True)
for t in THREADS:
    ms = get(training, "BM_KilnMlpCompile", (t,), "ms")
    add("6", "compile MLP training step", t, None if ms is None else ms / 1e3,
        None, 1.0, "s", False, 1.0)


def fmt(value, unit):
    if value is None:
        return "not measured"
    digits = 3 if unit == "s" or value < 10 else (2 if value < 100 else 1)
    return f"{value:.{digits}f} {unit}"


def verdict(ratio, higher, target):
    if target is None or ratio is None:
        return "-"
    met = ratio >= target if higher else ratio <= target
    if met:
        return "met"
    factor = target / ratio if higher else ratio / target
    return f"**missed** by {abs(ratio - target):.2f} (Kiln needs {factor:.2f}x)"


print("| row | what | threads | Kiln | peer | Kiln / peer | target | result |")
print("|---|---|---|---|---|---|---|---|")
for row, what, t, kiln, peer_name, peer, unit, higher, target in rows:
    if peer_name is None:  # an absolute target: Kiln against the limit
        ratio = None if kiln is None else kiln / peer
        peer_text, ratio_text = "-", "-"
        target_text = f"< {peer:g} {unit}"
    else:
        ratio = None if kiln is None or not peer else kiln / peer
        peer_text = f"{peer_name} {fmt(peer, unit)}"
        ratio_text = "-" if ratio is None else f"{ratio:.2f}"
        target_text = "-" if target is None else \
            (">= " if higher else "<= ") + f"{target:.2f}"
    print(f"| {row} | {what} | {t} | {fmt(kiln, unit)} | {peer_text} | "
          f"{ratio_text} | {target_text} | {verdict(ratio, higher, target)} |")

loads = []
for name in ("gemm", "conv", "training", "elementwise"):
    data = load_json(f"{name}.json")
    if data:
        loads.append(f"{name} " + " ".join(
            f"{x:.2f}" for x in data["context"]["load_avg"]))
for t in THREADS:
    if torch[t].get("loadavg"):
        loads.append(f"torch-{t} " + " ".join(torch[t]["loadavg"]))
print()
print("Load average (1, 5, 15 min) at the start of each program: " +
      "; ".join(loads))
if torch[1].get("torch"):
    print(f"PyTorch {torch[1]['torch']}, eager, default environment.")
