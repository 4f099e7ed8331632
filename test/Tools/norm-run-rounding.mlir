// A rounding other than to nearest even has no lowering: norm-run names the
// op and exits non-zero (it failed to link with the host's native bf16
// conversion and was rounded to nearest even by the integer expansion of
// AVX2 code), with either pipeline and any target CPU.
// RUN: not norm-run %s --input=32xf32=random 2>&1 | FileCheck %s
// RUN: not norm-run %s --input=32xf32=random --target-cpu=x86-64-v3 2>&1 | FileCheck %s
// RUN: not norm-run %s --input=32xf32=random --pipeline=reference 2>&1 | FileCheck %s
// CHECK: error: rounds toward_zero: only to_nearest_even (the default) is supported
// CHECK: norm-run: error: lowering 'f' to LLVM failed
func.func @f(%x: tensor<32xf32>) -> tensor<32xbf16> {
  %e = tensor.empty() : tensor<32xbf16>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<32xf32>) outs(%e : tensor<32xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a toward_zero : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<32xbf16>
  return %y : tensor<32xbf16>
}
