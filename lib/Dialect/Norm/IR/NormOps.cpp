//===- NormOps.cpp - Operations of the norm dialect -----------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "FusedRegions.h"
#include "NormVerify.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm;

#include "norm/Dialect/Norm/IR/NormEnums.cpp.inc"
#include "norm/Dialect/Norm/IR/NormInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "norm/Dialect/Norm/IR/NormOps.cpp.inc"

static int64_t rankOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getRank();
}

/// Every axis of a rank-`rank` tensor except those in `keep`.
static std::vector<int64_t> allAxesBut(int64_t rank,
                                       std::initializer_list<int64_t> keep) {
  std::vector<int64_t> axes;
  for (int64_t a = 0; a < rank; ++a)
    if (llvm::find(keep, a) == keep.end())
      axes.push_back(a);
  return axes;
}

/// Fills the parts of a NormDesc that every op with gamma and beta shares.
template <typename OpTy> static NormDesc affineDesc(OpTy op) {
  NormDesc desc;
  desc.rank = rankOf(op.getInput());
  desc.epsilon = op.getEpsilon().convertToDouble();
  desc.hasGamma = static_cast<bool>(op.getGamma());
  desc.hasBeta = static_cast<bool>(op.getBeta());
  desc.zeroCenteredGamma = op.getZeroCenteredGamma();
  return desc;
}

