// A value returned twice: both results come back whole (the buffer they
// share is freed once, after both are copied).
// RUN: norm-run %s --function=twice --input=3x9xf32=random --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: ok
// CHECK: check result[1]: {{.*}}: ok
func.func @twice(%x: tensor<3x9xf32>) -> (tensor<3x9xf32>, tensor<3x9xf32>) {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<3x9xf32> -> tensor<3x9xf32>
  return %y, %y : tensor<3x9xf32>, tensor<3x9xf32>
}

// Functions of norm ops chained, checked against the reference of each.
// RUN: norm-run %s --function=chain --input=4x6xbf16=random --check | FileCheck %s --check-prefix=CHAIN
// CHAIN: check result[0]: {{.*}}: ok
func.func @chain(%x: tensor<4x6xbf16>) -> tensor<4x6xbf16> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x6xbf16> -> tensor<4x6xbf16>
  %z = norm.layer_norm %y {axes = array<i64: 0>} : tensor<4x6xbf16> -> tensor<4x6xbf16>
  return %z : tensor<4x6xbf16>
}

// An argument returned unchanged comes back as a copy (bufferization.clone),
// on both pipelines.
// RUN: norm-run %s --function=passthrough --input=5xbf16=random --check | FileCheck %s --check-prefix=PASS
// RUN: norm-run %s --pipeline=reference --function=passthrough --input=5xbf16=random --check | FileCheck %s --check-prefix=PASS
// PASS: check result[0]: max abs error 0, {{.*}}: ok
func.func @passthrough(%x: tensor<5xbf16>) -> tensor<5xbf16> {
  return %x : tensor<5xbf16>
}
