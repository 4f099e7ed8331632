// norm-opt reports malformed input and exits non-zero instead of crashing.
// RUN: not norm-opt %S/Inputs/bad-syntax.mlir 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: error: expected ':'
// RUN: not norm-opt %S/Inputs/invalid-op.mlir --norm-decompose 2>&1 | FileCheck %s --check-prefix=VERIFY
// VERIFY: error: 'norm.layer_norm' op axis 3 in 'axes' is out of range for rank-2 input
// RUN: not norm-opt %s --no-such-pass 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: Unknown command line argument '--no-such-pass'
