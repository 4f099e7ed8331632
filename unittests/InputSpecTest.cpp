//===- InputSpecTest.cpp - Parsing norm-run's --input values --------------===//

#include "norm/Support/InputSpec.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir::norm;

namespace {

std::string errorOf(const char *text) {
  auto spec = parseInputSpec(text);
  EXPECT_FALSE(static_cast<bool>(spec)) << text;
  return spec ? "" : llvm::toString(spec.takeError());
}

TEST(InputSpec, ParsesEveryForm) {
  auto file = parseInputSpec("@dir/x.npy");
  ASSERT_TRUE(static_cast<bool>(file));
  EXPECT_EQ(file->kind, InputSpec::Kind::File);
  EXPECT_EQ(file->path, "dir/x.npy");

  auto random = parseInputSpec("4x768xbf16=random");
  ASSERT_TRUE(static_cast<bool>(random));
  EXPECT_EQ(random->kind, InputSpec::Kind::Random);
  EXPECT_EQ(random->dtype, DType::BF16);
  EXPECT_EQ(random->shape, (std::vector<int64_t>{4, 768}));
  EXPECT_EQ(random->low, -1.0);
  EXPECT_EQ(random->high, 1.0);

  auto range = parseInputSpec("16xf32=random(0.5,2)");
  ASSERT_TRUE(static_cast<bool>(range));
  EXPECT_EQ(range->low, 0.5);
  EXPECT_EQ(range->high, 2.0);

  auto splat = parseInputSpec("2x0xf16=-1.5e2");
  ASSERT_TRUE(static_cast<bool>(splat));
  EXPECT_EQ(splat->kind, InputSpec::Kind::Splat);
  EXPECT_EQ(splat->value, -150.0);
  EXPECT_EQ(splat->shape, (std::vector<int64_t>{2, 0}));

  auto scalar = parseInputSpec("f32=nan");
  ASSERT_TRUE(static_cast<bool>(scalar));
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_TRUE(std::isnan(scalar->value));
}

TEST(InputSpec, RejectsMalformedValues) {
  EXPECT_NE(errorOf("4x768xf32").find("neither"), std::string::npos);
  EXPECT_NE(errorOf("4x768=random").find("unknown element type '768'"),
            std::string::npos);
  EXPECT_NE(errorOf("4xi32=1").find("unknown element type 'i32'"),
            std::string::npos);
  EXPECT_NE(errorOf("4xf64=1").find("f64 inputs"), std::string::npos);
  EXPECT_NE(errorOf("4x?xf32=1").find("need known sizes"), std::string::npos);
  EXPECT_NE(errorOf("-1xf32=1").find("bad dimension"), std::string::npos);
  EXPECT_NE(errorOf("4xxf32=1").find("bad dimension"), std::string::npos);
  EXPECT_NE(errorOf("1000000x1000000xf32=1").find("too large"),
            std::string::npos);
  EXPECT_NE(errorOf("4xf32=abc").find("bad value"), std::string::npos);
  EXPECT_NE(errorOf("4xf32=").find("bad value"), std::string::npos);
  EXPECT_NE(errorOf("4xf32=1e999").find("bad value"), std::string::npos);
  EXPECT_NE(errorOf("4xf32=random(2,1)").find("LOW < HIGH"), std::string::npos);
  EXPECT_NE(errorOf("4xf32=random(1,").find("random(LOW,HIGH)"),
            std::string::npos);
  EXPECT_NE(errorOf("4xf32=randomly").find("random(LOW,HIGH)"),
            std::string::npos);
  EXPECT_NE(errorOf("@").find("file name"), std::string::npos);
  EXPECT_NE(errorOf("4xi8=random+nan").find("no NaN"), std::string::npos);
  EXPECT_NE(errorOf("4xf32=random(1,2)+na").find("random(LOW,HIGH)"),
            std::string::npos);
}

TEST(InputSpec, RandomWithOneNaN) {
  // random+nan: the same values as random, but for one element (drawn
  // from the same stream, so the same for a seed) that is NaN.
  auto spec = parseInputSpec("300xf16=random(1,2)+nan");
  ASSERT_TRUE(static_cast<bool>(spec));
  EXPECT_TRUE(spec->oneNaN);
  EXPECT_EQ(spec->low, 1.0);
  HostTensor a = materialize(*spec, 3), b = materialize(*spec, 3);
  auto plain = parseInputSpec("300xf16=random(1,2)");
  ASSERT_TRUE(static_cast<bool>(plain));
  HostTensor c = materialize(*plain, 3);
  int nans = 0;
  for (int64_t i = 0; i < 300; ++i) {
    if (std::isnan(a.get(i))) {
      ++nans;
      EXPECT_TRUE(std::isnan(b.get(i)));
      continue;
    }
    EXPECT_EQ(a.get(i), c.get(i));
  }
  EXPECT_EQ(nans, 1);
}

TEST(InputSpec, RandomDataIsSeededAndInRange) {
  auto spec = parseInputSpec("1000xf32=random(2,3)");
  ASSERT_TRUE(static_cast<bool>(spec));
  HostTensor a = materialize(*spec, 7), b = materialize(*spec, 7),
             c = materialize(*spec, 8);
  bool differs = false;
  for (int64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(a.get(i), b.get(i));
    EXPECT_GE(a.get(i), 2.0);
    EXPECT_LE(a.get(i), 3.0);
    differs |= a.get(i) != c.get(i);
  }
  EXPECT_TRUE(differs);
}

TEST(InputSpec, SplatsRoundToTheElementType) {
  auto spec = parseInputSpec("3xbf16=0.1");
  ASSERT_TRUE(static_cast<bool>(spec));
  HostTensor t = materialize(*spec, 0);
  EXPECT_EQ(t.get(2), roundTo(DType::BF16, 0.1));
  EXPECT_NE(t.get(2), 0.1);
  EXPECT_EQ(t.get(2), 0.10009765625);
}

} // namespace
