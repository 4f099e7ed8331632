// RUN: norm-opt %s --norm-decompose --split-input-file | FileCheck %s

// Two passes over the input (mean, then centered squares), rsqrt(var + eps),
// then one elementwise generic; bf16 is widened to f32 and rounded once.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xbf16>, %[[G:.*]]: tensor<8xf32>)
// CHECK-DAG:   %[[N:.*]] = arith.constant 8.000000e+00 : f32
// CHECK-DAG:   %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK:       %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x8xbf16>)
// CHECK:         arith.extf %{{.*}} : bf16 to f32
// CHECK:       %[[MEAN:.*]] = linalg.generic
// CHECK-SAME:    ins(%[[SUM]] : tensor<4xf32>)
// CHECK:         arith.divf %{{.*}}, %[[N]] : f32
// CHECK:       %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<4x8xbf16>, tensor<4xf32>)
// CHECK:         arith.subf
// CHECK:         arith.mulf
// CHECK:       %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<4xf32>)
// CHECK:       %[[RSTD:.*]] = linalg.generic {{.*}} ins(%[[VAR]] : tensor<4xf32>)
// CHECK:         %[[S:.*]] = arith.addf %{{.*}}, %[[EPS]] : f32
// CHECK:         math.rsqrt %[[S]] : f32
// CHECK:       %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[COL]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MEAN]], %[[RSTD]], %[[G]] :
// CHECK:         arith.subf
// CHECK:         arith.mulf
// CHECK:         arith.mulf
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
// CHECK:       return %[[Y]], %[[MEAN]], %[[RSTD]]
// CHECK-NOT:   norm.
func.func @layer_norm(%x: tensor<4x8xbf16>, %g: tensor<8xf32>) -> (tensor<4x8xbf16>, tensor<4xf32>, tensor<4xf32>) {
  %y, %m, %r = norm.layer_norm %x gamma(%g : tensor<8xf32>) {axes = array<i64: 1>} : tensor<4x8xbf16> -> tensor<4x8xbf16>, tensor<4xf32>, tensor<4xf32>
  return %y, %m, %r : tensor<4x8xbf16>, tensor<4xf32>, tensor<4xf32>
}

// -----

// A middle axis (ConvNeXt channels-first) with dynamic sizes: the count is
// the runtime extent, the statistics keep axes 0, 2, 3.
// CHECK-DAG: #[[KEEP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-LABEL: func.func @layer_norm_middle_axis
// CHECK:       %[[C1:.*]] = arith.constant 1 : index
// CHECK:       %[[DIM:.*]] = tensor.dim %{{.*}}, %[[C1]]
// CHECK:       %[[I:.*]] = arith.index_cast %[[DIM]] : index to i64
// CHECK:       %[[N:.*]] = arith.uitofp %[[I]] : i64 to f32
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #[[KEEP]]], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
// CHECK:       arith.divf %{{.*}}, %[[N]]
func.func @layer_norm_middle_axis(%x: tensor<2x?x5x5xf32>) -> tensor<2x?x5x5xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2x?x5x5xf32> -> tensor<2x?x5x5xf32>
  return %y : tensor<2x?x5x5xf32>
}

// -----

// RMSNorm: one reduction of squares, no mean, no subtraction; zero-centered
// gamma adds one.
// CHECK-LABEL: func.func @rms_norm
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-NOT:     arith.subf
// CHECK:         arith.mulf
// CHECK:       math.rsqrt
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK-NOT:     arith.subf
// CHECK:         %[[ONE:.*]] = arith.addf %{{.*}}, %cst
// CHECK:         arith.mulf %{{.*}}, %[[ONE]]
// CHECK-NOT:   linalg.generic {{.*}} "reduction"
func.func @rms_norm(%x: tensor<3x16xf16>, %g: tensor<16xf16>) -> tensor<3x16xf16> {
  %y = norm.rms_norm %x gamma(%g : tensor<16xf16>) {axes = array<i64: 1>, zero_centered_gamma} : tensor<3x16xf16> -> tensor<3x16xf16>
  return %y : tensor<3x16xf16>
}

// -----

