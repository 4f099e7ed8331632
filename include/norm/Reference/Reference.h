//===- Reference.h - Float64 reference of the norm ops ----------*- C++ -*-===//
//
// A direct float64 evaluation of a NormDesc, written independently of the
// MLIR lowerings: norm-run --check and the execution tests compare every
// compiled result against it.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_REFERENCE_REFERENCE_H
#define NORM_REFERENCE_REFERENCE_H

#include "norm/Dialect/Norm/IR/NormDesc.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::norm::ref {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
};

/// The operands of a norm op; absent ones are null.
struct Operands {
  const Tensor *input = nullptr;
  const Tensor *gamma = nullptr;
  const Tensor *beta = nullptr;
  /// Given statistics (inference) or running statistics (training).
  const Tensor *mean = nullptr;
  const Tensor *var = nullptr;
};

/// The results of a norm op, in the order the op returns them.
struct Results {
  Tensor output;
  /// As desc.stats says: {mean, var}, {mean, rstd}, {rstd} or nothing.
  std::vector<Tensor> stats;
  /// {running mean, running var} when desc.updateRunning.
  std::vector<Tensor> running;
};

/// The shapes a norm op's operands and results have for a given input shape.
struct Shapes {
  std::vector<int64_t> param;   // gamma and beta
  std::vector<int64_t> stats;   // statistics results
  std::vector<int64_t> channel; // given or running statistics
};

/// Derives the shapes for an input of shape `input`. Returns false and sets
/// `error` when the input itself does not fit `desc` (rank, groups).
bool deriveShapes(const NormDesc &desc, const std::vector<int64_t> &input,
                  Shapes &shapes, std::string &error);

/// Evaluates `desc` on `operands` in float64. Returns false and sets `error`
/// when the operands do not fit the description.
bool evaluate(const NormDesc &desc, const Operands &operands, Results &results,
              std::string &error);

} // namespace mlir::norm::ref

#endif // NORM_REFERENCE_REFERENCE_H
