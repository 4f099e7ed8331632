// RUN: norm-opt %s --norm-convert-to-vector=vector-width=16 --split-input-file | FileCheck %s

// bf16 rows whose operands along the row are bf16 normalize their whole
// vectors as even and odd halves, the epilogue included: each half runs the
// epilogue in f32, its bf16 values rounded where they are used (truncf then
// extf), and the halves are interleaved before the store. The per-row scale
// (constant along the row) is loaded once for both halves.
// The kept sum h = x + r likewise: both operands widened as halves, each
// half added in f32 and rounded to bf16, the halves interleaved.
// CHECK-LABEL: func.func @paired_epilogue
// CHECK:       scf.parallel
// CHECK:         %[[XR:.*]] = vector.load %{{.*}} : memref<?x?xbf16>, vector<16xbf16>
// CHECK-NEXT:    vector.bitcast %[[XR]] : vector<16xbf16> to vector<8xi32>
// CHECK:         %[[RR:.*]] = vector.load %{{.*}} : memref<?x?xbf16>, vector<16xbf16>
// CHECK-NEXT:    vector.bitcast %[[RR]] : vector<16xbf16> to vector<8xi32>
// CHECK:         %[[SE:.*]] = arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NEXT:    %[[SO:.*]] = arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NEXT:    %[[HE:.*]] = arith.truncf %[[SE]] : vector<8xf32> to vector<8xbf16>
// CHECK-NEXT:    %[[HO:.*]] = arith.truncf %[[SO]] : vector<8xf32> to vector<8xbf16>
// CHECK-NEXT:    %[[H:.*]] = vector.interleave %[[HE]], %[[HO]] : vector<8xbf16> -> vector<16xbf16>
// CHECK-NEXT:    vector.store %[[H]], %{{.*}} : memref<?x?xbf16>, vector<16xbf16>
// CHECK:         %[[BIAS:.*]] = vector.load %{{.*}} : memref<?xbf16>, vector<16xbf16>
// CHECK:         %[[WORDS:.*]] = vector.bitcast %[[BIAS]] : vector<16xbf16> to vector<8xi32>
// CHECK:         %[[SCALE:.*]] = memref.load %{{.*}} : memref<?xf32>
// CHECK-NOT:     memref.load
// CHECK:         %[[E:.*]] = arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK:         %[[EW:.*]] = arith.extf %[[E]] : vector<8xbf16> to vector<8xf32>
// CHECK:         arith.addf %[[EW]], %{{.*}} : vector<8xf32>
// CHECK:         %[[ME:.*]] = arith.maximumf %{{.*}} : vector<8xf32>
// CHECK:         %[[MO:.*]] = arith.maximumf %{{.*}} : vector<8xf32>
// CHECK-NEXT:    %[[YE:.*]] = arith.truncf %[[ME]] : vector<8xf32> to vector<8xbf16>
// CHECK-NEXT:    %[[YO:.*]] = arith.truncf %[[MO]] : vector<8xf32> to vector<8xbf16>
// CHECK:         %[[Y:.*]] = vector.interleave %[[YE]], %[[YO]] : vector<8xbf16> -> vector<16xbf16>
// CHECK:         vector.store %[[Y]], %{{.*}} : memref<?x?xbf16>, vector<16xbf16>
#row = affine_map<(d0, d1) -> (d1)>
#col = affine_map<(d0, d1) -> (d0)>
func.func @paired_epilogue(%x: tensor<?x?xbf16>, %r: tensor<?x?xbf16>, %g: tensor<?xbf16>, %bias: tensor<?xbf16>, %s: tensor<?xf32>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>) {
  %y, %h = norm.layer_norm %x gamma(%g : tensor<?xbf16>) prologue(%r : tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  ^bb0(%a: bf16, %c: bf16):
    %0 = arith.addf %a, %c : bf16
    norm.yield %0 : bf16
  } epilogue(%bias, %s : tensor<?xbf16>, tensor<?xf32>) {
  ^bb0(%v: bf16, %bi: bf16, %sc: f32):
    %0 = arith.addf %v, %bi : bf16
    %1 = arith.extf %0 : bf16 to f32
    %2 = arith.mulf %1, %sc : f32
    %c = arith.constant 0.0 : f32
    %3 = arith.maximumf %2, %c : f32
    %4 = arith.truncf %3 : f32 to bf16
    norm.yield %4 : bf16
  } {axes = array<i64: 1>, epilogue_maps = [#row, #col]} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y, %h : tensor<?x?xbf16>, tensor<?x?xbf16>
}

// -----

// Not paired: an operand along the row that is not bf16 (an f32 bias),
// and an epilogue with a math op that becomes a polynomial (GELU's erf,
// here its rational function: paired, its registers spilled). Both widen in order.
// CHECK-LABEL: func.func @f32_bias
// CHECK-NOT:   vector.interleave
// CHECK:       arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK-NOT:   vector.interleave
// CHECK-LABEL: func.func @gelu
// CHECK-NOT:   vector.interleave
// CHECK:       arith.divf %{{.*}} : vector<16xf32>
// CHECK-NOT:   vector.interleave
// CHECK:       return
#row = affine_map<(d0, d1) -> (d1)>
func.func @f32_bias(%x: tensor<?x?xbf16>, %bias: tensor<?xf32>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x epilogue(%bias : tensor<?xf32>) {
  ^bb0(%v: bf16, %bi: f32):
    %0 = arith.extf %v : bf16 to f32
    %1 = arith.addf %0, %bi : f32
    %2 = arith.truncf %1 : f32 to bf16
    norm.yield %2 : bf16
  } {axes = array<i64: 1>, epilogue_maps = [#row]} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
func.func @gelu(%x: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x epilogue {
  ^bb0(%v: bf16):
    %0 = arith.extf %v : bf16 to f32
    %k = arith.constant 0.707106769 : f32
    %1 = arith.mulf %0, %k : f32
    %2 = math.erf %1 : f32
    %one = arith.constant 1.0 : f32
    %3 = arith.addf %2, %one : f32
    %half = arith.constant 0.5 : f32
    %4 = arith.mulf %0, %half : f32
    %5 = arith.mulf %4, %3 : f32
    %6 = arith.truncf %5 : f32 to bf16
    norm.yield %6 : bf16
  } {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
