//===- CompareTest.cpp - Comparing results with the reference -------------===//

#include "norm/Runner/Runner.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir::norm;

namespace {

HostTensor tensorOf(std::vector<double> values, DType type = DType::F32) {
  HostTensor t(type, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i)
    t.set(static_cast<int64_t>(i), values[i]);
  return t;
}

TEST(Compare, AcceptsRoundingOfTheResultType) {
  ref::Tensor want{{3}, {1.0 / 3, -2.0 / 3, 100.0 / 7}};
  for (DType type : {DType::F32, DType::F16, DType::BF16}) {
    Comparison c = compare(tensorOf(want.data, type), want, type);
    EXPECT_TRUE(c.passed()) << dtypeName(type).str();
  }
}

TEST(Compare, RejectsErrorsOverTheTolerance) {
  ref::Tensor want{{3}, {1, 2, 3}};
  Comparison c = compare(tensorOf({1, 2.01, 3}), want, DType::F32);
  EXPECT_FALSE(c.passed());
  EXPECT_EQ(c.mismatches, 1);
  EXPECT_NEAR(c.maxAbsError, 0.01, 1e-6);
  // The same error is fine in bf16.
  EXPECT_TRUE(compare(tensorOf({1, 2.01, 3}), want, DType::BF16).passed());
}

TEST(Compare, NaNMatchesOnlyNaN) {
  ref::Tensor want{{2}, {NAN, 1}};
  EXPECT_TRUE(compare(tensorOf({NAN, 1}), want, DType::F32).passed());
  Comparison c = compare(tensorOf({0, 1}), want, DType::F32);
  EXPECT_EQ(c.nanMismatches, 1);
  EXPECT_FALSE(c.passed());
  c = compare(tensorOf({NAN, NAN}), want, DType::F32);
  EXPECT_EQ(c.nanMismatches, 1);
}

TEST(Compare, InfinitiesMatchOnlyThemselves) {
  ref::Tensor want{{2}, {INFINITY, 1}};
  EXPECT_TRUE(compare(tensorOf({INFINITY, 1}), want, DType::F32).passed());
  EXPECT_FALSE(compare(tensorOf({-INFINITY, 1}), want, DType::F32).passed());
  EXPECT_FALSE(compare(tensorOf({1e30, 1}), want, DType::F32).passed());
}

TEST(Compare, ShapeMismatchFails) {
  ref::Tensor want{{2}, {1, 1}};
  EXPECT_FALSE(compare(tensorOf({1, 1, 1}), want, DType::F32).passed());
}

} // namespace
