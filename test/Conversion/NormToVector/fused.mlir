// RUN: norm-opt %s --norm-convert-to-vector=vector-width=16 | FileCheck %s

// The prologue runs on each vector of the input as it is loaded (residual
// loaded alongside, the sum stored once as the returned prologue value);
// the epilogue runs on each normalized vector before its store, with the
// broadcast bias loaded along the row and tanh as a polynomial (no libm).
// CHECK-LABEL: func.func @fused
// CHECK-NOT: math.tanh
// CHECK: scf.parallel
// CHECK: %[[X:.*]] = vector.load %{{.*}} : memref<8x64xf32>, vector<16xf32>
// CHECK-NEXT: %[[R:.*]] = vector.load %{{.*}} : memref<8x64xf32>, vector<16xf32>
// CHECK-NEXT: arith.addf %[[X]], %[[R]] : vector<16xf32>
// CHECK: vector.store %{{.*}}, %{{.*}} : memref<8x64xf32>, vector<16xf32>
// CHECK: %[[B:.*]] = vector.load %{{.*}} : memref<64xf32>, vector<16xf32>
// CHECK-NEXT: arith.addf %{{.*}}, %[[B]] : vector<16xf32>
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK: %[[O:.*]] = arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK: vector.store %[[O]], %{{.*}} : memref<8x64xbf16>, vector<16xbf16>
// CHECK-NOT: math.tanh
func.func @fused(%x: tensor<8x64xf32>, %r: tensor<8x64xf32>, %bias: tensor<64xf32>) -> (tensor<8x64xbf16>, tensor<8x64xf32>) {
  %y, %h = norm.layer_norm %x prologue(%r : tensor<8x64xf32>) -> tensor<8x64xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } epilogue(%bias : tensor<64xf32>) {
  ^bb0(%v: f32, %c: f32):
    %s = arith.addf %v, %c : f32
    %t = math.tanh %s : f32
    %u = arith.truncf %t : f32 to bf16
    norm.yield %u : bf16
  } {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>]} : tensor<8x64xf32> -> tensor<8x64xbf16>
  return %y, %h : tensor<8x64xbf16>, tensor<8x64xf32>
}
