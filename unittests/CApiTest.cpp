//===- CApiTest.cpp - The generated C API refuses bad arguments -----------===//
//
// The plain C functions norm-compile writes (Inputs/capi.mlir, compiled with
// --embedded by the build) return NORM_INVALID_ARGUMENT, calling nothing,
// for null pointers, negative or overflowing sizes, sizes that do not fit
// together, misaligned elements and outputs that overlap another buffer;
// an output exactly over its input (in place) is computed as out of place.
//
//===----------------------------------------------------------------------===//

#include "capi.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace {

constexpr int64_t kRows = 6, kCols = 40;

/// The mean and variance of `cols` floats, in double.
static void moments(const float *x, int64_t cols, double &m, double &v) {
  m = 0;
  v = 0;
  for (int64_t j = 0; j < cols; ++j)
    m += x[j];
  m /= cols;
  for (int64_t j = 0; j < cols; ++j)
    v += (x[j] - m) * (x[j] - m);
  v /= cols;
}

struct LayerNormCall {
  std::vector<float> x = random(kRows * kCols), g = random(kCols),
                     b = random(kCols), y = std::vector<float>(kRows * kCols),
                     mean = std::vector<float>(kRows),
                     rstd = std::vector<float>(kRows);
  static std::vector<float> random(size_t n) {
    std::mt19937 gen(7);
    std::uniform_real_distribution<float> u(-2, 2);
    std::vector<float> v(n);
    for (float &e : v)
      e = u(gen);
    return v;
  }
  norm_status run() {
    return layer_norm(x.data(), kRows, kCols, g.data(), kCols, b.data(), kCols,
                      y.data(), mean.data(), rstd.data());
  }
};

TEST(CApi, ValidCallComputes) {
  LayerNormCall c;
  ASSERT_EQ(c.run(), NORM_OK);
  for (int64_t r = 0; r < kRows; ++r) {
    double m, v;
    moments(c.x.data() + r * kCols, kCols, m, v);
    EXPECT_NEAR(c.mean[r], m, 1e-5);
    EXPECT_NEAR(c.rstd[r], 1 / std::sqrt(v + 1e-5), 1e-4);
  }
}

TEST(CApi, NullPointers) {
  LayerNormCall c;
  EXPECT_EQ(layer_norm(nullptr, kRows, kCols, c.g.data(), kCols, c.b.data(),
                       kCols, c.y.data(), c.mean.data(), c.rstd.data()),
            NORM_INVALID_ARGUMENT);
  EXPECT_EQ(layer_norm(c.x.data(), kRows, kCols, nullptr, kCols, c.b.data(),
                       kCols, c.y.data(), c.mean.data(), c.rstd.data()),
            NORM_INVALID_ARGUMENT);
  EXPECT_EQ(layer_norm(c.x.data(), kRows, kCols, c.g.data(), kCols, c.b.data(),
                       kCols, c.y.data(), c.mean.data(), nullptr),
            NORM_INVALID_ARGUMENT);
}

TEST(CApi, NegativeOverflowingAndMismatchedSizes) {
  LayerNormCall c;
  EXPECT_EQ(layer_norm(c.x.data(), -1, kCols, c.g.data(), kCols, c.b.data(),
                       kCols, c.y.data(), c.mean.data(), c.rstd.data()),
            NORM_INVALID_ARGUMENT);
  EXPECT_EQ(layer_norm(c.x.data(), INT64_MAX / 2, kCols, c.g.data(), kCols,
                       c.b.data(), kCols, c.y.data(), c.mean.data(),
                       c.rstd.data()),
            NORM_INVALID_ARGUMENT);
  EXPECT_EQ(layer_norm(c.x.data(), kRows, kCols, c.g.data(), kCols - 1,
                       c.b.data(), kCols, c.y.data(), c.mean.data(),
                       c.rstd.data()),
            NORM_INVALID_ARGUMENT);
}

