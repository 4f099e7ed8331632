func.func @f(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 3>} : tensor<1x4xf32> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
