#!/bin/sh
# Same-run A/B of CPU kernels: builds norm-bench against the kernels of
# bench/kernels.mlir compiled by the current norm-compile (with extra
# norm-compile flags, and any environment the compiler reads), then times
# several such builds interleaved, round after round, so that the VM's slow
# phases hit them alike (docs/performance.md: these machines are noisy).
#
#   bench/ab.sh build NAME [norm-compile flags...]   -> build/ab/NAME/norm-bench
#   bench/ab.sh run KERNEL DTYPE SHAPE THREADS ROUNDS NAME...
#
# e.g. build `base` before a change and `new` after it, then
#   bench/ab.sh run layer_norm f32 2048x4096 2 7 base new
# prints each build's microseconds per call (median of AB_REPS calls, default
# 40), round by round, and the median of the rounds.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NORM_BUILD_DIR:-$root/build}
what=${1:-}
case $what in
build)
  name=$2
  shift 2
  out=$build/ab/$name
  mkdir -p "$out"
  cmake --build "$build" --target norm-compile norm-bench >/dev/null
  "$build/bin/norm-compile" "$root/bench/kernels.mlir" "$@" \
    -o "$out/kernels.o" --header "$out/kernels.h"
  # norm-bench's own link command, with this build's kernels.
  link=$(cd "$build" && ninja -t commands bench/norm-bench | tail -1 |
    sed 's/^: && //; s/ && :$//')
  (cd "$build" && eval "$(echo "$link" |
    sed "s# bench/kernels.o # $out/kernels.o #; s#-o bench/norm-bench#-o $out/norm-bench#")")
  echo "$out/norm-bench"
  ;;
run)
  kernel=$2 dtype=$3 shape=$4 threads=$5 rounds=$6
  shift 6
  for i in $(seq "$rounds"); do
    for name in "$@"; do
      s=$(OMP_PROC_BIND=true NORM_NUM_THREADS=$threads \
        OMP_NUM_THREADS=$threads "$build/ab/$name/norm-bench" --impl=norm \
        --kernel="$kernel" --dtype="$dtype" --shape="$shape" --reps="${AB_REPS:-40}" |
        tail -1 | sed 's/seconds=\([^ ]*\).*/\1/')
      echo "$name $s"
    done
  done | awk '
    # Microseconds: 0.1 us resolution, 1 ns below 10 us (latency cases).
    function us(x) { return sprintf(x < 1e-5 ? "%.3f" : "%.1f", x * 1e6) }
    {t[$1] = t[$1] " " us($2); v[$1, ++n[$1]] = $2}
    END {for (k in n) {m = n[k]; for (i = 1; i <= m; i++) a[i] = v[k, i];
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
        if (a[j] < a[i]) {x = a[i]; a[i] = a[j]; a[j] = x}
      printf "%-12s median %8s us:%s\n", k, us(a[int((m + 1) / 2)]), t[k]}}'
  ;;
*)
  sed -n '2,14p' "$0"
  exit 2
  ;;
esac
