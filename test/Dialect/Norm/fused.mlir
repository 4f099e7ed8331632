// RUN: norm-opt %s | FileCheck %s
// RUN: norm-opt %s | norm-opt | FileCheck %s
// RUN: norm-opt %s -mlir-print-op-generic | norm-opt | FileCheck %s

// The fused form round-trips: prologue operands, the returned prologue value,
// epilogue operands with a broadcast map, casts at both ends.

// CHECK-LABEL: func.func @pre_norm_block
// CHECK: %{{.*}}, %{{.*}} = norm.layer_norm %{{.*}} gamma(%{{.*}} : tensor<768xf32>) prologue(%{{.*}} : tensor<4x768xbf16>) -> tensor<4x768xf32> {
// CHECK-NEXT: ^bb0(%{{.*}}: bf16, %{{.*}}: bf16):
// CHECK: norm.yield %{{.*}} : f32
// CHECK-NEXT: } epilogue(%{{.*}} : tensor<768xf32>) {
// CHECK: norm.yield %{{.*}} : bf16
// CHECK-NEXT: } {axes = array<i64: 1>, epilogue_maps = [#{{.*}}]} : tensor<4x768xbf16> -> tensor<4x768xbf16>
func.func @pre_norm_block(%x: tensor<4x768xbf16>, %r: tensor<4x768xbf16>, %g: tensor<768xf32>, %bias: tensor<768xf32>) -> (tensor<4x768xbf16>, tensor<4x768xf32>) {
  %y, %h = norm.layer_norm %x gamma(%g : tensor<768xf32>)
      prologue(%r : tensor<4x768xbf16>) -> tensor<4x768xf32> {
      ^bb0(%a: bf16, %b: bf16):
        %ae = arith.extf %a : bf16 to f32
        %be = arith.extf %b : bf16 to f32
        %s = arith.addf %ae, %be : f32
        norm.yield %s : f32
      }
      epilogue(%bias : tensor<768xf32>) {
      ^bb0(%v: f32, %c: f32):
        %s = arith.addf %v, %c : f32
        %z = arith.constant 0.0 : f32
        %m = arith.maximumf %s, %z : f32
        %t = arith.truncf %m : f32 to bf16
        norm.yield %t : bf16
      }
      {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>]}
      : tensor<4x768xbf16> -> tensor<4x768xbf16>
  return %y, %h : tensor<4x768xbf16>, tensor<4x768xf32>
}

// A prologue without operands (a cast) and statistics results after the
// output: the prologue result comes last.
// CHECK-LABEL: func.func @cast_and_stats
// CHECK: norm.layer_norm %{{.*}} prologue -> tensor<2x8xf32> {
// CHECK: } {axes = array<i64: 1>} : tensor<2x8xf16> -> tensor<2x8xf32>, tensor<2xf32>, tensor<2xf32>
func.func @cast_and_stats(%x: tensor<2x8xf16>) -> (tensor<2x8xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x8xf32>) {
  %y, %m, %r, %h = norm.layer_norm %x prologue -> tensor<2x8xf32> {
      ^bb0(%a: f16):
        %e = arith.extf %a : f16 to f32
        norm.yield %e : f32
      } {axes = array<i64: 1>} : tensor<2x8xf16> -> tensor<2x8xf32>, tensor<2xf32>, tensor<2xf32>
  return %y, %m, %r, %h : tensor<2x8xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x8xf32>
}

// Every op takes the fused form: batch norm inference + per-channel bias +
// ReLU, and training batch norm with running statistics and a residual.
// CHECK-LABEL: func.func @every_op
// CHECK: norm.batch_norm_inference {{.*}} epilogue(
// CHECK: norm.batch_norm {{.*}} running({{.*}}) prologue(
// CHECK: norm.group_norm {{.*}} epilogue {
// CHECK: norm.l2_normalize {{.*}} prologue(
func.func @every_op(%x: tensor<2x4x3x3xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %c: tensor<4xf32>) -> (tensor<2x4x3x3xf32>, tensor<2x4x3x3xf32>, tensor<2x4x3x3xf32>, tensor<2x4x3x3xf32>) {
  %a = norm.batch_norm_inference %x, %m, %v epilogue(%c : tensor<4xf32>) {
      ^bb0(%y: f32, %b: f32):
        %s = arith.addf %y, %b : f32
        %z = arith.constant 0.0 : f32
        %r = arith.maximumf %s, %z : f32
        norm.yield %r : f32
      } {epilogue_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>]}
      : tensor<2x4x3x3xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<2x4x3x3xf32>
  %b, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<4xf32>, tensor<4xf32>) prologue(%a : tensor<2x4x3x3xf32>) {
      ^bb0(%p: f32, %q: f32):
        %s = arith.addf %p, %q : f32
        norm.yield %s : f32
      } : tensor<2x4x3x3xf32> -> tensor<2x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  %g = norm.group_norm %x epilogue {
      ^bb0(%y: f32):
        %t = math.tanh %y : f32
        norm.yield %t : f32
      } {num_groups = 2} : tensor<2x4x3x3xf32> -> tensor<2x4x3x3xf32>
  %l = norm.l2_normalize %x prologue(%c : tensor<4xf32>) {
      ^bb0(%p: f32, %q: f32):
        %s = arith.mulf %p, %q : f32
        norm.yield %s : f32
      } {axes = array<i64: 2, 3>, prologue_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>]} : tensor<2x4x3x3xf32> -> tensor<2x4x3x3xf32>
  return %a, %b, %g, %l : tensor<2x4x3x3xf32>, tensor<2x4x3x3xf32>, tensor<2x4x3x3xf32>, tensor<2x4x3x3xf32>
}
