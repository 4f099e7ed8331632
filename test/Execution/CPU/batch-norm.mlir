// Training: y, batch mean and variance, and the running statistics updated
// with PyTorch's unbiased variance; NCHW and NHWC; three dtypes.
// RUN: norm-run %s --function=bn_nchw_f32 --input=8x16x7x7xf32=random --input=16xf32=random --input=16xf32=random --input=16xf32=random --input="16xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=TRAIN
// RUN: norm-run %s --pipeline=reference --function=bn_nchw_f32 --input=8x16x7x7xf32=random --input=16xf32=random --input=16xf32=random --input=16xf32=random --input="16xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=TRAIN
// RUN: norm-run %s --function=bn_nchw_f32 --input=1x1x1x2xf32=random --input=1xf32=random --input=1xf32=random --input=1xf32=random --input="1xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=TRAIN
// RUN: norm-run %s --function=bn_nhwc_f16 --input=2x7x7x32xf16=random --input=32xf32=random --input="32xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=TRAIN
// RUN: norm-run %s --pipeline=reference --function=bn_nhwc_f16 --input=2x7x7x32xf16=random --input=32xf32=random --input="32xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=TRAIN
// RUN: norm-run %s --function=bn_nchw_bf16 --input=3x5x1025xbf16=random --input=5xbf16=random --input=5xbf16=random --input=5xf32=random --input="5xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=TRAIN
// RUN: norm-run %s --pipeline=reference --function=bn_nchw_bf16 --input=3x5x1025xbf16=random --input=5xbf16=random --input=5xbf16=random --input=5xf32=random --input="5xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=TRAIN
// Channels whose first element (the pivot) is 300 while the others
// are about normal(0, 1): the exact squares pass runs (see layer-norm.mlir),
// for a channel of planes (NCHW) and for a vector of channels (NHWC).
// RUN: %python %S/Inputs/pivot_rows.py %t.nchw.npy 2x3x100x100
// RUN: norm-run %s --function=bn_nchw_bf16_dyn --input=@%t.nchw.npy --check | FileCheck %s --check-prefix=PIVOT
// RUN: norm-run %s --function=bn_nchw_f32 --input=@%t.nchw.npy --input=3xf32=random --input=3xf32=random --input=3xf32=random --input="3xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=PIVOT
// RUN: %python %S/Inputs/pivot_rows.py %t.nhwc.npy 2x40x40x20
// RUN: norm-run %s --function=bn_nhwc_f16_dyn --input=@%t.nhwc.npy --check | FileCheck %s --check-prefix=PIVOT
// PIVOT: check result[0]: {{.*}}: ok
// PIVOT: check result[1]: {{.*}}: ok
// PIVOT: check result[2]: {{.*}}: ok
// TRAIN: check result[0]: {{.*}}: ok
// TRAIN: check result[1]: {{.*}}: ok
// TRAIN: check result[2]: {{.*}}: ok
// TRAIN: check result[3]: {{.*}}: ok
// TRAIN: check result[4]: {{.*}}: ok

func.func @bn_nchw_f32(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) running(%m, %v : tensor<?xf32>, tensor<?xf32>) : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %bv, %rm, %rv : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
// ONNX convention and biased running variance, inverse std-dev returned.
func.func @bn_nhwc_f16(%x: tensor<2x7x7x32xf16>, %m: tensor<32xf32>, %v: tensor<32xf32>) -> (tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) {
  %y, %bm, %br, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<32xf32>, tensor<32xf32>) {channel_axis = 3, momentum = 0.8 : f64, momentum_convention = #norm.momentum<onnx>, running_var_estimator = #norm.running_var<biased>, stats = #norm.stats<mean_rstd>} : tensor<2x7x7x32xf16> -> tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>
  return %y, %bm, %br, %rm, %rv : tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>
}
func.func @bn_nchw_bf16(%x: tensor<3x5x1025xbf16>, %g: tensor<5xbf16>, %b: tensor<5xbf16>, %m: tensor<5xf32>, %v: tensor<5xf32>) -> (tensor<3x5x1025xbf16>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x gamma(%g : tensor<5xbf16>) beta(%b : tensor<5xbf16>) running(%m, %v : tensor<5xf32>, tensor<5xf32>) {momentum = 0.25 : f64} : tensor<3x5x1025xbf16> -> tensor<3x5x1025xbf16>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
  return %y, %bm, %bv, %rm, %rv : tensor<3x5x1025xbf16>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}

func.func @bn_nchw_bf16_dyn(%x: tensor<?x?x?x?xbf16>) -> (tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %bv = norm.batch_norm %x : tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %bv : tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>
}
func.func @bn_nhwc_f16_dyn(%x: tensor<?x?x?x?xf16>) -> (tensor<?x?x?x?xf16>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %bv = norm.batch_norm %x {channel_axis = 3} : tensor<?x?x?x?xf16> -> tensor<?x?x?x?xf16>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %bv : tensor<?x?x?x?xf16>, tensor<?xf32>, tensor<?xf32>
}

// One value per channel at run time: n / max(n - 1, 1) keeps the running
// variance finite: 0.9 * 1 + 0.1 * 0 = 0.9.
// RUN: norm-run %s --function=bn_nchw_f32 --input=1x3x1x1xf32=random --input=3xf32=1 --input=3xf32=0 --input=3xf32=0 --input=3xf32=1 --check | FileCheck %s --check-prefix=ONE
// ONE: result[4]: tensor<3xf32> [0.9, 0.9, 0.9]
// ONE: check result[4]: {{.*}}: ok

