// Every RUN line uses the CPU pipeline (the default) unless it says
// --pipeline=reference, which runs the decomposition to linalg (the oracle).
// Every result is compared with the float64 reference on fresh random data;
// norm-run fails over the dtype's tolerance and poisons kernel allocations
// with NaN so that an unwritten element fails too.

// RUN: norm-run %s --function=ln_f32 --input=1x1xf32=random --input=1xf32=random --input=1xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --pipeline=reference --function=ln_f32 --input=1x1xf32=random --input=1xf32=random --input=1xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_f32 --input=3x5xf32=random --input=5xf32=random --input=5xf32=random --check --seed=1 | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_f32 --input=7x1025xf32=random --input=1025xf32=random --input=1025xf32=random --check --seed=2 | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_f16 --input=1x1xf16=random --input=1xf16=random --input=1xf16=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --pipeline=reference --function=ln_f16 --input=1x1xf16=random --input=1xf16=random --input=1xf16=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_f16 --input=3x5xf16=random --input=5xf16=random --input=5xf16=random --check --seed=3 | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_f16 --input=7x1025xf16=random --input=1025xf16=random --input=1025xf16=random --check --seed=4 | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_bf16 --input=1x1xbf16=random --input=1xf32=random --input=1xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --pipeline=reference --function=ln_bf16 --input=1x1xbf16=random --input=1xf32=random --input=1xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_bf16 --input=3x5xbf16=random --input=5xf32=random --input=5xf32=random --check --seed=5 | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_bf16 --input=7x1025xbf16=random --input=1025xf32=random --input=1025xf32=random --check --seed=6 | FileCheck %s --check-prefix=THREE

// THREE: result[0]
// THREE: result[2]
// THREE: check result[0]: {{.*}}: ok
// THREE: check result[1]: {{.*}}: ok
// THREE: check result[2]: {{.*}}: ok

func.func @ln_f32(%x: tensor<?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %r = norm.layer_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %r : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @ln_f16(%x: tensor<?x?xf16>, %g: tensor<?xf16>, %b: tensor<?xf16>) -> (tensor<?x?xf16>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %v = norm.layer_norm %x gamma(%g : tensor<?xf16>) beta(%b : tensor<?xf16>) {axes = array<i64: 1>, stats = #norm.stats<mean_var>} : tensor<?x?xf16> -> tensor<?x?xf16>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %v : tensor<?x?xf16>, tensor<?xf32>, tensor<?xf32>
}
func.func @ln_bf16(%x: tensor<?x?xbf16>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> (tensor<?x?xbf16>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %r = norm.layer_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {axes = array<i64: 1>, zero_centered_gamma} : tensor<?x?xbf16> -> tensor<?x?xbf16>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %r : tensor<?x?xbf16>, tensor<?xf32>, tensor<?xf32>
}

// Rank 4 normalized over the two middle axes, gamma on the last two.
// RUN: norm-run %s --function=ln_middle --input=2x3x4x5xf32=random --input=4x5xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --pipeline=reference --function=ln_middle --input=2x3x4x5xf32=random --input=4x5xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=ln_middle_bf16 --input=2x6x5x3xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --pipeline=reference --function=ln_middle_bf16 --input=2x6x5x3xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=ln_middle_f16 --input=3x4x9x2xf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --pipeline=reference --function=ln_middle_f16 --input=3x4x9x2xf16=random --check | FileCheck %s --check-prefix=ONE
// ONE: check result[0]: {{.*}}: ok
func.func @ln_middle(%x: tensor<2x3x4x5xf32>, %g: tensor<4x5xf32>) -> tensor<2x3x4x5xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<4x5xf32>) {axes = array<i64: 1, 2>, param_axes = array<i64: 2, 3>} : tensor<2x3x4x5xf32> -> tensor<2x3x4x5xf32>
  return %y : tensor<2x3x4x5xf32>
}
func.func @ln_middle_bf16(%x: tensor<?x?x?x?xbf16>) -> tensor<?x?x?x?xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1, 2>} : tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>
  return %y : tensor<?x?x?x?xbf16>
}
func.func @ln_middle_f16(%x: tensor<3x4x9x2xf16>) -> tensor<3x4x9x2xf16> {
  %y = norm.layer_norm %x {axes = array<i64: 0, 2>} : tensor<3x4x9x2xf16> -> tensor<3x4x9x2xf16>
  return %y : tensor<3x4x9x2xf16>
}

