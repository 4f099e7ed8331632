"""Writes an f32 .npy (no NumPy needed) whose rows along the last axis put
the pivot (a row's first element, and the first element of a batch norm's
channel) where one-pass statistics would cancel:

  row 0: the first element 300, the others normal(0, 1): the mean is ~200
         standard deviations from the pivot (the exact pass must run);
  row 1: the first element 0, the others normal(0, 1) (one pass suffices);
  row 2: the first element 1.7, the others normal(0, 1): the pivot near
         the threshold (sqrt(3) standard deviations from the mean);
  row 3 and on: normal(5, 2).

    pivot_rows.py OUT.npy SHAPE        (e.g. 4x100000 or 2x3x100x100)
"""
import random
import struct
import sys

path = sys.argv[1]
shape = [int(d) for d in sys.argv[2].split("x")]
cols = shape[-1]
rows = 1
for d in shape[:-1]:
    rows *= d
rng = random.Random(7)
values = []
for r in range(rows):
    row = [rng.gauss(0.0, 1.0) for _ in range(cols)]
    if r == 0:
        row[0] = 300.0
    elif r == 1:
        row[0] = 0.0
    elif r == 2:
        row[0] = 1.7
    else:
        row = [5.0 + 2.0 * v for v in row]
    values += row
header = ("{'descr': '<f4', 'fortran_order': False, 'shape': (%s,), }"
          % ", ".join(map(str, shape)))
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
    f.write(header.encode() + struct.pack("<%df" % len(values), *values))
