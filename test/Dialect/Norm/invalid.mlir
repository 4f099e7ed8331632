// RUN: norm-opt %s -split-input-file -verify-diagnostics

func.func @axes_empty(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op 'axes' must not be empty}}
  %y = norm.layer_norm %x {axes = array<i64>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @axis_out_of_range(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op axis 2 in 'axes' is out of range for rank-2 input}}
  %y = norm.layer_norm %x {axes = array<i64: 2>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @axis_negative(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op axis -1 in 'axes' is out of range for rank-2 input}}
  %y = norm.rms_norm %x {axes = array<i64: -1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @axis_duplicated(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op axis 1 appears twice in 'axes'}}
  %y = norm.layer_norm %x {axes = array<i64: 1, 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @axes_unsorted(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.l2_normalize' op 'axes' must be strictly increasing}}
  %y = norm.l2_normalize %x {axes = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @param_axis_out_of_range(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op axis 5 in 'param_axes' is out of range for rank-2 input}}
  %y = norm.layer_norm %x gamma(%g : tensor<8xf32>) {axes = array<i64: 1>, param_axes = array<i64: 5>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @gamma_shape(%x: tensor<4x8xf32>, %g: tensor<7xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op 'gamma' has shape 7 but the input's extents on param_axes [1] is 8}}
  %y = norm.layer_norm %x gamma(%g : tensor<7xf32>) {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @beta_rank(%x: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op 'beta' has shape 4x8 but the input's extents on param_axes [1] is 8}}
  %y = norm.rms_norm %x beta(%b : tensor<4x8xf32>) {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @gamma_element_type(%x: tensor<4x8xbf16>, %g: tensor<8xf16>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'norm.layer_norm' op 'gamma' element type 'f16' must be the input's ('bf16') or f32}}
  %y = norm.layer_norm %x gamma(%g : tensor<8xf16>) {axes = array<i64: 1>} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

func.func @scale_shape(%x: tensor<4x8xf32>, %s: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.l2_normalize' op 'scale' has shape 4 but the input's extents on param_axes [1] is 8}}
  %y = norm.l2_normalize %x scale(%s : tensor<4xf32>) {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @epsilon_negative(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op epsilon must be finite and non-negative, got -1e-05}}
  %y = norm.layer_norm %x {axes = array<i64: 1>, epsilon = -1.0e-5 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @epsilon_not_finite(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op epsilon must be finite and non-negative, got inf}}
  %y = norm.rms_norm %x {axes = array<i64: 1>, epsilon = 0x7FF0000000000000 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @epsilon_nan(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.l2_normalize' op epsilon must be finite and non-negative, got nan}}
  %y = norm.l2_normalize %x {axes = array<i64: 1>, epsilon = 0x7FF8000000000000 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @compute_type_narrow(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'norm.layer_norm' op compute_type 'f16' must be f32 or f64 (statistics are not accumulated in 16 bits)}}
  %y = norm.layer_norm %x {axes = array<i64: 1>, compute_type = f16} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

func.func @compute_type_input(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'norm.rms_norm' op compute_type 'bf16' must be f32 or f64 (statistics are not accumulated in 16 bits)}}
  %y = norm.rms_norm %x {axes = array<i64: 1>, compute_type = bf16} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

func.func @result_type(%x: tensor<4x8xf32>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'norm.layer_norm' op result type 'tensor<4x8xf16>' must be the input type 'tensor<4x8xf32>'}}
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

func.func @result_shape(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'norm.instance_norm' op expects an input of rank at least 3 (N, C, spatial...), got rank 2}}
  %y = norm.instance_norm %x : tensor<4x8xf32> -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @result_shape_mismatch(%x: tensor<2x4x8xf32>) -> tensor<2x4x9xf32> {
  // expected-error @+1 {{'norm.instance_norm' op result type 'tensor<2x4x9xf32>' must be the input type 'tensor<2x4x8xf32>'}}
  %y = norm.instance_norm %x : tensor<2x4x8xf32> -> tensor<2x4x9xf32>
  return %y : tensor<2x4x9xf32>
}

// -----

func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'norm.layer_norm' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %y = "norm.layer_norm"(%x) <{axes = array<i64: 0>, operandSegmentSizes = array<i32: 1, 0, 0, 0, 0>, resultSegmentSizes = array<i32: 1, 0, 0>}> ({}, {}) : (tensor<*xf32>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @integer_input(%x: tensor<4x8xi32>) -> tensor<4x8xi32> {
  // expected-error @+1 {{'norm.rms_norm' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4x8xi32>'}}
  %y = "norm.rms_norm"(%x) <{axes = array<i64: 1>, operandSegmentSizes = array<i32: 1, 0, 0, 0, 0>, resultSegmentSizes = array<i32: 1, 0, 0>}> ({}, {}) : (tensor<4x8xi32>) -> tensor<4x8xi32>
  return %y : tensor<4x8xi32>
}

// -----

func.func @f64_input(%x: tensor<4x8xf64>) -> tensor<4x8xf64> {
  // expected-error @+1 {{'norm.l2_normalize' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4x8xf64>'}}
  %y = "norm.l2_normalize"(%x) <{axes = array<i64: 1>, operandSegmentSizes = array<i32: 1, 0, 0, 0>}> ({}, {}) : (tensor<4x8xf64>) -> tensor<4x8xf64>
  return %y : tensor<4x8xf64>
}

// -----

func.func @stats_count(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op expects 0 or 2 statistics results (mean and rstd or variance), got 1}}
  %y, %m = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @rms_stats_count(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op expects 0 or 1 statistics results (rstd), got 2}}
  %y, %m, %r = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @stats_shape(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op statistics result has shape 8 but the input without its reduced axes is 4}}
  %y, %m, %r = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @stats_element_type(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'norm.rms_norm' op result #1 must be variadic of ranked tensor of 32-bit float values, but got 'tensor<4xf16>'}}
  %y, %r = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x8xf16> -> tensor<4x8xf16>, tensor<4xf16>
  return %y : tensor<4x8xf16>
}

// -----

func.func @momentum_range(%x: tensor<8x4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'norm.batch_norm' op momentum 1.5 is outside [0, 1]}}
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<4xf32>, tensor<4xf32>) {momentum = 1.5 : f64} : tensor<8x4xf32> -> tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @momentum_negative(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'norm.batch_norm' op momentum -0.1 is outside [0, 1]}}
  %y, %bm, %bv = norm.batch_norm %x {momentum = -0.1 : f64} : tensor<8x4xf32> -> tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @running_shape(%x: tensor<8x4xf32>, %m: tensor<5xf32>, %v: tensor<5xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'norm.batch_norm' op mean operand has shape 5 but the channel count is 4}}
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<5xf32>, tensor<5xf32>) : tensor<8x4xf32> -> tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @running_result_shape(%x: tensor<8x4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'norm.batch_norm' op running statistics result has shape 3 but the channel count is 4}}
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<4xf32>, tensor<4xf32>) : tensor<8x4xf32> -> tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @running_results_missing(%x: tensor<8x4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'norm.batch_norm' op expects 2 running statistics results, one per running statistics operand, got 0}}
  %y, %bm, %bv = norm.batch_norm %x running(%m, %v : tensor<4xf32>, tensor<4xf32>) : tensor<8x4xf32> -> tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @running_half(%x: tensor<8x4xf32>, %m: tensor<4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'norm.batch_norm' op running_mean and running_var must be given together}}
  %y, %bm, %bv, %rm = "norm.batch_norm"(%x, %m) <{operandSegmentSizes = array<i32: 1, 0, 0, 1, 0, 0, 0>, resultSegmentSizes = array<i32: 1, 1, 1, 1, 0>}> ({}, {}) : (tensor<8x4xf32>, tensor<4xf32>) -> (tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %y : tensor<8x4xf32>
}

