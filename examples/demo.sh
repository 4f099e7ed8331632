#!/usr/bin/env bash
# `make demo`: the main job on a bundled example. norm-opt shows what the
# reference lowering makes of a LayerNorm; norm-run executes it on random
# data, checks every result against the float64 reference and times it.
set -euo pipefail
build=${1:-build}
bin="$build/bin"
example="$(dirname "$0")/transformer_norms.mlir"

echo "== norm-opt: verify and print the example"
"$bin/norm-opt" "$example" | grep -E 'norm\.(layer|rms)_norm'

echo
echo "== norm-opt --norm-decompose: the reference lowering to linalg (first lines)"
"$bin/norm-opt" "$example" --norm-decompose | grep -E 'linalg.generic|math.rsqrt' | head -6

echo
echo "== norm-run: LayerNorm 64x768 f32, checked against float64, timed"
"$bin/norm-run" "$example" --function=layer_norm \
  --input=64x768xf32=random --input=768xf32=random --input=768xf32=random \
  --check --benchmark=50

echo
echo "== norm-run: RMSNorm 16x4096 bf16 (dynamic rows), checked and timed"
"$bin/norm-run" "$example" --function=rms_norm \
  --input=16x4096xbf16=random --input=4096xbf16=random --check --benchmark=50
