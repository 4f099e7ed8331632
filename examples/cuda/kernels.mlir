// The kernels of the CUDA example (main.cpp): a bf16 LayerNorm, and LLaMA's
// residual add + RMSNorm with the sum returned, as one fused kernel.
func.func @layer_norm(%x: tensor<64x4096xbf16>, %g: tensor<4096xbf16>, %b: tensor<4096xbf16>) -> tensor<64x4096xbf16> {
  %y = norm.layer_norm %x gamma(%g : tensor<4096xbf16>) beta(%b : tensor<4096xbf16>) {axes = array<i64: 1>, epsilon = 1.0e-05 : f64} : tensor<64x4096xbf16> -> tensor<64x4096xbf16>
  return %y : tensor<64x4096xbf16>
}

func.func @add_rms_norm(%x: tensor<64x4096xbf16>, %r: tensor<64x4096xbf16>, %g: tensor<4096xbf16>) -> (tensor<64x4096xbf16>, tensor<64x4096xbf16>) {
  %y, %h = norm.rms_norm %x gamma(%g : tensor<4096xbf16>)
      prologue(%r : tensor<64x4096xbf16>) -> tensor<64x4096xbf16> {
      ^bb0(%a: bf16, %c: bf16):
        %s = arith.addf %a, %c : bf16
        norm.yield %s : bf16
      } {axes = array<i64: 1>, epsilon = 1.0e-06 : f64} : tensor<64x4096xbf16> -> tensor<64x4096xbf16>
  return %y, %h : tensor<64x4096xbf16>, tensor<64x4096xbf16>
}
