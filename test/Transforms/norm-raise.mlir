// RUN: norm-opt %s --norm-raise --split-input-file | FileCheck %s

// Hand-written forms next to the torch-mlir ones (norm-raise-torch.test):
// the mean as a multiplication by 1/n, statistics fused into one generic.

// CHECK-LABEL: func.func @inverse_count(
// The f32 epsilon keeps its exact value.
// CHECK: %[[N:.*]] = norm.layer_norm %arg0 {axes = array<i64: 1>, epsilon = 0.0010000000474974513 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
// CHECK: linalg.generic {{.*}} ins(%arg1, %[[N]] : tensor<8xf32>, tensor<4x8xf32>)
// CHECK-NOT: "reduction"
func.func @inverse_count(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.125 : f32
  %eps = arith.constant 1.0e-3 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : tensor<4x8xf32>, tensor<4xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %d2, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %rstd = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.mulf %a, %inv : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean, %rstd, %g : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %r: f32, %w: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %n = arith.mulf %c, %r : f32
    %s = arith.mulf %n, %w : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Negative: the variance is taken over another axis than the mean.
// CHECK-LABEL: func.func @axes_disagree(
// CHECK-NOT: norm.
func.func @axes_disagree(%x: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 8.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e1 = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<8xf32>) -> tensor<8xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x8xf32>) outs(%acc : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<8xf32>) outs(%e1 : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.divf %a, %n : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : tensor<8x8xf32>, tensor<8xf32>) outs(%acc : tensor<8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %d2, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %rstd = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<8xf32>) outs(%e1 : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.divf %a, %n : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %e2 = tensor.empty() : tensor<8x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean, %rstd : tensor<8x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%e2 : tensor<8x8xf32>) {
  ^bb0(%a: f32, %m: f32, %r: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %v = arith.mulf %c, %r : f32
    linalg.yield %v : f32
  } -> tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// -----

// Negative: given statistics along different axes (mean per d1, rstd per
// d2) are not a batch norm.
// CHECK-LABEL: func.func @bn_axes_disagree(
// CHECK-NOT: norm.
func.func @bn_axes_disagree(%x: tensor<2x4x4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<2x4x4xf32> {
  %eps = arith.constant 1.0e-5 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %rstd = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%v : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %ve = arith.addf %a, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<2x4x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %m, %rstd : tensor<2x4x4xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e2 : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %mm: f32, %r: f32, %o: f32):
    %c = arith.subf %a, %mm : f32
    %n = arith.mulf %c, %r : f32
    linalg.yield %n : f32
  } -> tensor<2x4x4xf32>
  return %y : tensor<2x4x4xf32>
}

// -----

// A LayerNorm over the last axis of an [N, G, C/G*H*W] reshape of an NCHW
// tensor, reshaped back: a group norm. (ONNX's GroupNormalization.)
// CHECK-LABEL: func.func @group_view
// CHECK-NEXT: %[[Y:.*]] = norm.group_norm %arg0 {num_groups = 4 : i64} : tensor<2x8x5x5xf32> -> tensor<2x8x5x5xf32>
// CHECK-NEXT: return %[[Y]]
func.func @group_view(%x: tensor<2x8x5x5xf32>) -> tensor<2x8x5x5xf32> {
  %c = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<2x8x5x5xf32> into tensor<2x200xf32>
  %e = tensor.expand_shape %c [[0], [1, 2]] output_shape [2, 4, 50] : tensor<2x200xf32> into tensor<2x4x50xf32>
  %y = norm.layer_norm %e {axes = array<i64: 2>} : tensor<2x4x50xf32> -> tensor<2x4x50xf32>
  %c2 = tensor.collapse_shape %y [[0], [1, 2]] : tensor<2x4x50xf32> into tensor<2x200xf32>
  %b = tensor.expand_shape %c2 [[0], [1, 2, 3]] output_shape [2, 8, 5, 5] : tensor<2x200xf32> into tensor<2x8x5x5xf32>
  return %b : tensor<2x8x5x5xf32>
}

// -----

