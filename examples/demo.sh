#!/usr/bin/env bash
# `make demo`: the main job on a bundled example. norm-opt shows what the
# reference lowering makes of a LayerNorm; norm-run executes it on random
# data, checks every result against the float64 reference and times it;
# then a PyTorch block imported by torch-mlir is raised and fused into one
# norm op and checked the same way.
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

echo
echo "== norm-opt --norm-raise --norm-fuse-elementwise: a PyTorch pre-norm block"
echo "   as torch-mlir imports it (21 linalg ops) becomes one fused LayerNorm"
block="$(dirname "$0")/../test/Transforms/Inputs/torch/prenorm_block.mlir"
fused="$build/demo-prenorm-fused.mlir"
echo "linalg ops before: $(grep -c '= linalg\.' "$block")"
"$bin/norm-opt" "$block" --norm-raise --norm-fuse-elementwise -o "$fused"
echo "linalg ops after:  $(grep -c '= linalg\.' "$fused" || true)"
grep -E 'norm\.layer_norm|prologue|epilogue' "$fused" | sed 's/^ */  /'

echo
echo "== norm-run: the fused block, checked against float64"
"$bin/norm-run" "$fused" --input=4x64xf32=random --input=4x64xf32=random \
  --input=64xf32=random --input=64xf32=random --input=64xf32=random --check

# The same fused block as NVIDIA kernels (needs the CUDA toolkit, no GPU).
cuda=${CUDA_ROOT:-/usr/local/cuda}
if [ -x "$cuda/bin/ptxas" ]; then
  echo
  echo "== norm-opt --norm-lower-to-gpu: the fused block as sm_90 PTX"
  ptx="$build/demo-prenorm.ptx.mlir"
  "$bin/norm-opt" "$fused" --norm-lower-to-gpu="chip=sm_90 format=ptx" -o "$ptx"
  echo "kernels: $(grep -o '\.entry [a-z_0-9]*' "$ptx" | sed 's/\.entry //' | tr '\n' ' ')"
  echo "16-byte global loads/stores: $(grep -o 'ld\.global\.v4' "$ptx" | wc -l)/$(grep -o 'st\.global\.v4' "$ptx" | wc -l)," \
    "warp shuffles: $(grep -o 'shfl\.sync' "$ptx" | wc -l) (docs/gpu.md)"
fi
