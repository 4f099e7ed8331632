#!/bin/sh
# Runs on the GPU machine, from the bundle scripts/gpu-bundle.sh made:
# the execution matrix, compute-sanitizer (memcheck, racecheck) on a subset,
# and the benchmark. Results go to $OUT (or ./gpu-results).
#   build/gpu/gpu-run.sh [tests|torch|sanitize|bench|all|stash]
# stash keeps the carried .quack-*/ parts of Quack's libraries in /tmp/quack
# for a later call on the same warm machine (scripts/gpu-contenders.sh).
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
out=${OUT:-$here/results}
mkdir -p "$out"
what=${1:-all}
status=0
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv \
  | tee "$out/gpu.txt"
if [ "$what" = all ] || [ "$what" = tests ]; then
  for suite in cases cases-sm80; do
    python3 "$here/run_cases.py" "$here/$suite" 2>&1 \
      | tee "$out/$suite.log" | grep -v " ok$"
    [ "$(tail -1 "$out/$suite.log" | grep -c passed)" = 1 ] || status=1
    grep -q FAIL "$out/$suite.log" && status=1
  done
fi
if [ -d "$here/torch-cache" ] && { [ "$what" = all ] || [ "$what" = tests ] ||
    [ "$what" = torch ]; }; then
  # torch.ops.norm on CUDA tensors, from the kernels prebuilt by the bundle.
  NORM_TORCH_CACHE="$here/torch-cache" python3 \
    "$root/test/Integration/Inputs/torch_ops.py" "$root" \
    --device cuda 2>&1 | tee "$out/torch-ops.log"
  for line in 'results: ok' 'cuda graph: replays match' 'opcheck: ok' \
      'one norm node, matches eager' \
      'fx pass: 2 fused' 'inductor backend: matches eager'; do
    grep -q "$line" "$out/torch-ops.log" || status=1
  done
fi
if [ "$what" = all ] || [ "$what" = sanitize ]; then
  for tool in memcheck racecheck; do
    compute-sanitizer --tool $tool --error-exitcode 9 python3 \
      "$here/run_cases.py" "$here/cases" \
      --only _64x768,_4x65536,_2x100000,bn_f32,nchw_packed \
      > "$out/sanitize-$tool.log" 2>&1
    rc=$?
    echo "compute-sanitizer $tool: exit $rc, $(grep -c 'ERROR SUMMARY: 0' \
      "$out/sanitize-$tool.log") clean summaries"
    tail -3 "$out/sanitize-$tool.log"
    [ $rc = 0 ] || status=1
  done
fi
if [ -x "$here/cuda-example" ] && { [ "$what" = all ] || [ "$what" = tests ]; }; then
  "$here/cuda-example" | tee "$out/cuda-example.log"
  [ "$(tail -1 "$out/cuda-example.log")" = ok ] || status=1
fi
if [ "$what" = stash ]; then
  mkdir -p /tmp/quack && cp "$root"/.quack-*/* /tmp/quack/ && ls -l /tmp/quack
fi
if [ "$what" = all ] || [ "$what" = bench ]; then
  if ls "$root"/.whl/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --target /tmp/site \
      "$root"/.whl/*.whl && export PYTHONPATH=/tmp/site
    # Quack's CUTLASS DSL: its libraries, carried apart, back in place, and
    # its packages on the path (its .pth file is not read from PYTHONPATH).
    for paths in "$root"/.quack-*/paths /tmp/quack/paths; do
      [ -f "$paths" ] || continue
      while read -r name dest; do
        [ -f "$(dirname "$paths")/$name" ] && python3 -c "import lzma, sys
open(sys.argv[2], 'wb').write(lzma.open(sys.argv[1]).read())" \
          "$(dirname "$paths")/$name" "/tmp/site/$dest"
      done < "$paths"
    done
    export PYTHONPATH=/tmp/site:/tmp/site/nvidia_cutlass_dsl/dsl_packages
  fi
  python3 "$here/run_bench.py" "$here/bench" "$out/gpu.csv" $BENCH_ARGS \
    2>&1 | tee "$out/bench.log" | tail -60
fi
exit $status
