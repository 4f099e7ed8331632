// --streaming-threshold=0 runs the kernels that stream their outputs out
// (non-temporal stores, rows pipelined with the next row's statistics) on
// small tensors. They compute the same bits as the kernels for outputs that
// stay in cache (docs/cpu.md, "Memory traffic"): LayerNorm f32 rows of 1040
// (pipelined, a remainder of 16 after the whole vectors, chunks of 32 rows
// and a last chunk of 8), RMSNorm bf16 rows of 1024 with a returned
// residual sum (pipelined, the sum stored beside the output), the bf16
// pre-norm block with GELU (streamed by the plain kernel), each against the
// float64 reference and against the default threshold's output, bit for
// bit, with 1 and 3 threads.
// RUN: norm-run %s --function=ln --input=40x1040xf32=random --input=1040xf32=random --streaming-threshold=0 --check --output=@%t.ln0.npy | FileCheck %s --check-prefix=ONE
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=ln --input=40x1040xf32=random --input=1040xf32=random --output=@%t.ln.npy
// RUN: cmp %t.ln0.npy %t.ln.npy
// RUN: norm-run %s --function=llm --input=70x1024xbf16=random --input=70x1024xbf16=random --input=1024xbf16=random --streaming-threshold=0 --check --output=@%t.y0.npy --output=@%t.h0.npy | FileCheck %s --check-prefix=TWO
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=llm --input=70x1024xbf16=random --input=70x1024xbf16=random --input=1024xbf16=random --output=@%t.y.npy --output=@%t.h.npy
// RUN: cmp %t.y0.npy %t.y.npy
// RUN: cmp %t.h0.npy %t.h.npy
// RUN: norm-run %s --function=block --input=70x1024xbf16=random --input=70x1024xbf16=random --input=1024xbf16=random --input=1024xbf16=random --streaming-threshold=0 --check --output=@%t.b0.npy --output=@%t.r0.npy | FileCheck %s --check-prefix=TWO
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=block --input=70x1024xbf16=random --input=70x1024xbf16=random --input=1024xbf16=random --input=1024xbf16=random --output=@%t.b.npy --output=@%t.r.npy
// RUN: cmp %t.b0.npy %t.b.npy
// RUN: cmp %t.r0.npy %t.r.npy
// RUN: not norm-run %s --function=ln --input=4x1040xf32=random --input=1040xf32=random --streaming-threshold=-1 2>&1 | FileCheck %s --check-prefix=NEG
// ONE: check result[0]: {{.*}}: ok
// TWO: check result[0]: {{.*}}: ok
// TWO: check result[1]: {{.*}}: ok
// NEG: norm-run: error: --streaming-threshold must not be negative
func.func @ln(%x: tensor<?x?xf32>, %g: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @llm(%x: tensor<?x?xbf16>, %r: tensor<?x?xbf16>, %g: tensor<?xbf16>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>) {
  %y, %h = norm.rms_norm %x gamma(%g : tensor<?xbf16>) prologue(%r : tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  ^bb0(%a: bf16, %b: bf16):
    %s = arith.addf %a, %b : bf16
    norm.yield %s : bf16
  } {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y, %h : tensor<?x?xbf16>, tensor<?x?xbf16>
}
func.func @block(%x: tensor<?x?xbf16>, %r: tensor<?x?xbf16>, %g: tensor<?xbf16>, %bias: tensor<?xbf16>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>) {
  %y, %h = norm.layer_norm %x gamma(%g : tensor<?xbf16>) prologue(%r : tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  ^bb0(%a: bf16, %b: bf16):
    %s = arith.addf %a, %b : bf16
    norm.yield %s : bf16
  } epilogue(%bias : tensor<?xbf16>) {
  ^bb0(%a: bf16, %c: bf16):
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
    norm.yield %t5 : bf16
  } {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>]} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y, %h : tensor<?x?xbf16>, tensor<?x?xbf16>
}
