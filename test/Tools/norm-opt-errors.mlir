// norm-opt reports malformed input and exits non-zero instead of crashing.
// RUN: not norm-opt %S/Inputs/bad-syntax.mlir 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: error: expected ':'
// RUN: not norm-opt %S/Inputs/invalid-op.mlir --norm-decompose 2>&1 | FileCheck %s --check-prefix=VERIFY
// VERIFY: error: 'norm.layer_norm' op axis 3 in 'axes' is out of range for rank-2 input
// RUN: not norm-opt %s --no-such-pass 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: Unknown command line argument '--no-such-pass'
// Upstream MLIR 22 crashes on a linalg.broadcast whose `dimensions` do not
// parse (stock mlir-opt too); norm's tools reject it before parsing.
// RUN: not norm-opt %S/Inputs/linalg-broadcast-dimensions.mlir 2>&1 | FileCheck %s --check-prefix=UPSTREAM
// RUN: cat %S/Inputs/linalg-broadcast-dimensions.mlir | not norm-opt 2>&1 | FileCheck %s --check-prefix=UPSTREAM
// RUN: not norm-run %S/Inputs/linalg-broadcast-dimensions.mlir 2>&1 | FileCheck %s --check-prefix=UPSTREAM
// RUN: not norm-compile %S/Inputs/linalg-broadcast-dimensions.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=UPSTREAM
// UPSTREAM: {{.*}}:2:93: error: 'dimensions' of linalg.broadcast must hold 64-bit integers (MLIR 22's parser would crash here)
// UPSTREAM-NOT: Stack dump
