#!/bin/sh
# Prepares, on a machine with PyPI, the GPU benchmark's Python contenders
# for a GPU machine that cannot fetch anything (docs/gpu.md, "Benchmark"):
# Liger-Kernel and Quack with its CUTLASS DSL, as wheels in .whl/.
# The CUTLASS DSL's CUDA 13 libraries come as a 92 MB wheel, beyond what
# one call can carry (64 MiB); its two shared libraries are therefore taken
# out of the wheel and xz-compressed into .quack-a/ (48 MiB) and .quack-b/
# (13 MiB), carried in two calls: `gpu-run.sh stash` keeps the first on the
# machine, `gpu-run.sh bench` puts them back in place. Usage:
#   scripts/gpu-contenders.sh [BUILD_DIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dl=${1:-$root/build}/contender-wheels
cutlass=4.8.1
mkdir -p "$dl"
python3 -m pip download -q --no-deps --only-binary=:all: \
  --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
  --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d "$dl" \
  liger-kernel==0.8.5 quack-kernels==0.6.5 "nvidia-cutlass-dsl==$cutlass" \
  "nvidia-cutlass-dsl-libs-base==$cutlass" \
  "nvidia-cutlass-dsl-libs-core==$cutlass" \
  "nvidia-cutlass-dsl-libs-cu13==$cutlass" apache-tvm-ffi==0.1.15.post2 \
  torch-c-dlpack-ext==0.1.5
rm -rf "$root/.whl" "$root/.quack-a" "$root/.quack-b"
mkdir -p "$root/.whl" "$root/.quack-a" "$root/.quack-b"
for w in "$dl"/*.whl; do
  case $w in *libs_cu13*) ;; *) cp "$w" "$root/.whl/" ;; esac
done
# The cu13 wheel without its two libraries, and the libraries compressed;
# `paths` says where each goes under the install folder.
big=$(ls "$dl"/nvidia_cutlass_dsl_libs_cu13-*.whl)
ir=nvidia_cutlass_dsl/dsl_packages/cutlass/_mlir/_mlir_libs/_cutlass_ir.cu13.cpython-312-x86_64-linux-gnu.so
rt=nvidia_cutlass_dsl/cu13/lib/libcute_dsl_runtime.so
python3 - "$big" "$root/.whl/$(basename "$big")" "$ir" "$rt" <<'PY'
import sys, zipfile
src, dst, *skip = sys.argv[1:]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w",
                                                  zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        if item.filename not in skip:
            zout.writestr(item, zin.read(item.filename))
PY
for part in "a ir $ir" "b rt $rt"; do
  set -- $part
  cache=$dl/$2.so.xz
  if [ ! -f "$cache" ] || [ "$big" -nt "$cache" ]; then
    unzip -p "$big" "$3" | xz -T2 -9e > "$cache"
  fi
  cp "$cache" "$root/.quack-$1/"
  echo "$2.so.xz $3" > "$root/.quack-$1/paths"
done
du -sh "$root/.whl" "$root/.quack-a" "$root/.quack-b"
