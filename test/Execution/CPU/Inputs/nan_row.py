"""Writes a 3x5 f32 .npy whose row 1 holds one NaN (no NumPy needed)."""
import math
import struct
import sys

values = [0.5, -1.0, 2.0, 0.25, 1.5,
          1.0, math.nan, 3.0, -2.0, 0.0,
          -0.5, 4.0, 1.0, -3.0, 2.5]
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }"
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
    f.write(header.encode() + struct.pack("<15f", *values))
