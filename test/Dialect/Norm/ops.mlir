// RUN: norm-opt %s --verify-roundtrip | FileCheck %s
// RUN: norm-opt %s --mlir-print-op-generic | norm-opt | FileCheck %s

// CHECK-LABEL: func.func @layer_norm_trailing
// CHECK: norm.layer_norm %{{.*}} gamma(%{{.*}} : tensor<768xf32>) beta(%{{.*}} : tensor<768xf32>) {axes = array<i64: 1>} : tensor<4x768xf32> -> tensor<4x768xf32>
func.func @layer_norm_trailing(%x: tensor<4x768xf32>, %g: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<4x768xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<768xf32>) beta(%b : tensor<768xf32>) {axes = array<i64: 1>} : tensor<4x768xf32> -> tensor<4x768xf32>
  return %y : tensor<4x768xf32>
}

// CHECK-LABEL: func.func @layer_norm_channels_first
// CHECK: norm.layer_norm %{{.*}} {axes = array<i64: 1>, epsilon = 9.9999999999999995E-7 : f64} : tensor<2x96x?x?xbf16> -> tensor<2x96x?x?xbf16>
func.func @layer_norm_channels_first(%x: tensor<2x96x?x?xbf16>) -> tensor<2x96x?x?xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1>, epsilon = 1.0e-6 : f64} : tensor<2x96x?x?xbf16> -> tensor<2x96x?x?xbf16>
  return %y : tensor<2x96x?x?xbf16>
}

