// Column kernels (the channel axis innermost) with few slots cut their
// reduced axes into chunks: per-chunk sums, then the statistics, then a
// normalizing pass per chunk (docs/cpu.md, "Few channels"). Every case
// below is larger than 64 KiB (smaller problems run on the calling thread
// without chunks) and checked against the float64 reference. At the host's
// width (64 lanes with AVX-512, 32 with AVX2: check-vector-paths) the cases
// cover blocks of halving widths only (16 channels), whole blocks and a
// remainder (96), rows of several whole blocks normalized one at a time
// (256), the same with a remainder block walked down each tile (200 bf16
// channels, dynamic shape; removing that walk fails this test at both
// widths), instance norm with two examples, a channels-first LayerNorm
// over 7x7 planes (49 lanes: 32 + 16 + 1), an RMSNorm over channels, a
// fused batch norm that keeps its prologue's sum, and bf16 batch norms
// whose whole blocks are normalized as even and odd channels (PairedRows.cpp),
// one with an epilogue of a per-channel bf16 bias and a ReLU (its operand
// widened as halves too), with 1 and 3 threads giving the same bits.
// RUN: norm-run %s --function=bn_f32 --input=8x32x32x16xf32=random --input=16xf32=random --input=16xf32=random --input=16xf32=random --input="16xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=FIVE
// RUN: norm-run %s --function=bn_bf16 --input=4x16x16x96xbf16=random --input=96xbf16=random --input=96xbf16=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=bn_bf16_dyn --input=4x16x16x200xbf16=random --input=200xbf16=random --input=200xbf16=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=bn_f16 --input=2x16x16x256xf16=random --input=256xf32=random --input="256xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=FIVE
// RUN: norm-run %s --function=in_f32 --input=2x32x32x24xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=ln_cf --input=1x768x7x7xf32=random --input=768xf32=random --input=768xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=rms_cf --input=2x256x8x8xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=fused_kept --input=4x16x16x40xf32=random --input=4x16x16x40xf32=random --input=40xf32=random --check | FileCheck %s --check-prefix=TWO
// Inference over NHWC (no reduced axis: parallel over rows, not split),
// with blocks of halving widths for 16 and 96 channels.
// RUN: norm-run %s --function=infer_f32 --input=8x32x32x16xf32=random --input=16xf32=random --input="16xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=infer_bf16_relu --input=4x16x16x96xbf16=random --input=96xf32=random --input="96xf32=random(0.5,2)" --input=96xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: env NORM_NUM_THREADS=1 norm-run %s --function=infer_bf16_relu --input=4x16x16x96xbf16=random --input=96xf32=random --input="96xf32=random(0.5,2)" --input=96xbf16=random --output=@%t.r1.npy
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=infer_bf16_relu --input=4x16x16x96xbf16=random --input=96xf32=random --input="96xf32=random(0.5,2)" --input=96xbf16=random --output=@%t.r3.npy
// RUN: cmp %t.r1.npy %t.r3.npy
// RUN: norm-run %s --function=infer_bf16 --input=4x16x16x96xbf16=random --input=96xf32=random --input="96xf32=random(0.5,2)" --input=96xbf16=random --input=96xbf16=random --check | FileCheck %s --check-prefix=ONE
// Outputs of 16 MiB and more are stored with non-temporal stores, column
// slots too (rows of two blocks of channels, normalized one at a time).
// RUN: norm-run %s --function=bn_f32 --input=8x64x64x128xf32=random --input=128xf32=random --input=128xf32=random --input=128xf32=random --input="128xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=FIVE
// RUN: norm-run %s --function=infer_f32 --input=8x64x64x128xf32=random --input=128xf32=random --input="128xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=ONE
// A large offset (mean 1e4, standard deviation 1e-2 in each channel) keeps
// its accuracy: the sums are taken about the channel's first element.
// RUN: norm-run %s --function=bn_offset --input="8x32x32x16xf32=random(9999.99,10000.01)" --check | FileCheck %s --check-prefix=THREE
// The same bits whatever the thread count (the chunks depend on the shape
// alone).
// RUN: env NORM_NUM_THREADS=1 norm-run %s --function=bn_bf16 --input=4x16x16x96xbf16=random --input=96xbf16=random --input=96xbf16=random --output=@%t.y1.npy --output=@%t.m1.npy --output=@%t.v1.npy
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=bn_bf16 --input=4x16x16x96xbf16=random --input=96xbf16=random --input=96xbf16=random --output=@%t.y3.npy --output=@%t.m3.npy --output=@%t.v3.npy
// RUN: cmp %t.y1.npy %t.y3.npy
// RUN: cmp %t.m1.npy %t.m3.npy
// RUN: cmp %t.v1.npy %t.v3.npy
// ONE: check result[0]: {{.*}}: ok
// TWO: check result[0]: {{.*}}: ok
// TWO: check result[1]: {{.*}}: ok
// THREE: check result[0]: {{.*}}: ok
// THREE: check result[1]: {{.*}}: ok
// THREE: check result[2]: {{.*}}: ok
// FIVE: check result[0]: {{.*}}: ok
// FIVE: check result[1]: {{.*}}: ok
// FIVE: check result[2]: {{.*}}: ok
// FIVE: check result[3]: {{.*}}: ok
// FIVE: check result[4]: {{.*}}: ok