// Per-example affine (adaptive LayerNorm).
// RUN: norm-run %s --function=ada_ln --input=4x3x16xf32=random --input=4x16xf32=random --input=4x16xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --pipeline=reference --function=ada_ln --input=4x3x16xf32=random --input=4x16xf32=random --input=4x16xf32=random --check | FileCheck %s --check-prefix=ONE
func.func @ada_ln(%x: tensor<4x3x16xf32>, %g: tensor<4x16xf32>, %b: tensor<4x16xf32>) -> tensor<4x3x16xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<4x16xf32>) beta(%b : tensor<4x16xf32>) {axes = array<i64: 2>, param_axes = array<i64: 0, 2>} : tensor<4x3x16xf32> -> tensor<4x3x16xf32>
  return %y : tensor<4x3x16xf32>
}

// Hard inputs: a constant row has variance 0 and normalizes to 0 (not NaN).
// RUN: norm-run %s --function=ln_f32 --input=2x9xf32=3.5 --input=9xf32=1 --input=9xf32=0 --check | FileCheck %s --check-prefix=CONST
// CONST: result[0]: tensor<2x9xf32> [0, 0, 0, 0, 0, 0, ...]
// CONST: check result[0]: {{.*}}: ok

// NaN in gives NaN out, matched against the reference's NaN.
// RUN: norm-run %s --function=ln_f32 --input=2x9xf32=nan --input=9xf32=1 --input=9xf32=0 --check | FileCheck %s --check-prefix=NAN
// NAN: result[0]: tensor<2x9xf32> [{{-?}}nan,
// NAN: check result[0]: {{.*}}: ok

// f16 inputs near the top of the range: squares overflow f16 but not the f32
// accumulator.
// RUN: norm-run %s --function=ln_f16 --input=4x300xf16="random(-60000,60000)" --input=300xf16=1 --input=300xf16=0 --check | FileCheck %s --check-prefix=THREE
// Tiny magnitudes.
// RUN: norm-run %s --function=ln_f32 --input=4x300xf32="random(-1e-30,1e-30)" --input=300xf32=1 --input=300xf32=0 --check | FileCheck %s --check-prefix=THREE

// A large offset (mean 1e4, std 1e-2) computed in f64.
// RUN: norm-run %s --function=ln_offset --input=3x1000xf32="random(10000,10000.04)" --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --pipeline=reference --function=ln_offset --input=3x1000xf32="random(10000,10000.04)" --check | FileCheck %s --check-prefix=ONE
func.func @ln_offset(%x: tensor<3x1000xf32>) -> tensor<3x1000xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>, compute_type = f64} : tensor<3x1000xf32> -> tensor<3x1000xf32>
  return %y : tensor<3x1000xf32>
}

// f64 arithmetic rounded to 16-bit results (once, through f32 rounded to
// odd: no __truncdfbf2 call, which the JIT cannot resolve), columns too.
// RUN: norm-run %s --function=ln_f64_16bit --input=3x1000xbf16="random(10000,10100)" --input=5x7x300xf16=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --pipeline=reference --function=ln_f64_16bit --input=3x1000xbf16="random(10000,10100)" --input=5x7x300xf16=random --check | FileCheck %s --check-prefix=TWO
// TWO: check result[0]: {{.*}}: ok
// TWO: check result[1]: {{.*}}: ok
func.func @ln_f64_16bit(%x: tensor<3x1000xbf16>, %z: tensor<5x7x300xf16>) -> (tensor<3x1000xbf16>, tensor<5x7x300xf16>) {
  %y = norm.layer_norm %x {axes = array<i64: 1>, compute_type = f64} : tensor<3x1000xbf16> -> tensor<3x1000xbf16>
  %w = norm.layer_norm %z {axes = array<i64: 1>, compute_type = f64} : tensor<5x7x300xf16> -> tensor<5x7x300xf16>
  return %y, %w : tensor<3x1000xbf16>, tensor<5x7x300xf16>
}

