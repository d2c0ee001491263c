#!/usr/bin/env bash
# End to end on a real model: export it from PyTorch to ONNX
# (examples/onnx_models/export_models.py), compile it with kilnc into a
# shared library, link the C example (examples/aot/run_model.c) with it and
# check its output on the exported input against PyTorch's, to 1e-4
# relative. Exits 77 (ctest: skipped) only when the exporter does, that is
# when torch or torchvision is not installed.
#
# usage: real_model_test.sh MODEL WORK_DIR PYTHON EXPORTER KILNC CC
#                           RUN_MODEL_C INCLUDE_DIR
set -euo pipefail
model=$1 work=$2 python=$3 exporter=$4 kilnc=$5 cc=$6 run_model_c=$7 include=$8

mkdir -p "$work"
cd "$work"
status=0
"$python" "$exporter" --out . "$model" || status=$?
[ "$status" -eq 0 ] || exit "$status"

stem=${model}_b1
TIMEFORMAT="kilnc: %R s"
time "$kilnc" "$stem.onnx" -o "lib$model.so"
"$cc" -std=c11 -Wall -Wextra -pedantic -Werror "$run_model_c" -I"$include" \
  -L. -l"$model" -Wl,-rpath,"$PWD" -o "run_$model"
"./run_$model" --expect "$stem.output.npy" "$stem.input.npy"
