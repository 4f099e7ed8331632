// The normalizations of a pre-norm transformer block and of an LLM, as a
// model compiler hands them to norm.

// LayerNorm over the hidden size (GPT-2, BERT), returning the statistics a
// training step keeps for the backward pass.
func.func @layer_norm(%x: tensor<64x768xf32>, %gamma: tensor<768xf32>,
                      %beta: tensor<768xf32>)
    -> (tensor<64x768xf32>, tensor<64xf32>, tensor<64xf32>) {
  %y, %mean, %rstd = norm.layer_norm %x gamma(%gamma : tensor<768xf32>)
      beta(%beta : tensor<768xf32>) {axes = array<i64: 1>, epsilon = 1.0e-5 : f64}
      : tensor<64x768xf32> -> tensor<64x768xf32>, tensor<64xf32>, tensor<64xf32>
  return %y, %mean, %rstd : tensor<64x768xf32>, tensor<64xf32>, tensor<64xf32>
}

// RMSNorm in bf16 with f32 accumulation (LLaMA), any sequence length.
func.func @rms_norm(%x: tensor<?x4096xbf16>, %gamma: tensor<4096xbf16>)
    -> tensor<?x4096xbf16> {
  %y = norm.rms_norm %x gamma(%gamma : tensor<4096xbf16>)
      {axes = array<i64: 1>, epsilon = 1.0e-6 : f64}
      : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}