func.func @bn_f32(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) running(%m, %v : tensor<?xf32>, tensor<?xf32>) {channel_axis = 3} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %bv, %rm, %rv : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @bn_bf16(%x: tensor<4x16x16x96xbf16>, %g: tensor<96xbf16>, %b: tensor<96xbf16>) -> (tensor<4x16x16x96xbf16>, tensor<96xf32>, tensor<96xf32>) {
  %y, %bm, %bv = norm.batch_norm %x gamma(%g : tensor<96xbf16>) beta(%b : tensor<96xbf16>) {channel_axis = 3} : tensor<4x16x16x96xbf16> -> tensor<4x16x16x96xbf16>, tensor<96xf32>, tensor<96xf32>
  return %y, %bm, %bv : tensor<4x16x16x96xbf16>, tensor<96xf32>, tensor<96xf32>
}
func.func @bn_bf16_dyn(%x: tensor<?x?x?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> (tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %bv = norm.batch_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) {channel_axis = 3} : tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %bv : tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>
}
func.func @bn_f16(%x: tensor<?x?x?x?xf16>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> (tensor<?x?x?x?xf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %br, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<?xf32>, tensor<?xf32>) {channel_axis = 3, momentum = 0.8 : f64, momentum_convention = #norm.momentum<onnx>, stats = #norm.stats<mean_rstd>} : tensor<?x?x?x?xf16> -> tensor<?x?x?x?xf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %br, %rm, %rv : tensor<?x?x?x?xf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @in_f32(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.instance_norm %x {channel_axis = 3} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @ln_cf(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @rms_cf(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
// h = x + r (kept), batch norm of h, + per-channel bias, ReLU.
func.func @fused_kept(%x: tensor<?x?x?x?xf32>, %r: tensor<?x?x?x?xf32>, %bias: tensor<?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) {
  %y, %bm, %bv, %h = norm.batch_norm %x prologue(%r : tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  ^bb0(%a: f32, %c: f32):
    %0 = arith.addf %a, %c : f32
    norm.yield %0 : f32
  } epilogue(%bias : tensor<?xf32>) {
  ^bb0(%v: f32, %bi: f32):
    %0 = arith.addf %v, %bi : f32
    %z = arith.constant 0.0 : f32
    %1 = arith.maximumf %0, %z : f32
    norm.yield %1 : f32
  } {channel_axis = 3, epilogue_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>]} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %h : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
}
func.func @bn_offset(%x: tensor<?x?x?x?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %bv = norm.batch_norm %x {channel_axis = 3} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %bv : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @infer_f32(%x: tensor<?x?x?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.batch_norm_inference %x, %m, %v {channel_axis = 3} : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @infer_bf16(%x: tensor<4x16x16x96xbf16>, %m: tensor<96xf32>, %v: tensor<96xf32>, %g: tensor<96xbf16>, %b: tensor<96xbf16>) -> tensor<4x16x16x96xbf16> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<96xbf16>) beta(%b : tensor<96xbf16>) {channel_axis = 3} : tensor<4x16x16x96xbf16>, tensor<96xf32>, tensor<96xf32> -> tensor<4x16x16x96xbf16>
  return %y : tensor<4x16x16x96xbf16>
}
func.func @infer_bf16_relu(%x: tensor<4x16x16x96xbf16>, %m: tensor<96xf32>, %v: tensor<96xf32>, %bias: tensor<96xbf16>) -> tensor<4x16x16x96xbf16> {
  %y = norm.batch_norm_inference %x, %m, %v epilogue(%bias : tensor<96xbf16>) {
  ^bb0(%a: bf16, %c: bf16):
    %s = arith.addf %a, %c : bf16
    %zero = arith.constant 0.0 : bf16
    %r = arith.maximumf %s, %zero : bf16
    norm.yield %r : bf16
  } {channel_axis = 3, epilogue_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>]} : tensor<4x16x16x96xbf16>, tensor<96xf32>, tensor<96xf32> -> tensor<4x16x16x96xbf16>
  return %y : tensor<4x16x16x96xbf16>
}
