//===- NpyTest.cpp - The .npy reader and writer ---------------------------===//

#include "norm/Support/Npy.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir::norm;

namespace {

std::string header(const std::string &dict, size_t dataBytes,
                   char version = 1) {
  std::string h = dict + "\n";
  std::string out("\x93NUMPY", 6);
  out.push_back(version);
  out.push_back(0);
  if (version == 1) {
    out.push_back(static_cast<char>(h.size()));
    out.push_back(0);
  } else {
    out.push_back(static_cast<char>(h.size()));
    out.append(3, '\0');
  }
  return out + h + std::string(dataBytes, '\0');
}

std::string parseError(const std::string &bytes) {
  auto t = parseNpy(bytes);
  EXPECT_FALSE(static_cast<bool>(t));
  return t ? "" : llvm::toString(t.takeError());
}

TEST(Npy, RoundTripsEveryDType) {
  for (DType type : {DType::F64, DType::F32, DType::F16}) {
    HostTensor t(type, {2, 3});
    for (int64_t i = 0; i < 6; ++i)
      t.set(i, 0.25 * i - 1);
    auto back = parseNpy(serializeNpy(t));
    ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(back->dtype(), type);
    EXPECT_EQ(back->shape(), t.shape());
    for (int64_t i = 0; i < 6; ++i)
      EXPECT_EQ(back->get(i), t.get(i));
  }
}

TEST(Npy, WritesBF16AsExactF32) {
  HostTensor t(DType::BF16, {3});
  t.set(0, 1.0 / 3);
  t.set(1, -2.5);
  t.set(2, NAN);
  auto back = parseNpy(serializeNpy(t));
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_EQ(back->dtype(), DType::F32);
  EXPECT_EQ(back->get(0), t.get(0));
  EXPECT_EQ(back->get(1), -2.5);
  EXPECT_TRUE(std::isnan(back->get(2)));
}

TEST(Npy, Int8RoundTripsAndSaturates) {
  HostTensor t(DType::I8, {6});
  double values[] = {2.5, 3.5, -128.7, 300, NAN, -1};
  for (int64_t i = 0; i < 6; ++i)
    t.set(i, values[i]);
  // Round to nearest even, saturate, NaN to 0: what roundTo says.
  double want[] = {2, 4, -128, 127, 0, -1};
  for (int64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(t.get(i), want[i]);
    EXPECT_EQ(roundTo(DType::I8, values[i]), want[i]);
  }
  auto back = parseNpy(serializeNpy(t));
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->dtype(), DType::I8);
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(back->get(i), want[i]);
}

TEST(Npy, ScalarsAndOneDimensionalShapes) {
  auto scalar = parseNpy(
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4));
  ASSERT_TRUE(static_cast<bool>(scalar));
  EXPECT_TRUE(scalar->shape().empty());
  auto vec = parseNpy(
      header("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", 6));
  ASSERT_TRUE(static_cast<bool>(vec));
  EXPECT_EQ(vec->shape().size(), 1u);
  EXPECT_EQ(vec->shape()[0], 3);
  HostTensor v(DType::F32, {3});
  EXPECT_NE(serializeNpy(v).find("(3,)"), std::string::npos);
}

TEST(Npy, ReadsVersion2Headers) {
  auto t = parseNpy(header(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 16, 2));
  ASSERT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
  EXPECT_EQ(t->numElements(), 4);
}

TEST(Npy, DataIsSixtyFourByteAligned) {
  HostTensor t(DType::F32, {5, 7});
  std::string bytes = serializeNpy(t);
  EXPECT_EQ((bytes.size() - 5 * 7 * 4) % 64, 0u);
}

TEST(Npy, RejectsBadFiles) {
  EXPECT_NE(parseError("not a numpy file").find("magic"), std::string::npos);
  EXPECT_NE(parseError(std::string("\x93NUMPY\x01", 7)).find("truncated"),
            std::string::npos);
  std::string truncated =
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
  EXPECT_NE(parseError(truncated.substr(0, 20)).find("truncated"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': True, "
                              "'shape': (2, 2), }",
                              16))
                .find("Fortran"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<i4', 'fortran_order': False, "
                              "'shape': (2,), }",
                              8))
                .find("unsupported dtype"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '>f4', 'fortran_order': False, "
                              "'shape': (2,), }",
                              8))
                .find("unsupported dtype"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2, 3), }",
                              8))
                .find("expected 24 bytes"),
            std::string::npos);
  EXPECT_NE(
      parseError(header("{'descr': '<f4', 'shape': (2,), }", 8)).find("lacks"),
      std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2, x), }",
                              8))
                .find("bad dimension"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2, ",
                              8))
                .find("not closed"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (1099511627776, 1099511627776), }",
                              8))
                .find("shape"),
            std::string::npos);
  std::string v9 =
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
  v9[6] = 9;
  EXPECT_NE(parseError(v9).find("version"), std::string::npos);
}

TEST(Npy, ReadReportsMissingFiles) {
  auto t = readNpy("/nonexistent/dir/x.npy");
  ASSERT_FALSE(static_cast<bool>(t));
  EXPECT_NE(llvm::toString(t.takeError()).find("cannot read"),
            std::string::npos);
}

} // namespace
