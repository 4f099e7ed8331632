// Kernels compiled ahead of time by norm-compile for the C and C++ examples.

// LayerNorm over the last axis, any number of rows and features, returning
// the mean and inverse standard deviation as a training step would.
func.func @layer_norm(%x: tensor<?x?xf32>, %gamma: tensor<?xf32>,
                      %beta: tensor<?xf32>)
    -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %mean, %rstd = norm.layer_norm %x gamma(%gamma : tensor<?xf32>)
      beta(%beta : tensor<?xf32>) {axes = array<i64: 1>}
      : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %mean, %rstd : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
}

// RMSNorm in bf16 (LLaMA-style), f32 accumulation.
func.func @rms_norm_bf16(%x: tensor<?x?xbf16>, %gamma: tensor<?xbf16>)
    -> tensor<?x?xbf16> {
  %y = norm.rms_norm %x gamma(%gamma : tensor<?xbf16>)
      {axes = array<i64: 1>, epsilon = 1.0e-6 : f64}
      : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
