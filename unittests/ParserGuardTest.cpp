//===- ParserGuardTest.cpp - Inputs upstream MLIR's parser crashes on -----===//

#include "norm/Support/ParserGuard.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace mlir::norm;

namespace {

constexpr const char *kBroadcast =
    "%b = linalg.broadcast ins(%x : tensor<8xf32>) outs(%e : "
    "tensor<4x8xf32>) dimensions = ";

bool safe(const std::string &text) { return !findParserHazard(text); }

TEST(ParserGuard, AcceptsWhatTheParserAccepts) {
  for (const char *dims :
       {"[0]", "[]", "[ ]", "[0, 1]", "[-1]", "[- 1]", "[0x1f]",
        "[9223372036854775807]", "[-9223372036854775808]",
        "[0,\n // a comment\n 1]", "// before\n[1]"})
    EXPECT_TRUE(safe(std::string(kBroadcast) + dims)) << dims;
  EXPECT_TRUE(safe("linalg.transpose ins(%x : tensor<2x3xf32>) outs(%e : "
                   "tensor<3x2xf32>) permutation = [1, 0]"));
  EXPECT_TRUE(safe("linalg.reduce ins(%x : tensor<2x3xf32>) outs(%e : "
                   "tensor<2xf32>) dimensions = [1] (%a: f32, %b: f32) {}"));
}

TEST(ParserGuard, LeavesOtherFormsAlone) {
  // Generic forms, other ops, names in strings, comments and SSA names.
  EXPECT_TRUE(safe("%b = \"linalg.broadcast\"(%x, %e) <{dimensions = "
                   "array<i64: 0>}> : (tensor<8xf32>) -> tensor<4x8xf32>"));
  EXPECT_TRUE(safe("%t = foo.op {dimensions = [&]}"));
  EXPECT_TRUE(safe("// linalg.broadcast\n%t = foo.op {dimensions = y}"));
  EXPECT_TRUE(safe("%t = foo.op {s = \"linalg.reduce\", dimensions = y}"));
  EXPECT_TRUE(safe("%linalg.broadcast = foo.op {dimensions = y}"));
  // Once the op's array is read, later attributes are another op's.
  EXPECT_TRUE(safe(std::string(kBroadcast) +
                   "[0]\n%t = foo.op {dimensions = array<i64: 1>}"));
  // Without `=` the parser fails cleanly.
  EXPECT_TRUE(safe(std::string(kBroadcast, strlen(kBroadcast) - 2) + " [0]"));
}

TEST(ParserGuard, FindsWhatCrashesTheParser) {
  for (const char *dims :
       {"[&]", "y<1>", "0]", "[1,]", "[1 2]", "[1.5]", "[a]", "[",
        "[9223372036854775808]", "[-9223372036854775809]",
        "[99999999999999999999999]", "[0x8000000000000000]", ""}) {
    std::string text = std::string(kBroadcast) + dims;
    std::optional<ParserHazard> hazard = findParserHazard(text);
    ASSERT_TRUE(hazard.has_value()) << dims;
    EXPECT_EQ(hazard->offset, strlen(kBroadcast)) << dims;
    EXPECT_NE(hazard->message.find("'dimensions' of linalg.broadcast"),
              std::string::npos)
        << hazard->message;
  }
  auto transpose = findParserHazard("linalg.transpose ins(%x : t) outs(%e : "
                                    "t) permutation = [1, &]");
  ASSERT_TRUE(transpose.has_value());
  EXPECT_NE(transpose->message.find("'permutation' of linalg.transpose"),
            std::string::npos);
  EXPECT_TRUE(findParserHazard("linalg.reduce ins(%x : t) outs(%e : t) "
                               "dimensions = [1,] (%a: f32, %b: f32) {}"));
}

} // namespace
