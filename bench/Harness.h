//===- Harness.h - Shared pieces of the CPU benchmark binaries --*- C++ -*-===//
//
// A case is a kernel (layer_norm, rms_norm, bn_infer, bn_train), a dtype
// (f32, bf16) and a shape (ROWSxCOLS or NxCxHxW). Each binary times one
// implementation of one case and prints `seconds=<median> bytes=<floor>`.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_BENCH_HARNESS_H
#define NORM_BENCH_HARNESS_H

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace bench {

struct Case {
  std::string impl, kernel, dtype;
  std::vector<int64_t> shape;
  int reps = 20;
  /// --bytes=N: the floor in bytes, for --impl=copy of another program's
  /// bytes (the fusion rows of bench/run.py).
  int64_t bytes = 0;

  int64_t elements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  int64_t elementBytes() const { return dtype == "f32" ? 4 : 2; }
  /// Batch norms over NHWC images (kernel names ending in _nhwc).
  bool nhwc() const {
    return kernel.size() > 5 &&
           kernel.compare(kernel.size() - 5, 5, "_nhwc") == 0;
  }
  /// The parameter length: axis 1 is the last axis of rows (RxC) and the
  /// channel axis of images (NxCxHxW); axis 3 of NHWC images.
  int64_t params() const { return nhwc() ? shape[3] : shape[1]; }
  /// The minimum bytes moved: x read once, y written once, parameters and
  /// statistics read or written once.
  int64_t floorBytes() const {
    if (bytes > 0)
      return bytes;
    int64_t b = 2 * elements() * elementBytes();
    int64_t p = params();
    if (kernel == "layer_norm")
      b += 2 * p * elementBytes();
    else if (kernel == "rms_norm")
      b += p * elementBytes();
    else if (kernel.rfind("bn_infer", 0) == 0)
      b += 2 * p * 4 + 2 * p * elementBytes();
    else // bn_train: gamma, beta, running in; mean, var, running out
      b += 2 * p * elementBytes() + 6 * p * 4;
    return b;
  }
};

inline bool parse(int argc, char **argv, Case &c) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *key) -> const char * {
      size_t n = std::strlen(key);
      return a.compare(0, n, key) == 0 ? a.c_str() + n : nullptr;
    };
    if (const char *v = value("--impl="))
      c.impl = v;
    else if (const char *v = value("--kernel="))
      c.kernel = v;
    else if (const char *v = value("--dtype="))
      c.dtype = v;
    else if (const char *v = value("--reps="))
      c.reps = std::atoi(v);
    else if (const char *v = value("--bytes="))
      c.bytes = std::atoll(v);
    else if (const char *v = value("--shape=")) {
      c.shape.clear();
      std::string s = v;
      size_t pos = 0;
      while (pos <= s.size()) {
        size_t x = s.find('x', pos);
        c.shape.push_back(std::atoll(s.substr(pos, x - pos).c_str()));
        if (x == std::string::npos)
          break;
        pos = x + 1;
      }
    } else {
      std::fprintf(stderr, "unknown argument '%s'\n", a.c_str());
      return false;
    }
  }
  bool ok = !c.impl.empty() && !c.kernel.empty() &&
            (c.dtype == "f32" || c.dtype == "bf16") &&
            (c.shape.size() == 2 || c.shape.size() == 4) && c.reps > 0;
  if (!ok)
    std::fprintf(stderr, "usage: --impl=I --kernel=K --dtype=f32|bf16 "
                         "--shape=RxC|NxCxHxW [--reps=N]\n");
  return ok;
}

/// Aligned, page-touched buffer of `bytes` filled with values in [-1, 1)
/// (or [0.5, 1.5) when `positive`), encoded as the dtype.
struct Buffer {
  std::vector<char> storage;
  void *data = nullptr;
  Buffer(int64_t count, int64_t width, bool positive = false,
         uint64_t seed = 1) {
    storage.resize(count * width + 64);
    data = storage.data() +
           (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64) % 64;
    for (int64_t i = 0; i < count; ++i) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      float v = static_cast<float>((seed >> 40) / double(1 << 24));
      v = positive ? v + 0.5f : 2 * v - 1;
      if (width == 4) {
        std::memcpy(static_cast<char *>(data) + 4 * i, &v, 4);
      } else {
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        uint16_t h = static_cast<uint16_t>(bits >> 16);
        std::memcpy(static_cast<char *>(data) + 2 * i, &h, 2);
      }
    }
  }
  template <typename T> T *as() { return static_cast<T *>(data); }
};

/// Runs `fn` once to warm up, then `reps` times; prints the median.
template <typename Fn> int timeAndReport(const Case &c, Fn fn) {
  if (!fn())
    return 1;
  std::vector<double> times;
  for (int r = 0; r < c.reps; ++r) {
    auto start = std::chrono::steady_clock::now();
    if (!fn())
      return 1;
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  std::printf("seconds=%.9g bytes=%lld\n", times[times.size() / 2],
              static_cast<long long>(c.floorBytes()));
  return 0;
}

} // namespace bench

#endif // NORM_BENCH_HARNESS_H
