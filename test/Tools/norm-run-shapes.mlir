// norm-run follows the inputs' sizes through the function before the call
// (tensor.dim, index arithmetic, tensor.empty, reshapes, casts, linalg and
// norm ops) and rejects, with the op and its location, what the compiled
// code would get wrong or abort on.

// torch-mlir's broadcast assertions (cf.assert aborts the process when it
// fails in compiled code) are checked first; with fitting inputs the
// program runs and --check evaluates it, index arithmetic and all.
// RUN: not norm-run %s --function=prenorm --input=3x5x64xf32=random --input=4x5x64xf32=random --input=64xf32=random 2>&1 | FileCheck %s --check-prefix=ASSERT
// ASSERT: norm-run: error: 'cf.assert' (norm-run-shapes.mlir:{{[0-9]+}}:{{[0-9]+}}): these inputs fail the program's assertion "mismatched size for broadcast"
// RUN: not norm-run %s --function=prenorm --input=3x5x64xf32=random --input=3x6x64xf32=random --input=64xf32=random 2>&1 | FileCheck %s --check-prefix=ASSERT
// RUN: norm-run %s --function=prenorm --input=3x5x64xf32=random --input=3x5x64xf32=random --input=64xf32=random --check | FileCheck %s --check-prefix=OK2
// OK2-COUNT-2: check result[{{[01]}}]: {{.*}}: ok
func.func @prenorm(%x: tensor<?x?x64xf32>, %r: tensor<?x?x64xf32>, %g: tensor<64xf32>) -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %x, %c0 : tensor<?x?x64xf32>
  %d1 = tensor.dim %x, %c1 : tensor<?x?x64xf32>
  %e0 = tensor.dim %r, %c0 : tensor<?x?x64xf32>
  %same0 = arith.cmpi eq, %d0, %e0 : index
  cf.assert %same0, "mismatched size for broadcast"
  %e1 = tensor.dim %r, %c1 : tensor<?x?x64xf32>
  %same1 = arith.cmpi eq, %d1, %e1 : index
  cf.assert %same1, "mismatched size for broadcast"
  %y, %h = norm.layer_norm %x gamma(%g : tensor<64xf32>) prologue(%r : tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } {axes = array<i64: 2>} : tensor<?x?x64xf32> -> tensor<?x?x64xf32>
  return %y, %h : tensor<?x?x64xf32>, tensor<?x?x64xf32>
}

