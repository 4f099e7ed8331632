// RUN: not norm-compile %s -o %t.o 2>&1 | FileCheck %s --check-prefix=OP
// OP: norm-compile: error: function 'add': 'arith.constant' is not a norm op; the C ABI covers functions made of norm ops
// RUN: not norm-compile %S/../Tools/Inputs/bad-syntax.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: norm-compile: error: cannot parse
// RUN: not norm-compile %s -o %t.o --target-cpu=no-such-cpu 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: norm-compile: error: unknown --target-cpu 'no-such-cpu'
// RUN: not norm-compile %s -o %t.o --vector-width=-4 2>&1 | FileCheck %s --check-prefix=WIDTH
// WIDTH: norm-compile: error: --vector-width must be positive
func.func @add(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<1.0> : tensor<4xf32>
  %y = arith.addf %x, %c : tensor<4xf32>
  return %y : tensor<4xf32>
}
// RUN: not norm-compile %s -o %t.o --streaming-threshold=-1 2>&1 | FileCheck %s --check-prefix=STREAM
// STREAM: norm-compile: error: --streaming-threshold must not be negative
// RUN: not norm-compile %S/Inputs/passthrough.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=ARG
// ARG: norm-compile: error: function 'passthrough': result #0 is an argument; the C ABI needs every result computed by a norm op
// RUN: not norm-compile %S/Inputs/twice.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: norm-compile: error: function 'twice': result #1 repeats an earlier result; the C ABI needs distinct results
