// RUN: norm-opt %s --norm-fuse-elementwise --split-input-file | FileCheck %s

// Transposes around a norm op go into its axes (FoldTransposes.cpp, part of
// --norm-fuse-elementwise): the op takes the untransposed tensor and its
// axis attributes are mapped through the permutation.

// timm's LayerNorm2d: NCHW to NHWC, LayerNorm over C, back to NCHW.
// CHECK-LABEL: func.func @layer_norm_2d(
// CHECK-NOT: linalg.
// CHECK: %[[Y:.*]] = norm.layer_norm %arg0 gamma(%arg1 : tensor<16xf32>) beta(%arg2 : tensor<16xf32>) {axes = array<i64: 1>} : tensor<2x16x5x7xf32> -> tensor<2x16x5x7xf32>
// CHECK-NEXT: return %[[Y]]
func.func @layer_norm_2d(%x: tensor<2x16x5x7xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<2x16x5x7xf32> {
  %e = tensor.empty() : tensor<2x5x7x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x5x7xf32>) outs(%e : tensor<2x5x7x16xf32>) permutation = [0, 2, 3, 1]
  %y = norm.layer_norm %t gamma(%g : tensor<16xf32>) beta(%b : tensor<16xf32>) {axes = array<i64: 3>} : tensor<2x5x7x16xf32> -> tensor<2x5x7x16xf32>
  %e2 = tensor.empty() : tensor<2x16x5x7xf32>
  %z = linalg.transpose ins(%y : tensor<2x5x7x16xf32>) outs(%e2 : tensor<2x16x5x7xf32>) permutation = [0, 3, 1, 2]
  return %z : tensor<2x16x5x7xf32>
}

// -----

// The affine and an activation between the norm op and the transpose back
// (merged with it into one generic read through the permutation): they go
// into the epilogue, the bias read along x's channel axis.
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @layer_norm_2d_epilogue(
// CHECK-NOT: linalg.
// CHECK: norm.layer_norm %arg0 epilogue(%arg1 : tensor<16xf32>) {
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: {axes = array<i64: 1>, epilogue_maps = [#[[C]]]} : tensor<2x16x5x7xf32> -> tensor<2x16x5x7xbf16>
// CHECK-NOT: linalg.
func.func @layer_norm_2d_epilogue(%x: tensor<2x16x5x7xf32>, %bias: tensor<16xf32>) -> tensor<2x16x5x7xbf16> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x5x7x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x5x7xf32>) outs(%e : tensor<2x5x7x16xf32>) permutation = [0, 2, 3, 1]
  %y = norm.layer_norm %t {axes = array<i64: 3>} : tensor<2x5x7x16xf32> -> tensor<2x5x7x16xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y, %bias : tensor<2x5x7x16xf32>, tensor<16xf32>) outs(%e : tensor<2x5x7x16xf32>) {
  ^bb0(%v: f32, %c: f32, %o: f32):
    %s = arith.addf %v, %c : f32
    linalg.yield %s : f32
  } -> tensor<2x5x7x16xf32>
  %e2 = tensor.empty() : tensor<2x16x5x7xf32>
  %u = linalg.transpose ins(%a : tensor<2x5x7x16xf32>) outs(%e2 : tensor<2x16x5x7xf32>) permutation = [0, 3, 1, 2]
  %e3 = tensor.empty() : tensor<2x16x5x7xbf16>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%u : tensor<2x16x5x7xf32>) outs(%e3 : tensor<2x16x5x7xbf16>) {
  ^bb0(%v: f32, %o: bf16):
    %m = arith.maximumf %v, %zero : f32
    %r = arith.truncf %m : f32 to bf16
    linalg.yield %r : bf16
  } -> tensor<2x16x5x7xbf16>
  return %z : tensor<2x16x5x7xbf16>
}

// -----

