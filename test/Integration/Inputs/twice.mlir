func.func @twice(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<2x8xf32> -> tensor<2x8xf32>
  return %y, %y : tensor<2x8xf32>, tensor<2x8xf32>
}