TEST(CApi, MisalignedElements) {
  // A float or a 16-bit element at an odd address.
  std::vector<unsigned char> raw(4 * (kRows * kCols + 1));
  LayerNormCall c;
  auto *odd = reinterpret_cast<float *>(raw.data() + 1);
  EXPECT_EQ(layer_norm(odd, kRows, kCols, c.g.data(), kCols, c.b.data(), kCols,
                       c.y.data(), c.mean.data(), c.rstd.data()),
            NORM_INVALID_ARGUMENT);
  std::vector<uint16_t> bf(3 * 64 + 1, 0x3f80), out(3 * 64 + 1);
  auto *oddIn = reinterpret_cast<const uint16_t *>(
      reinterpret_cast<const unsigned char *>(bf.data()) + 1);
  EXPECT_EQ(rms_bf16(oddIn, 3, out.data()), NORM_INVALID_ARGUMENT);
  EXPECT_EQ(rms_bf16(bf.data(), 3, out.data()), NORM_OK);
}

TEST(CApi, InPlaceMatchesOutOfPlace) {
  LayerNormCall c;
  ASSERT_EQ(c.run(), NORM_OK);
  std::vector<float> y = c.y;
  std::vector<float> xy = c.x;
  ASSERT_EQ(layer_norm(xy.data(), kRows, kCols, c.g.data(), kCols, c.b.data(),
                       kCols, xy.data(), c.mean.data(), c.rstd.data()),
            NORM_OK);
  EXPECT_EQ(std::memcmp(xy.data(), y.data(), y.size() * sizeof(float)), 0);
}

// Rows of 16 KiB whose input and output leave the L3 run pipelined (each
// row normalized while the next is summed, PipelinedRows.cpp) when the
// output starts on a 64-byte line: in place gives the out-of-place bits,
// and rows agree with a float64 LayerNorm.
TEST(CApi, PipelinedRowsInPlace) {
  constexpr int64_t rows = 1100, cols = 4096, elems = rows * cols;
  // 64-byte aligned views into vectors (the kernels stream only then).
  auto aligned = [](std::vector<float> &v) {
    auto p = reinterpret_cast<uintptr_t>(v.data());
    return v.data() + (64 - p % 64) % 64 / sizeof(float);
  };
  std::vector<float> src = LayerNormCall::random(elems),
                     g = LayerNormCall::random(cols),
                     b = LayerNormCall::random(cols), xs(elems + 16),
                     ys(elems + 16, NAN), xys(elems + 16), mean(rows),
                     rstd(rows);
  float *x = aligned(xs), *y = aligned(ys), *xy = aligned(xys);
  std::copy(src.begin(), src.end(), x);
  std::copy(src.begin(), src.end(), xy);
  ASSERT_EQ(layer_norm(x, rows, cols, g.data(), cols, b.data(), cols, y,
                       mean.data(), rstd.data()),
            NORM_OK);
  for (int64_t r : {int64_t(0), int64_t(1), int64_t(31), int64_t(32),
                    int64_t(33), rows - 1}) {
    double m, v;
    moments(x + r * cols, cols, m, v);
    for (int64_t j = 0; j < cols; j += 13) {
      double ref = (x[r * cols + j] - m) / std::sqrt(v + 1e-5) * g[j] + b[j];
      EXPECT_NEAR(y[r * cols + j], ref, 1e-4 * (1 + std::abs(ref)));
    }
  }
  ASSERT_EQ(layer_norm(xy, rows, cols, g.data(), cols, b.data(), cols, xy,
                       mean.data(), rstd.data()),
            NORM_OK);
  EXPECT_EQ(std::memcmp(xy, y, elems * sizeof(float)), 0);
}

// A kernel whose slots are split into chunks (NHWC batch norm, 24
// channels, 192 KiB): each chunk reads and writes only its own rows, so in
// place gives the out-of-place bits; the statistics match a float64 sum.
TEST(CApi, SplitChannelsInPlace) {
  constexpr int64_t n = 8, c = 24, elems = n * 16 * 16 * c;
  std::vector<float> x = LayerNormCall::random(elems),
                     g = LayerNormCall::random(c), b = LayerNormCall::random(c),
                     y(elems, NAN), mean(c), var(c);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] += static_cast<float>(i % c); // a different mean per channel
  ASSERT_EQ(batch_norm_nhwc(x.data(), n, g.data(), b.data(), y.data(),
                            mean.data(), var.data()),
            NORM_OK);
  for (int64_t ch = 0; ch < c; ++ch) {
    double m = 0, v = 0;
    for (int64_t i = ch; i < elems; i += c)
      m += x[i];
    m /= elems / c;
    for (int64_t i = ch; i < elems; i += c)
      v += (x[i] - m) * (x[i] - m);
    v /= elems / c;
    EXPECT_NEAR(mean[ch], m, 1e-5 * (1 + std::abs(m)));
    EXPECT_NEAR(var[ch], v, 1e-5 * v);
    for (int64_t i = ch; i < elems; i += 97 * c) {
      double ref = (x[i] - m) / std::sqrt(v + 1e-5) * g[ch] + b[ch];
      EXPECT_NEAR(y[i], ref, 1e-4 * (1 + std::abs(ref)));
    }
  }
  std::vector<float> xy = x;
  ASSERT_EQ(batch_norm_nhwc(xy.data(), n, g.data(), b.data(), xy.data(),
                            mean.data(), var.data()),
            NORM_OK);
  EXPECT_EQ(std::memcmp(xy.data(), y.data(), y.size() * sizeof(float)), 0);
}

