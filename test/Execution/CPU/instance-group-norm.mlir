// RUN: norm-run %s --function=in_f32 --input=2x3x5x5xf32=random --input=3xf32=random --input=3xf32=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=in_f32 --input=2x3x5x5xf32=random --input=3xf32=random --input=3xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=in_f32 --input=1x1x1x1xf32=random --input=1xf32=random --input=1xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=in_nhwc_bf16 --input=2x7x7x32xbf16=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=in_nhwc_bf16 --input=2x7x7x32xbf16=random --check | FileCheck %s
// RUN: norm-run %s --function=in_f16 --input=2x4x1025xf16=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=in_f16 --input=2x4x1025xf16=random --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: ok
func.func @in_f32(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.instance_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @in_nhwc_bf16(%x: tensor<2x7x7x32xbf16>) -> tensor<2x7x7x32xbf16> {
  %y = norm.instance_norm %x {channel_axis = 3} : tensor<2x7x7x32xbf16> -> tensor<2x7x7x32xbf16>
  return %y : tensor<2x7x7x32xbf16>
}
func.func @in_f16(%x: tensor<2x4x1025xf16>) -> tensor<2x4x1025xf16> {
  %y = norm.instance_norm %x : tensor<2x4x1025xf16> -> tensor<2x4x1025xf16>
  return %y : tensor<2x4x1025xf16>
}

// RUN: norm-run %s --function=gn_f32 --input=2x32x7x7xf32=random --input=32xf32=random --input=32xf32=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=gn_f32 --input=2x32x7x7xf32=random --input=32xf32=random --input=32xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=gn_f32 --input=1x8x1x1xf32=random --input=8xf32=random --input=8xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=gn_nhwc_f16 --input=2x7x7x32xf16=random --input=32xf16=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=gn_nhwc_f16 --input=2x7x7x32xf16=random --input=32xf16=random --check | FileCheck %s
// RUN: norm-run %s --function=gn_bf16 --input=3x12x5xbf16=random --input=12xbf16=random --check | FileCheck %s
// RUN: norm-run %s --pipeline=reference --function=gn_bf16 --input=3x12x5xbf16=random --input=12xbf16=random --check | FileCheck %s
// Group norm over NHWC with slots of many short rows (a group's 10
// channels at each of 16x16 pixels): one slot per parallel chunk, the same
// bits with 1 and 3 threads.
// RUN: env NORM_NUM_THREADS=1 norm-run %s --function=gn_nhwc_f32 --input=3x16x16x320xf32=random --input=320xf32=random --input=320xf32=random --check --output=@%t.gn1.npy | FileCheck %s
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=gn_nhwc_f32 --input=3x16x16x320xf32=random --input=320xf32=random --input=320xf32=random --output=@%t.gn3.npy
// RUN: cmp %t.gn1.npy %t.gn3.npy
func.func @gn_nhwc_f32(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.group_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {channel_axis = 3, num_groups = 32 : i64} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @gn_f32(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.group_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {num_groups = 4} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @gn_nhwc_f16(%x: tensor<2x7x7x32xf16>, %g: tensor<32xf16>) -> tensor<2x7x7x32xf16> {
  %y = norm.group_norm %x gamma(%g : tensor<32xf16>) {num_groups = 8, channel_axis = 3} : tensor<2x7x7x32xf16> -> tensor<2x7x7x32xf16>
  return %y : tensor<2x7x7x32xf16>
}
func.func @gn_bf16(%x: tensor<3x12x5xbf16>, %g: tensor<12xbf16>) -> tensor<3x12x5xbf16> {
  %y = norm.group_norm %x gamma(%g : tensor<12xbf16>) {num_groups = 3, zero_centered_gamma} : tensor<3x12x5xbf16> -> tensor<3x12x5xbf16>
  return %y : tensor<3x12x5xbf16>
}
