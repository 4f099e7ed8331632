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

/// What a generic's body may read from outside it: evaluated tensors, and
/// the integer sizes followed from the inputs.
struct BodyContext {
  llvm::function_ref<const ref::Tensor *(Value)> lookup;
  llvm::function_ref<std::optional<int64_t>(Value)> integer;
};

/// Evaluates a one-result linalg.generic with loops of sizes `loops` whose
/// result has shape `resultShape`; each input element is read rounded to
/// its element type. A body that reads its output (a reduction) starts
/// from the init's values and accumulates in float64; `linalg.index` and
/// `tensor.extract` at computed positions are evaluated too.
/// The float64 values of each result of `generic` (loops of extents
/// `loops`; results of shapes `resultShapes` unless they start from their
/// inits).
llvm::Expected<std::vector<ref::Tensor>>
evaluateGeneric(linalg::GenericOp generic, const BodyContext &context,
                ArrayRef<int64_t> loops,
                ArrayRef<std::vector<int64_t>> resultShapes);

} // namespace mlir::norm

#endif // NORM_LIB_RUNNER_EVALUATEELEMENTWISE_H
