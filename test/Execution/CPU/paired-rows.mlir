// bf16 rows normalized as their even and odd elements (docs/cpu.md, "bf16
// rows in pairs") give the same bits as the in-order code. @paired's
// operands along the row are all bf16, so its whole vectors take the paired
// path, prologue (the pass that stores the kept sum) and epilogue included;
// @in_order is the same computation with the residual and the bias as f32
// (the same values, widened by @params), which keeps both in order.
// @paired is checked against the float64 reference, @in_order against
// @paired with no tolerance, on the host, with AVX2 (no AVX512-BF16: the integer
// rounding of norm-expand-bf16) and on the x86-64 baseline. Rows of 1000
// end in a remainder (in order) after the whole vectors.
// RUN: norm-run %s --function=params --input=1000xbf16=random --input=6x1000xbf16=random --output=@%t.b16.npy --output=@%t.b32.npy --output=@%t.r16.npy --output=@%t.r32.npy | FileCheck %s --check-prefix=PARAMS
// RUN: norm-run %s --function=paired --input=6x1000xbf16=random --input=@%t.r16.npy --input=1000xbf16=random --input=1000xbf16=random --input=@%t.b16.npy --input=6xf32=random --output=@%t.y.npy --output=@%t.h.npy --check | FileCheck %s
// RUN: norm-run %s --function=in_order --input=6x1000xbf16=random --input=@%t.r32.npy --input=1000xbf16=random --input=1000xbf16=random --input=@%t.b32.npy --input=6xf32=random --expect=@%t.y.npy --expect=@%t.h.npy --tolerance=0,0 | FileCheck %s --check-prefix=EXPECT
// RUN: norm-run %s --function=paired --input=6x1000xbf16=random --input=@%t.r16.npy --input=1000xbf16=random --input=1000xbf16=random --input=@%t.b16.npy --input=6xf32=random --target-cpu=x86-64-v3 --output=@%t.y3.npy --output=@%t.h3.npy --check | FileCheck %s
// RUN: norm-run %s --function=in_order --input=6x1000xbf16=random --input=@%t.r32.npy --input=1000xbf16=random --input=1000xbf16=random --input=@%t.b32.npy --input=6xf32=random --target-cpu=x86-64-v3 --expect=@%t.y3.npy --expect=@%t.h3.npy --tolerance=0,0 | FileCheck %s --check-prefix=EXPECT
// RUN: norm-run %s --function=paired --input=6x1000xbf16=random --input=@%t.r16.npy --input=1000xbf16=random --input=1000xbf16=random --input=@%t.b16.npy --input=6xf32=random --target-cpu=x86-64 --output=@%t.y1.npy --output=@%t.h1.npy --check | FileCheck %s
// RUN: norm-run %s --function=in_order --input=6x1000xbf16=random --input=@%t.r32.npy --input=1000xbf16=random --input=1000xbf16=random --input=@%t.b32.npy --input=6xf32=random --target-cpu=x86-64 --expect=@%t.y1.npy --expect=@%t.h1.npy --tolerance=0,0 | FileCheck %s --check-prefix=EXPECT
// Training batch norm (NCHW bf16, planes of 200 as the rows, gamma and
// beta one value per channel) with an epilogue operand along the plane:
// paired with a bf16 operand, in order with the same values as f32.
// RUN: norm-run %s --function=params --input=1xbf16=random --input=5x40xbf16=random --output=@%t.unused16.npy --output=@%t.unused32.npy --output=@%t.e16.npy --output=@%t.e32.npy | FileCheck %s --check-prefix=PARAMS2
// RUN: norm-run %s --function=bn_paired --input=3x4x5x40xbf16=random --input=4xbf16=random --input=4xbf16=random --input=4xf32=random --input=4xf32=random --input=@%t.e16.npy --output=@%t.bny.npy --output=@%t.bnm.npy --check | FileCheck %s
// RUN: norm-run %s --function=bn_in_order --input=3x4x5x40xbf16=random --input=4xbf16=random --input=4xbf16=random --input=4xf32=random --input=4xf32=random --input=@%t.e32.npy --expect=@%t.bny.npy --expect=@%t.bnm.npy --tolerance=0,0 | FileCheck %s --check-prefix=EXPECT
// PARAMS2: result[3]: tensor<5x40xf32>
// PARAMS: result[0]: tensor<1000xbf16>
// PARAMS: result[1]: tensor<1000xf32>
// PARAMS: result[2]: tensor<6x1000xbf16>
// PARAMS: result[3]: tensor<6x1000xf32>
// CHECK: check result[0]: {{.*}}: ok
// CHECK: check result[1]: {{.*}}: ok
// EXPECT: expect result[0]: max abs error 0, {{.*}}: ok
// EXPECT: expect result[1]: max abs error 0, {{.*}}: ok

#row = affine_map<(d0, d1) -> (d1)>
#col = affine_map<(d0, d1) -> (d0)>