// The CPU pipeline takes statistics of x minus the row's first element, so
// the same large offset is exact in f32 too (rows from cache and long rows).
// RUN: norm-run %s --function=ln_f32 --input=3x1000xf32="random(9999.98,10000.02)" --input=1000xf32=1 --input=1000xf32=0 --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_f32 --input=2x100000xf32="random(9999.98,10000.02)" --input=100000xf32=1 --input=100000xf32=0 --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_channels --input=2x300x4x4xf32="random(-10000.02,-9999.98)" --check | FileCheck %s --check-prefix=ONE
// An output of 16 MiB, the default streaming threshold: rows written with
// non-temporal stores.
// RUN: norm-run %s --function=ln_f32 --input=4096x1024xf32=random --input=1024xf32=random --input=1024xf32=random --check | FileCheck %s --check-prefix=THREE

// bf16 rows with a large offset (mean 1e4, values a few bf16 steps of 64
// apart; the squares pass subtracts the f32 mean at once, docs/cpu.md): in
// cache, with the next-row prefetch, long (Chan), with bf16 weights (the
// paired normalizing pass), and a constant bf16 row.
// RUN: norm-run %s --function=ln_bf16 --input=3x1000xbf16="random(9800,10200)" --input=1000xf32=random --input=1000xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_bf16 --input=2x20000xbf16="random(9800,10200)" --input=20000xf32=random --input=20000xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_bf16 --input=2x300000xbf16="random(-10200,-9800)" --input=300000xf32=random --input=300000xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_bf16_weights --input=4x4096xbf16="random(9800,10200)" --input=4096xbf16=random --input=4096xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=ln_bf16_weights --input=2x64xbf16=3.5 --input=64xbf16=1 --input=64xbf16=0 --check | FileCheck %s --check-prefix=CONSTBF16
// CONSTBF16: result[0]: tensor<2x64xbf16> [0, 0, 0, 0, 0, 0, ...]
// CONSTBF16: check result[0]: {{.*}}: ok
func.func @ln_bf16_weights(%x: tensor<?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
func.func @ln_channels(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}

// One NaN in row 1 of 3 gives NaN in that row only.
// RUN: %python %S/Inputs/nan_row.py %t.nan.npy
// RUN: norm-run %s --function=ln_f32 --input=@%t.nan.npy --input=5xf32=1 --input=5xf32=0 --check --output=@%t.y.npy | FileCheck %s --check-prefix=NANROW
// NANROW: result[0]: tensor<3x5xf32> [{{-?[0-9]}}
// NANROW: result[1]: tensor<3xf32> [{{-?[0-9.e-]+}}, {{-?}}nan, {{-?[0-9.e-]+}}]
// NANROW: check result[0]: {{.*}}: ok

// Rows take the sums of x - pivot and of its square in one pass,
// and run the exact squares pass when the mean lies more than sqrt(3)
// standard deviations from the pivot (docs/cpu.md): a row whose first
// element is 300 while the others are normal(0, 1) (one pass alone gives
// a variance 1e-3 off), one whose pivot is near the threshold, ordinary
// rows; against the float64 reference (f32 rows of 50000: 100000 would
// take Chan's blocks, rows of 256 KiB and more, below).
// RUN: %python %S/Inputs/pivot_rows.py %t.pivot.npy 4x100000
// RUN: norm-run %s --function=ln_bf16 --input=@%t.pivot.npy --input=100000xf32=0 --input=100000xf32=0 --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_f16 --input=@%t.pivot.npy --input=100000xf16=1 --input=100000xf16=0 --check | FileCheck %s --check-prefix=THREE
// RUN: %python %S/Inputs/pivot_rows.py %t.pivot-f32.npy 4x50000
// RUN: norm-run %s --function=ln_f32 --input=@%t.pivot-f32.npy --input=50000xf32=1 --input=50000xf32=0 --check | FileCheck %s --check-prefix=THREE
// RUN: %python %S/Inputs/pivot_rows.py %t.pivot-short.npy 6x768
// RUN: norm-run %s --function=ln_bf16 --input=@%t.pivot-short.npy --input=768xf32=random --input=768xf32=random --check | FileCheck %s --check-prefix=THREE

// Rows of 256 KiB and more take their statistics in one read (Chan's blocks
// of 2048 elements); the last block is partial.
// RUN: norm-run %s --function=ln_f16 --input=2x140001xf16=random --input=140001xf16=random --input=140001xf16=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_bf16 --input=1x200003xbf16="random(-3,5)" --input=200003xf32=random --input=200003xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln_f32 --input=3x65537xf32="random(-50,-40)" --input=65537xf32=1 --input=65537xf32=0 --check | FileCheck %s --check-prefix=THREE
