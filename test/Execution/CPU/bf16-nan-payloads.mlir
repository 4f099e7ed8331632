// NaN whose payload fills the mantissa (0x7FFFFFFF, 0xFFFFFFFF) or only its
// lowest bit (0x7F800001, a signaling NaN) reaching a bf16 output: adding
// the rounding bias to such bits would give -0 or +0 or infinity, so the
// rounding must keep them NaN (norm-expand-bf16, which selects NaN lanes
// only when some lane of a vector is NaN: an unordered compare of two
// vectors, then a branch). Batch norm inference with the mean of channel 5
// and 30 and the variance of channel 17 such NaNs: those channels are NaN
// in every example and position, all others match the float64 reference;
// over NHWC (column slots: vectors of channels rounded in order) and NCHW
// (planes of 64 bf16 normalized as even and odd halves and stored
// interleaved), on the host and with the integer rounding of AVX2 and of
// the x86-64 baseline.
// RUN: norm-run %s --function=nhwc --input=2x3x5x32xbf16=random --input=32xf32=-0 --check | FileCheck %s --check-prefix=NHWC
// RUN: norm-run %s --function=nhwc --input=2x3x5x32xbf16=random --input=32xf32=-0 --check --target-cpu=x86-64-v3 | FileCheck %s --check-prefix=NHWC
// RUN: norm-run %s --function=nhwc --input=2x3x5x32xbf16=random --input=32xf32=-0 --check --target-cpu=x86-64 | FileCheck %s --check-prefix=NHWC
// RUN: norm-run %s --function=nchw --input=3x32x8x8xbf16=random --input=32xf32=-0 --check | FileCheck %s --check-prefix=NCHW
// RUN: norm-run %s --function=nchw --input=3x32x8x8xbf16=random --input=32xf32=-0 --check --target-cpu=x86-64-v3 | FileCheck %s --check-prefix=NCHW
// RUN: norm-run %s --function=nchw --input=3x32x8x8xbf16=random --input=32xf32=-0 --check --target-cpu=x86-64 | FileCheck %s --check-prefix=NCHW
// NHWC: result[0]: tensor<2x3x5x32xbf16> [{{-?[0-9][^,]*}}, {{-?[0-9][^,]*}}, {{-?[0-9][^,]*}}, {{-?[0-9][^,]*}}, {{-?[0-9][^,]*}}, {{-?}}nan, ...]
// NHWC: check result[0]: {{.*}}: ok
// NCHW: check result[0]: {{.*}}: ok

// x + (-0) is x for every x (a NaN keeps its payload on x86) and keeps the
// constants from being folded.
func.func @nhwc(%x: tensor<2x3x5x32xbf16>, %zero: tensor<32xf32>) -> tensor<2x3x5x32xbf16> {
  %mc = arith.constant dense<[0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x7FFFFFFF, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x7F800001, 0x3DCCCCCD]> : tensor<32xf32>
  %vc = arith.constant dense<[0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0xFFFFFFFF, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000]> : tensor<32xf32>
  %m = arith.addf %mc, %zero : tensor<32xf32>
  %v = arith.addf %vc, %zero : tensor<32xf32>
  %y = norm.batch_norm_inference %x, %m, %v {channel_axis = 3} : tensor<2x3x5x32xbf16>, tensor<32xf32>, tensor<32xf32> -> tensor<2x3x5x32xbf16>
  return %y : tensor<2x3x5x32xbf16>
}

func.func @nchw(%x: tensor<3x32x8x8xbf16>, %zero: tensor<32xf32>) -> tensor<3x32x8x8xbf16> {
  %mc = arith.constant dense<[0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x7FFFFFFF, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x3DCCCCCD, 0x7F800001, 0x3DCCCCCD]> : tensor<32xf32>
  %vc = arith.constant dense<[0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0xFFFFFFFF, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000]> : tensor<32xf32>
  %m = arith.addf %mc, %zero : tensor<32xf32>
  %v = arith.addf %vc, %zero : tensor<32xf32>
  %y = norm.batch_norm_inference %x, %m, %v : tensor<3x32x8x8xbf16>, tensor<32xf32>, tensor<32xf32> -> tensor<3x32x8x8xbf16>
  return %y : tensor<3x32x8x8xbf16>
}
