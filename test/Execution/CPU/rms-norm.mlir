// RUN: norm-run %s --function=rms_f32 --input=1x1xf32=random --input=1xf32=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=rms_f32 --input=1x1xf32=random --input=1xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=rms_f32 --input=3x5xf32=random --input=5xf32=random --check --seed=1 | FileCheck %s
// RUN: norm-run %s --function=rms_f32 --input=7x1025xf32=random --input=1025xf32=random --check --seed=2 | FileCheck %s
// RUN: norm-run %s --function=rms_f16 --input=1x1xf16=random --input=1xf16=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=rms_f16 --input=1x1xf16=random --input=1xf16=random --check | FileCheck %s
// RUN: norm-run %s --function=rms_f16 --input=3x5xf16=random --input=5xf16=random --check --seed=3 | FileCheck %s
// RUN: norm-run %s --function=rms_f16 --input=7x1025xf16=random --input=1025xf16=random --check --seed=4 | FileCheck %s
// RUN: norm-run %s --function=rms_bf16 --input=1x1xbf16=random --input=1xbf16=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=rms_bf16 --input=1x1xbf16=random --input=1xbf16=random --check | FileCheck %s
// RUN: norm-run %s --function=rms_bf16 --input=3x5xbf16=random --input=5xbf16=random --check --seed=5 | FileCheck %s
// RUN: norm-run %s --function=rms_bf16 --input=7x1025xbf16=random --input=1025xbf16=random --check --seed=6 | FileCheck %s

// CHECK: check result[0]: {{.*}}: ok
// CHECK: check result[1]: {{.*}}: ok

func.func @rms_f32(%x: tensor<?x?xf32>, %g: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>) {
  %y, %r = norm.rms_norm %x gamma(%g : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>
  return %y, %r : tensor<?x?xf32>, tensor<?xf32>
}
func.func @rms_f16(%x: tensor<?x?xf16>, %g: tensor<?xf16>) -> (tensor<?x?xf16>, tensor<?xf32>) {
  %y, %r = norm.rms_norm %x gamma(%g : tensor<?xf16>) {axes = array<i64: 1>, zero_centered_gamma} : tensor<?x?xf16> -> tensor<?x?xf16>, tensor<?xf32>
  return %y, %r : tensor<?x?xf16>, tensor<?xf32>
}
func.func @rms_bf16(%x: tensor<?x?xbf16>, %g: tensor<?xbf16>) -> (tensor<?x?xbf16>, tensor<?xf32>) {
  %y, %r = norm.rms_norm %x gamma(%g : tensor<?xbf16>) {axes = array<i64: 1>, epsilon = 1.0e-5 : f64} : tensor<?x?xbf16> -> tensor<?x?xbf16>, tensor<?xf32>
  return %y, %r : tensor<?x?xbf16>, tensor<?xf32>
}

// Rank 4 over the middle axes, with a beta.
// RUN: norm-run %s --function=rms_middle --input=2x3x4x5xf32=random --input=3x4xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --pipeline=reference --function=rms_middle --input=2x3x4x5xf32=random --input=3x4xf32=random --check | FileCheck %s --check-prefix=ONE
// ONE: check result[0]: {{.*}}: ok
func.func @rms_middle(%x: tensor<2x3x4x5xf32>, %b: tensor<3x4xf32>) -> tensor<2x3x4x5xf32> {
  %y = norm.rms_norm %x beta(%b : tensor<3x4xf32>) {axes = array<i64: 1, 2>} : tensor<2x3x4x5xf32> -> tensor<2x3x4x5xf32>
  return %y : tensor<2x3x4x5xf32>
}