// Negative: the same with epsilon on the standard deviation, which group
// norms do not have: the LayerNorm of the view stays.
// CHECK-LABEL: func.func @group_view_epsilon_on_std
// CHECK-NOT: norm.group_norm
// CHECK: norm.layer_norm {{.*}}epsilon_placement = #norm.epsilon<std>
// CHECK-NOT: norm.group_norm
func.func @group_view_epsilon_on_std(%x: tensor<2x8x5x5xf32>) -> tensor<2x8x5x5xf32> {
  %c = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<2x8x5x5xf32> into tensor<2x200xf32>
  %e = tensor.expand_shape %c [[0], [1, 2]] output_shape [2, 4, 50] : tensor<2x200xf32> into tensor<2x4x50xf32>
  %y = norm.layer_norm %e {axes = array<i64: 2>, epsilon_placement = #norm.epsilon<std>} : tensor<2x4x50xf32> -> tensor<2x4x50xf32>
  %c2 = tensor.collapse_shape %y [[0], [1, 2]] : tensor<2x4x50xf32> into tensor<2x200xf32>
  %b = tensor.expand_shape %c2 [[0], [1, 2, 3]] output_shape [2, 8, 5, 5] : tensor<2x200xf32> into tensor<2x8x5x5xf32>
  return %b : tensor<2x8x5x5xf32>
}

// -----

// Negative: the same with the unbiased variance, which group norms do not
// have: the LayerNorm of the view stays.
// CHECK-LABEL: func.func @group_view_unbiased
// CHECK-NOT: norm.group_norm
// CHECK: norm.layer_norm {{.*}}variance_estimator = #norm.variance<unbiased>
// CHECK-NOT: norm.group_norm
func.func @group_view_unbiased(%x: tensor<2x8x5x5xf32>) -> tensor<2x8x5x5xf32> {
  %c = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<2x8x5x5xf32> into tensor<2x200xf32>
  %e = tensor.expand_shape %c [[0], [1, 2]] output_shape [2, 4, 50] : tensor<2x200xf32> into tensor<2x4x50xf32>
  %y = norm.layer_norm %e {axes = array<i64: 2>, variance_estimator = #norm.variance<unbiased>} : tensor<2x4x50xf32> -> tensor<2x4x50xf32>
  %c2 = tensor.collapse_shape %y [[0], [1, 2]] : tensor<2x4x50xf32> into tensor<2x200xf32>
  %b = tensor.expand_shape %c2 [[0], [1, 2, 3]] output_shape [2, 8, 5, 5] : tensor<2x200xf32> into tensor<2x8x5x5xf32>
  return %b : tensor<2x8x5x5xf32>
}

// -----

// The same over the [N, G, C/G, H*W] view, reduced over its last two axes
// (PyTorch's decomposition of F.group_norm without weights).
// CHECK-LABEL: func.func @group_view_4d
// CHECK-NEXT: %[[Y:.*]] = norm.group_norm %arg0 {num_groups = 4 : i64} : tensor<2x8x5x5xf32> -> tensor<2x8x5x5xf32>
// CHECK-NEXT: return %[[Y]]
func.func @group_view_4d(%x: tensor<2x8x5x5xf32>) -> tensor<2x8x5x5xf32> {
  %c = tensor.collapse_shape %x [[0], [1], [2, 3]] : tensor<2x8x5x5xf32> into tensor<2x8x25xf32>
  %e = tensor.expand_shape %c [[0], [1, 2], [3]] output_shape [2, 4, 2, 25] : tensor<2x8x25xf32> into tensor<2x4x2x25xf32>
  %y = norm.layer_norm %e {axes = array<i64: 2, 3>} : tensor<2x4x2x25xf32> -> tensor<2x4x2x25xf32>
  %c2 = tensor.collapse_shape %y [[0], [1, 2], [3]] : tensor<2x4x2x25xf32> into tensor<2x8x25xf32>
  %b = tensor.expand_shape %c2 [[0], [1], [2, 3]] output_shape [2, 8, 5, 5] : tensor<2x8x25xf32> into tensor<2x8x5x5xf32>
  return %b : tensor<2x8x5x5xf32>
}

// -----

// Near misses stay: the result is not reshaped back to x's shape; the view
// splits a channel across groups (6 channels, 4 groups); the 4-D view
// reduced over its last axis only (per channel, not per group).
// CHECK-LABEL: func.func @not_back
// CHECK: norm.layer_norm
// CHECK-NOT: norm.group_norm
func.func @not_back(%x: tensor<2x8x5x5xf32>) -> tensor<2x4x50xf32> {
  %c = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<2x8x5x5xf32> into tensor<2x200xf32>
  %e = tensor.expand_shape %c [[0], [1, 2]] output_shape [2, 4, 50] : tensor<2x200xf32> into tensor<2x4x50xf32>
  %y = norm.layer_norm %e {axes = array<i64: 2>} : tensor<2x4x50xf32> -> tensor<2x4x50xf32>
  return %y : tensor<2x4x50xf32>
}
// CHECK-LABEL: func.func @split_channel
// CHECK: norm.layer_norm
// CHECK-NOT: norm.group_norm
func.func @split_channel(%x: tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32> {
  %c = tensor.collapse_shape %x [[0], [1, 2, 3]] : tensor<2x6x4x4xf32> into tensor<2x96xf32>
  %e = tensor.expand_shape %c [[0], [1, 2]] output_shape [2, 4, 24] : tensor<2x96xf32> into tensor<2x4x24xf32>
  %y = norm.layer_norm %e {axes = array<i64: 2>} : tensor<2x4x24xf32> -> tensor<2x4x24xf32>
  %c2 = tensor.collapse_shape %y [[0], [1, 2]] : tensor<2x4x24xf32> into tensor<2x96xf32>
  %b = tensor.expand_shape %c2 [[0], [1, 2, 3]] output_shape [2, 6, 4, 4] : tensor<2x96xf32> into tensor<2x6x4x4xf32>
  return %b : tensor<2x6x4x4xf32>
}
// CHECK-LABEL: func.func @per_channel_view
// CHECK: norm.layer_norm
// CHECK-NOT: norm.group_norm
func.func @per_channel_view(%x: tensor<2x8x5x5xf32>) -> tensor<2x8x5x5xf32> {
  %c = tensor.collapse_shape %x [[0], [1], [2, 3]] : tensor<2x8x5x5xf32> into tensor<2x8x25xf32>
  %e = tensor.expand_shape %c [[0], [1, 2], [3]] output_shape [2, 4, 2, 25] : tensor<2x8x25xf32> into tensor<2x4x2x25xf32>
  %y = norm.layer_norm %e {axes = array<i64: 3>} : tensor<2x4x2x25xf32> -> tensor<2x4x2x25xf32>
  %c2 = tensor.collapse_shape %y [[0], [1, 2], [3]] : tensor<2x4x2x25xf32> into tensor<2x8x25xf32>
  %b = tensor.expand_shape %c2 [[0], [1], [2, 3]] output_shape [2, 8, 5, 5] : tensor<2x8x25xf32> into tensor<2x8x5x5xf32>
  return %b : tensor<2x8x5x5xf32>
}

// -----

// Negative: x * z where z is another tensor of x's shape, not x * x (the
// two inputs of the generic read different tensors): not an RMS norm.
// (torch-mlir squares x as a generic with x as both inputs; that form is
// in norm-raise-torch.test.)
// CHECK-LABEL: func.func @not_a_square(
// CHECK-NOT: norm.
func.func @not_a_square(%x: tensor<4x8xf32>, %z: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 8.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %e2 = tensor.empty() : tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %z : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%p : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %rstd = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.divf %a, %n : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %rstd : tensor<4x8xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %r: f32, %o: f32):
    %s = arith.mulf %a, %r : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// A LayerNorm of the [1, N*C, H*W] view over every axis but the second,
// reshaped back: an instance norm (PyTorch's F.instance_norm without
// weights).
// CHECK-LABEL: func.func @instance_view
// CHECK-NEXT: %[[Y:.*]] = norm.instance_norm %arg0 : tensor<2x8x5x5xf32> -> tensor<2x8x5x5xf32>
// CHECK-NEXT: return %[[Y]]
func.func @instance_view(%x: tensor<2x8x5x5xf32>) -> tensor<2x8x5x5xf32> {
  %c = tensor.collapse_shape %x [[0, 1], [2, 3]] : tensor<2x8x5x5xf32> into tensor<16x25xf32>
  %e = tensor.expand_shape %c [[0, 1], [2]] output_shape [1, 16, 25] : tensor<16x25xf32> into tensor<1x16x25xf32>
  %y = norm.layer_norm %e {axes = array<i64: 0, 2>} : tensor<1x16x25xf32> -> tensor<1x16x25xf32>
  %c2 = tensor.collapse_shape %y [[0, 1], [2]] : tensor<1x16x25xf32> into tensor<16x25xf32>
  %b = tensor.expand_shape %c2 [[0, 1], [2, 3]] output_shape [2, 8, 5, 5] : tensor<16x25xf32> into tensor<2x8x5x5xf32>
  return %b : tensor<2x8x5x5xf32>
}

// Negative: the view's second axis is not N * C (the (n, c) planes split
// in two halves each): not an instance norm.
// CHECK-LABEL: func.func @half_planes_view
// CHECK: norm.layer_norm
// CHECK-NOT: norm.instance_norm
func.func @half_planes_view(%x: tensor<2x8x5x4xf32>) -> tensor<2x8x5x4xf32> {
  %c = tensor.collapse_shape %x [[0, 1, 2, 3]] : tensor<2x8x5x4xf32> into tensor<320xf32>
  %e = tensor.expand_shape %c [[0, 1, 2]] output_shape [1, 32, 10] : tensor<320xf32> into tensor<1x32x10xf32>
  %y = norm.layer_norm %e {axes = array<i64: 0, 2>} : tensor<1x32x10xf32> -> tensor<1x32x10xf32>
  %c2 = tensor.collapse_shape %y [[0, 1, 2]] : tensor<1x32x10xf32> into tensor<320xf32>
  %b = tensor.expand_shape %c2 [[0, 1, 2, 3]] output_shape [2, 8, 5, 4] : tensor<320xf32> into tensor<2x8x5x4xf32>
  return %b : tensor<2x8x5x4xf32>
}

// -----

// x / max(sqrt(sum(x * x)), eps) with arith.maximumf: an L2 normalization.
// CHECK-LABEL: func.func @l2_maximumf(
// CHECK: norm.l2_normalize %arg0 {axes = array<i64: 1>, epsilon = 9.9999999747524271E-7 : f64}
// CHECK-NOT: "reduction"
func.func @l2_maximumf(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %ss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %q = arith.mulf %a, %a : f32
    %s = arith.addf %q, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %n = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%ss : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.sqrt %a : f32
    %m = arith.maximumf %r, %eps : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %n : tensor<4x8xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.divf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Negative: the floor replaces small norms with another constant than the
// one compared against (select(v < 1e-6, 1.0, v)): not max(v, eps).
// CHECK-LABEL: func.func @l2_other_floor(
// CHECK-NOT: norm.
func.func @l2_other_floor(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %one = arith.constant 1.0 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %ss = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %q = arith.mulf %a, %a : f32
    %s = arith.addf %q, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %n = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%ss : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.sqrt %a : f32
    %c = arith.cmpf olt, %r, %eps : f32
    %m = arith.select %c, %one, %r : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %n : tensor<4x8xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.divf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Epsilon on the standard deviation, the scale as a multiplication by
// 1 / (sqrt(var) + eps): a LayerNorm with epsilon_placement std.
// CHECK-LABEL: func.func @epsilon_on_std(
// CHECK: norm.layer_norm %arg0 {axes = array<i64: 1>, epsilon = 0.0010000000474974513 : f64, epsilon_placement = #norm.epsilon<std>} : tensor<4x8xf32> -> tensor<4x8xf32>
// CHECK-NOT: "reduction"
func.func @epsilon_on_std(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.125 : f32
  %one = arith.constant 1.0 : f32
  %eps = arith.constant 1.0e-3 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : tensor<4x8xf32>, tensor<4xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %d2, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %scale = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.mulf %a, %inv : f32
    %r = math.sqrt %v : f32
    %re = arith.addf %r, %eps : f32
    %i = arith.divf %one, %re : f32
    linalg.yield %i : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean, %scale : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %r: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %n = arith.mulf %c, %r : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Negative: mean(x^2) - mean(z)^2 with z another tensor is not a variance
// of x; the formula stays.
// CHECK-LABEL: func.func @moments_of_two_tensors(
// CHECK-NOT: norm.
func.func @moments_of_two_tensors(%x: tensor<4x8xf32>, %z: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.125 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sx = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %sz = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%z : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %a2 = arith.mulf %a, %a : f32
    %s = arith.addf %a2, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sx : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %std = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq, %sz : tensor<4xf32>, tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m2 = arith.mulf %a, %inv : f32
    %mz = arith.mulf %b, %inv : f32
    %mz2 = arith.mulf %mz, %mz : f32
    %v = arith.subf %m2, %mz2 : f32
    %r = math.sqrt %v : f32
    %re = arith.addf %r, %eps : f32
    linalg.yield %re : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean, %std : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %s: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %n = arith.divf %c, %s : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The weight applied before the division, in the same body: (w * (x -
// mean)) / sqrt(var + eps) becomes w * the normalized value, w read with
// its own map.
// CHECK-LABEL: func.func @weight_before_division(
// CHECK: %[[N:.*]] = norm.layer_norm %arg0 {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<4x8xf32> -> tensor<4x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[N]], %arg1 : tensor<4x8xf32>, tensor<8xf32>)
// CHECK-NEXT: ^bb0(%[[Y:.*]]: f32, %[[W:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[W]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[P]]
// CHECK-NOT: "reduction"
func.func @weight_before_division(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.125 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : tensor<4x8xf32>, tensor<4xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %d2, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %std = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.mulf %a, %inv : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.sqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean, %std, %w : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %s: f32, %g: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %gc = arith.mulf %g, %c : f32
    %n = arith.divf %gc, %s : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