// Inference with given statistics.
// RUN: norm-run %s --function=bn_infer_f32 --input=1x1xf32=random --input=1xf32=random --input="1xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=INFER
// RUN: norm-run %s --pipeline=reference --function=bn_infer_f32 --input=1x1xf32=random --input=1xf32=random --input="1xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=INFER
// RUN: norm-run %s --function=bn_infer_f32 --input=7x1025xf32=random --input=1025xf32=random --input="1025xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=INFER
// RUN: norm-run %s --function=bn_infer_nhwc_f16 --input=2x7x7x32xf16=random --input=32xf32=random --input="32xf32=random(0.5,2)" --input=32xf16=random --input=32xf16=random --check | FileCheck %s --check-prefix=INFER
// RUN: norm-run %s --pipeline=reference --function=bn_infer_nhwc_f16 --input=2x7x7x32xf16=random --input=32xf32=random --input="32xf32=random(0.5,2)" --input=32xf16=random --input=32xf16=random --check | FileCheck %s --check-prefix=INFER
// RUN: norm-run %s --function=bn_infer_bf16 --input=2x3x4x5xbf16=random --input=3xf32=random --input="3xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=INFER
// RUN: norm-run %s --pipeline=reference --function=bn_infer_bf16 --input=2x3x4x5xbf16=random --input=3xf32=random --input="3xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=INFER
// 16-bit inference as x * scale + (beta - mean * scale), here with values
// and a running mean near 1000 (docs/cpu.md on the error of the fold).
// RUN: norm-run %s --function=bn_infer_bf16_nchw --input=4x8x14x14xbf16=random --input=8xf32=random --input="8xf32=random(0.5,2)" --input=8xbf16=random --input=8xbf16=random --check | FileCheck %s --check-prefix=INFER
// RUN: norm-run %s --function=bn_infer_bf16_nchw --input="4x8x14x14xbf16=random(980,1020)" --input=8xf32=1000 --input="8xf32=random(50,150)" --input=8xbf16=random --input=8xbf16=random --check | FileCheck %s --check-prefix=INFER
// NCHW planes take 1/sqrt(var + eps) of the first 4096 channels from a
// buffer filled once per call, the others computed per plane: 4100
// channels cross that bound, with a dynamic shape.
// RUN: norm-run %s --function=bn_infer_nchw_dyn --input=2x4100x3x3xf32=random --input=4100xf32=random --input="4100xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=INFER
// Inference and NHWC outputs of 64 to 160 KiB run on the calling thread at
// AVX-512's width (docs/cpu.md, "Small problems"): NCHW f32 4x64x12x10
// (120 KiB) here, NHWC f16 2x40x40x20 (125 KiB) in the pivot test above.
// RUN: norm-run %s --function=bn_infer_nchw_dyn --input=4x64x12x10xf32=random --input=64xf32=random --input="64xf32=random(0.5,2)" --check | FileCheck %s --check-prefix=INFER
// INFER: check result[0]: {{.*}}: ok
func.func @bn_infer_nchw_dyn(%x: tensor<?x?x?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.batch_norm_inference %x, %m, %v : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @bn_infer_f32(%x: tensor<?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = norm.batch_norm_inference %x, %m, %v : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @bn_infer_nhwc_f16(%x: tensor<2x7x7x32xf16>, %m: tensor<32xf32>, %v: tensor<32xf32>, %g: tensor<32xf16>, %b: tensor<32xf16>) -> tensor<2x7x7x32xf16> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<32xf16>) beta(%b : tensor<32xf16>) {channel_axis = 3} : tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32> -> tensor<2x7x7x32xf16>
  return %y : tensor<2x7x7x32xf16>
}
func.func @bn_infer_bf16(%x: tensor<2x3x4x5xbf16>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x5xbf16> {
  %y = norm.batch_norm_inference %x, %m, %v : tensor<2x3x4x5xbf16>, tensor<3xf32>, tensor<3xf32> -> tensor<2x3x4x5xbf16>
  return %y : tensor<2x3x4x5xbf16>
}

func.func @bn_infer_bf16_nchw(%x: tensor<?x?x?x?xbf16>, %m: tensor<?xf32>, %v: tensor<?xf32>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?x?x?xbf16> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) : tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?x?xbf16>
  return %y : tensor<?x?x?x?xbf16>
}

// A prologue operand broadcast along the batch axis (a per-position bias)
// beside the input: the prefetch of the next channel's input covers the
// operands laid out like it, not this one (whose view has no batch index:
// it used to fail to lower, 'memref.prefetch' op too few indices).
// RUN: norm-run %s --function=bn_broadcast_prologue --input=4x16x24x24xf32=random --input=16x24x24xf32=random --streaming-threshold=0 --check | FileCheck %s --check-prefix=BROADCAST
// BROADCAST-COUNT-3: check result[{{[0-2]}}]: {{.*}}: ok
func.func @bn_broadcast_prologue(%x: tensor<4x16x24x24xf32>, %p: tensor<16x24x24xf32>) -> (tensor<4x16x24x24xf32>, tensor<16xf32>, tensor<16xf32>) {
  %y, %m, %v = norm.batch_norm %x prologue(%p : tensor<16x24x24xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } {prologue_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>]} : tensor<4x16x24x24xf32> -> tensor<4x16x24x24xf32>, tensor<16xf32>, tensor<16xf32>
  return %y, %m, %v : tensor<4x16x24x24xf32>, tensor<16xf32>, tensor<16xf32>
}
