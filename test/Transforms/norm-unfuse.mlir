// RUN: norm-opt %s --norm-unfuse | FileCheck %s
// RUN: norm-opt %s --norm-unfuse --norm-fuse-elementwise | FileCheck %s --check-prefix=REFUSE

// A fused op splits into a generic for the prologue, the plain op, and a
// generic for the epilogue; --norm-fuse-elementwise puts them back.
// CHECK-LABEL: func.func @split(
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK: arith.extf
// CHECK: arith.addf
// CHECK: %[[Y:.*]] = norm.layer_norm %[[H]] {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
// CHECK: %[[Z:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[ROW:.*]], #{{.*}}], {{.*}} ins(%[[Y]], %{{.*}} : tensor<4x8xf32>, tensor<8xf32>) outs(%{{.*}} : tensor<4x8xbf16>)
// CHECK: arith.truncf
// CHECK: return %[[Z]], %[[H]]
// REFUSE-LABEL: func.func @split(
// REFUSE-NOT: linalg.
// REFUSE: norm.layer_norm {{.*}} prologue({{.*}}) -> tensor<4x8xf32> {
// REFUSE: } epilogue({{.*}}) {
// REFUSE-NOT: linalg.
func.func @split(%x: tensor<4x8xbf16>, %r: tensor<4x8xbf16>, %bias: tensor<8xf32>) -> (tensor<4x8xbf16>, tensor<4x8xf32>) {
  %y, %h = norm.layer_norm %x prologue(%r : tensor<4x8xbf16>) -> tensor<4x8xf32> {
  ^bb0(%a: bf16, %b: bf16):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %s = arith.addf %ae, %be : f32
    norm.yield %s : f32
  } epilogue(%bias : tensor<8xf32>) {
  ^bb0(%v: f32, %c: f32):
    %s = arith.addf %v, %c : f32
    %t = arith.truncf %s : f32 to bf16
    norm.yield %t : bf16
  } {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>]} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y, %h : tensor<4x8xbf16>, tensor<4x8xf32>
}
