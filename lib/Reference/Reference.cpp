//===- Reference.cpp - Float64 reference of the norm ops ------------------===//
//
// Deliberately simple: every element's statistics slot and parameter slot are
// computed from its multi-index, and the formula is applied as documented.
//
//===----------------------------------------------------------------------===//

#include "norm/Reference/Reference.h"

#include <algorithm>
#include <cmath>

using namespace mlir::norm;
using namespace mlir::norm::ref;

namespace {

/// Linear indices of every input element into the statistics, the
/// parameters and the given statistics.
struct Indexing {
  std::vector<int64_t> statsShape, paramShape;
  std::vector<int64_t> givenShape; // given or running statistics
  std::vector<int64_t> stat, param, given;
  double count = 1; // reduced elements per statistics slot
};

} // namespace

static int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

bool ref::deriveShapes(const NormDesc &desc, const std::vector<int64_t> &shape,
                       Shapes &shapes, std::string &error) {
  int64_t rank = static_cast<int64_t>(shape.size());
  if (rank != desc.rank) {
    error = "input has rank " + std::to_string(rank) + ", expected " +
            std::to_string(desc.rank);
    return false;
  }
  if (desc.groupAxis >= 0) {
    int64_t channels = shape[desc.groupAxis];
    if (desc.numGroups <= 0 || channels % desc.numGroups != 0) {
      error = std::to_string(desc.numGroups) + " groups do not divide " +
              std::to_string(channels) + " channels";
      return false;
    }
  }
  shapes = Shapes();
  for (int64_t a = 0; a < rank; ++a) {
    if (a == desc.groupAxis)
      shapes.stats.push_back(desc.numGroups);
    else if (!desc.isReduced(a))
      shapes.stats.push_back(shape[a]);
  }
  for (int64_t a : desc.paramAxes)
    shapes.param.push_back(shape[a]);
  for (int64_t a : desc.givenStats ? desc.statsAxes : desc.paramAxes)
    shapes.channel.push_back(shape[a]);
  return true;
}

static bool buildIndexing(const NormDesc &desc,
                          const std::vector<int64_t> &shape, Indexing &ix,
                          std::string &error) {
  Shapes shapes;
  if (!ref::deriveShapes(desc, shape, shapes, error))
    return false;
  ix.statsShape = shapes.stats;
  ix.paramShape = shapes.param;
  ix.givenShape = shapes.channel;
  int64_t rank = desc.rank;
  int64_t groupSize =
      desc.groupAxis >= 0 ? shape[desc.groupAxis] / desc.numGroups : 1;
  for (int64_t a = 0; a < rank; ++a) {
    if (a == desc.groupAxis)
      ix.count *= static_cast<double>(groupSize);
    else if (desc.isReduced(a))
      ix.count *= static_cast<double>(shape[a]);
  }

  int64_t n = product(shape);
  ix.stat.resize(n);
  ix.param.resize(n);
  ix.given.resize(n);
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t s = 0, p = 0, g = 0;
    for (int64_t a = 0; a < rank; ++a) {
      if (a == desc.groupAxis)
        s = s * desc.numGroups + index[a] / groupSize;
      else if (!desc.isReduced(a))
        s = s * shape[a] + index[a];
    }
    for (int64_t a : desc.paramAxes)
      p = p * shape[a] + index[a];
    for (int64_t a : desc.statsAxes)
      g = g * shape[a] + index[a];
    ix.stat[i] = s;
    ix.param[i] = p;
    ix.given[i] = g;
    for (int64_t a = rank - 1; a >= 0; --a) {
      if (++index[a] < shape[a])
        break;
      index[a] = 0;
    }
  }
  return true;
}

static bool checkShape(const char *name, const Tensor *t,
                       const std::vector<int64_t> &expected,
                       std::string &error) {
  if (!t)
    return true;
  if (t->shape != expected ||
      static_cast<int64_t>(t->data.size()) != product(expected)) {
    error = std::string(name) + " does not have the expected shape";
    return false;
  }
  return true;
}

