"""Writes an NHWC f32 .npy for channels-last group norm (no NumPy needed).

usage: channel_groups.py OUT.npy N H W C GROUPS MODE
  offsets: each channel about 1e4 plus a step per channel within its group
           (0.01 apart, as far apart as the noise: the group's variance is
           half the spread of its channels' means), noise 1e-2;
  special: normal(0, 1) except, in example 0, group 1 constant (variance
           0), group 2 at 1e15 and group 3 at 1e-15 times normal(0, 1);
           in example 1, one NaN in group 2 (NaN in that group only).
"""
import math
import random
import struct
import sys

out = sys.argv[1]
n, h, w, c, groups = (int(a) for a in sys.argv[2:7])
mode = sys.argv[7]
per = c // groups
rng = random.Random(7)
values = []
for e in range(n):
    for p in range(h * w):
        for ch in range(c):
            g = ch // per
            if mode == "offsets":
                v = 1e4 + 0.01 * (ch % per) + 0.01 * rng.gauss(0, 1)
            else:
                v = rng.gauss(0, 1)
                if e == 0 and g == 1:
                    v = 3.0
                elif e == 0 and g == 2:
                    v *= 1e15
                elif e == 0 and g == 3:
                    v *= 1e-15
                elif e == 1 and g == 2 and p == 5 and ch == 2 * per + 1:
                    v = math.nan
            values.append(v)
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d, %d), }" % (
    n, h, w, c)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(out, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
    f.write(header.encode())
    f.write(struct.pack("<%df" % len(values), *values))
