#!/usr/bin/env python3
"""Writes the small .npy inputs of the kiln-run lit tests (no numpy needed).

Run from this folder: python3 make_npy.py. The files are committed; this
script documents exactly what they hold.
"""
import struct


def save(path, shape, values, descr="<f4", fmt="f"):
    dims = ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    pad = (64 - (10 + len(header) + 1) % 64) % 64
    header += " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


save("x_2x3.npy", [2, 3], [1, 2, 3, 4, 5, 6])
save("y_3.npy", [3], [10, 20, 30])
save("y_4.npy", [4], [1, 2, 3, 4])
save("i_3.npy", [3], [1, 2, 3], descr="<i4", fmt="i")
save("s.npy", [], [2.5])
with open("x_2x3.npy", "rb") as f:
    whole = f.read()
with open("truncated.npy", "wb") as f:
    f.write(whole[:-5])
with open("garbage.npy", "wb") as f:
    f.write(b"this is not a numpy file\n")