// Batch norm: reduce every axis but the channel, then update the running
// statistics with the unbiased variance n / max(n - 1, 1) (folded to a
// constant when n is static).
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #[[CH]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK:       %[[DEN:.*]] = arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK:       %[[FACTOR:.*]] = arith.divf %{{.*}}, %[[DEN]] : f32
// CHECK:       linalg.generic
// CHECK:       linalg.generic
// CHECK:         arith.mulf %{{.*}}, %[[FACTOR]]
func.func @batch_norm(%x: tensor<?x3x5xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<?x3x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<3xf32>, tensor<3xf32>) : tensor<?x3x5xf32> -> tensor<?x3x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
  return %y, %bm, %bv, %rm, %rv : tensor<?x3x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Inference reads the statistics: no reduction at all.
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @batch_norm_inference
// CHECK-NOT:   "reduction"
// CHECK:       math.rsqrt
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #[[LAST]], #[[LAST]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-NOT:   "reduction"
func.func @batch_norm_inference(%x: tensor<2x7x7x32xf16>, %m: tensor<32xf32>, %v: tensor<32xf32>) -> tensor<2x7x7x32xf16> {
  %y = norm.batch_norm_inference %x, %m, %v {channel_axis = 3} : tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32> -> tensor<2x7x7x32xf16>
  return %y : tensor<2x7x7x32xf16>
}

// -----

// Instance norm keeps the batch and channel axes.
// CHECK-LABEL: func.func @instance_norm
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
func.func @instance_norm(%x: tensor<2x3x5x5xf32>) -> tensor<2x3x5x5xf32> {
  %y = norm.instance_norm %x : tensor<2x3x5x5xf32> -> tensor<2x3x5x5xf32>
  return %y : tensor<2x3x5x5xf32>
}

// -----

// Group norm splits the channel axis into (groups, channels per group),
// reduces per example and group, and collapses back; gamma is split alike.
// CHECK-LABEL: func.func @group_norm
// CHECK:       %[[X:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3]] output_shape [2, 4, 2, 9] : tensor<2x8x9xf32> into tensor<2x4x2x9xf32>
// CHECK:       %[[G:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [4, 2] : tensor<8xf32> into tensor<4x2xf32>
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X]] : tensor<2x4x2x9xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK:       %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X]], %{{.*}}, %{{.*}}, %[[G]] :
// CHECK:       tensor.collapse_shape %[[Y]] {{\[}}[0], [1, 2], [3]] : tensor<2x4x2x9xf32> into tensor<2x8x9xf32>
func.func @group_norm(%x: tensor<2x8x9xf32>, %g: tensor<8xf32>) -> tensor<2x8x9xf32> {
  %y = norm.group_norm %x gamma(%g : tensor<8xf32>) {num_groups = 4} : tensor<2x8x9xf32> -> tensor<2x8x9xf32>
  return %y : tensor<2x8x9xf32>
}

// -----

// A dynamic channel count divides at run time.
// CHECK-LABEL: func.func @group_norm_dynamic
// CHECK: %[[PER:.*]] = arith.divui %{{.*}}, %{{.*}} : index
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [%{{.*}}, 2, %[[PER]]] : tensor<?x?xf32> into tensor<?x2x?xf32>
func.func @group_norm_dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.group_norm %x {num_groups = 2} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// L2: sum of squares, 1 / max(sqrt(sum), eps); no division by the count.
// CHECK-LABEL: func.func @l2_normalize
// CHECK:       linalg.generic {{.*}} "reduction"
// CHECK-NOT:   arith.divf %{{.*}}, %cst
// CHECK:       %[[NORM:.*]] = math.sqrt
// CHECK:       %[[CLAMP:.*]] = arith.maximumf %[[NORM]], %{{.*}} : f32
// CHECK:       arith.divf %{{.*}}, %[[CLAMP]] : f32
func.func @l2_normalize(%x: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %y = norm.l2_normalize %x {axes = array<i64: 1>} : tensor<8x128xf32> -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}

// -----

// compute_type = f64 computes in f64 and rounds the statistics to f32.
// CHECK-LABEL: func.func @compute_f64
// CHECK:       arith.extf %{{.*}} : f32 to f64
// CHECK:       math.rsqrt %{{.*}} : f64
// CHECK:       arith.truncf %{{.*}} : f64 to f32
func.func @compute_f64(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2xf32>) {
  %y, %r = norm.rms_norm %x {axes = array<i64: 1>, compute_type = f64} : tensor<2x8xf32> -> tensor<2x8xf32>, tensor<2xf32>
  return %y, %r : tensor<2x8xf32>, tensor<2xf32>
}