// tf2onnx: an NHWC batch norm (training, running statistics updated) done
// in NCHW. The channel axis becomes 3; the per-channel results stay.
// CHECK-LABEL: func.func @batch_norm_nhwc(
// CHECK-NOT: linalg.
// CHECK: %[[Y:.*]], %[[M:.*]], %[[V:.*]], %[[R:.*]]:2 = norm.batch_norm %arg0 running(%arg1, %arg2 : tensor<8xf32>, tensor<8xf32>) {channel_axis = 3 : i64} : tensor<4x3x3x8xf32> -> tensor<4x3x3x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
// CHECK-NEXT: return %[[Y]], %[[M]], %[[V]], %[[R]]#0, %[[R]]#1
func.func @batch_norm_nhwc(%x: tensor<4x3x3x8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>) -> (tensor<4x3x3x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<4x8x3x3xf32>
  %t = linalg.transpose ins(%x : tensor<4x3x3x8xf32>) outs(%e : tensor<4x8x3x3xf32>) permutation = [0, 3, 1, 2]
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %t running(%m, %v : tensor<8xf32>, tensor<8xf32>) : tensor<4x8x3x3xf32> -> tensor<4x8x3x3xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  %e2 = tensor.empty() : tensor<4x3x3x8xf32>
  %z = linalg.transpose ins(%y : tensor<4x8x3x3xf32>) outs(%e2 : tensor<4x3x3x8xf32>) permutation = [0, 2, 3, 1]
  return %z, %bm, %bv, %rm, %rv : tensor<4x3x3x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// Group norm and instance norm of a channels-last tensor, dynamic sizes.
// CHECK-LABEL: func.func @group_norm_nhwc(
// CHECK-NOT: linalg.
// CHECK: norm.group_norm %arg0 {channel_axis = 3 : i64, num_groups = 4 : i64} : tensor<?x?x?x32xbf16> -> tensor<?x?x?x32xbf16>
// CHECK-NOT: linalg.
func.func @group_norm_nhwc(%x: tensor<?x?x?x32xbf16>) -> tensor<?x?x?x32xbf16> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim %x, %c0 : tensor<?x?x?x32xbf16>
  %h = tensor.dim %x, %c1 : tensor<?x?x?x32xbf16>
  %w = tensor.dim %x, %c2 : tensor<?x?x?x32xbf16>
  %e = tensor.empty(%n, %h, %w) : tensor<?x32x?x?xbf16>
  %t = linalg.transpose ins(%x : tensor<?x?x?x32xbf16>) outs(%e : tensor<?x32x?x?xbf16>) permutation = [0, 3, 1, 2]
  %y = norm.group_norm %t {num_groups = 4} : tensor<?x32x?x?xbf16> -> tensor<?x32x?x?xbf16>
  %e2 = tensor.empty(%n, %h, %w) : tensor<?x?x?x32xbf16>
  %z = linalg.transpose ins(%y : tensor<?x32x?x?xbf16>) outs(%e2 : tensor<?x?x?x32xbf16>) permutation = [0, 2, 3, 1]
  return %z : tensor<?x?x?x32xbf16>
}

// CHECK-LABEL: func.func @instance_norm_nhwc(
// CHECK-NOT: linalg.
// CHECK: norm.instance_norm %arg0 gamma(%arg1 : tensor<8xf32>) {channel_axis = 3 : i64} : tensor<2x5x5x8xf32> -> tensor<2x5x5x8xf32>
// CHECK-NOT: linalg.
func.func @instance_norm_nhwc(%x: tensor<2x5x5x8xf32>, %g: tensor<8xf32>) -> tensor<2x5x5x8xf32> {
  %e = tensor.empty() : tensor<2x8x5x5xf32>
  %t = linalg.transpose ins(%x : tensor<2x5x5x8xf32>) outs(%e : tensor<2x8x5x5xf32>) permutation = [0, 3, 1, 2]
  %y = norm.instance_norm %t gamma(%g : tensor<8xf32>) : tensor<2x8x5x5xf32> -> tensor<2x8x5x5xf32>
  %e2 = tensor.empty() : tensor<2x5x5x8xf32>
  %z = linalg.transpose ins(%y : tensor<2x8x5x5xf32>) outs(%e2 : tensor<2x5x5x8xf32>) permutation = [0, 2, 3, 1]
  return %z : tensor<2x5x5x8xf32>
}