// The bias and the residual as bf16 and as f32, the same values.
func.func @params(%b: tensor<?xbf16>, %r: tensor<?x?xbf16>) -> (tensor<?xbf16>, tensor<?xf32>, tensor<?x?xbf16>, tensor<?x?xf32>) {
  %w = arith.extf %b : tensor<?xbf16> to tensor<?xf32>
  %n = arith.truncf %w : tensor<?xf32> to tensor<?xbf16>
  %rw = arith.extf %r : tensor<?x?xbf16> to tensor<?x?xf32>
  %rn = arith.truncf %rw : tensor<?x?xf32> to tensor<?x?xbf16>
  return %n, %w, %rn, %rw : tensor<?xbf16>, tensor<?xf32>, tensor<?x?xbf16>, tensor<?x?xf32>
}

// h = x + r (kept), LayerNorm(h), then a bf16 bias add, a per-row scale and
// a leaky ReLU; bf16 out.
func.func @paired(%x: tensor<?x?xbf16>, %r: tensor<?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>, %bias: tensor<?xbf16>, %s: tensor<?xf32>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>) {
  %y, %h = norm.layer_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) prologue(%r : tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  ^bb0(%a: bf16, %c: bf16):
    %0 = arith.addf %a, %c : bf16
    norm.yield %0 : bf16
  } epilogue(%bias, %s : tensor<?xbf16>, tensor<?xf32>) {
  ^bb0(%v: bf16, %bi: bf16, %sc: f32):
    %0 = arith.addf %v, %bi : bf16
    %1 = arith.extf %0 : bf16 to f32
    %2 = arith.mulf %1, %sc : f32
    %c = arith.constant 0.01 : f32
    %3 = arith.mulf %2, %c : f32
    %4 = arith.maximumf %2, %3 : f32
    %5 = arith.truncf %4 : f32 to bf16
    norm.yield %5 : bf16
  } {axes = array<i64: 1>, epilogue_maps = [#row, #col]} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y, %h : tensor<?x?xbf16>, tensor<?x?xbf16>
}

// The same with an f32 residual and bias: the bf16 adds are written out as
// they are computed (in f32, rounded to bf16 once).
func.func @in_order(%x: tensor<?x?xbf16>, %r: tensor<?x?xf32>, %g: tensor<?xbf16>, %b: tensor<?xbf16>, %bias: tensor<?xf32>, %s: tensor<?xf32>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>) {
  %y, %h = norm.layer_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) prologue(%r : tensor<?x?xf32>) -> tensor<?x?xbf16> {
  ^bb0(%a: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %sum = arith.addf %ae, %c : f32
    %0 = arith.truncf %sum : f32 to bf16
    norm.yield %0 : bf16
  } epilogue(%bias, %s : tensor<?xf32>, tensor<?xf32>) {
  ^bb0(%v: bf16, %bi: f32, %sc: f32):
    %e = arith.extf %v : bf16 to f32
    %sum = arith.addf %e, %bi : f32
    %0 = arith.truncf %sum : f32 to bf16
    %1 = arith.extf %0 : bf16 to f32
    %2 = arith.mulf %1, %sc : f32
    %c = arith.constant 0.01 : f32
    %3 = arith.mulf %2, %c : f32
    %4 = arith.maximumf %2, %3 : f32
    %5 = arith.truncf %4 : f32 to bf16
    norm.yield %5 : bf16
  } {axes = array<i64: 1>, epilogue_maps = [#row, #col]} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y, %h : tensor<?x?xbf16>, tensor<?x?xbf16>
}

#plane = affine_map<(d0, d1, d2, d3) -> (d2, d3)>

func.func @bn_paired(%x: tensor<?x?x?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>, %rm: tensor<?xf32>, %rv: tensor<?xf32>, %e: tensor<?x?xbf16>) -> (tensor<?x?x?x?xbf16>, tensor<?xf32>) {
  %y, %m, %v, %nrm, %nrv = norm.batch_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) running(%rm, %rv : tensor<?xf32>, tensor<?xf32>) epilogue(%e : tensor<?x?xbf16>) {
  ^bb0(%a: bf16, %c: bf16):
    %0 = arith.addf %a, %c : bf16
    norm.yield %0 : bf16
  } {epilogue_maps = [#plane]} : tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m : tensor<?x?x?x?xbf16>, tensor<?xf32>
}

func.func @bn_in_order(%x: tensor<?x?x?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>, %rm: tensor<?xf32>, %rv: tensor<?xf32>, %e: tensor<?x?xf32>) -> (tensor<?x?x?x?xbf16>, tensor<?xf32>) {
  %y, %m, %v, %nrm, %nrv = norm.batch_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) running(%rm, %rv : tensor<?xf32>, tensor<?xf32>) epilogue(%e : tensor<?x?xf32>) {
  ^bb0(%a: bf16, %c: f32):
    %ae = arith.extf %a : bf16 to f32
    %sum = arith.addf %ae, %c : f32
    %0 = arith.truncf %sum : f32 to bf16
    norm.yield %0 : bf16
  } {epilogue_maps = [#plane]} : tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m : tensor<?x?x?x?xbf16>, tensor<?xf32>
}