bool ref::evaluate(const NormDesc &desc, const Operands &ops, Results &results,
                   std::string &error) {
  if (!ops.input) {
    error = "no input";
    return false;
  }
  const Tensor &x = *ops.input;
  if (static_cast<int64_t>(x.data.size()) != product(x.shape)) {
    error = "input data does not match its shape";
    return false;
  }
  Indexing ix;
  if (!buildIndexing(desc, x.shape, ix, error))
    return false;
  if (!checkShape("gamma", desc.hasGamma ? ops.gamma : nullptr, ix.paramShape,
                  error) ||
      !checkShape("beta", desc.hasBeta ? ops.beta : nullptr, ix.paramShape,
                  error))
    return false;
  if ((desc.hasGamma && !ops.gamma) || (desc.hasBeta && !ops.beta) ||
      ((desc.givenStats || desc.updateRunning) && (!ops.mean || !ops.var))) {
    error = "an operand the description needs is missing";
    return false;
  }
  const std::vector<int64_t> &channelShape = ix.givenShape;
  if ((desc.givenStats || desc.updateRunning) &&
      (!checkShape("mean", ops.mean, channelShape, error) ||
       !checkShape("var", ops.var, channelShape, error)))
    return false;

  int64_t n = static_cast<int64_t>(x.data.size());
  int64_t slots = product(ix.statsShape);
  std::vector<double> mean(slots, 0.0), var(slots, 0.0), inv(slots, 0.0);
  if (!desc.givenStats) {
    if (desc.center) {
      for (int64_t i = 0; i < n; ++i)
        mean[ix.stat[i]] += x.data[i];
      for (double &m : mean)
        m /= ix.count;
    }
    std::vector<double> sumSq(slots, 0.0);
    for (int64_t i = 0; i < n; ++i) {
      double d = x.data[i] - mean[ix.stat[i]];
      sumSq[ix.stat[i]] += d * d;
    }
    for (int64_t s = 0; s < slots; ++s) {
      if (desc.scaling == Scaling::L2Norm) {
        inv[s] = 1.0 / std::max(std::sqrt(sumSq[s]), desc.epsilon);
      } else {
        var[s] = sumSq[s] / (desc.unbiasedVar ? ix.count - 1.0 : ix.count);
        inv[s] = desc.scaling == Scaling::StdPlusEpsilon
                     ? 1.0 / (std::sqrt(var[s]) + desc.epsilon)
                     : 1.0 / std::sqrt(var[s] + desc.epsilon);
      }
    }
  }

  results.output = {x.shape, std::vector<double>(n)};
  for (int64_t i = 0; i < n; ++i) {
    double m, r;
    if (desc.givenStats) {
      m = ops.mean->data[ix.given[i]];
      r = 1.0 / std::sqrt(ops.var->data[ix.given[i]] + desc.epsilon);
    } else {
      m = mean[ix.stat[i]];
      r = inv[ix.stat[i]];
    }
    double y = (x.data[i] - m) * r;
    if (desc.hasGamma) {
      double g = ops.gamma->data[ix.param[i]];
      y *= desc.zeroCenteredGamma ? 1.0 + g : g;
    }
    if (desc.hasBeta)
      y += ops.beta->data[ix.param[i]];
    results.output.data[i] = y;
  }

  results.stats.clear();
  switch (desc.stats) {
  case ReturnedStats::None:
    break;
  case ReturnedStats::Rstd:
    results.stats.push_back({ix.statsShape, inv});
    break;
  case ReturnedStats::MeanVar:
    results.stats.push_back({ix.statsShape, mean});
    results.stats.push_back({ix.statsShape, var});
    break;
  case ReturnedStats::MeanRstd:
    results.stats.push_back({ix.statsShape, mean});
    results.stats.push_back({ix.statsShape, inv});
    break;
  }

  results.running.clear();
  if (desc.updateRunning) {
    // Batch norm keeps only the channel axis, so the statistics slots are
    // the channels.
    double factor = 1.0;
    if (desc.unbiasedRunningVar)
      factor = ix.count / std::max(ix.count - 1.0, 1.0);
    double w = desc.batchWeight;
    Tensor rm{channelShape, std::vector<double>(slots)};
    Tensor rv{channelShape, std::vector<double>(slots)};
    for (int64_t s = 0; s < slots; ++s) {
      rm.data[s] = (1.0 - w) * ops.mean->data[s] + w * mean[s];
      rv.data[s] = (1.0 - w) * ops.var->data[s] + w * var[s] * factor;
    }
    results.running = {rm, rv};
  }
  return true;
}