TEST(CApi, OverlapsAreRefused) {
  LayerNormCall c;
  std::vector<float> big(kRows * kCols + 8);
  std::copy(c.x.begin(), c.x.end(), big.begin());
  // The output one element past the input: neither apart nor in place.
  EXPECT_EQ(layer_norm(big.data(), kRows, kCols, c.g.data(), kCols, c.b.data(),
                       kCols, big.data() + 1, c.mean.data(), c.rstd.data()),
            NORM_INVALID_ARGUMENT);
  // An output over a parameter, and two outputs over each other.
  EXPECT_EQ(layer_norm(c.x.data(), kRows, kCols, c.g.data(), kCols, c.b.data(),
                       kCols, c.y.data(), c.g.data(), c.rstd.data()),
            NORM_INVALID_ARGUMENT);
  EXPECT_EQ(layer_norm(c.x.data(), kRows, kCols, c.g.data(), kCols, c.b.data(),
                       kCols, c.y.data(), c.mean.data(), c.mean.data()),
            NORM_INVALID_ARGUMENT);
  // The statistics inside the output.
  EXPECT_EQ(layer_norm(c.x.data(), kRows, kCols, c.g.data(), kCols, c.b.data(),
                       kCols, c.y.data(), c.y.data() + kCols, c.rstd.data()),
            NORM_INVALID_ARGUMENT);
  // With two ops, in place is refused too: the second op would read an
  // input the first had overwritten.
  std::vector<float> a(2 * 16, 1.0f), z(2 * 16, 2.0f), out(2 * 16);
  EXPECT_EQ(two(a.data(), 2, z.data(), 2, a.data(), out.data()),
            NORM_INVALID_ARGUMENT);
  EXPECT_EQ(two(a.data(), 2, z.data(), 2, out.data(), z.data()),
            NORM_INVALID_ARGUMENT);
}

TEST(CApi, RunningStatisticsInPlace) {
  constexpr int64_t n = 3, elems = n * 8 * 25;
  std::vector<float> x = LayerNormCall::random(elems), y(elems), ym(8), yv(8),
                     rm(8, 0.5f), rv(8, 2.0f), newMean(8), newVar(8);
  ASSERT_EQ(batch_norm(x.data(), n, rm.data(), rv.data(), y.data(), ym.data(),
                       yv.data(), newMean.data(), newVar.data()),
            NORM_OK);
  std::vector<float> y2(elems);
  ASSERT_EQ(batch_norm(x.data(), n, rm.data(), rv.data(), y2.data(), ym.data(),
                       yv.data(), rm.data(), rv.data()),
            NORM_OK);
  EXPECT_EQ(rm, newMean);
  EXPECT_EQ(rv, newVar);
  EXPECT_EQ(y, y2);
  // The new running mean over the running variance is not in place.
  EXPECT_EQ(batch_norm(x.data(), n, rm.data(), rv.data(), y2.data(), ym.data(),
                       yv.data(), rv.data(), newVar.data()),
            NORM_INVALID_ARGUMENT);
}

TEST(CApi, Runtime) {
  EXPECT_EQ(norm_set_num_threads(0), NORM_INVALID_ARGUMENT);
  EXPECT_EQ(norm_set_num_threads(-3), NORM_INVALID_ARGUMENT);
  EXPECT_NE(norm_status_string(static_cast<norm_status>(99)), nullptr);
  EXPECT_STRNE(norm_status_string(NORM_INVALID_ARGUMENT), "");
}

} // namespace
