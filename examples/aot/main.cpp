// Calls the ahead-of-time compiled bf16 RMSNorm from C++ and checks it
// against a float64 reference, with several thread counts giving the same
// bits. Exits non-zero on any mismatch.
#include "kernels.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

static float fromBF16(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof f);
  return f;
}

static uint16_t toBF16(float f) { // round to nearest even
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  bits += 0x7FFF + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

int main() {
  const int64_t rows = 9, cols = 4100;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<uint16_t> x(rows * cols), gamma(cols), y(rows * cols, 0xFFFF);
  for (auto &v : x)
    v = toBF16(dist(rng));
  for (auto &v : gamma)
    v = toBF16(dist(rng));

  int errors = 0;
  std::vector<uint16_t> first;
  for (int threads : {1, 2, 3}) {
    norm_set_num_threads(threads);
    std::fill(y.begin(), y.end(), 0xFFFF); // NaN
    if (rms_norm_bf16(x.data(), rows, cols, gamma.data(), cols, y.data()) !=
        NORM_OK) {
      std::fprintf(stderr, "rms_norm_bf16 failed\n");
      return 1;
    }
    if (first.empty())
      first = y;
    else if (first != y)
      ++errors, std::fprintf(stderr, "%d threads changed the bits\n", threads);
  }
  for (int64_t r = 0; r < rows; ++r) {
    double sumSq = 0;
    for (int64_t j = 0; j < cols; ++j) {
      double v = fromBF16(x[r * cols + j]);
      sumSq += v * v;
    }
    double inv = 1.0 / std::sqrt(sumSq / cols + 1e-6);
    for (int64_t j = 0; j < cols; ++j) {
      double want = fromBF16(x[r * cols + j]) * inv * fromBF16(gamma[j]);
      double got = fromBF16(y[r * cols + j]);
      if (!(std::fabs(got - want) <= 3e-2 * (1 + std::fabs(want)))) {
        if (++errors < 5)
          std::fprintf(stderr, "y[%lld][%lld]: got %g, want %g\n", (long long)r,
                       (long long)j, got, want);
      }
    }
  }
  std::printf("C++ example: %s (%lld x %lld bf16 RMSNorm, %d mismatches)\n",
              errors ? "FAILED" : "ok", (long long)rows, (long long)cols,
              errors);
  return errors != 0;
}