// -----

// An op fused already (an epilogue bias along the transposed tensor's last
// axis): the bias's map is carried to x's axes. The statistics, shaped as
// the kept axes, keep their order (N, H, W both ways).
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @fused_with_statistics(
// CHECK-NOT: linalg.
// CHECK: %[[Y:.*]], %[[S:.*]]:2 = norm.layer_norm %arg0 epilogue(%arg1 : tensor<16xf32>) {
// CHECK: {axes = array<i64: 1>, epilogue_maps = [#[[C]]]} : tensor<2x16x5x7xf32> -> tensor<2x16x5x7xf32>, tensor<2x5x7xf32>, tensor<2x5x7xf32>
// CHECK: return %[[Y]], %[[S]]#0, %[[S]]#1
func.func @fused_with_statistics(%x: tensor<2x16x5x7xf32>, %bias: tensor<16xf32>) -> (tensor<2x16x5x7xf32>, tensor<2x5x7xf32>, tensor<2x5x7xf32>) {
  %e = tensor.empty() : tensor<2x5x7x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x5x7xf32>) outs(%e : tensor<2x5x7x16xf32>) permutation = [0, 2, 3, 1]
  %y, %mean, %rstd = norm.layer_norm %t epilogue(%bias : tensor<16xf32>) {
  ^bb0(%v: f32, %c: f32):
    %s = arith.addf %v, %c : f32
    norm.yield %s : f32
  } {axes = array<i64: 3>, epilogue_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>]} : tensor<2x5x7x16xf32> -> tensor<2x5x7x16xf32>, tensor<2x5x7xf32>, tensor<2x5x7xf32>
  %e2 = tensor.empty() : tensor<2x16x5x7xf32>
  %z = linalg.transpose ins(%y : tensor<2x5x7x16xf32>) outs(%e2 : tensor<2x16x5x7xf32>) permutation = [0, 3, 1, 2]
  return %z, %mean, %rstd : tensor<2x16x5x7xf32>, tensor<2x5x7xf32>, tensor<2x5x7xf32>
}

// -----

// The input transpose has another user: it stays for that user, the norm
// op still reads x.
// CHECK-LABEL: func.func @input_shared(
// CHECK: %[[T:.*]] = linalg.generic
// CHECK: norm.layer_norm %arg0 {axes = array<i64: 1>}
// CHECK: return %{{.*}}, %[[T]]
func.func @input_shared(%x: tensor<2x16x5x7xf32>) -> (tensor<2x16x5x7xf32>, tensor<2x5x7x16xf32>) {
  %e = tensor.empty() : tensor<2x5x7x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x5x7xf32>) outs(%e : tensor<2x5x7x16xf32>) permutation = [0, 2, 3, 1]
  %y = norm.layer_norm %t {axes = array<i64: 3>} : tensor<2x5x7x16xf32> -> tensor<2x5x7x16xf32>
  %e2 = tensor.empty() : tensor<2x16x5x7xf32>
  %z = linalg.transpose ins(%y : tensor<2x5x7x16xf32>) outs(%e2 : tensor<2x16x5x7xf32>) permutation = [0, 3, 1, 2]
  return %z, %t : tensor<2x16x5x7xf32>, tensor<2x5x7x16xf32>
}

// -----

