// Rows of 1 KiB to 256 KiB whose output leaves the L3 (the 16 MiB
// streaming threshold) run pipelined: each thread normalizes a row in the
// loop that sums the next one (lib/Conversion/NormToVector/
// PipelinedRows.cpp). Against the float64 reference: LayerNorm f32 rows of
// 4112 (64-lane vectors and a remainder of 16) with a NaN in row 40 (NaN in
// that row only) and first elements 300 in rows 33 and 64 (the exact
// squares pass of a row taken as the pipeline's next row, and of a chunk's
// first row); RMSNorm f32 rows of 4096; LayerNorm bf16 rows of 8192 and of
// 1024 (2 KiB: the L1 prefetch 4 KiB ahead lands two rows on); an
// RMSNorm with a fused bias and SiLU (test/Execution/CPU/fusion/silu.mlir
// at 1100x4096; the plain kernel below AVX-512's width); a residual add
// whose sum is returned (stored beside the output by the normalizing pass)
// before an f32 RMSNorm; the bf16 transformer block of bench/fusion.mlir
// (a returned residual sum, LayerNorm, bias, GELU), which keeps the plain
// kernel (streamed, the sum stored by its first pass and read back).
// Rows of 512 bytes to 8 KiB whose output stays in cache take the same
// pipeline with ordinary stores (not centered f32 rows): RMSNorm f32 rows
// of 1040 (4160 bytes, a remainder of 16) with the same NaN row, LayerNorm
// bf16 rows of 768 and 256, RMSNorm f32 rows of 2048 and 136 (544 bytes,
// a remainder of 8).
// Problems under 64 KiB (no thread team) pipeline such rows on the calling
// thread: RMSNorm f32 8x1040, LayerNorm bf16 16x768, and LayerNorm f32
// 15x1040 (centered f32 rows, pipelined only there); at AVX-512's width,
// so do such rows up to 160 KiB: LayerNorm f32 35x1040 (the same bits with
// 1 and 3 threads) and LayerNorm bf16 60x1024.
// One and three threads give the same bits, in and out of cache.
// RUN: %python %S/Inputs/pipelined_rows.py %t.x.npy 1100x4112
// RUN: norm-run %s --function=ln --input=@%t.x.npy --input=4112xf32=random --input=4112xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=rms --input=1100x4096xf32=random --input=4096xf32=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --function=ln_bf16 --input=1100x8192xbf16=random --input=8192xbf16=random --input=8192xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=ln_bf16 --input=9001x1024xbf16=random --input=1024xbf16=random --input=1024xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-opt %s --norm-fuse-elementwise -o %t.fused.mlir
// RUN: norm-run %t.fused.mlir --function=silu --input=1100x4096xf32=random --input=4096xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %t.fused.mlir --function=residual --input=1100x4096xf32=random --input=1100x4096xf32=random --input=4096xf32=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %t.fused.mlir --function=block_bf16 --input=2100x4096xbf16=random --input=2100x4096xbf16=random --input=4096xbf16=random --input=4096xbf16=random --input=4096xbf16=random --check | FileCheck %s --check-prefix=TWO
// RUN: env NORM_NUM_THREADS=1 norm-run %s --function=ln --input=@%t.x.npy --input=4112xf32=random --input=4112xf32=random --output=@%t.y1.npy --output=@%t.m1.npy --output=@%t.r1.npy
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=ln --input=@%t.x.npy --input=4112xf32=random --input=4112xf32=random --output=@%t.y3.npy --output=@%t.m3.npy --output=@%t.r3.npy
// RUN: cmp %t.y1.npy %t.y3.npy
// RUN: cmp %t.m1.npy %t.m3.npy
// RUN: cmp %t.r1.npy %t.r3.npy
// RUN: %python %S/Inputs/pipelined_rows.py %t.c.npy 300x1040
// RUN: norm-run %s --function=rms --input=@%t.c.npy --input=1040xf32=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --function=ln_bf16 --input=500x768xbf16=random --input=768xbf16=random --input=768xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=rms --input=200x2048xf32=random --input=2048xf32=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --function=ln_bf16 --input=1000x256xbf16=random --input=256xbf16=random --input=256xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=rms --input=2000x136xf32=random --input=136xf32=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --function=rms --input=8x1040xf32=random --input=1040xf32=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --function=ln_bf16 --input=16x768xbf16=random --input=768xbf16=random --input=768xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: %python %S/Inputs/pipelined_rows.py %t.s.npy 15x1040
// RUN: norm-run %s --function=ln --input=@%t.s.npy --input=1040xf32=random --input=1040xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: %python %S/Inputs/pipelined_rows.py %t.m.npy 35x1040
// RUN: env NORM_NUM_THREADS=1 norm-run %s --function=ln --input=@%t.m.npy --input=1040xf32=random --input=1040xf32=random --check --output=@%t.m1.npy --output=@%t.mm1.npy --output=@%t.mr1.npy | FileCheck %s --check-prefix=THREE
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=ln --input=@%t.m.npy --input=1040xf32=random --input=1040xf32=random --output=@%t.m3.npy --output=@%t.mm3.npy --output=@%t.mr3.npy
// RUN: cmp %t.m1.npy %t.m3.npy
// RUN: cmp %t.mr1.npy %t.mr3.npy
// RUN: norm-run %s --function=ln_bf16 --input=60x1024xbf16=random --input=1024xbf16=random --input=1024xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: env NORM_NUM_THREADS=1 norm-run %s --function=rms --input=@%t.c.npy --input=1040xf32=random --output=@%t.cy1.npy --output=@%t.cr1.npy
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=rms --input=@%t.c.npy --input=1040xf32=random --output=@%t.cy3.npy --output=@%t.cr3.npy
// RUN: cmp %t.cy1.npy %t.cy3.npy
// RUN: cmp %t.cr1.npy %t.cr3.npy
// ONE: check result[0]: {{.*}}: ok
// TWO: check result[0]: {{.*}}: ok
// TWO: check result[1]: {{.*}}: ok
// THREE: check result[0]: {{.*}}: ok
// THREE: check result[1]: {{.*}}: ok
// THREE: check result[2]: {{.*}}: ok
func.func @ln(%x: tensor<?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %r = norm.layer_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {axes = array<i64: 1>, stats = #norm.stats<mean_rstd>} : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %r : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @rms(%x: tensor<?x?xf32>, %g: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>) {
  %y, %r = norm.rms_norm %x gamma(%g : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>
  return %y, %r : tensor<?x?xf32>, tensor<?xf32>
}
func.func @ln_bf16(%x: tensor<?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
func.func @silu(%x: tensor<1100x4096xf32>, %bias: tensor<4096xf32>) -> tensor<1100x4096xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<1100x4096xf32> -> tensor<1100x4096xf32>
  %e = tensor.empty() : tensor<1100x4096xf32>
  %bb = linalg.broadcast ins(%bias : tensor<4096xf32>) outs(%e : tensor<1100x4096xf32>) dimensions = [0]
  %yb = arith.addf %y, %bb : tensor<1100x4096xf32>
  %n = arith.negf %yb : tensor<1100x4096xf32>
  %ex = math.exp %n : tensor<1100x4096xf32>
  %one = arith.constant dense<1.0> : tensor<1100x4096xf32>
  %den = arith.addf %ex, %one : tensor<1100x4096xf32>
  %z = arith.divf %yb, %den : tensor<1100x4096xf32>
  return %z : tensor<1100x4096xf32>
}
func.func @residual(%x: tensor<1100x4096xf32>, %r: tensor<1100x4096xf32>, %g: tensor<4096xf32>) -> (tensor<1100x4096xf32>, tensor<1100x4096xf32>) {
  %h = arith.addf %x, %r : tensor<1100x4096xf32>
  %y = norm.rms_norm %h gamma(%g : tensor<4096xf32>) {axes = array<i64: 1>} : tensor<1100x4096xf32> -> tensor<1100x4096xf32>
  return %y, %h : tensor<1100x4096xf32>, tensor<1100x4096xf32>
}
func.func @block_bf16(%x: tensor<?x?xbf16>, %r: tensor<?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>, %bias: tensor<?xbf16>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?x?xbf16>
  %d = tensor.dim %x, %c1 : tensor<?x?xbf16>
  %e = tensor.empty(%n, %d) : tensor<?x?xbf16>
  %h = linalg.add ins(%x, %r : tensor<?x?xbf16>, tensor<?x?xbf16>) outs(%e : tensor<?x?xbf16>) -> tensor<?x?xbf16>
  %y = norm.layer_norm %h gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y, %bias : tensor<?x?xbf16>, tensor<?xbf16>) outs(%e : tensor<?x?xbf16>) {
  ^bb0(%a: bf16, %c: bf16, %o: bf16):
    %af = arith.extf %a : bf16 to f32
    %cf = arith.extf %c : bf16 to f32
    %s = arith.addf %af, %cf : f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %k = arith.constant 0.70710678118654752 : f32
    %t0 = arith.mulf %s, %k : f32
    %t1 = math.erf %t0 : f32
    %t2 = arith.addf %t1, %one : f32
    %t3 = arith.mulf %s, %half : f32
    %t4 = arith.mulf %t3, %t2 : f32
    %t5 = arith.truncf %t4 : f32 to bf16
    linalg.yield %t5 : bf16
  } -> tensor<?x?xbf16>
  return %z, %h : tensor<?x?xbf16>, tensor<?x?xbf16>
}
