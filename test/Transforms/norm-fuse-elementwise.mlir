// RUN: norm-opt %s --norm-fuse-elementwise --split-input-file | FileCheck %s

// A consumer generic with a broadcast bias and a constant from outside its
// body becomes the epilogue; the result type stays.
// CHECK-LABEL: func.func @consumer(
// CHECK-SAME: -> tensor<4x8xbf16>
// CHECK-NOT: linalg.
// CHECK: norm.layer_norm %{{.*}} epilogue(%{{.*}} : tensor<8xf32>) {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[B:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[V]], %[[B]] : f32
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[M:.*]] = arith.maximumf %[[S]], %[[Z]] : f32
// CHECK-NEXT: %[[T:.*]] = arith.truncf %[[M]] : f32 to bf16
// CHECK-NEXT: norm.yield %[[T]] : bf16
// CHECK-NEXT: } {axes = array<i64: 1>, epilogue_maps = [#{{.*}}]} : tensor<4x8xf32> -> tensor<4x8xbf16>
// CHECK-NOT: linalg.
func.func @consumer(%x: tensor<4x8xf32>, %bias: tensor<8xf32>) -> tensor<4x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xbf16>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y, %bias : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xbf16>) {
  ^bb0(%a: f32, %b: f32, %o: bf16):
    %s = arith.addf %a, %b : f32
    %m = arith.maximumf %s, %zero : f32
    %t = arith.truncf %m : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x8xbf16>
  return %z : tensor<4x8xbf16>
}

// -----

// The residual add (a named op) becomes the prologue. Its sum has another
// user after the norm op: the norm op returns it.
// CHECK-LABEL: func.func @producer_kept(
// CHECK: %[[Y:.*]], %[[H:.*]] = norm.rms_norm %{{.*}} prologue(%{{.*}} : tensor<4x8xf32>) -> tensor<4x8xf32> {
// CHECK: arith.addf
// CHECK: norm.yield
// CHECK: return %[[Y]], %[[H]]
func.func @producer_kept(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %h = linalg.add ins(%x, %r : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = norm.rms_norm %h {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y, %h : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// arith/math ops on tensors and a linalg.broadcast fold into one epilogue.
// CHECK-LABEL: func.func @tensor_ops(
// CHECK-NOT: linalg.
// CHECK: norm.rms_norm %{{.*}} epilogue(%{{.*}} : tensor<8xf32>) {
// CHECK: arith.addf
// CHECK: math.tanh
// CHECK: } {axes = array<i64: 1>, epilogue_maps = [#{{.*}}]}
// CHECK-NOT: linalg.
func.func @tensor_ops(%x: tensor<4x8xf32>, %bias: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %bb = linalg.broadcast ins(%bias : tensor<8xf32>) outs(%e : tensor<4x8xf32>) dimensions = [0]
  %s = arith.addf %y, %bb : tensor<4x8xf32>
  %t = math.tanh %s : tensor<4x8xf32>
  return %t : tensor<4x8xf32>
}

// -----

// Casts: bf16 -> f32 before, f32 -> bf16 after.
// CHECK-LABEL: func.func @casts(
// CHECK-NOT: linalg.
// CHECK: norm.layer_norm %{{.*}} prologue {
// CHECK: arith.extf
// CHECK: } epilogue {
// CHECK: arith.truncf
// CHECK: : tensor<4x8xbf16> -> tensor<4x8xbf16>
func.func @casts(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %e = tensor.empty() : tensor<4x8xf32>
  %xf = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xbf16>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %v = arith.extf %a : bf16 to f32
    linalg.yield %v : f32
  } -> tensor<4x8xf32>
  %y = norm.layer_norm %xf {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xbf16>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<4x8xf32>) outs(%e2 : tensor<4x8xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %v = arith.truncf %a : f32 to bf16
    linalg.yield %v : bf16
  } -> tensor<4x8xbf16>
  return %z : tensor<4x8xbf16>
}

// -----

// An op that is already fused takes more: the new epilogue runs the old one
// first.
// CHECK-LABEL: func.func @compose(
// CHECK: epilogue(%{{.*}}, %{{.*}} : tensor<8xf32>, tensor<4x8xf32>) {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32, %[[B:.*]]: f32, %[[R:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[V]], %[[B]] : f32
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[S]], %[[R]] : f32
// CHECK-NEXT: norm.yield %[[M]] : f32
func.func @compose(%x: tensor<4x8xf32>, %bias: tensor<8xf32>, %gate: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x epilogue(%bias : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>]} : tensor<4x8xf32> -> tensor<4x8xf32>
  %m = arith.mulf %y, %gate : tensor<4x8xf32>
  return %m : tensor<4x8xf32>
}

// -----

