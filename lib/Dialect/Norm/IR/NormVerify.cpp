//===- NormVerify.cpp - Checks shared by the norm op verifiers ------------===//

#include "NormVerify.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm;

std::string mlir::norm::formatDouble(double value) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%g", value);
  return s;
}

LogicalResult mlir::norm::verifyAxisList(Operation *op, StringRef name,
                                         ArrayRef<int64_t> axes, int64_t rank) {
  if (axes.empty())
    return op->emitOpError() << "'" << name << "' must not be empty";
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= rank)
      return op->emitOpError()
             << "axis " << axis << " in '" << name
             << "' is out of range for rank-" << rank << " input";
    if (llvm::is_contained(axes.take_front(i), axis))
      return op->emitOpError()
             << "axis " << axis << " appears twice in '" << name << "'";
    if (i > 0 && axes[i - 1] > axis)
      return op->emitOpError()
             << "'" << name << "' must be strictly increasing";
  }
  return success();
}

LogicalResult mlir::norm::verifyChannelAxis(Operation *op, int64_t axis,
                                            int64_t rank, int64_t minRank,
                                            StringRef layout) {
  if (rank < minRank)
    return op->emitOpError() << "expects an input of rank at least " << minRank
                             << " (" << layout << "), got rank " << rank;
  if (axis < 0 || axis >= rank)
    return op->emitOpError()
           << "channel_axis " << axis << " is out of range for rank-" << rank
           << " input";
  return success();
}

/// Prints a shape as `4x?x8` (`scalar` for rank 0).
static std::string shapeString(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << '?';
        else
          os << d;
      },
      "x");
  return s;
}

/// Checks that `value` has shape `expected`, where a dynamic extent on either
/// side matches anything.
static LogicalResult verifyShape(Operation *op, StringRef what, Value value,
                                 ArrayRef<int64_t> expected,
                                 StringRef because) {
  auto type = cast<RankedTensorType>(value.getType());
  bool ok = type.getRank() == static_cast<int64_t>(expected.size());
  for (auto [got, want] : llvm::zip(type.getShape(), expected))
    ok &= ShapedType::isDynamic(got) || ShapedType::isDynamic(want) ||
          got == want;
  if (ok)
    return success();
  return op->emitOpError() << what << " has shape "
                           << shapeString(type.getShape()) << " but " << because
                           << " is " << shapeString(expected);
}

static SmallVector<int64_t> extentsOn(ArrayRef<int64_t> shape,
                                      ArrayRef<int64_t> axes) {
  return llvm::map_to_vector(axes, [&](int64_t a) { return shape[a]; });
}

static LogicalResult verifyParam(Operation *op, StringRef name, Value value,
                                 const NormDesc &desc, RankedTensorType input) {
  if (!value)
    return success();
  Type elem = getElementTypeOrSelf(value.getType());
  if (elem != input.getElementType() && !elem.isF32())
    return op->emitOpError()
           << "'" << name << "' element type " << elem
           << " must be the input's (" << input.getElementType() << ") or f32";
  std::string because;
  llvm::raw_string_ostream os(because);
  os << "the input's extents on param_axes [";
  llvm::interleaveComma(desc.paramAxes, os);
  os << "]";
  return verifyShape(op, "'" + name.str() + "'", value,
                     extentsOn(input.getShape(), desc.paramAxes), because);
}

LogicalResult mlir::norm::verifyNormalization(NormalizationOpInterface op,
                                              double epsilon) {
  Operation *operation = op.getOperation();
  NormDesc desc = op.getDesc();
  // Everything below is about the tensor that is normalized: the input, or
  // what the prologue makes of it.
  auto input = RankedTensorType::get(
      cast<RankedTensorType>(op.getInput().getType()).getShape(),
      op.getNormalizedElementType());

  if (!std::isfinite(epsilon) || epsilon < 0)
    return op.emitOpError() << "epsilon must be finite and non-negative, got "
                            << formatDouble(epsilon);

  // An attribute the op does not define (a misspelt `epsilon_placment`, or
  // `variance_estimator` on an RMSNorm) would otherwise be ignored: the op
  // would compute the default formula. Extra attributes that passes attach
  // carry a dialect prefix (`norm.slot_range`).
  for (NamedAttribute attr : operation->getDiscardableAttrs())
    if (!attr.getName().strref().contains('.'))
      return op.emitOpError() << "has no attribute '" << attr.getName().strref()
                              << "' (extra attributes need a dialect prefix)";

  // The statistics are sums over whole rows or channels: a 16-bit type
  // (even the input's own) cannot accumulate them (a bf16 sum of 4096
  // squares stalls, an f16 one overflows), so arithmetic is f32 or f64.
  Type compute = op.getComputeElementType();
  if (!compute.isF32() && !compute.isF64())
    return op.emitOpError()
           << "compute_type " << compute
           << " must be f32 or f64 (statistics are not accumulated in 16 bits)";

  // With an epilogue the region verifier checks the element type.
  auto output = cast<RankedTensorType>(op.getOutput().getType());
  if (op.getEpilogue().empty() ? output != input
                               : output.getShape() != input.getShape())
    return op.emitOpError()
           << "result type " << output << " must be "
           << (op.getPrologue().empty() ? "the input type " : "") << input;

  StringRef scaleName = isa<L2NormalizeOp>(operation) ? "scale" : "gamma";
  if (failed(verifyParam(operation, scaleName, op.getScaleOperand(), desc,
                         input)) ||
      failed(verifyParam(operation, "beta", op.getShiftOperand(), desc, input)))
    return failure();

  // Given statistics (inference) and running statistics (training) both
  // have the input's extents on the channel axis.
  SmallVector<int64_t> perChannel = extentsOn(
      input.getShape(), desc.givenStats ? desc.statsAxes : desc.paramAxes);
  for (auto [name, value] :
       {std::pair<StringRef, Value>{"mean", op.getMeanOperand()},
        {"variance", op.getVarOperand()}}) {
    if (value && failed(verifyShape(operation, name.str() + " operand", value,
                                    perChannel, "the channel count")))
      return failure();
  }
  for (Value running : op.getRunningResults())
    if (failed(verifyShape(operation, "running statistics result", running,
                           perChannel, "the channel count")))
      return failure();

  std::vector<int64_t> stats = desc.statsShape(
      std::vector<int64_t>(input.getShape().begin(), input.getShape().end()));
  for (Value result : op.getStatsResults())
    if (failed(verifyShape(operation, "statistics result", result, stats,
                           "the input without its reduced axes")))
      return failure();
  return success();
}
