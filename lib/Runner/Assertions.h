//===- Assertions.h - cf.assert in JIT-compiled functions ------*- C++ -*-===//
//
// Compiled, a failing cf.assert prints its message and aborts the process.
// norm-run checks before the call every assertion it can evaluate from the
// inputs' sizes (ConcreteShapes.h); the others (conditions on data, or on
// sizes it does not follow) become calls to a reporter that prints one line
// naming the assertion and exits with status 1.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_RUNNER_ASSERTIONS_H
#define NORM_LIB_RUNNER_ASSERTIONS_H

#include "mlir/IR/BuiltinOps.h"

namespace mlir::norm {

/// The reporter's symbol, to be resolved to `assertionReporter()`.
inline constexpr const char *kAssertionReporter = "norm_run_assertion_failed";

/// Rewrites each cf.assert of `module` as a call to the reporter when its
/// condition is false.
void trapAssertions(ModuleOp module);

/// The reporter: `void (int64_t id)`.
void *assertionReporter();

} // namespace mlir::norm

#endif // NORM_LIB_RUNNER_ASSERTIONS_H
