// Quantization in the epilogue: LayerNorm, then round(y / scale) clamped to
// [-128, 127] and stored as i8 (the symmetric per-tensor int8 scheme).
// Unfused and fused on the CPU pipeline, each against the float64 reference
// (one quantization step of tolerance: an f32 and a float64 computation may
// fall on either side of a rounding boundary) and against each other.
// RUN: norm-run %s --function=quantize_f32 --input=16x512xf32=random --input=512xf32=random --output=@%t.f32.npy --check | FileCheck %s
// RUN: norm-opt %s --norm-fuse-elementwise -o %t.fused.mlir
// RUN: FileCheck %s --check-prefix=FUSED < %t.fused.mlir
// RUN: norm-run %t.fused.mlir --function=quantize_f32 --input=16x512xf32=random --input=512xf32=random --expect=@%t.f32.npy --check | FileCheck %s --check-prefixes=CHECK,EXPECT
// RUN: norm-run %t.fused.mlir --pipeline=reference --function=quantize_f32 --input=16x512xf32=random --input=512xf32=random --check | FileCheck %s
// RUN: norm-run %s --function=quantize_bf16 --input=16x512xbf16=random --output=@%t.bf16.npy --check | FileCheck %s
// RUN: norm-run %t.fused.mlir --function=quantize_bf16 --input=16x512xbf16=random --expect=@%t.bf16.npy --check | FileCheck %s --check-prefixes=CHECK,EXPECT
// CHECK: result[0]: tensor<{{.*}}xi8>
// RUN: norm-run %s --function=quantize_f8 --input=64x512xf32=random --input='512xf32=random(0.001,400)' --output=@%t.f8.npy --check | FileCheck %s --check-prefix=F8
// RUN: norm-run %t.fused.mlir --function=quantize_f8 --input=64x512xf32=random --input='512xf32=random(0.001,400)' --expect=@%t.f8.npy --check | FileCheck %s --check-prefixes=F8,F8EXPECT
// RUN: norm-run %t.fused.mlir --pipeline=reference --function=quantize_f8 --input=64x512xf32=random --input='512xf32=random(0.001,400)' --check | FileCheck %s --check-prefix=F8
// F8: result[0]: tensor<64x512xf8E4M3FN>
// F8EXPECT: expect result[0]: {{.*}}: ok
// F8: check result[0]: {{.*}}: ok
// EXPECT: expect result[0]: {{.*}}: ok
// CHECK: check result[0]: {{.*}}: ok

// FUSED-LABEL: func.func @quantize_f32(
// FUSED-NOT: linalg.
// FUSED: norm.layer_norm %arg0 gamma(%arg1 : tensor<512xf32>) epilogue {
// FUSED: math.roundeven
// FUSED: arith.fptosi {{.*}} : f32 to i8
// FUSED: norm.yield {{.*}} : i8
// FUSED: : tensor<16x512xf32> -> tensor<16x512xi8>
// FUSED-LABEL: func.func @quantize_bf16(
// FUSED-NOT: linalg.
// FUSED: norm.rms_norm %arg0 epilogue {
// FUSED: : tensor<16x512xbf16> -> tensor<16x512xi8>
// FUSED-LABEL: func.func @quantize_f8(
// FUSED-NOT: linalg.
// FUSED: arith.truncf {{.*}} : f32 to f8E4M3FN
// FUSED: : tensor<64x512xf32> -> tensor<64x512xf8E4M3FN>

func.func @quantize_f32(%x: tensor<16x512xf32>, %g: tensor<512xf32>) -> tensor<16x512xi8> {
  %y = norm.layer_norm %x gamma(%g : tensor<512xf32>) {axes = array<i64: 1>} : tensor<16x512xf32> -> tensor<16x512xf32>
  %e = tensor.empty() : tensor<16x512xi8>
  %q = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<16x512xf32>) outs(%e : tensor<16x512xi8>) {
  ^bb0(%a: f32, %o: i8):
    %inv_scale = arith.constant 32.0 : f32
    %lo = arith.constant -128.0 : f32
    %hi = arith.constant 127.0 : f32
    %s = arith.mulf %a, %inv_scale : f32
    %r = math.roundeven %s : f32
    %c0 = arith.maximumf %r, %lo : f32
    %c1 = arith.minimumf %c0, %hi : f32
    %i = arith.fptosi %c1 : f32 to i8
    linalg.yield %i : i8
  } -> tensor<16x512xi8>
  return %q : tensor<16x512xi8>
}

func.func @quantize_bf16(%x: tensor<16x512xbf16>) -> tensor<16x512xi8> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<16x512xbf16> -> tensor<16x512xbf16>
  %e = tensor.empty() : tensor<16x512xi8>
  %q = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<16x512xbf16>) outs(%e : tensor<16x512xi8>) {
  ^bb0(%a: bf16, %o: i8):
    %af = arith.extf %a : bf16 to f32
    %inv_scale = arith.constant 40.0 : f32
    %lo = arith.constant -128.0 : f32
    %hi = arith.constant 127.0 : f32
    %s = arith.mulf %af, %inv_scale : f32
    %r = math.roundeven %s : f32
    %c0 = arith.maximumf %r, %lo : f32
    %c1 = arith.minimumf %c0, %hi : f32
    %i = arith.fptosi %c1 : f32 to i8
    linalg.yield %i : i8
  } -> tensor<16x512xi8>
  return %q : tensor<16x512xi8>
}

// fp8 (E4M3FN) with a per-column scale in [0.001, 400): the products span
// subnormals (|v| < 2^-6), normals and values past 448, which become NaN as
// arith.truncf defines for a format without infinity.
func.func @quantize_f8(%x: tensor<64x512xf32>, %scale: tensor<512xf32>) -> tensor<64x512xf8E4M3FN> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<64x512xf32> -> tensor<64x512xf32>
  %e = tensor.empty() : tensor<64x512xf8E4M3FN>
  %q = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y, %scale : tensor<64x512xf32>, tensor<512xf32>) outs(%e : tensor<64x512xf8E4M3FN>) {
  ^bb0(%a: f32, %c: f32, %o: f8E4M3FN):
    %s = arith.mulf %a, %c : f32
    %f = arith.truncf %s : f32 to f8E4M3FN
    linalg.yield %f : f8E4M3FN
  } -> tensor<64x512xf8E4M3FN>
  return %q : tensor<64x512xf8E4M3FN>
}

// The f8 rounding alone, on values around the subnormal range (spacing
// 2^-9 below 2^-6) and on exact ties.
// RUN: norm-run %s --function=f8_rounding --input='8192xf32=random(-0.05,0.05)' --check | FileCheck %s --check-prefix=F8ROUND
// RUN: norm-run %s --function=f8_rounding --input='8192xf32=random(-500,500)' --check | FileCheck %s --check-prefix=F8ROUND
// RUN: norm-run %s --function=f8_rounding --input=@%S/Inputs/f8-ties.npy --check | FileCheck %s --check-prefix=F8ROUND
// F8ROUND: check result[0]: max abs error 0, {{.*}}: ok
func.func @f8_rounding(%x: tensor<?xf32>) -> tensor<?xf8E4M3FN> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf8E4M3FN>
  %q = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<?xf32>) outs(%e : tensor<?xf8E4M3FN>) {
  ^bb0(%a: f32, %o: f8E4M3FN):
    %f = arith.truncf %a : f32 to f8E4M3FN
    linalg.yield %f : f8E4M3FN
  } -> tensor<?xf8E4M3FN>
  return %q : tensor<?xf8E4M3FN>
}
