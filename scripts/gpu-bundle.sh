#!/bin/sh
# Builds, on a machine without a GPU, everything the GPU tests and benchmark
# need on a GPU machine that has no LLVM/MLIR (docs/gpu.md): build/gpu/ with
# a shared library per suite (ahead-of-time compiled kernels + the CUDA
# launcher), its spec.json, and the Python drivers. Usage:
#   [GPU_VARIANTS="NAME:FLAG[+FLAG...] ..."] scripts/gpu-bundle.sh [BUILD_DIR]
# Each variant is the benchmark compiled with more norm-compile flags,
# in build/gpu/bench-NAME (run_bench.py --variant NAME=DIR times it).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out=$build/gpu
cc=${CC:-clang-22}
bundle() { # name generator chips format [norm-compile flags]
  dir=$out/$1
  rm -rf "$dir" && mkdir -p "$dir"
  python3 "$2" "$dir"
  "$build/bin/norm-compile" --target=cuda --gpu-chip="$3" --gpu-format="$4" \
    ${5:-} "$dir/cases.mlir" -o "$dir/cases.o" --header "$dir/cases.h"
  "$cc" -O2 -fPIC -shared -I"$root/runtime/include" -I"$dir" "$dir/shim.c" \
    "$dir/cases.o" "$build/runtime/libnorm_cuda.a" -ldl -lpthread \
    -o "$dir/libnormgpu_$1.so"
  rm -f "$dir/cases.o"
}
# sm_90 cubins (long rows on thread-block clusters), and sm_80 PTX that the
# driver compiles for the GPU at hand (no clusters: the other strategies).
bundle cases "$root/test/GPU/cases.py" sm_90 cubin
bundle cases-sm80 "$root/test/GPU/cases.py" sm_80 ptx
bundle bench "$root/bench/gpu/cases.py" sm_90 cubin
for variant in ${GPU_VARIANTS:-}; do
  bundle "bench-${variant%%:*}" "$root/bench/gpu/cases.py" sm_90 cubin \
    "$(echo "${variant#*:}" | tr + ' ')"
done
# torch.ops.norm on CUDA tensors (python/norm_torch): the kernels the GPU
# run of test/Integration/Inputs/torch_ops.py uses, prebuilt into a cache
# there (the GPU machine has no norm-compile). Needs PyTorch here.
torch_python=${NORM_TORCH_PYTHON:-$build/torch-venv/bin/python}
if [ -x "$torch_python" ]; then
  rm -rf "$out/torch-cache"
  NORM_TORCH_CACHE="$out/torch-cache" NORM_BUILD_DIR="$build" \
    "$torch_python" "$root/test/Integration/Inputs/torch_ops.py" "$root" \
    --prebuild > /dev/null
fi
if [ -x "$build/examples/cuda/cuda-example" ]; then
  cp "$build/examples/cuda/cuda-example" "$out/"
fi
cp "$root/test/GPU/run_cases.py" "$root/bench/gpu/run_bench.py" \
  "$root/scripts/gpu-run.sh" "$out/"
du -sh "$out"
