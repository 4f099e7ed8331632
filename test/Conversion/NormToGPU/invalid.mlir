// What the GPU lowering does not take is an error naming the op and why.
// RUN: norm-opt %s --norm-convert-to-gpu -split-input-file -verify-diagnostics

func.func @dynamic_row(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{cannot be lowered to GPU code: the GPU lowering takes dynamic sizes only on leading axes that are not reduced and that every operand varies along alike}}
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x?xf32> -> tensor<4x?xf32>
  return %y : tensor<4x?xf32>
}

// -----

func.func @f64_compute(%x: tensor<4x768xf32>) -> tensor<4x768xf32> {
  // expected-error @+1 {{cannot be lowered to GPU code: the GPU lowering computes in f32 only}}
  %y = norm.layer_norm %x {axes = array<i64: 1>, compute_type = f64} : tensor<4x768xf32> -> tensor<4x768xf32>
  return %y : tensor<4x768xf32>
}

// -----

// 2^33 rows of a warp each, four to a block: 2^31 blocks, one too many.
func.func @too_many_rows(%x: tensor<8589934592x8xf16>) -> tensor<8589934592x8xf16> {
  // expected-error @+1 {{cannot be lowered to GPU code: the grid would exceed 2^31 - 1 blocks}}
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<8589934592x8xf16> -> tensor<8589934592x8xf16>
  return %y : tensor<8589934592x8xf16>
}