/// Checks the number of statistics results of layer_norm and rms_norm.
static LogicalResult verifyStatsCount(Operation *op, size_t count,
                                      size_t expected, StringRef what) {
  if (count == 0 || count == expected)
    return success();
  return op->emitOpError() << "expects 0 or " << expected
                           << " statistics results (" << what << "), got "
                           << count;
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

NormDesc LayerNormOp::getDesc() {
  NormDesc desc = affineDesc(*this);
  if (getEpsilonPlacement() == EpsilonPlacement::std)
    desc.scaling = Scaling::StdPlusEpsilon;
  desc.unbiasedVar = getVarianceEstimator() == VarianceEstimator::unbiased;
  desc.axes.assign(getAxes().begin(), getAxes().end());
  ArrayRef<int64_t> params = getParamAxes().value_or(getAxes());
  desc.paramAxes.assign(params.begin(), params.end());
  if (!getStatistics().empty())
    desc.stats = getStats() == StatsKind::mean_var ? ReturnedStats::MeanVar
                                                   : ReturnedStats::MeanRstd;
  return desc;
}

LogicalResult LayerNormOp::verify() {
  int64_t rank = rankOf(getInput());
  if (failed(verifyAxisList(*this, "axes", getAxes(), rank)))
    return failure();
  if (auto params = getParamAxes())
    if (failed(verifyAxisList(*this, "param_axes", *params, rank)))
      return failure();
  if (failed(verifyStatsCount(*this, getStatistics().size(), 2,
                              "mean and rstd or variance")))
    return failure();
  if (getVarianceEstimator() == VarianceEstimator::unbiased) {
    // n / (n - 1) needs two values; a dynamic n of 1 gives NaN (0 / 0), as
    // torch.var does.
    auto type = cast<RankedTensorType>(getInput().getType());
    int64_t n = 1;
    bool dynamic = false;
    for (int64_t a : getAxes()) {
      dynamic |= type.isDynamicDim(a);
      n *= type.isDynamicDim(a) ? 1 : type.getDimSize(a);
    }
    if (!dynamic && n == 1)
      return emitOpError("the unbiased variance needs at least two reduced "
                         "elements; the reduced axes hold one");
  }
  return verifyNormalization(*this, getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// RMSNormOp
//===----------------------------------------------------------------------===//

NormDesc RMSNormOp::getDesc() {
  NormDesc desc = affineDesc(*this);
  desc.center = false;
  if (getEpsilonPlacement() == EpsilonPlacement::std)
    desc.scaling = Scaling::StdPlusEpsilon;
  desc.axes.assign(getAxes().begin(), getAxes().end());
  ArrayRef<int64_t> params = getParamAxes().value_or(getAxes());
  desc.paramAxes.assign(params.begin(), params.end());
  if (!getStatistics().empty())
    desc.stats = ReturnedStats::Rstd;
  return desc;
}

LogicalResult RMSNormOp::verify() {
  int64_t rank = rankOf(getInput());
  if (failed(verifyAxisList(*this, "axes", getAxes(), rank)))
    return failure();
  if (auto params = getParamAxes())
    if (failed(verifyAxisList(*this, "param_axes", *params, rank)))
      return failure();
  if (failed(verifyStatsCount(*this, getStatistics().size(), 1, "rstd")))
    return failure();
  return verifyNormalization(*this, getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

double BatchNormOp::getEffectiveMomentum() {
  if (auto momentum = getMomentum())
    return momentum->convertToDouble();
  return getMomentumConvention() == MomentumConvention::torch ? 0.1 : 0.9;
}

NormDesc BatchNormOp::getDesc() {
  NormDesc desc = affineDesc(*this);
  int64_t c = getChannelAxis();
  desc.axes = allAxesBut(desc.rank, {c});
  desc.paramAxes = {c};
  desc.stats = getStats() == StatsKind::mean_var ? ReturnedStats::MeanVar
                                                 : ReturnedStats::MeanRstd;
  desc.updateRunning = static_cast<bool>(getRunningMean());
  double momentum = getEffectiveMomentum();
  desc.batchWeight = getMomentumConvention() == MomentumConvention::torch
                         ? momentum
                         : 1.0 - momentum;
  desc.unbiasedRunningVar =
      getRunningVarEstimator() == RunningVarEstimator::unbiased;
  return desc;
}

LogicalResult BatchNormOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  if (failed(verifyChannelAxis(*this, getChannelAxis(), input.getRank(), 2,
                               "N, C, spatial...")))
    return failure();
  if (static_cast<bool>(getRunningMean()) != static_cast<bool>(getRunningVar()))
    return emitOpError("running_mean and running_var must be given together");
  size_t expected = getRunningMean() ? 2 : 0;
  if (getRunning().size() != expected)
    return emitOpError() << "expects " << expected
                         << " running statistics results, one per running "
                            "statistics operand, got "
                         << getRunning().size();
  double momentum = getEffectiveMomentum();
  if (!(momentum >= 0.0 && momentum <= 1.0))
    return emitOpError() << "momentum " << formatDouble(momentum)
                         << " is outside [0, 1]";
  if (getRunningMean() &&
      getRunningVarEstimator() == RunningVarEstimator::unbiased) {
    // n / (n - 1) is undefined for one value per channel (PyTorch raises).
    int64_t count = 1;
    for (int64_t axis : getDesc().axes)
      count = input.isDynamicDim(axis)       ? ShapedType::kDynamic
              : ShapedType::isDynamic(count) ? count
                                             : count * input.getDimSize(axis);
    if (count == 1)
      return emitOpError("unbiased running variance needs more than one value "
                         "per channel, got 1; use "
                         "running_var_estimator = #norm.running_var<biased>");
  }
  return verifyNormalization(*this, getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// BatchNormInferenceOp
//===----------------------------------------------------------------------===//

NormDesc BatchNormInferenceOp::getDesc() {
  NormDesc desc = affineDesc(*this);
  int64_t c = getChannelAxis();
  desc.givenStats = true;
  desc.statsAxes = {c};
  desc.paramAxes = {c};
  return desc;
}

LogicalResult BatchNormInferenceOp::verify() {
  if (failed(verifyChannelAxis(*this, getChannelAxis(), rankOf(getInput()), 2,
                               "N, C, spatial...")))
    return failure();
  return verifyNormalization(*this, getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// InstanceNormOp
//===----------------------------------------------------------------------===//

NormDesc InstanceNormOp::getDesc() {
  NormDesc desc = affineDesc(*this);
  int64_t c = getChannelAxis();
  desc.axes = allAxesBut(desc.rank, {0, c});
  desc.paramAxes = {c};
  return desc;
}

LogicalResult InstanceNormOp::verify() {
  int64_t rank = rankOf(getInput());
  if (failed(verifyChannelAxis(*this, getChannelAxis(), rank, 3,
                               "N, C, spatial...")))
    return failure();
  if (getChannelAxis() == 0)
    return emitOpError("channel_axis 0 is the batch axis");
  return verifyNormalization(*this, getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// GroupNormOp
//===----------------------------------------------------------------------===//

NormDesc GroupNormOp::getDesc() {
  NormDesc desc = affineDesc(*this);
  int64_t c = getChannelAxis();
  desc.axes = allAxesBut(desc.rank, {0});
  desc.paramAxes = {c};
  desc.groupAxis = c;
  desc.numGroups = getNumGroups();
  return desc;
}

LogicalResult GroupNormOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  if (failed(verifyChannelAxis(*this, getChannelAxis(), input.getRank(), 2,
                               "N, C, spatial...")))
    return failure();
  int64_t c = getChannelAxis();
  if (c == 0)
    return emitOpError("channel_axis 0 is the batch axis");
  int64_t groups = getNumGroups();
  if (groups <= 0)
    return emitOpError() << "num_groups must be positive, got " << groups;
  int64_t channels = input.getDimSize(c);
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return emitOpError() << "num_groups " << groups << " does not divide the "
                         << channels << " channels on axis " << c;
  return verifyNormalization(*this, getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// L2NormalizeOp
//===----------------------------------------------------------------------===//

NormDesc L2NormalizeOp::getDesc() {
  NormDesc desc;
  desc.rank = rankOf(getInput());
  desc.center = false;
  desc.scaling = Scaling::L2Norm;
  desc.epsilon = getEpsilon().convertToDouble();
  desc.axes.assign(getAxes().begin(), getAxes().end());
  ArrayRef<int64_t> params = getParamAxes().value_or(getAxes());
  desc.paramAxes.assign(params.begin(), params.end());
  desc.hasGamma = static_cast<bool>(getScale());
  return desc;
}

LogicalResult L2NormalizeOp::verify() {
  int64_t rank = rankOf(getInput());
  if (failed(verifyAxisList(*this, "axes", getAxes(), rank)))
    return failure();
  if (auto params = getParamAxes())
    if (failed(verifyAxisList(*this, "param_axes", *params, rank)))
      return failure();
  return verifyNormalization(*this, getEpsilon().convertToDouble());
}

LogicalResult mlir::norm::verifyNoNormOpsLeft(Operation *root,
                                              StringRef message) {
  WalkResult left = root->walk([&](NormalizationOpInterface op) {
    op.emitOpError(message);
    return WalkResult::interrupt();
  });
  return failure(left.wasInterrupted());
}
