// RUN: norm-opt %s -split-input-file -verify-diagnostics

func.func @operands_without_region(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op prologue operands need a prologue region}}
  %y = "norm.rms_norm"(%x, %r) <{axes = array<i64: 1>, operandSegmentSizes = array<i32: 1, 0, 0, 1, 0>, resultSegmentSizes = array<i32: 1, 0, 0>}> ({}, {}) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @kept_without_prologue(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op returns a prologue result without a prologue}}
  %y, %h = "norm.rms_norm"(%x) <{axes = array<i64: 1>, operandSegmentSizes = array<i32: 1, 0, 0, 0, 0>, resultSegmentSizes = array<i32: 1, 0, 1>}> ({}, {}) : (tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>)
  return %y : tensor<4x8xf32>
}

// -----

func.func @transposed_map(%x: tensor<4x8xf32>, %r: tensor<8x4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op prologue operand #0: map affine_map<(d0, d1) -> (d1, d0)> must keep the input's dimension order (a broadcast, not a transpose)}}
  %y = norm.rms_norm %x prologue(%r : tensor<8x4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } {axes = array<i64: 1>, prologue_maps = [affine_map<(d0, d1) -> (d1, d0)>]} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @not_a_projection(%x: tensor<4x8xf32>, %r: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.rms_norm' op epilogue operand #0: map affine_map<(d0, d1) -> (d0 + d1)> must select dimensions of the rank-2 input}}
  %y = norm.rms_norm %x epilogue(%r : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d0 + d1)>]} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @rank_without_map(%x: tensor<4x8xf32>, %r: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op epilogue operand #0 has rank 1 but its map selects 2 dimensions (identity: no map given)}}
  %y = norm.layer_norm %x epilogue(%r : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @wrong_extent(%x: tensor<4x8xf32>, %r: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op epilogue operand #0 has extent 4 in dimension 0 where the input has 8}}
  %y = norm.layer_norm %x epilogue(%r : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>]} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @map_count(%x: tensor<4x8xf32>, %r: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op epilogue_maps has 2 maps for 1 operands}}
  %y = norm.layer_norm %x epilogue(%r : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32):
    norm.yield %a : f32
  } {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>]} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @argument_count(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op epilogue block takes 2 arguments; expected one per operand and one for the element (1)}}
  %y = norm.layer_norm %x epilogue {
  ^bb0(%a: f32, %b: f32):
    norm.yield %a : f32
  } {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @argument_type(%x: tensor<4x8xbf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op prologue block argument #0 is 'f32' but must be 'bf16'}}
  %y = norm.layer_norm %x prologue {
  ^bb0(%a: f32):
    norm.yield %a : f32
  } {axes = array<i64: 1>} : tensor<4x8xbf16> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @epilogue_yield_type(%x: tensor<4x8xf32>) -> tensor<4x8xbf16> {
  %y = norm.layer_norm %x epilogue {
  ^bb0(%a: f32):
    // expected-error @+1 {{'norm.yield' op yields 'f32' but the epilogue must yield 'bf16'}}
    norm.yield %a : f32
  } {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

func.func @prologue_yield_type(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x prologue {
  ^bb0(%a: f32):
    %i = arith.fptosi %a : f32 to i32
    // expected-error @+1 {{'norm.yield' op yields 'i32'; a prologue must yield f32, f16 or bf16}}
    norm.yield %i : i32
  } {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @output_follows_prologue(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{'norm.layer_norm' op result type 'tensor<4x8xf16>' must be 'tensor<4x8xf32>'}}
  %y = norm.layer_norm %x prologue {
  ^bb0(%a: f16):
    %e = arith.extf %a : f16 to f32
    norm.yield %e : f32
  } {axes = array<i64: 1>} : tensor<4x8xf16> -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

func.func @kept_shape(%x: tensor<4x8xf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op prologue result type 'tensor<8x4xf16>' must have the input's shape}}
  %y, %h = norm.layer_norm %x prologue -> tensor<8x4xf16> {
  ^bb0(%a: f16):
    %e = arith.extf %a : f16 to f32
    norm.yield %e : f32
  } {axes = array<i64: 1>} : tensor<4x8xf16> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @not_scalar(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x epilogue {
  ^bb0(%a: f32):
    // expected-error @+1 {{'arith.constant' op cannot be in a norm epilogue: only side-effect-free elementwise ops on scalars can}}
    %t = arith.constant dense<1.0> : tensor<2xf32>
    norm.yield %a : f32
  } {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @rounding_mode(%x: tensor<4x8xf32>) -> tensor<4x8xbf16> {
  %y = norm.rms_norm %x epilogue {
  ^bb0(%a: f32):
    // expected-error @+1 {{'arith.truncf' op rounds toward_zero, which a norm epilogue cannot: only to_nearest_even (the default) is supported}}
    %t = arith.truncf %a toward_zero : f32 to bf16
    norm.yield %t : bf16
  } {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

func.func @no_capture(%x: tensor<4x8xf32>, %s: f32) -> tensor<4x8xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %y = norm.layer_norm %x epilogue {
  ^bb0(%a: f32):
    // expected-error @+1 {{using value defined outside the region}}
    %m = arith.mulf %a, %s : f32
    norm.yield %m : f32
  } {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @gamma_follows_prologue(%x: tensor<4x8xf16>, %g: tensor<8xf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'norm.layer_norm' op 'gamma' element type 'f16' must be the input's ('f32') or f32}}
  %y = norm.layer_norm %x gamma(%g : tensor<8xf16>) prologue {
  ^bb0(%a: f16):
    %e = arith.extf %a : f16 to f32
    norm.yield %e : f32
  } {axes = array<i64: 1>} : tensor<4x8xf16> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
