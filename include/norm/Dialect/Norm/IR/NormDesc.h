//===- NormDesc.h - What a normalization op computes ------------*- C++ -*-===//
//
// A plain description of a normalization, shared by every norm op, the
// decomposition to linalg and the float64 reference. It holds no MLIR types so
// that the reference and its unit tests do not depend on MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMDESC_H
#define NORM_DIALECT_NORM_IR_NORMDESC_H

#include <cstdint>
#include <vector>

namespace mlir::norm {

/// How the normalizing factor is formed from the reduced values.
enum class Scaling {
  /// rsqrt(mean((x - mean)^2) + eps), or rsqrt(mean(x^2) + eps) uncentered.
  Variance,
  /// 1 / max(sqrt(sum(x^2)), eps): the L2 norm, not divided by the count.
  L2Norm,
  /// 1 / (sqrt(var) + eps): epsilon on the standard deviation (layer_norm
  /// and rms_norm with `epsilon_placement = #norm.epsilon<std>`).
  StdPlusEpsilon,
};

/// Which statistics an op returns besides the normalized tensor.
enum class ReturnedStats { None, MeanVar, MeanRstd, Rstd };

/// Everything that distinguishes one normalization from another, in the
/// coordinates of the input tensor.
///
///   y = (x - mean) * inv * g + beta,  g = gamma or (1 + gamma)
///
/// where mean and inv are taken over `axes` (with `groupAxis` split into
/// `numGroups` equal groups), or read from operands when `givenStats`.
struct NormDesc {
  int64_t rank = 0;
  /// Reduced axes, strictly increasing. Empty when the statistics are given.
  std::vector<int64_t> axes;
  /// Axes gamma and beta vary along, strictly increasing; the parameter
  /// tensors have the input's extents on these axes, in this order.
  std::vector<int64_t> paramAxes;
  /// Axes the given statistics (inference) vary along.
  std::vector<int64_t> statsAxes;
  /// Group normalization: this axis is split into numGroups contiguous groups
  /// and each group is reduced separately. -1 when there are no groups.
  int64_t groupAxis = -1;
  int64_t numGroups = 1;

  bool center = true;
  Scaling scaling = Scaling::Variance;
  bool givenStats = false;
  double epsilon = 1e-5;
  bool zeroCenteredGamma = false;
  bool hasGamma = false;
  bool hasBeta = false;
  ReturnedStats stats = ReturnedStats::None;
  /// The variance divides by n - 1 (layer_norm's `variance_estimator =
  /// #norm.variance<unbiased>`); the returned variance too.
  bool unbiasedVar = false;

  /// Batch-norm training: new_running = (1 - w) * running + w * batch.
  bool updateRunning = false;
  double batchWeight = 0.1;
  /// Running variance uses var * n / (n - 1), with n / max(n - 1, 1).
  bool unbiasedRunningVar = true;

  bool isReduced(int64_t axis) const {
    for (int64_t a : axes)
      if (a == axis)
        return true;
    return false;
  }

  // Work coordinates: the input with groupAxis split into
  // (numGroups, channels per group). Without groups they are the input's.

  int64_t workRank() const { return groupAxis >= 0 ? rank + 1 : rank; }
  /// The work axes input axis `axis` became: two for the grouped axis.
  std::vector<int64_t> toWork(int64_t axis) const {
    if (groupAxis < 0 || axis < groupAxis)
      return {axis};
    if (axis == groupAxis)
      return {axis, axis + 1};
    return {axis + 1};
  }
  /// The work axes of a list of input axes, in order.
  std::vector<int64_t> toWork(const std::vector<int64_t> &inputAxes) const {
    std::vector<int64_t> result;
    for (int64_t a : inputAxes)
      for (int64_t w : toWork(a))
        result.push_back(w);
    return result;
  }
  /// Reduced work axes: a grouped axis keeps its group index and reduces over
  /// the channels within the group.
  std::vector<int64_t> reducedWorkAxes() const {
    std::vector<int64_t> result;
    for (int64_t a : axes)
      result.push_back(toWork(a).back());
    return result;
  }
  /// The shape of the statistics of an input of shape `shape`: the input
  /// without its reduced axes, where a grouped axis counts its groups.
  std::vector<int64_t> statsShape(const std::vector<int64_t> &shape) const {
    std::vector<int64_t> result;
    for (int64_t a = 0; a < rank; ++a) {
      if (a == groupAxis)
        result.push_back(numGroups);
      else if (!isReduced(a))
        result.push_back(shape[a]);
    }
    return result;
  }
};

} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_IR_NORMDESC_H
