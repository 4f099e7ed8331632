func.func @f(%bias: tensor<8xf32>, %e: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %bb = linalg.broadcast ins(%bias : tensor<8xf32>) outs(%e : tensor<4x8xf32>) dimensions = [&]
  return %bb : tensor<4x8xf32>
}
