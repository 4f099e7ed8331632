// Bad options and a missing toolkit are errors with a non-zero exit, never
// a module left unserialized.
// REQUIRES: cuda
// RUN: not norm-opt %S/ptx.mlir --norm-lower-to-gpu="chip=sm_70" 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: norm-lower-to-gpu: chip must be sm_80 or later (sm_XY) and format cubin, ptx or fatbin
// RUN: not norm-opt %S/ptx.mlir --norm-lower-to-gpu="format=elf" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: env CUDA_ROOT=%t.missing not norm-opt %S/ptx.mlir --norm-lower-to-gpu="format=cubin" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TOOLKIT
// TOOLKIT: error: CUDA path: {{.*}}.missing does not exist or is not a directory
// The last pass rejects what serialization left behind.
// RUN: not norm-opt %s --norm-check-gpu-binaries 2>&1 | FileCheck %s --check-prefix=LEFT
// LEFT: error: GPU module was not serialized
module attributes {gpu.container_module} {
  gpu.module @left {
  }
}
