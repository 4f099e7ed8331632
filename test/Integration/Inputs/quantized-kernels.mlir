// Fused kernels with quantized outputs, for norm-compile-manifest.test.
func.func @ln_i8(%x: tensor<?x512xf32>, %g: tensor<512xf32>) -> tensor<?x512xi8> {
  %y = norm.layer_norm %x gamma(%g : tensor<512xf32>) epilogue {
  ^bb0(%a: f32):
    %inv_scale = arith.constant 32.0 : f32
    %lo = arith.constant -128.0 : f32
    %hi = arith.constant 127.0 : f32
    %s = arith.mulf %a, %inv_scale : f32
    %r = math.roundeven %s : f32
    %c0 = arith.maximumf %r, %lo : f32
    %c1 = arith.minimumf %c0, %hi : f32
    %i = arith.fptosi %c1 : f32 to i8
    norm.yield %i : i8
  } {axes = array<i64: 1>} : tensor<?x512xf32> -> tensor<?x512xi8>
  return %y : tensor<?x512xi8>
}
func.func @rms_f8(%x: tensor<?x?xbf16>, %scale: tensor<?xf32>) -> tensor<?x?xf8E4M3FN> {
  %y = norm.rms_norm %x epilogue(%scale : tensor<?xf32>) {
  ^bb0(%a: bf16, %c: f32):
    %af = arith.extf %a : bf16 to f32
    %s = arith.mulf %af, %c : f32
    %f = arith.truncf %s : f32 to f8E4M3FN
    norm.yield %f : f8E4M3FN
  } {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>]} : tensor<?x?xbf16> -> tensor<?x?xf8E4M3FN>
  return %y : tensor<?x?xf8E4M3FN>
}