// An elementwise op on dynamic operands that do not agree (no assertion
// guards it), and a read at a constant position of an empty dimension.
// RUN: not norm-run %s --function=add --input=3x8xf32=random --input=4x8xf32=random 2>&1 | FileCheck %s --check-prefix=LOOPS
// LOOPS: norm-run: error: 'linalg.generic' (norm-run-shapes.mlir:{{.*}}): operand #1 has size 4 along loop d0 but operand #0 has size 3
// RUN: norm-run %s --function=add --input=3x8xf32=random --input=3x8xf32=random --check | FileCheck %s --check-prefix=OK1
// OK1: check result[0]: {{.*}}: ok
// RUN: not norm-run %s --function=row0 --input=0x8xf32=1 --input=3x8xf32=1 2>&1 | FileCheck %s --check-prefix=CONST
// CONST: norm-run: error: 'linalg.generic' ({{.*}}): operand #0 is accessed at 0 in its dimension 0 of size 0
// RUN: norm-run %s --function=row0 --input=1x8xf32=random --input=3x8xf32=random --check | FileCheck %s --check-prefix=OK1
#id = affine_map<(d0, d1) -> (d0, d1)>
#row0 = affine_map<(d0, d1) -> (0, d1)>
func.func @add(%a: tensor<?x8xf32>, %b: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<?x8xf32>, tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %t = arith.addf %u, %v : f32
    linalg.yield %t : f32
  } -> tensor<?x8xf32>
  return %s : tensor<?x8xf32>
}
func.func @row0(%a: tensor<?x8xf32>, %b: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %b, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %s = linalg.generic {indexing_maps = [#row0, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<?x8xf32>, tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %t = arith.addf %u, %v : f32
    linalg.yield %t : f32
  } -> tensor<?x8xf32>
  return %s : tensor<?x8xf32>
}

// Sizes computed in the program: a negative tensor.empty size, a cast to a
// static size the input does not have, an expand_shape that does not
// multiply out. Dynamic reshapes are evaluated by --check.
// RUN: not norm-run %s --function=shrink --input=3x8xf32=random 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// NEGATIVE: norm-run: error: 'tensor.empty' ({{.*}}): a negative size, -1
// RUN: norm-run %s --function=shrink --input=5x8xf32=random | FileCheck %s --check-prefix=SHRUNK
// SHRUNK: result[0]: tensor<1x8xf32>
// RUN: not norm-run %s --function=cast --input=3x8xf32=random 2>&1 | FileCheck %s --check-prefix=CAST
// CAST: norm-run: error: 'tensor.cast' ({{.*}}): casts a tensor of shape [3, 8] to [4, 8]
// RUN: norm-run %s --function=cast --input=4x8xf32=random --check | FileCheck %s --check-prefix=OK1
// RUN: not norm-run %s --function=expand --input=5x8xf32=random 2>&1 | FileCheck %s --check-prefix=EXPAND
// EXPAND: norm-run: error: 'tensor.expand_shape' ({{.*}}): expands a tensor of shape [40] into [2, 2, 8]
// RUN: norm-run %s --function=expand --input=4x8xf32=random --check | FileCheck %s --check-prefix=OK1
func.func @shrink(%a: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %n = tensor.dim %a, %c0 : tensor<?x8xf32>
  %m = arith.subi %n, %c4 : index
  %e = tensor.empty(%m) : tensor<?x8xf32>
  %f = arith.constant 1.0 : f32
  %y = linalg.fill ins(%f : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
func.func @cast(%a: tensor<?x8xf32>) -> tensor<4x8xf32> {
  %s = tensor.cast %a : tensor<?x8xf32> to tensor<4x8xf32>
  %y = norm.rms_norm %s {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
func.func @expand(%a: tensor<?x8xf32>) -> tensor<?x?x8xf32> {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %flat = tensor.collapse_shape %a [[0, 1]] : tensor<?x8xf32> into tensor<?xf32>
  %x = tensor.expand_shape %flat [[0, 1, 2]] output_shape [%c2, %c2, 8] : tensor<?xf32> into tensor<?x?x8xf32>
  %y = norm.rms_norm %x {axes = array<i64: 2>} : tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}

// tensor.reshape to a shape built from known scalars (torch-mlir's view).
// RUN: not norm-run %s --function=reshape --input=3x8xf32=random 2>&1 | FileCheck %s --check-prefix=RESHAPE
// RESHAPE: norm-run: error: 'tensor.reshape' ({{.*}}): reshapes a tensor of shape [3, 8] into [2, 2, 8]
// RUN: norm-run %s --function=reshape --input=4x8xf32=random --check | FileCheck %s --check-prefix=OK1
func.func @reshape(%a: tensor<?x8xf32>) -> tensor<?x?x8xf32> {
  %c2 = arith.constant 2 : i64
  %c8 = arith.constant 8 : i64
  %shape = tensor.from_elements %c2, %c2, %c8 : tensor<3xi64>
  %x = tensor.reshape %a(%shape) : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x?x8xf32>
  %y = norm.rms_norm %x {axes = array<i64: 2>} : tensor<?x?x8xf32> -> tensor<?x?x8xf32>
  return %y : tensor<?x?x8xf32>
}

// An assertion on data cannot be checked before the call: compiled, it
// reports itself in one line and exits with status 1 instead of aborting.
// RUN: not norm-run %s --function=positive --input=4x8xf32=-1 2>&1 | FileCheck %s --check-prefix=TRAP
// RUN: not norm-run %s --function=positive --input=4x8xf32=-1 --pipeline=reference 2>&1 | FileCheck %s --check-prefix=TRAP
// TRAP: norm-run: error: 'cf.assert' ({{.*}}norm-run-shapes.mlir:{{[0-9]+}}:{{[0-9]+}}): the program's assertion "x[0, 0] must be positive" failed during the call
// TRAP-NOT: Stack dump
// RUN: norm-run %s --function=positive --input=4x8xf32=1 | FileCheck %s --check-prefix=PASSES
// PASSES: result[0]: tensor<4x8xf32>
func.func @positive(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %v = tensor.extract %a[%c0, %c0] : tensor<4x8xf32>
  %ok = arith.cmpf ogt, %v, %zero : f32
  cf.assert %ok, "x[0, 0] must be positive"
  %y = norm.rms_norm %a {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// A shape operand computed on rank-0 integer tensors (ONNX's Reshape to
// Shape(x)) is followed as well.
// RUN: not norm-run %s --function=scalar_shape --input=3x8xf32=random 2>&1 | FileCheck %s --check-prefix=SCALAR
// SCALAR: norm-run: error: 'tensor.reshape' ({{.*}}): reshapes a tensor of shape [3, 8] into [4, 8]
// RUN: norm-run %s --function=scalar_shape --input=4x8xf32=random --check | FileCheck %s --check-prefix=OK1
func.func @scalar_shape(%a: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c4 = arith.constant dense<4> : tensor<i64>
  %e = tensor.empty() : tensor<i64>
  %n = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%c4 : tensor<i64>) outs(%e : tensor<i64>) {
  ^bb0(%in: i64, %out: i64):
    linalg.yield %in : i64
  } -> tensor<i64>
  %v = tensor.extract %n[] : tensor<i64>
  %c8 = arith.constant 8 : i64
  %shape = tensor.from_elements %v, %c8 : tensor<2xi64>
  %x = tensor.reshape %a(%shape) : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x8xf32> -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
