//===- EvaluateElementwise.h - Float64 evaluation of elementwise ops -----===//

#ifndef NORM_LIB_RUNNER_EVALUATEELEMENTWISE_H
#define NORM_LIB_RUNNER_EVALUATEELEMENTWISE_H

#include "norm/Reference/Reference.h"
#include "norm/Support/HostTensor.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/Support/Error.h"

namespace mlir::norm {

/// `value` rounded to the float type `type` (unchanged for other types).
double roundToType(Type type, double value);

/// Evaluates an all-parallel, one-result linalg.generic whose result has
/// shape `shape`; each input element is read rounded to its element type.
llvm::Expected<ref::Tensor>
evaluateGeneric(linalg::GenericOp generic,
                llvm::function_ref<const ref::Tensor *(Value)> lookup,
                std::vector<int64_t> shape);

} // namespace mlir::norm

#endif // NORM_LIB_RUNNER_EVALUATEELEMENTWISE_H
