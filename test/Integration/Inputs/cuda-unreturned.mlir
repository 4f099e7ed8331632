func.func @unreturned(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %y, %m, %r = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4xf32>, tensor<4xf32>
  return %y : tensor<4x64xf32>
}
