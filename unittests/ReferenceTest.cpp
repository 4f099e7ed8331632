//===- ReferenceTest.cpp - The float64 reference on hand-computed cases ---===//

#include "norm/Reference/Reference.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir::norm;
using ref::Tensor;

namespace {

ref::Results run(const NormDesc &desc, const ref::Operands &ops) {
  ref::Results results;
  std::string error;
  EXPECT_TRUE(ref::evaluate(desc, ops, results, error)) << error;
  return results;
}

void expectNear(const std::vector<double> &got, const std::vector<double> &want,
                double tol = 1e-12) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

NormDesc layerNorm(int64_t rank, std::vector<int64_t> axes) {
  NormDesc d;
  d.rank = rank;
  d.axes = axes;
  d.paramAxes = axes;
  d.epsilon = 0;
  return d;
}

TEST(Reference, LayerNormWithAffineAndStats) {
  // mean 2.5, biased variance 1.25.
  Tensor x{{1, 4}, {1, 2, 3, 4}};
  Tensor gamma{{4}, {1, 2, 1, 1}};
  Tensor beta{{4}, {0, 0, 1, 0}};
  NormDesc d = layerNorm(2, {1});
  d.hasGamma = d.hasBeta = true;
  d.stats = ReturnedStats::MeanRstd;
  ref::Results r = run(d, {&x, &gamma, &beta});
  double s = 1 / std::sqrt(1.25);
  expectNear(r.output.data, {-1.5 * s, -0.5 * s * 2, 0.5 * s + 1, 1.5 * s});
  ASSERT_EQ(r.stats.size(), 2u);
  expectNear(r.stats[0].data, {2.5});
  expectNear(r.stats[1].data, {s});
  EXPECT_EQ(r.stats[0].shape, std::vector<int64_t>{1});
}

TEST(Reference, LayerNormReturnsVarianceWhenAsked) {
  Tensor x{{2, 2}, {1, 3, 10, 20}};
  NormDesc d = layerNorm(2, {1});
  d.stats = ReturnedStats::MeanVar;
  ref::Results r = run(d, {&x});
  expectNear(r.stats[0].data, {2, 15});
  expectNear(r.stats[1].data, {1, 25});
  expectNear(r.output.data, {-1, 1, -1, 1});
}

TEST(Reference, LayerNormOverAMiddleAxis) {
  // NCHW with N=1, C=2, H=1, W=2, normalized over C as ConvNeXt does.
  Tensor x{{1, 2, 1, 2}, {1, 10, 3, 30}};
  NormDesc d = layerNorm(4, {1});
  ref::Results r = run(d, {&x});
  // Pixel 0 sees {1, 3}, pixel 1 sees {10, 30}.
  expectNear(r.output.data, {-1, -1, 1, 1});
}

TEST(Reference, PerExampleAffine) {
  // adaLN: gamma varies along the batch and feature axes.
  Tensor x{{2, 2}, {1, 3, 1, 3}};
  Tensor gamma{{2, 2}, {1, 2, 3, 4}};
  NormDesc d = layerNorm(2, {1});
  d.paramAxes = {0, 1};
  d.hasGamma = true;
  ref::Results r = run(d, {&x, &gamma});
  expectNear(r.output.data, {-1, 2, -3, 4});
}

TEST(Reference, ZeroCenteredGamma) {
  Tensor x{{1, 2}, {1, 3}};
  Tensor gamma{{2}, {0, 1}};
  NormDesc d = layerNorm(2, {1});
  d.hasGamma = true;
  d.zeroCenteredGamma = true;
  ref::Results r = run(d, {&x, &gamma});
  expectNear(r.output.data, {-1, 2});
}

TEST(Reference, ConstantRowGivesZeroNotNaN) {
  Tensor x{{1, 3}, {7, 7, 7}};
  NormDesc d = layerNorm(2, {1});
  d.epsilon = 1e-5;
  ref::Results r = run(d, {&x});
  expectNear(r.output.data, {0, 0, 0});
}

TEST(Reference, NaNStaysInItsRow) {
  Tensor x{{2, 2}, {NAN, 1, 1, 3}};
  NormDesc d = layerNorm(2, {1});
  ref::Results r = run(d, {&x});
  EXPECT_TRUE(std::isnan(r.output.data[0]));
  EXPECT_TRUE(std::isnan(r.output.data[1]));
  expectNear({r.output.data[2], r.output.data[3]}, {-1, 1});
}

TEST(Reference, RMSNorm) {
  Tensor x{{1, 2}, {3, 4}};
  NormDesc d = layerNorm(2, {1});
  d.center = false;
  d.stats = ReturnedStats::Rstd;
  ref::Results r = run(d, {&x});
  double s = 1 / std::sqrt(12.5);
  expectNear(r.output.data, {3 * s, 4 * s});
  expectNear(r.stats[0].data, {s});
}

TEST(Reference, L2NormalizeClampsSmallNorms) {
  Tensor x{{3, 2}, {3, 4, 0, 0, 1e-13, 0}};
  NormDesc d = layerNorm(2, {1});
  d.center = false;
  d.scaling = Scaling::L2Norm;
  d.epsilon = 1e-12;
  ref::Results r = run(d, {&x});
  expectNear(r.output.data, {0.6, 0.8, 0, 0, 0.1, 0});
}

TEST(Reference, GroupNorm) {
  // (N=1, C=4, L=1) in 2 groups: {1, 3} and {10, 20}.
  Tensor x{{1, 4, 1}, {1, 3, 10, 20}};
  Tensor gamma{{4}, {1, 1, 2, 1}};
  NormDesc d;
  d.rank = 3;
  d.axes = {1, 2};
  d.paramAxes = {1};
  d.groupAxis = 1;
  d.numGroups = 2;
  d.epsilon = 0;
  d.hasGamma = true;
  ref::Results r = run(d, {&x, &gamma});
  expectNear(r.output.data, {-1, 1, -2, 1});
}

TEST(Reference, InstanceNorm) {
  // (N=1, C=2, L=2): each channel on its own.
  Tensor x{{1, 2, 2}, {1, 3, 10, 30}};
  NormDesc d;
  d.rank = 3;
  d.axes = {2};
  d.paramAxes = {1};
  d.epsilon = 0;
  ref::Results r = run(d, {&x});
  expectNear(r.output.data, {-1, 1, -1, 1});
}

NormDesc batchNormTraining(bool unbiased) {
  NormDesc d;
  d.rank = 2;
  d.axes = {0};
  d.paramAxes = {1};
  d.epsilon = 0;
  d.stats = ReturnedStats::MeanVar;
  d.updateRunning = true;
  d.batchWeight = 0.1;
  d.unbiasedRunningVar = unbiased;
  return d;
}

TEST(Reference, BatchNormTrainingUpdatesRunningStats) {
  // Channel 0 sees {1, 3}: mean 2, var 1; channel 1 sees {10, 30}.
  Tensor x{{2, 2}, {1, 10, 3, 30}};
  Tensor rm{{2}, {0, 0}}, rv{{2}, {1, 1}};
  ref::Results r =
      run(batchNormTraining(true), {&x, nullptr, nullptr, &rm, &rv});
  expectNear(r.output.data, {-1, -1, 1, 1});
  expectNear(r.stats[0].data, {2, 20});
  expectNear(r.stats[1].data, {1, 100});
  ASSERT_EQ(r.running.size(), 2u);
  expectNear(r.running[0].data, {0.2, 2.0});
  // Unbiased: var * 2 / 1.
  expectNear(r.running[1].data, {0.9 + 0.1 * 2, 0.9 + 0.1 * 200});
  r = run(batchNormTraining(false), {&x, nullptr, nullptr, &rm, &rv});
  expectNear(r.running[1].data, {0.9 + 0.1, 0.9 + 0.1 * 100});
}

TEST(Reference, BatchNormOneValuePerChannelKeepsRunningVarFinite) {
  Tensor x{{1, 2}, {5, 6}};
  Tensor rm{{2}, {0, 0}}, rv{{2}, {1, 1}};
  ref::Results r =
      run(batchNormTraining(true), {&x, nullptr, nullptr, &rm, &rv});
  // n / max(n - 1, 1) = 1 and the batch variance is 0.
  expectNear(r.running[1].data, {0.9, 0.9});
}

TEST(Reference, BatchNormInference) {
  Tensor x{{1, 2, 1}, {3, 3}};
  Tensor mean{{2}, {1, 2}}, var{{2}, {4, 1}};
  NormDesc d;
  d.rank = 3;
  d.givenStats = true;
  d.statsAxes = {1};
  d.paramAxes = {1};
  d.epsilon = 0;
  ref::Results r = run(d, {&x, nullptr, nullptr, &mean, &var});
  expectNear(r.output.data, {1, 1});
}

TEST(Reference, RejectsMismatchedShapes) {
  Tensor x{{2, 3}, {1, 2, 3, 4, 5, 6}};
  Tensor gamma{{2}, {1, 1}};
  NormDesc d = layerNorm(2, {1});
  d.hasGamma = true;
  ref::Results r;
  std::string error;
  EXPECT_FALSE(ref::evaluate(d, {&x, &gamma}, r, error));
  EXPECT_NE(error.find("gamma"), std::string::npos);

  NormDesc g;
  g.rank = 2;
  g.axes = {1};
  g.groupAxis = 1;
  g.numGroups = 2;
  g.paramAxes = {1};
  EXPECT_FALSE(ref::evaluate(g, {&x}, r, error));
  EXPECT_NE(error.find("groups"), std::string::npos);
}

} // namespace