// CHECK-LABEL: func.func @layer_norm_stats
// CHECK: %{{.*}}, %[[S:.*]]:2 = norm.layer_norm %{{.*}} {axes = array<i64: 1, 2>, compute_type = f64, stats = #norm.stats<mean_var>} : tensor<2x3x5xf16> -> tensor<2x3x5xf16>, tensor<2xf32>, tensor<2xf32>
func.func @layer_norm_stats(%x: tensor<2x3x5xf16>) -> (tensor<2x3x5xf16>, tensor<2xf32>, tensor<2xf32>) {
  %y, %m, %v = norm.layer_norm %x {axes = array<i64: 1, 2>, stats = #norm.stats<mean_var>, compute_type = f64} : tensor<2x3x5xf16> -> tensor<2x3x5xf16>, tensor<2xf32>, tensor<2xf32>
  return %y, %m, %v : tensor<2x3x5xf16>, tensor<2xf32>, tensor<2xf32>
}

// Epsilon on the standard deviation: 1 / (sqrt(var) + eps), and the
// unbiased variance. The defaults (on the variance, biased) are not
// printed.
// CHECK-LABEL: func.func @epsilon_on_std
// CHECK: norm.layer_norm %{{.*}} {axes = array<i64: 1>, epsilon = 1.000000e-03 : f64, epsilon_placement = #norm.epsilon<std>}
// CHECK: norm.rms_norm %{{.*}} {axes = array<i64: 1>, epsilon_placement = #norm.epsilon<std>}
// CHECK: norm.rms_norm %{{.*}} {axes = array<i64: 1>} :
// CHECK: norm.layer_norm %{{.*}} {axes = array<i64: 1>, variance_estimator = #norm.variance<unbiased>}
// CHECK: norm.layer_norm %{{.*}} {axes = array<i64: 1>} :
func.func @epsilon_on_std(%x: tensor<4x768xf32>) -> (tensor<4x768xf32>, tensor<4x768xf32>, tensor<4x768xf32>) {
  %y = norm.layer_norm %x {axes = array<i64: 1>, epsilon = 1.0e-3 : f64, epsilon_placement = #norm.epsilon<std>} : tensor<4x768xf32> -> tensor<4x768xf32>
  %z = norm.rms_norm %x {axes = array<i64: 1>, epsilon_placement = #norm.epsilon<std>} : tensor<4x768xf32> -> tensor<4x768xf32>
  %w = norm.rms_norm %x {axes = array<i64: 1>, epsilon_placement = #norm.epsilon<variance>} : tensor<4x768xf32> -> tensor<4x768xf32>
  %u = norm.layer_norm %x {axes = array<i64: 1>, variance_estimator = #norm.variance<unbiased>} : tensor<4x768xf32> -> tensor<4x768xf32>
  %b = norm.layer_norm %x {axes = array<i64: 1>, variance_estimator = #norm.variance<biased>} : tensor<4x768xf32> -> tensor<4x768xf32>
  return %y, %z, %w : tensor<4x768xf32>, tensor<4x768xf32>, tensor<4x768xf32>
}

// Adaptive LayerNorm (DiT): gamma and beta carry the batch axis.
// CHECK-LABEL: func.func @layer_norm_per_example_affine
// CHECK: norm.layer_norm %{{.*}} gamma(%{{.*}} : tensor<8x64xf32>) beta(%{{.*}} : tensor<8x64xf32>) {axes = array<i64: 2>, param_axes = array<i64: 0, 2>, zero_centered_gamma}
func.func @layer_norm_per_example_affine(%x: tensor<8x16x64xf32>, %g: tensor<8x64xf32>, %b: tensor<8x64xf32>) -> tensor<8x16x64xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<8x64xf32>) beta(%b : tensor<8x64xf32>) {axes = array<i64: 2>, param_axes = array<i64: 0, 2>, zero_centered_gamma} : tensor<8x16x64xf32> -> tensor<8x16x64xf32>
  return %y : tensor<8x16x64xf32>
}

// CHECK-LABEL: func.func @rms_norm
// CHECK: norm.rms_norm %{{.*}} gamma(%{{.*}} : tensor<4096xf32>) {axes = array<i64: 2>, compute_type = f32} : tensor<1x?x4096xbf16> -> tensor<1x?x4096xbf16>, tensor<1x?xf32>
func.func @rms_norm(%x: tensor<1x?x4096xbf16>, %g: tensor<4096xf32>) -> (tensor<1x?x4096xbf16>, tensor<1x?xf32>) {
  %y, %r = norm.rms_norm %x gamma(%g : tensor<4096xf32>) {axes = array<i64: 2>, compute_type = f32} : tensor<1x?x4096xbf16> -> tensor<1x?x4096xbf16>, tensor<1x?xf32>
  return %y, %r : tensor<1x?x4096xbf16>, tensor<1x?xf32>
}

// CHECK-LABEL: func.func @batch_norm_training
// CHECK: norm.batch_norm %{{.*}} gamma(%{{.*}} : tensor<16xf32>) beta(%{{.*}} : tensor<16xf32>) running(%{{.*}}, %{{.*}} : tensor<16xf32>, tensor<16xf32>) {momentum = 9.000000e-01 : f64, momentum_convention = #norm.momentum<onnx>, running_var_estimator = #norm.running_var<biased>, stats = #norm.stats<mean_rstd>} : tensor<8x16x7x7xf32> -> tensor<8x16x7x7xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
func.func @batch_norm_training(%x: tensor<8x16x7x7xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>, %m: tensor<16xf32>, %v: tensor<16xf32>) -> (tensor<8x16x7x7xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) {
  %y, %bm, %br, %rm, %rv = norm.batch_norm %x gamma(%g : tensor<16xf32>) beta(%b : tensor<16xf32>) running(%m, %v : tensor<16xf32>, tensor<16xf32>) {momentum = 0.9 : f64, momentum_convention = #norm.momentum<onnx>, running_var_estimator = #norm.running_var<biased>, stats = #norm.stats<mean_rstd>} : tensor<8x16x7x7xf32> -> tensor<8x16x7x7xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
  return %y, %bm, %br, %rm, %rv : tensor<8x16x7x7xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
}

// Without running statistics (track_running_stats=False), channels last.
// CHECK-LABEL: func.func @batch_norm_no_running
// CHECK: norm.batch_norm %{{.*}} {channel_axis = 3 : i64} : tensor<2x7x7x32xf16> -> tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32>
// CHECK-NOT: running
func.func @batch_norm_no_running(%x: tensor<2x7x7x32xf16>) -> tensor<2x7x7x32xf16> {
  %y, %m, %v = norm.batch_norm %x {channel_axis = 3} : tensor<2x7x7x32xf16> -> tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32>
  return %y : tensor<2x7x7x32xf16>
}

// CHECK-LABEL: func.func @batch_norm_inference
// CHECK: norm.batch_norm_inference %{{.*}}, %{{.*}}, %{{.*}} gamma(%{{.*}} : tensor<32xf16>) {channel_axis = 3 : i64} : tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32> -> tensor<2x7x7x32xf16>
func.func @batch_norm_inference(%x: tensor<2x7x7x32xf16>, %m: tensor<32xf32>, %v: tensor<32xf32>, %g: tensor<32xf16>) -> tensor<2x7x7x32xf16> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<32xf16>) {channel_axis = 3} : tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32> -> tensor<2x7x7x32xf16>
  return %y : tensor<2x7x7x32xf16>
}

// CHECK-LABEL: func.func @instance_norm
// CHECK: norm.instance_norm %{{.*}} gamma(%{{.*}} : tensor<3xf32>) beta(%{{.*}} : tensor<3xf32>) : tensor<2x3x5x5xf32> -> tensor<2x3x5x5xf32>
func.func @instance_norm(%x: tensor<2x3x5x5xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3x5x5xf32> {
  %y = norm.instance_norm %x gamma(%g : tensor<3xf32>) beta(%b : tensor<3xf32>) : tensor<2x3x5x5xf32> -> tensor<2x3x5x5xf32>
  return %y : tensor<2x3x5x5xf32>
}

// CHECK-LABEL: func.func @group_norm
// CHECK: norm.group_norm %{{.*}} {num_groups = 8 : i64} : tensor<2x32x?x?xf32> -> tensor<2x32x?x?xf32>
func.func @group_norm(%x: tensor<2x32x?x?xf32>) -> tensor<2x32x?x?xf32> {
  %y = norm.group_norm %x {num_groups = 8} : tensor<2x32x?x?xf32> -> tensor<2x32x?x?xf32>
  return %y : tensor<2x32x?x?xf32>
}

// CHECK-LABEL: func.func @l2_normalize
// CHECK: norm.l2_normalize %{{.*}} scale(%{{.*}} : tensor<128xf32>) {axes = array<i64: 1>} : tensor<8x128xf32> -> tensor<8x128xf32>
func.func @l2_normalize(%x: tensor<8x128xf32>, %s: tensor<128xf32>) -> tensor<8x128xf32> {
  %y = norm.l2_normalize %x scale(%s : tensor<128xf32>) {axes = array<i64: 1>} : tensor<8x128xf32> -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}