// Negative: the second transpose is not the inverse of the first; the
// result is in neither layout of x.
// CHECK-LABEL: func.func @not_inverse(
// CHECK: linalg.generic
// CHECK: norm.layer_norm %{{.*}} {axes = array<i64: 3>}
// CHECK: linalg.generic
func.func @not_inverse(%x: tensor<2x16x5x7xf32>) -> tensor<2x7x16x5xf32> {
  %e = tensor.empty() : tensor<2x5x7x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x5x7xf32>) outs(%e : tensor<2x5x7x16xf32>) permutation = [0, 2, 3, 1]
  %y = norm.layer_norm %t {axes = array<i64: 3>} : tensor<2x5x7x16xf32> -> tensor<2x5x7x16xf32>
  %e2 = tensor.empty() : tensor<2x7x16x5xf32>
  %z = linalg.transpose ins(%y : tensor<2x5x7x16xf32>) outs(%e2 : tensor<2x7x16x5xf32>) permutation = [0, 2, 3, 1]
  return %z : tensor<2x7x16x5xf32>
}

// -----

// Negative: the transposed output has another user, which needs it in that
// layout.
// CHECK-LABEL: func.func @output_shared(
// CHECK: linalg.generic
// CHECK: norm.layer_norm %{{.*}} {axes = array<i64: 3>}
// CHECK: linalg.generic
func.func @output_shared(%x: tensor<2x16x5x7xf32>) -> (tensor<2x16x5x7xf32>, tensor<2x5x7x16xf32>) {
  %e = tensor.empty() : tensor<2x5x7x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x5x7xf32>) outs(%e : tensor<2x5x7x16xf32>) permutation = [0, 2, 3, 1]
  %y = norm.layer_norm %t {axes = array<i64: 3>} : tensor<2x5x7x16xf32> -> tensor<2x5x7x16xf32>
  %e2 = tensor.empty() : tensor<2x16x5x7xf32>
  %z = linalg.transpose ins(%y : tensor<2x5x7x16xf32>) outs(%e2 : tensor<2x16x5x7xf32>) permutation = [0, 3, 1, 2]
  return %z, %y : tensor<2x16x5x7xf32>, tensor<2x5x7x16xf32>
}

// -----

// Negative: gamma varies along W and C of the transposed tensor; over x
// those axes come in the other order, so gamma would need a transpose.
// CHECK-LABEL: func.func @gamma_reordered(
// CHECK: linalg.generic
// CHECK: norm.layer_norm %{{.*}} gamma(%arg1 : tensor<7x16xf32>) {axes = array<i64: 2, 3>}
// CHECK: linalg.generic
func.func @gamma_reordered(%x: tensor<2x16x5x7xf32>, %g: tensor<7x16xf32>) -> tensor<2x16x5x7xf32> {
  %e = tensor.empty() : tensor<2x5x7x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x5x7xf32>) outs(%e : tensor<2x5x7x16xf32>) permutation = [0, 2, 3, 1]
  %y = norm.layer_norm %t gamma(%g : tensor<7x16xf32>) {axes = array<i64: 2, 3>} : tensor<2x5x7x16xf32> -> tensor<2x5x7x16xf32>
  %e2 = tensor.empty() : tensor<2x16x5x7xf32>
  %z = linalg.transpose ins(%y : tensor<2x5x7x16xf32>) outs(%e2 : tensor<2x16x5x7xf32>) permutation = [0, 3, 1, 2]
  return %z : tensor<2x16x5x7xf32>
}

// -----

