"""Writes an f32 .npy (no NumPy needed) for the pipelined row kernels:
uniform(3, 7) rows, except row 33 (inside a chunk of 32 rows, so taken as
the next row of the pipeline) and row 64 (the first of a chunk), whose
first element is 300 (the one-pass check fails and the exact squares pass
runs), and row 40, which holds a NaN.

    pipelined_rows.py OUT.npy ROWSxCOLS
"""
import random
import struct
import sys

path = sys.argv[1]
rows, cols = (int(d) for d in sys.argv[2].split("x"))
rng = random.Random(11)
values = [3.0 + 4.0 * rng.random() for _ in range(rows * cols)]
for r in (33, 64):
    if r < rows:
        values[r * cols] = 300.0
if 40 < rows:
    values[40 * cols + 100] = float("nan")
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (
    rows, cols)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
    f.write(header.encode())
    f.write(struct.pack("<%df" % len(values), *values))
