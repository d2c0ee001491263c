"""Where a model's time goes: each op of its Kiln IR timed alone.

    build/bin/kilnc model.onnx --emit=kiln -o model.kiln.mlir
    KILN_NUM_THREADS=1 /usr/bin/python3 bench/models_ops.py model.kiln.mlir

Every distinct non-constant op (same op, attributes and types) becomes a
function of its own whose operands are arguments, filled with random
values; `kiln-run --repeat 10` times it. Prints the ops by total time (the
fastest of the runs times the number of such ops in the model), most
expensive first, and the sum. The sum leaves out what only the whole model
has: memory traffic between ops, and the cost of constants being
constants (a constant filter is read from the library, not from a
caller's buffer).
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

import numpy

OP = re.compile(r'\s*(%\S+) = (kiln\.\w+) (.*) : (.*)$')
TENSOR = re.compile(r'tensor<[^>]*>')


def shape_of(tensor_type):
    dims = tensor_type[len('tensor<'):-1].split('x')[:-1]
    return [int(d) for d in dims]


def main():
    source, kiln_run = sys.argv[1], os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'build', 'bin',
        'kiln-run')
    ops = collections.OrderedDict()
    for line in open(source):
        match = OP.match(line)
        if not match or match.group(2) == 'kiln.constant':
            continue
        _, op, rest, types = match.groups()
        operands = list(dict.fromkeys(re.findall(r'%[\w#]+', rest)))
        key = op + ' ' + re.sub(r'%[\w#]+', '%', rest) + ' : ' + types
        entry = ops.setdefault(key, [0, op, operands, rest, types])
        entry[0] += 1
    rng = numpy.random.default_rng(0)
    rows, total = [], 0.0
    with tempfile.TemporaryDirectory() as work:
        for index, (key, (count, op, operands, rest, types)) in enumerate(
                ops.items()):
            if '->' in types:
                inputs, result = types.split('->')
                input_types = TENSOR.findall(inputs)
                result_type = TENSOR.findall(result)[0]
            else:
                input_types, result_type = [types.strip()], types.strip()
            if len(input_types) == 1:
                input_types = input_types * len(operands)
            body, arguments, files = rest, [], []
            for i, (operand, type_) in enumerate(zip(operands, input_types)):
                body = re.sub(re.escape(operand) + r'\b', f'%a{i}', body)
                arguments.append(f'%a{i}: {type_}')
                files.append(os.path.join(work, f'op{index}_{i}.npy'))
                numpy.save(files[-1], rng.standard_normal(
                    shape_of(type_)).astype(numpy.float32))
            path = os.path.join(work, f'op{index}.mlir')
            with open(path, 'w') as f:
                f.write(f'func.func @main({", ".join(arguments)}) -> '
                        f'{result_type} {{\n  %r = {op} {body} : {types}\n'
                        f'  return %r : {result_type}\n}}\n')
            run = subprocess.run([kiln_run, path, *files, '--repeat', '10'],
                                 capture_output=True, text=True)
            timing = re.search(r'min ([\d.]+) ms', run.stdout + run.stderr)
            if not timing:
                print(f'cannot time {key}: {run.stderr[:300]}', file=sys.stderr)
                continue
            fastest = float(timing.group(1))
            total += fastest * count
            rows.append((fastest * count, count, fastest, key))
    for row in sorted(rows, reverse=True):
        print(f'{row[0]:8.2f} ms  {row[1]:3d} x {row[2]:7.3f} ms  {row[3][:160]}')
    print(f'{total:8.2f} ms  in all')


if __name__ == '__main__':
    main()