// Negative: the statistics are shaped [B, A] over the transposed tensor and
// would be [A, B] over x.
// CHECK-LABEL: func.func @statistics_reordered(
// CHECK: linalg.generic
// CHECK: norm.layer_norm %{{.*}} {axes = array<i64: 2>}
// CHECK: linalg.generic
func.func @statistics_reordered(%x: tensor<3x4x8xf32>) -> (tensor<3x4x8xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %e = tensor.empty() : tensor<4x3x8xf32>
  %t = linalg.transpose ins(%x : tensor<3x4x8xf32>) outs(%e : tensor<4x3x8xf32>) permutation = [1, 0, 2]
  %y, %mean, %rstd = norm.layer_norm %t {axes = array<i64: 2>} : tensor<4x3x8xf32> -> tensor<4x3x8xf32>, tensor<4x3xf32>, tensor<4x3xf32>
  %e2 = tensor.empty() : tensor<3x4x8xf32>
  %z = linalg.transpose ins(%y : tensor<4x3x8xf32>) outs(%e2 : tensor<3x4x8xf32>) permutation = [1, 0, 2]
  return %z, %mean, %rstd : tensor<3x4x8xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Negative: the residual sum is returned in the transposed layout, so the
// op must keep producing that layout (the transpose, merged with the add,
// stays; the sum is computed once and returned).
// CHECK-LABEL: func.func @prologue_result(
// CHECK: %[[H:.*]] = linalg.generic
// CHECK: norm.layer_norm %[[H]] {axes = array<i64: 3>}
// CHECK: linalg.generic
// CHECK: return %{{.*}}, %[[H]]
func.func @prologue_result(%x: tensor<2x16x5x7xf32>, %r: tensor<2x5x7x16xf32>) -> (tensor<2x16x5x7xf32>, tensor<2x5x7x16xf32>) {
  %e = tensor.empty() : tensor<2x5x7x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x5x7xf32>) outs(%e : tensor<2x5x7x16xf32>) permutation = [0, 2, 3, 1]
  %h = linalg.add ins(%t, %r : tensor<2x5x7x16xf32>, tensor<2x5x7x16xf32>) outs(%e : tensor<2x5x7x16xf32>) -> tensor<2x5x7x16xf32>
  %y = norm.layer_norm %h {axes = array<i64: 3>} : tensor<2x5x7x16xf32> -> tensor<2x5x7x16xf32>
  %e2 = tensor.empty() : tensor<2x16x5x7xf32>
  %z = linalg.transpose ins(%y : tensor<2x5x7x16xf32>) outs(%e2 : tensor<2x16x5x7xf32>) permutation = [0, 3, 1, 2]
  return %z, %h : tensor<2x16x5x7xf32>, tensor<2x5x7x16xf32>
}

// -----

// Without weights the reduced axes may come in another order over x: only
// their set matters (W and C of NHWC are axes 3 and 1 of NCHW).
// CHECK-LABEL: func.func @axes_reordered_no_weights(
// CHECK-NOT: linalg.
// CHECK: norm.layer_norm %arg0 {axes = array<i64: 1, 3>} : tensor<2x16x5x7xf32> -> tensor<2x16x5x7xf32>
func.func @axes_reordered_no_weights(%x: tensor<2x16x5x7xf32>) -> tensor<2x16x5x7xf32> {
  %e = tensor.empty() : tensor<2x5x7x16xf32>
  %t = linalg.transpose ins(%x : tensor<2x16x5x7xf32>) outs(%e : tensor<2x5x7x16xf32>) permutation = [0, 2, 3, 1]
  %y = norm.layer_norm %t {axes = array<i64: 2, 3>} : tensor<2x5x7x16xf32> -> tensor<2x5x7x16xf32>
  %e2 = tensor.empty() : tensor<2x16x5x7xf32>
  %z = linalg.transpose ins(%y : tensor<2x5x7x16xf32>) outs(%e2 : tensor<2x16x5x7xf32>) permutation = [0, 3, 1, 2]
  return %z : tensor<2x16x5x7xf32>
}

// -----

// Negative: group norm and instance norm keep axis 0 as the batch; a
// permutation that moves it cannot be folded (the axis that is the batch
// would change).
// CHECK-LABEL: func.func @batch_axis_moved(
// CHECK: linalg.generic
// CHECK: norm.group_norm %{{.*}} {channel_axis = 2 : i64, num_groups = 2 : i64}
// CHECK: linalg.generic
func.func @batch_axis_moved(%x: tensor<8x4x6xf32>) -> tensor<8x4x6xf32> {
  %e = tensor.empty() : tensor<4x8x6xf32>
  %t = linalg.transpose ins(%x : tensor<8x4x6xf32>) outs(%e : tensor<4x8x6xf32>) permutation = [1, 0, 2]
  %y = norm.group_norm %t {num_groups = 2, channel_axis = 2} : tensor<4x8x6xf32> -> tensor<4x8x6xf32>
  %e2 = tensor.empty() : tensor<8x4x6xf32>
  %z = linalg.transpose ins(%y : tensor<4x8x6xf32>) outs(%e2 : tensor<8x4x6xf32>) permutation = [1, 0, 2]
  return %z : tensor<8x4x6xf32>
}

