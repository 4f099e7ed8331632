// Every bad invocation exits non-zero with a one-line reason.

// RUN: not norm-run %s.missing 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: norm-run: error: {{.*}}.missing

// RUN: not norm-run %s 2>&1 | FileCheck %s --check-prefix=WHICH
// WHICH: norm-run: error: the module has 6 functions; name one with --function

// RUN: not norm-run %s --function=nope 2>&1 | FileCheck %s --check-prefix=NOFUNC
// NOFUNC: norm-run: error: no function named 'nope'

// RUN: not norm-run %s --function=ln --input=4x8xf32=random 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: norm-run: error: function 'ln' takes 2 inputs, got 1 --input

// RUN: not norm-run %s --function=ln --input=4x8xf32=random --input=8xf32=random --output=@%t.a.npy --output=@%t.b.npy 2>&1 | FileCheck %s --check-prefix=OUTS
// OUTS: norm-run: error: function 'ln' has 1 results, got 2 --output

// RUN: not norm-run %s --function=ln --input=4x8xf32=whatever --input=8xf32=random 2>&1 | FileCheck %s --check-prefix=SPEC
// SPEC: norm-run: error: input #0: bad value 'whatever'

// RUN: not norm-run %s --function=ln --input=4x9xf32=random --input=8xf32=random 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: norm-run: error: input #0 is tensor<4x9xf32> but the argument is tensor<4x8xf32>

// RUN: not norm-run %s --function=ln --input=4x8xf16=random --input=8xf32=random 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: norm-run: error: input #0 is tensor<4x8xf16> but the argument is tensor<4x8xf32>

// RUN: not norm-run %s --function=ln --input=@%t.nonexistent.npy --input=8xf32=random 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: norm-run: error: input #0: cannot read '{{.*}}nonexistent.npy'

// RUN: not norm-run %s --function=ln --input=@%s --input=8xf32=random 2>&1 | FileCheck %s --check-prefix=BADNPY
// BADNPY: norm-run: error: input #0: '{{.*}}norm-run-errors.mlir': invalid .npy data: missing the \x93NUMPY magic string

// A result written with --output reads back as an input; a file of the wrong
// shape is rejected.
// RUN: norm-run %s --function=ln --input=4x8xf32=random --input=8xf32=random --output=@%t.y.npy
// RUN: norm-run %s --function=ln --input=@%t.y.npy --input=8xf32=1 --check | FileCheck %s --check-prefix=ROUNDTRIP
// ROUNDTRIP: check result[0]: {{.*}}: ok
// RUN: not norm-run %s --function=ln --input=8xf32=1 --input=@%t.y.npy 2>&1 | FileCheck %s --check-prefix=NPYSHAPE
// NPYSHAPE: norm-run: error: input #0 is tensor<8xf32> but the argument is tensor<4x8xf32>

// --check knows norm ops and elementwise linalg; the NaN poison shows what a kernel left unwritten.
// RUN: not norm-run %s --function=empty --input=4xf32=1 --check 2>&1 | FileCheck %s --check-prefix=NOREF
// NOREF: result[0]: tensor<4xf32> [{{-?}}nan, {{-?}}nan, {{-?}}nan, {{-?}}nan]
// NOREF: norm-run: error: --check has no float64 reference for result #0 (made by 'tensor.empty')

// Results that cannot be written, and --expect files that do not fit.
// RUN: not norm-run %s --function=ln --input=4x8xf32=random --input=8xf32=1 --output=@%t.missing/y.npy 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// UNWRITABLE: norm-run: error: cannot write '{{.*}}missing/y.npy': No such file or directory
// RUN: not norm-run %s --function=ln --input=4x8xf32=random --input=8xf32=1 --expect=@%t.missing.npy 2>&1 | FileCheck %s --check-prefix=EXPECTFILE
// EXPECTFILE: norm-run: error: cannot read '{{.*}}missing.npy'
// RUN: not norm-run %s --function=ln --input=4x8xf32=random --input=8xf32=1 --expect=%t.y.npy 2>&1 | FileCheck %s --check-prefix=EXPECTAT
// EXPECTAT: norm-run: error: --expect takes @FILE.npy, got '{{.*}}y.npy'
// RUN: norm-run %s --function=empty --input=4xf32=1 --output=@%t.four.npy
// RUN: not norm-run %s --function=ln --input=4x8xf32=random --input=8xf32=1 --expect=@%t.four.npy 2>&1 | FileCheck %s --check-prefix=EXPECTSHAPE
// EXPECTSHAPE: norm-run: error: --expect: result #0 is tensor<4x8xf32> but {{.*}}four.npy holds tensor<4xf32>
// RUN: not norm-run %s --function=ln --input=4x8xf32=random --input=8xf32=1 --expect=@%t.y.npy --expect=@%t.y.npy 2>&1 | FileCheck %s --check-prefix=EXPECTCOUNT
// EXPECTCOUNT: norm-run: error: function 'ln' has 1 results, got 2 --expect

// RUN: not norm-run %s --function=scalar --input=f32=1 2>&1 | FileCheck %s --check-prefix=SCALAR
// SCALAR: norm-run: error: input #0: argument type f32 is not a ranked tensor

// RUN: not norm-run --input=4xf32=1 %S/Inputs/bad-syntax.mlir 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: norm-run: error: cannot parse

// RUN: not norm-run --input=1x4xf32=1 %S/Inputs/invalid-op.mlir 2>&1 | FileCheck %s --check-prefix=VERIFY
// VERIFY: error: 'norm.layer_norm' op axis 3 in 'axes' is out of range for rank-2 input
// VERIFY: norm-run: error: cannot parse

func.func @ln(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<8xf32>) {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
func.func @empty(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  return %e : tensor<4xf32>
}
func.func @scalar(%x: f32) -> f32 {
  return %x : f32
}

// Dynamic sizes that the types cannot check are checked before the call, so
// the kernel never reads out of bounds.
// RUN: not norm-run %s --function=dyn --input=4x8xf32=random --input=7xf32=1 2>&1 | FileCheck %s --check-prefix=DYN
// DYN: norm-run: error: 'norm.layer_norm' (norm-run-errors.mlir:{{[0-9]+}}:{{[0-9]+}}): gamma has shape [7] but the input [4, 8] needs [8]
// RUN: not norm-run %s --function=dyn_groups --input=2x6x3xf32=random 2>&1 | FileCheck %s --check-prefix=GROUPS
// GROUPS: norm-run: error: 'norm.group_norm' ({{.*}}): 4 groups do not divide 6 channels
// RUN: not norm-run %s --function=dyn_infer --input=2x6xf32=random --input=6xf32=0 --input=5xf32=1 2>&1 | FileCheck %s --check-prefix=INFER
// INFER: norm-run: error: 'norm.batch_norm_inference' ({{.*}}): the variance operand has shape [5] but the input [2, 6] needs [6]
func.func @dyn(%x: tensor<?x?xf32>, %g: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @dyn_groups(%x: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %y = norm.group_norm %x {num_groups = 4} : tensor<?x?x?xf32> -> tensor<?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}
func.func @dyn_infer(%x: tensor<?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = norm.batch_norm_inference %x, %m, %v : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// RUN: not norm-run %s --function=ln --input=100000x160000xf32=1 --input=8xf32=1 2>&1 | FileCheck %s --check-prefix=HUGE
// HUGE: norm-run: error: input #0: '100000x160000xf32=1' needs {{[0-9]+}} MiB, more than half of this machine's memory