// Negative: the residual sum is also used before the norm op; the norm op
// could not return it in time. (Ops next to norm ops are generalized.)
// CHECK-LABEL: func.func @producer_used_before(
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: norm.rms_norm %{{.*}} gamma(%{{.*}} : tensor<4x8xf32>) {axes
func.func @producer_used_before(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %h = linalg.add ins(%x, %r : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %u = linalg.exp ins(%h : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = norm.rms_norm %h gamma(%u : tensor<4x8xf32>) {axes = array<i64: 0, 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y, %u : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Negative: the sum is the input and gamma at once.
// CHECK-LABEL: func.func @producer_also_gamma(
// CHECK: linalg.generic
// CHECK: norm.rms_norm %{{.*}} gamma
func.func @producer_also_gamma(%x: tensor<8xf32>, %r: tensor<8xf32>) -> tensor<8xf32> {
  %h = arith.addf %x, %r : tensor<8xf32>
  %y = norm.rms_norm %h gamma(%h : tensor<8xf32>) {axes = array<i64: 0>} : tensor<8xf32> -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Negative: the normalized tensor is also returned, so the consumer cannot
// take its place.
// CHECK-LABEL: func.func @output_used_twice(
// CHECK: norm.layer_norm %{{.*}} {axes
// CHECK: linalg.generic
func.func @output_used_twice(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %z = math.tanh %y : tensor<4x8xf32>
  return %y, %z : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Negative: a bias read transposed does not line up with the input's axes.
// CHECK-LABEL: func.func @transposed_operand(
// CHECK: norm.layer_norm %{{.*}} {axes
// CHECK: linalg.generic
func.func @transposed_operand(%x: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}

// -----

// Negative: the consumer broadcasts the normalized tensor to a larger shape;
// the result would no longer have the input's shape.
// CHECK-LABEL: func.func @broadcast_output(
// CHECK: norm.layer_norm %{{.*}} {axes
// CHECK: linalg.generic
func.func @broadcast_output(%x: tensor<4x8xf32>) -> tensor<3x4x8xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<3x4x8xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y : tensor<4x8xf32>) outs(%e : tensor<3x4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<3x4x8xf32>
  return %z : tensor<3x4x8xf32>
}

// -----

// Negative: a reduction after the norm op is not elementwise.
// CHECK-LABEL: func.func @reduction(
// CHECK: norm.layer_norm %{{.*}} {axes
// CHECK: linalg.generic
func.func @reduction(%x: tensor<4x8xf32>, %acc: tensor<4xf32>) -> tensor<4xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%y : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %z : tensor<4xf32>
}

// -----

// Negative: a body that reads the loop index is not elementwise.
// CHECK-LABEL: func.func @index_in_body(
// CHECK: norm.layer_norm %{{.*}} {axes
// CHECK: linalg.generic
func.func @index_in_body(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %c = arith.index_cast %i : index to i32
    %f = arith.sitofp %c : i32 to f32
    %s = arith.addf %a, %f : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}

// -----

// Negative: a consumer producing a type the norm op cannot produce (f64).
// CHECK-LABEL: func.func @f64_result(
// CHECK: norm.layer_norm %{{.*}} {axes
// CHECK: linalg.generic
func.func @f64_result(%x: tensor<4x8xf32>) -> tensor<4x8xf64> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xf64>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<4x8xf32>) outs(%e : tensor<4x8xf64>) {
  ^bb0(%a: f32, %o: f64):
    %q = arith.extf %a : f32 to f64
    linalg.yield %q : f64
  } -> tensor<4x8xf64>
  return %z : tensor<4x8xf64>
}

// -----

// Negative: folding would change a static result type into a dynamic one
// (the consumer's result is 4x8, the norm op's ?x8), or give the norm op an
// input of another shape than its output (the producer reads 4x8, makes ?x8).
// CHECK-LABEL: func.func @shape_changes(
// CHECK: linalg.generic
// CHECK: norm.layer_norm %{{.*}} {axes
// CHECK: linalg.generic
func.func @shape_changes(%x: tensor<4x8xf32>, %n: index) -> tensor<4x8xf32> {
  %ed = tensor.empty(%n) : tensor<?x8xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%ed : tensor<?x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<?x8xf32>
  %y = norm.layer_norm %h {axes = array<i64: 1>} : tensor<?x8xf32> -> tensor<?x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<?x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}

// -----

// A rounding other than to nearest even (which no lowering of an epilogue
// supports, and the verifier rejects there) stays outside the norm op, in
// a generic and as an op on tensors.
// CHECK-LABEL: func.func @rounding_mode(
// CHECK: norm.layer_norm %{{.*}} {axes
// CHECK: linalg.generic
// CHECK: arith.truncf %{{.*}} toward_zero : f32 to bf16
// CHECK: arith.truncf %{{.*}} upward : tensor<4x8xf32> to tensor<4x8xbf16>
func.func @rounding_mode(%x: tensor<4x8xf32>) -> (tensor<4x8xbf16>, tensor<4x8xbf16>) {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xbf16>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<4x8xf32>) outs(%e : tensor<4x8xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a toward_zero : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x8xbf16>
  %w = arith.truncf %y upward : tensor<4x8xf32> to tensor<4x8xbf16>
  return %z, %w : tensor<4x8xbf16>, tensor<4x8xbf16>
}

// -----

// An operand of the consumer computed after the norm op (as DiT's scale,
// reshaped after the LayerNorm): the fused op takes the consumer's place.
// CHECK-LABEL: func.func @operand_after_op(
// CHECK: %[[S:.*]] = tensor.collapse_shape %arg1
// CHECK-NEXT: norm.layer_norm %arg0 epilogue(%[[S]] : tensor<8xf32>)
// CHECK-NOT: linalg.generic
func.func @operand_after_op(%x: tensor<4x8xf32>, %scale: tensor<1x8xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %s = tensor.collapse_shape %scale [[0, 1]] : tensor<1x8xf32> into tensor<8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y, %s : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}

// -----

// Negative: the same, but a statistics result of the norm op is used
// before the consumer: the fused op can take neither place.
// CHECK-LABEL: func.func @operand_after_op_stats_used(
// CHECK: norm.layer_norm %arg0 {axes = array<i64: 1>}
// CHECK: tensor.collapse_shape
// CHECK: linalg.generic
// CHECK: linalg.generic
func.func @operand_after_op_stats_used(%x: tensor<4x8xf32>, %scale: tensor<1x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %y, %mean, %rstd = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>
  %s = tensor.collapse_shape %scale [[0, 1]] : tensor<1x8xf32> into tensor<8xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %r2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%rstd : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %p = arith.mulf %a, %a : f32
    linalg.yield %p : f32
  } -> tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y, %s : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %z, %r2 : tensor<4x8xf32>, tensor<4xf32>
}
