// RUN: norm-opt %s --norm-outline | FileCheck %s

// Each norm op of a function becomes a call of a private function of its
// own, numbered in the function's order, with the fused regions and every
// result; functions already outlined are left alone.
// CHECK-LABEL: func.func @block(
// CHECK: %[[A:.*]] = call @block_norm0(%arg0) : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: %[[B:.*]]:3 = call @block_norm1(%[[A]], %arg1) : (tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: return %[[B]]#0, %[[B]]#2
// CHECK: func.func private @block_norm1(%[[X:.*]]: tensor<4x8xf32>, %[[G:.*]]: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) attributes {norm.outlined} {
// CHECK-NEXT: %{{.*}}, %{{.*}}:2 = norm.layer_norm %[[X]] gamma(%[[G]] : tensor<8xf32>) epilogue {
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: return
// CHECK: func.func private @block_norm0(%[[Y:.*]]: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {norm.outlined} {
// CHECK-NEXT: %[[R:.*]] = norm.rms_norm %[[Y]]
// CHECK-NEXT: return %[[R]]
// CHECK-LABEL: func.func private @done(
// CHECK-NEXT: norm.rms_norm
// CHECK-NOT: func.func private @done_norm0
func.func @block(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %a = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %y, %m, %r = norm.layer_norm %a gamma(%g : tensor<8xf32>) epilogue {
    ^bb0(%v: f32):
      %half = arith.constant 0.5 : f32
      %s = arith.mulf %v, %half : f32
      norm.yield %s : f32
  } {axes = array<i64: 1>, stats = #norm.stats<mean_rstd>} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>
  return %y, %r : tensor<4x8xf32>, tensor<4xf32>
}

func.func private @done(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {norm.outlined} {
  %a = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}
