// The fusion benchmark (bench/run.py --fusion): model blocks written unfused
// in linalg on tensors, run as written ("norm-unfused") and after
// --norm-fuse-elementwise ("norm-fused") through the same CPU pipeline.

// Pre-norm transformer block, bf16 activations: h = x + r (returned for the
// next block), y = LayerNorm(h) * g + b, gelu_erf(y + bias) in f32, bf16 out.
func.func @transformer_bf16(%x: tensor<?x?xbf16>, %r: tensor<?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>, %bias: tensor<?xbf16>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x?xbf16>
  %d = tensor.dim %x, %c1 : tensor<?x?xbf16>
  %e = tensor.empty(%n, %d) : tensor<?x?xbf16>
  %h = linalg.add ins(%x, %r : tensor<?x?xbf16>, tensor<?x?xbf16>) outs(%e : tensor<?x?xbf16>) -> tensor<?x?xbf16>
  %y = norm.layer_norm %h gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y, %bias : tensor<?x?xbf16>, tensor<?xbf16>) outs(%e : tensor<?x?xbf16>) {
  ^bb0(%a: bf16, %c: bf16, %o: bf16):
    %af = arith.extf %a : bf16 to f32
    %cf = arith.extf %c : bf16 to f32
    %s = arith.addf %af, %cf : f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %k = arith.constant 0.70710678118654752 : f32
    %t0 = arith.mulf %s, %k : f32
    %t1 = math.erf %t0 : f32
    %t2 = arith.addf %t1, %one : f32
    %t3 = arith.mulf %s, %half : f32
    %t4 = arith.mulf %t3, %t2 : f32
    %t5 = arith.truncf %t4 : f32 to bf16
    linalg.yield %t5 : bf16
  } -> tensor<?x?xbf16>
  return %z, %h : tensor<?x?xbf16>, tensor<?x?xbf16>
}

// LLM block, bf16 activations: h = x + r (the residual stream, returned for
// the next block), y = RMSNorm(h) * g.
func.func @llm_bf16(%x: tensor<?x?xbf16>, %r: tensor<?x?xbf16>, %g: tensor<?xbf16>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x?xbf16>
  %d = tensor.dim %x, %c1 : tensor<?x?xbf16>
  %e = tensor.empty(%n, %d) : tensor<?x?xbf16>
  %h = linalg.add ins(%x, %r : tensor<?x?xbf16>, tensor<?x?xbf16>) outs(%e : tensor<?x?xbf16>) -> tensor<?x?xbf16>
  %y = norm.rms_norm %h gamma(%g : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y, %h : tensor<?x?xbf16>, tensor<?x?xbf16>
}

// ResNet block tail, f32 NCHW: BatchNorm (inference) then ReLU.
func.func @cnn_f32(%x: tensor<?x?x?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?x?xf32>
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %d0 = tensor.dim %x, %c0 : tensor<?x?x?x?xf32>
  %d1 = tensor.dim %x, %c1 : tensor<?x?x?x?xf32>
  %d2 = tensor.dim %x, %c2 : tensor<?x?x?x?xf32>
  %d3 = tensor.dim %x, %c3 : tensor<?x?x?x?xf32>
  %e = tensor.empty(%d0, %d1, %d2, %d3) : tensor<?x?x?x?xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y : tensor<?x?x?x?xf32>) outs(%e : tensor<?x?x?x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x?x?x?xf32>
  return %z : tensor<?x?x?x?xf32>
}