// -----

func.func @unbiased_one_value(%x: tensor<1x4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'norm.batch_norm' op unbiased running variance needs more than one value per channel, got 1; use running_var_estimator = #norm.running_var<biased>}}
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<4xf32>, tensor<4xf32>) : tensor<1x4xf32> -> tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @batch_norm_channel_axis(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'norm.batch_norm' op channel_axis 2 is out of range for rank-2 input}}
  %y, %bm, %bv = norm.batch_norm %x {channel_axis = 2} : tensor<8x4xf32> -> tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @batch_norm_rank(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'norm.batch_norm' op expects an input of rank at least 2 (N, C, spatial...), got rank 1}}
  %y, %bm, %bv = norm.batch_norm %x : tensor<8xf32> -> tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

func.func @inference_var_shape(%x: tensor<2x4x3xf32>, %m: tensor<4xf32>, %v: tensor<3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{'norm.batch_norm_inference' op variance operand has shape 3 but the channel count is 4}}
  %y = norm.batch_norm_inference %x, %m, %v : tensor<2x4x3xf32>, tensor<4xf32>, tensor<3xf32> -> tensor<2x4x3xf32>
  return %y : tensor<2x4x3xf32>
}

// -----

func.func @inference_channel_axis(%x: tensor<2x4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'norm.batch_norm_inference' op channel_axis -1 is out of range for rank-2 input}}
  %y = norm.batch_norm_inference %x, %m, %v {channel_axis = -1} : tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @instance_norm_batch_axis(%x: tensor<2x4x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{'norm.instance_norm' op channel_axis 0 is the batch axis}}
  %y = norm.instance_norm %x {channel_axis = 0} : tensor<2x4x3xf32> -> tensor<2x4x3xf32>
  return %y : tensor<2x4x3xf32>
}

