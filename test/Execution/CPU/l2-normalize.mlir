// RUN: norm-run %s --function=l2_f32 --input=1x1xf32=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=l2_f32 --input=1x1xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=l2_f32 --input=3x5xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=l2_f32 --input=7x1025xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=l2_f16 --input=7x1025xf16=random --input=1025xf16=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=l2_f16 --input=7x1025xf16=random --input=1025xf16=random --check | FileCheck %s
// RUN: norm-run %s --function=l2_bf16 --input=2x3x4x5xbf16=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=l2_bf16 --input=2x3x4x5xbf16=random --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: ok
func.func @l2_f32(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.l2_normalize %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @l2_f16(%x: tensor<7x1025xf16>, %s: tensor<1025xf16>) -> tensor<7x1025xf16> {
  %y = norm.l2_normalize %x scale(%s : tensor<1025xf16>) {axes = array<i64: 1>} : tensor<7x1025xf16> -> tensor<7x1025xf16>
  return %y : tensor<7x1025xf16>
}
func.func @l2_bf16(%x: tensor<2x3x4x5xbf16>) -> tensor<2x3x4x5xbf16> {
  %y = norm.l2_normalize %x {axes = array<i64: 1, 2>} : tensor<2x3x4x5xbf16> -> tensor<2x3x4x5xbf16>
  return %y : tensor<2x3x4x5xbf16>
}

// A zero vector stays zero: its norm is clamped to epsilon.
// RUN: norm-run %s --function=l2_f32 --input=2x4xf32=0 --check | FileCheck %s --check-prefix=ZERO
// ZERO: result[0]: tensor<2x4xf32> [0, 0, 0, 0, 0, 0, ...]
// ZERO: check result[0]: {{.*}}: ok
