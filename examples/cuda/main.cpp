// A C++ program using norm's CUDA kernels: device buffers and a stream from
// the CUDA runtime, the kernels from kernels.o/kernels.h (norm-compile
// --target=cuda), results checked against a float64 reference on the host.
// Without a CUDA device it says so and exits 0: it built and linked.
#include "kernels.h"

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

namespace {

constexpr int kRows = 64, kHidden = 4096;

uint16_t toBF16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fff + ((u >> 16) & 1); // round to nearest even
  return static_cast<uint16_t>(u >> 16);
}

float fromBF16(uint16_t h) {
  uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

#define CHECK_CUDA(call)                                                       \
  do {                                                                         \
    cudaError_t err_ = (call);                                                 \
    if (err_ != cudaSuccess) {                                                 \
      std::fprintf(stderr, "%s: %s\n", #call, cudaGetErrorString(err_));       \
      return 1;                                                                \
    }                                                                          \
  } while (0)

#define CHECK_NORM(call)                                                       \
  do {                                                                         \
    norm_status st_ = (call);                                                  \
    if (st_ != NORM_OK) {                                                      \
      std::fprintf(stderr, "%s: %s (%s)\n", #call, norm_status_string(st_),    \
                   norm_cuda_error_message());                                 \
      return 1;                                                                \
    }                                                                          \
  } while (0)

struct Device {
  void *p = nullptr;
  ~Device() { cudaFree(p); }
};

} // namespace

int main() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    norm_status s = norm_cuda_available();
    std::printf("no CUDA device (%s: %s): built and linked, nothing run\n",
                norm_status_string(s), norm_cuda_error_message());
    return s == NORM_NO_CUDA ? 0 : 1;
  }
  const size_t n = size_t(kRows) * kHidden;
  std::mt19937 gen(7);
  std::normal_distribution<float> normal;
  std::vector<uint16_t> x(n), r(n), g(kHidden), b(kHidden);
  for (auto &v : x)
    v = toBF16(normal(gen));
  for (auto &v : r)
    v = toBF16(normal(gen));
  for (auto &v : g)
    v = toBF16(1.0f + 0.5f * normal(gen));
  for (auto &v : b)
    v = toBF16(normal(gen));

  Device dx, dr, dg, db, dy, dh;
  for (Device *d : {&dx, &dr, &dy, &dh})
    CHECK_CUDA(cudaMalloc(&d->p, n * 2));
  for (Device *d : {&dg, &db})
    CHECK_CUDA(cudaMalloc(&d->p, kHidden * 2));
  CHECK_CUDA(cudaMemcpy(dx.p, x.data(), n * 2, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dr.p, r.data(), n * 2, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dg.p, g.data(), kHidden * 2, cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(db.p, b.data(), kHidden * 2, cudaMemcpyHostToDevice));
  cudaStream_t stream;
  CHECK_CUDA(cudaStreamCreate(&stream));

  auto *X = static_cast<const uint16_t *>(dx.p);
  auto *R = static_cast<const uint16_t *>(dr.p);
  auto *G = static_cast<const uint16_t *>(dg.p);
  auto *B = static_cast<const uint16_t *>(db.p);
  auto *Y = static_cast<uint16_t *>(dy.p);
  auto *H = static_cast<uint16_t *>(dh.p);
  std::vector<uint16_t> y(n), h(n);
  int failures = 0;

  // LayerNorm.
  CHECK_NORM(layer_norm(X, G, B, Y, stream));
  CHECK_CUDA(cudaStreamSynchronize(stream));
  CHECK_CUDA(cudaMemcpy(y.data(), Y, n * 2, cudaMemcpyDeviceToHost));
  double worst = 0;
  for (int i = 0; i < kRows; ++i) {
    double mean = 0, var = 0;
    for (int j = 0; j < kHidden; ++j)
      mean += fromBF16(x[i * kHidden + j]);
    mean /= kHidden;
    for (int j = 0; j < kHidden; ++j) {
      double d = fromBF16(x[i * kHidden + j]) - mean;
      var += d * d;
    }
    var /= kHidden;
    for (int j = 0; j < kHidden; ++j) {
      double want = (fromBF16(x[i * kHidden + j]) - mean) /
                        std::sqrt(var + 1e-5) * fromBF16(g[j]) +
                    fromBF16(b[j]);
      double err = std::fabs(fromBF16(y[i * kHidden + j]) - want) /
                   (1.6e-2 + 1.6e-2 * std::fabs(want));
      worst = std::fmax(worst, err);
    }
  }
  std::printf("layer_norm: worst error %.3f of the bf16 tolerance\n", worst);
  failures += worst > 1.0;

  // Residual add + RMSNorm, the sum returned.
  CHECK_NORM(add_rms_norm(X, R, G, Y, H, stream));
  CHECK_CUDA(cudaStreamSynchronize(stream));
  CHECK_CUDA(cudaMemcpy(y.data(), Y, n * 2, cudaMemcpyDeviceToHost));
  CHECK_CUDA(cudaMemcpy(h.data(), H, n * 2, cudaMemcpyDeviceToHost));
  worst = 0;
  int sumErrors = 0;
  for (int i = 0; i < kRows; ++i) {
    double ms = 0;
    std::vector<float> s(kHidden);
    for (int j = 0; j < kHidden; ++j) {
      size_t k = size_t(i) * kHidden + j;
      s[j] = fromBF16(toBF16(fromBF16(x[k]) + fromBF16(r[k])));
      sumErrors += h[k] != toBF16(s[j]);
      ms += double(s[j]) * s[j];
    }
    double inv = 1.0 / std::sqrt(ms / kHidden + 1e-6);
    for (int j = 0; j < kHidden; ++j) {
      double want = s[j] * inv * fromBF16(g[j]);
      double err = std::fabs(fromBF16(y[i * kHidden + j]) - want) /
                   (1.6e-2 + 1.6e-2 * std::fabs(want));
      worst = std::fmax(worst, err);
    }
  }
  std::printf("add_rms_norm: worst error %.3f of the bf16 tolerance, %d "
              "wrong sums\n",
              worst, sumErrors);
  failures += worst > 1.0 || sumErrors != 0;
  cudaStreamDestroy(stream);
  std::printf("%s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