// -----

// The transpose of a sum (merged by the fusion pass into one generic read
// through the permutation, tf2onnx's Add before the Transpose): the sum is
// computed in x's layout instead and becomes the prologue.
// CHECK-LABEL: func.func @transposed_sum(
// CHECK-NOT: linalg.
// CHECK: norm.batch_norm_inference %arg0, %arg2, %arg3 prologue(%arg1 : tensor<2x5x5x8xf32>) {
// CHECK: arith.addf
// CHECK: {channel_axis = 3 : i64} : tensor<2x5x5x8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<2x5x5x8xf32>
// CHECK-NOT: linalg.
func.func @transposed_sum(%x: tensor<2x5x5x8xf32>, %r: tensor<2x5x5x8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>) -> tensor<2x5x5x8xf32> {
  %e0 = tensor.empty() : tensor<2x5x5x8xf32>
  %h = linalg.add ins(%x, %r : tensor<2x5x5x8xf32>, tensor<2x5x5x8xf32>) outs(%e0 : tensor<2x5x5x8xf32>) -> tensor<2x5x5x8xf32>
  %e = tensor.empty() : tensor<2x8x5x5xf32>
  %t = linalg.transpose ins(%h : tensor<2x5x5x8xf32>) outs(%e : tensor<2x8x5x5xf32>) permutation = [0, 3, 1, 2]
  %y = norm.batch_norm_inference %t, %m, %v : tensor<2x8x5x5xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<2x8x5x5xf32>
  %e2 = tensor.empty() : tensor<2x5x5x8xf32>
  %z = linalg.transpose ins(%y : tensor<2x8x5x5xf32>) outs(%e2 : tensor<2x5x5x8xf32>) permutation = [0, 2, 3, 1]
  return %z : tensor<2x5x5x8xf32>
}

// -----

// Negative: the transposed sum is also returned; redoing the sum in x's
// layout would compute it twice, so nothing changes.
// CHECK-LABEL: func.func @transposed_sum_returned(
// CHECK: linalg.generic
// CHECK: norm.batch_norm_inference %{{.*}}, %arg2, %arg3 : tensor<2x8x5x5xf32>
// CHECK: linalg.generic
func.func @transposed_sum_returned(%x: tensor<2x5x5x8xf32>, %r: tensor<2x5x5x8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>) -> (tensor<2x5x5x8xf32>, tensor<2x8x5x5xf32>) {
  %e0 = tensor.empty() : tensor<2x5x5x8xf32>
  %h = linalg.add ins(%x, %r : tensor<2x5x5x8xf32>, tensor<2x5x5x8xf32>) outs(%e0 : tensor<2x5x5x8xf32>) -> tensor<2x5x5x8xf32>
  %e = tensor.empty() : tensor<2x8x5x5xf32>
  %t = linalg.transpose ins(%h : tensor<2x5x5x8xf32>) outs(%e : tensor<2x8x5x5xf32>) permutation = [0, 3, 1, 2]
  %y = norm.batch_norm_inference %t, %m, %v : tensor<2x8x5x5xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<2x8x5x5xf32>
  %e2 = tensor.empty() : tensor<2x5x5x8xf32>
  %z = linalg.transpose ins(%y : tensor<2x8x5x5xf32>) outs(%e2 : tensor<2x5x5x8xf32>) permutation = [0, 2, 3, 1]
  return %z, %t : tensor<2x5x5x8xf32>, tensor<2x8x5x5xf32>
}
