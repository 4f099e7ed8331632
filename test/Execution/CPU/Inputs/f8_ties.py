#!/usr/bin/env python3
"""Writes f8-ties.npy: every midpoint between neighbouring f8E4M3FN values
(normal and subnormal, both signs), the values themselves, zeros, the
largest finite value 448, the midpoint 464 past it, huge values, infinities
and NaN: the cases where rounding to f8E4M3FN is hardest."""

import math
import os
import struct


def e4m3(bits):
    s = -1 if bits & 0x80 else 1
    e, m = (bits >> 3) & 0xF, bits & 7
    return s * (m / 8 * 2**-6 if e == 0 else (1 + m / 8) * 2**(e - 7))


values = []
positive = [e4m3(b) for b in range(0x7F)]  # 0x7F is NaN
for a, b in zip(positive, positive[1:]):
    mid = (a + b) / 2
    values += [mid, -mid, a, -a]
values += [0.0, -0.0, 448.0, 464.0, 465.0, 1e30, math.inf, -math.inf,
           math.nan, 2**-10, 2**-11, 3 * 2**-11]
data = b"".join(struct.pack("<f", v) for v in values)
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }" % len(
    values)
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "f8-ties.npy")
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
            header.encode() + data)
