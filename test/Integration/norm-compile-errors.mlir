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
// Function names the header cannot declare as C functions, each named in a
// one-line error: not an identifier, a C or C++ keyword, main, reserved, the
// runtime's, and a name --tile-entry gives another function's row entry.
// RUN: sed 's/@NAME(/@"my-kernel"(/' %S/Inputs/c-names.mlir > %t.dash.mlir
// RUN: not norm-compile %t.dash.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=DASH
// DASH: norm-compile: error: function 'my-kernel': the name is not a C identifier (the header declares a C function of the function's name): rename the function
// RUN: sed 's/@NAME(/@class(/' %S/Inputs/c-names.mlir > %t.class.mlir
// RUN: not norm-compile %t.class.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=KEYWORD
// KEYWORD: norm-compile: error: function 'class': the name is a C or C++ keyword
// RUN: sed 's/@NAME(/@main(/' %S/Inputs/c-names.mlir > %t.main.mlir
// RUN: not norm-compile %t.main.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=MAIN
// MAIN: norm-compile: error: function 'main': the name is a C program's entry point
// RUN: sed 's/@NAME(/@_Kernel(/' %S/Inputs/c-names.mlir > %t.reserved.mlir
// RUN: not norm-compile %t.reserved.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=RESERVED
// RESERVED: norm-compile: error: function '_Kernel': the name is reserved to the C implementation
// RUN: sed 's/@NAME(/@norm_status(/' %S/Inputs/c-names.mlir > %t.runtime.mlir
// RUN: not norm-compile %t.runtime.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=RUNTIME
// RUNTIME: norm-compile: error: function 'norm_status': the name is a name of norm's runtime
// RUN: sed 's/@NAME/@kernel/' %S/Inputs/c-names.mlir > %t.rows.mlir
// RUN: norm-compile %t.rows.mlir -o %t.o --header %t.h
// RUN: not norm-compile %t.rows.mlir -o %t.o --tile-entry 2>&1 | FileCheck %s --check-prefix=ROWS
// ROWS: norm-compile: error: function 'kernel_rows' has the name of the symbol norm-compile makes for function 'kernel' (its _rows): rename one of them
