// RUN: norm-compile %s -o %t.o --header %t.h
// RUN: FileCheck %s < %t.h
// RUN: %cc -c -x c -Wall -Wextra -Wcast-qual -Werror -Wno-unused-command-line-argument -I %norm_src_root/runtime/include -include %t.h /dev/null -o %t.hdr.o
// RUN: %cc -c -x c++ -Wall -Wextra -Wcast-qual -Werror -Wno-unused-command-line-argument -I %norm_src_root/runtime/include -include %t.h /dev/null -o %t.hdrxx.o

// Only the descriptor entry points are exported.
// RUN: llvm-nm --defined-only --extern-only %t.o | FileCheck %s --check-prefix=SYMS
// SYMS-DAG: T _mlir_ciface_group
// SYMS-DAG: T _mlir_ciface_stats
// SYMS-NOT: T group
// SYMS-NOT: T stats

// CHECK: #include "norm/runtime.h"
// CHECK: void _mlir_ciface_group(norm_memref_r3 *arg0, norm_memref_r1 *arg1, norm_memref_r3 *result0);
// CHECK-LABEL: static inline norm_status group(const uint16_t *arg0, int64_t arg0_d0, int64_t arg0_d1, int64_t arg0_d2, const uint16_t *arg1, int64_t arg1_d0, uint16_t *result0) {
// CHECK:   if (arg0_d0 < 0) return NORM_INVALID_ARGUMENT;
// CHECK:   /* gamma of norm.group_norm must match its input */
// CHECK:   if (!(arg1_d0 == arg0_d1)) return NORM_INVALID_ARGUMENT;
// CHECK:   /* num_groups of norm.group_norm must divide the channels */
// CHECK:   if (!(arg0_d1 % 4 == 0)) return NORM_INVALID_ARGUMENT;
// CHECK:   norm_memref_r3 arg0_m = {(void *)(uintptr_t)arg0, (void *)(uintptr_t)arg0, 0, {arg0_d0, arg0_d1, arg0_d2}, {(arg0_d2) * arg0_d1, arg0_d2, 1}};
// CHECK:   _mlir_ciface_group(&arg0_m, &arg1_m, &result0_m);
func.func @group(%x: tensor<?x?x?xf16>, %g: tensor<?xf16>) -> tensor<?x?x?xf16> {
  %y = norm.group_norm %x gamma(%g : tensor<?xf16>) {num_groups = 4} : tensor<?x?x?xf16> -> tensor<?x?x?xf16>
  return %y : tensor<?x?x?xf16>
}

// Result shapes follow from the inputs: the statistics of a static 8x?x16
// input over axis 2 are 8x(arg0_d1).
// CHECK-LABEL: static inline norm_status stats(const float *arg0, int64_t arg0_d1, float *result0, float *result1, float *result2) {
// CHECK:   norm_memref_r2 result1_m = {(void *)(uintptr_t)result1, (void *)(uintptr_t)result1, 0, {8, arg0_d1}, {arg0_d1, 1}};
func.func @stats(%x: tensor<8x?x16xf32>) -> (tensor<8x?x16xf32>, tensor<8x?xf32>, tensor<8x?xf32>) {
  %y, %m, %r = norm.layer_norm %x {axes = array<i64: 2>} : tensor<8x?x16xf32> -> tensor<8x?x16xf32>, tensor<8x?xf32>, tensor<8x?xf32>
  return %y, %m, %r : tensor<8x?x16xf32>, tensor<8x?xf32>, tensor<8x?xf32>
}
