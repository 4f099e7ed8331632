func.func @chain(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %a = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x64xf32> -> tensor<4x64xf32>
  %b = norm.layer_norm %a {axes = array<i64: 1>} : tensor<4x64xf32> -> tensor<4x64xf32>
  return %b : tensor<4x64xf32>
}
