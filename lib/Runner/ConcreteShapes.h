//===- ConcreteShapes.h - A function's sizes for given inputs --*- C++ -*-===//
//
// Before a call, norm-run follows the sizes of the given inputs through the
// function: tensor.dim, index arithmetic, tensor.empty, reshapes, casts,
// linalg and norm ops. Whatever the types leave open and the compiled code
// would not check (or would check by aborting the process, as cf.assert
// does) is checked here, with an error naming the op:
// - cf.assert conditions (torch-mlir's "mismatched size for broadcast");
// - the operands of linalg ops against each other along each loop, and
//   reads at constant or offset positions against the operand's size;
// - gamma, beta, statistics and fused operands of norm ops against the
//   input;
// - tensor.cast to a static size, tensor.expand_shape's sizes, and
//   negative sizes of tensor.empty.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_RUNNER_CONCRETESHAPES_H
#define NORM_LIB_RUNNER_CONCRETESHAPES_H

#include "norm/Support/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace mlir::norm {

/// The sizes of a function's tensors and the values of its integer and
/// index scalars, for one set of inputs; values that could not be followed
/// are absent.
struct ConcreteShapes {
  llvm::DenseMap<Value, std::vector<int64_t>> shapes;
  llvm::DenseMap<Value, int64_t> integers;
  /// The loop sizes of each linalg op whose loops are all known.
  llvm::DenseMap<Operation *, std::vector<int64_t>> loops;

  const std::vector<int64_t> *shapeOf(Value v) const {
    auto it = shapes.find(v);
    return it == shapes.end() ? nullptr : &it->second;
  }
};

/// "'op.name' (file:line:col)", or without the location when it has none:
/// how norm-run names an op in its errors.
std::string describeOp(Operation *op);

/// Follows the sizes of `inputs` through `func` and checks them (see the
/// top of this file).
llvm::Expected<ConcreteShapes>
propagateShapes(func::FuncOp func, llvm::ArrayRef<HostTensor> inputs);

} // namespace mlir::norm

#endif // NORM_LIB_RUNNER_CONCRETESHAPES_H
