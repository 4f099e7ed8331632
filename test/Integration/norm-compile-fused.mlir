// RUN: norm-compile %s -o %t.o --header %t.h
// RUN: FileCheck %s < %t.h
// RUN: %cc -c -x c -Wall -Wextra -Wcast-qual -Werror -Wno-unused-command-line-argument -I %norm_src_root/runtime/include -include %t.h /dev/null -o %t.hdr.o

// A fused op: the prologue and epilogue operands must fit the input through
// their maps, and the returned prologue value has the input's shape.
// CHECK-LABEL: static inline norm_status block(const uint16_t *arg0, int64_t arg0_d0, int64_t arg0_d1, const uint16_t *arg1, int64_t arg1_d0, int64_t arg1_d1, const float *arg2, int64_t arg2_d0, uint16_t *result0, float *result1) {
// CHECK:   /* a prologue operand of norm.layer_norm must match its input */
// CHECK:   if (!(arg1_d0 == arg0_d0)) return NORM_INVALID_ARGUMENT;
// CHECK:   if (!(arg1_d1 == arg0_d1)) return NORM_INVALID_ARGUMENT;
// CHECK:   /* an epilogue operand of norm.layer_norm must match its input */
// CHECK:   if (!(arg2_d0 == arg0_d1)) return NORM_INVALID_ARGUMENT;
// CHECK:   norm_memref_r2 result1_m = {(void *)(uintptr_t)result1, (void *)(uintptr_t)result1, 0, {arg0_d0, arg0_d1}, {arg0_d1, 1}};
func.func @block(%x: tensor<?x?xbf16>, %r: tensor<?x?xbf16>, %bias: tensor<?xf32>) -> (tensor<?x?xbf16>, tensor<?x?xf32>) {
  %y, %h = norm.layer_norm %x prologue(%r : tensor<?x?xbf16>) -> tensor<?x?xf32> {
  ^bb0(%a: bf16, %b: bf16):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %s = arith.addf %ae, %be : f32
    norm.yield %s : f32
  } epilogue(%bias : tensor<?xf32>) {
  ^bb0(%v: f32, %c: f32):
    %s = arith.addf %v, %c : f32
    %t = arith.truncf %s : f32 to bf16
    norm.yield %t : bf16
  } {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>]} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y, %h : tensor<?x?xbf16>, tensor<?x?xf32>
}

// What --norm-fuse-elementwise leaves of a block written in linalg: the
// tensor.dim and constants that sized its tensor.empty, now unused, are
// dropped rather than refused as non-norm ops.
// CHECK-LABEL: static inline norm_status leftovers(const float *arg0, int64_t arg0_d0, int64_t arg0_d1, const float *arg1, int64_t arg1_d0, float *result0) {
func.func @leftovers(%x: tensor<?x?xf32>, %g: tensor<?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x?xf32>
  %d = tensor.dim %x, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%n, %d) : tensor<?x?xf32>
  %y = norm.rms_norm %x gamma(%g : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
