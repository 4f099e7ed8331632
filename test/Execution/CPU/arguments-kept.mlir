// Functions must not write into their tensor arguments. Elementwise ops
// on tensors become linalg.generic ops whose output is their input
// (`outs(%arg0)`); bufferization used to compute them in the caller's
// buffer, so the caller's input was overwritten (and --check, which
// evaluates the reference on the arguments after the call, saw exp(exp(x))).
// norm-run --check also compares the arguments' bytes before and after.
// RUN: norm-run %s --function=exp_tensor --input=64x33xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=exp_tensor --pipeline=reference --input=64x33xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=erf_then_norm --input=8x100xf32=random --check | FileCheck %s --check-prefixes=CHECK,TWO
// RUN: norm-run %s --function=erf_then_norm --pipeline=reference --input=8x100xf32=random --check | FileCheck %s --check-prefixes=CHECK,TWO
// RUN: norm-run %s --function=norm_into_input --input=4x77xbf16=random --check | FileCheck %s
// RUN: norm-run %s --function=norm_into_input --pipeline=reference --input=4x77xbf16=random --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: ok
// TWO: check result[1]: {{.*}}: ok
// CHECK-NOT: FAILED

func.func @exp_tensor(%x: tensor<64x33xf32>) -> tensor<64x33xf32> {
  %y = math.exp %x : tensor<64x33xf32>
  return %y : tensor<64x33xf32>
}

func.func @erf_then_norm(%x: tensor<8x100xf32>) -> (tensor<8x100xf32>, tensor<8x100xf32>) {
  %e = math.erf %x : tensor<8x100xf32>
  %y = norm.layer_norm %e {axes = array<i64: 1>} : tensor<8x100xf32> -> tensor<8x100xf32>
  return %y, %e : tensor<8x100xf32>, tensor<8x100xf32>
}

// The normalized rows added to the input, the sum written where the input is.
func.func @norm_into_input(%x: tensor<4x77xbf16>) -> tensor<4x77xbf16> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x77xbf16> -> tensor<4x77xbf16>
  %z = linalg.add ins(%y, %x : tensor<4x77xbf16>, tensor<4x77xbf16>) outs(%x : tensor<4x77xbf16>) -> tensor<4x77xbf16>
  return %z : tensor<4x77xbf16>
}