// -----

func.func @instance_norm_gamma(%x: tensor<2x4x3xf32>, %g: tensor<3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{'norm.instance_norm' op 'gamma' has shape 3 but the input's extents on param_axes [1] is 4}}
  %y = norm.instance_norm %x gamma(%g : tensor<3xf32>) : tensor<2x4x3xf32> -> tensor<2x4x3xf32>
  return %y : tensor<2x4x3xf32>
}

// -----

func.func @groups_do_not_divide(%x: tensor<2x6x3xf32>) -> tensor<2x6x3xf32> {
  // expected-error @+1 {{'norm.group_norm' op num_groups 4 does not divide the 6 channels on axis 1}}
  %y = norm.group_norm %x {num_groups = 4} : tensor<2x6x3xf32> -> tensor<2x6x3xf32>
  return %y : tensor<2x6x3xf32>
}

// -----

func.func @groups_zero(%x: tensor<2x6x3xf32>) -> tensor<2x6x3xf32> {
  // expected-error @+1 {{'norm.group_norm' op num_groups must be positive, got 0}}
  %y = norm.group_norm %x {num_groups = 0} : tensor<2x6x3xf32> -> tensor<2x6x3xf32>
  return %y : tensor<2x6x3xf32>
}

// -----

func.func @group_norm_batch_axis(%x: tensor<2x6x3xf32>) -> tensor<2x6x3xf32> {
  // expected-error @+1 {{'norm.group_norm' op channel_axis 0 is the batch axis}}
  %y = norm.group_norm %x {num_groups = 1, channel_axis = 0} : tensor<2x6x3xf32> -> tensor<2x6x3xf32>
  return %y : tensor<2x6x3xf32>
}

// -----

func.func @group_norm_rank(%x: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'norm.group_norm' op expects an input of rank at least 2 (N, C, spatial...), got rank 1}}
  %y = norm.group_norm %x {num_groups = 2, channel_axis = 0} : tensor<6xf32> -> tensor<6xf32>
  return %y : tensor<6xf32>
}

// -----

func.func @epsilon_placement_unknown(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+2 {{expected ::mlir::norm::EpsilonPlacement to be one of: variance, std}}
  // expected-error @+1 {{failed to parse Norm_EpsilonPlacementAttr parameter 'value'}}
  %y = norm.layer_norm %x {axes = array<i64: 1>, epsilon_placement = #norm.epsilon<mean>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @unbiased_one_element(%x: tensor<4x1xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{'norm.layer_norm' op the unbiased variance needs at least two reduced elements; the reduced axes hold one}}
  %y = norm.layer_norm %x {axes = array<i64: 1>, variance_estimator = #norm.variance<unbiased>} : tensor<4x1xf32> -> tensor<4x1xf32>
  return %y : tensor<4x1xf32>
}


// -----

// An attribute the op does not define is an error, not ignored: the op
// would compute its default formula.
func.func @unknown_attribute(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op has no attribute 'variance_estimator' (extra attributes need a dialect prefix)}}
  %y = norm.rms_norm %x {axes = array<i64: 1>, variance_estimator = #norm.variance<unbiased>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @misspelt_attribute(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op has no attribute 'epsilon_placment' (extra attributes need a dialect prefix)}}
  %y = norm.layer_norm %x {axes = array<i64: 1>, epsilon_placment = #norm.epsilon<std>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
