//===- norm-bench.cpp - Time norm's kernels, a scalar loop and a copy -----===//
//
// --impl=norm: the norm-compile'd kernels of bench/kernels.mlir.
// --impl=scalar: a plain two-pass C++ loop, parallel over rows/channels.
// --impl=copy: a parallel copy of half the floor bytes (read + write = the
//   floor), the faster of per-thread memcpy and non-temporal stores.
// All run on the same OpenMP team (OMP_NUM_THREADS / NORM_NUM_THREADS).
//
//===----------------------------------------------------------------------===//

#include "Harness.h"
#include "kernels.h"

#include <cmath>

using namespace bench;

extern "C" int omp_get_thread_num(void);
extern "C" int omp_get_num_threads(void);

static float load(const void *p, int64_t i, bool bf16) {
  if (!bf16)
    return static_cast<const float *>(p)[i];
  uint32_t bits = static_cast<uint32_t>(static_cast<const uint16_t *>(p)[i])
                  << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

static void store(void *p, int64_t i, float v, bool bf16) {
  if (!bf16) {
    static_cast<float *>(p)[i] = v;
    return;
  }
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  bits += 0x7FFF + ((bits >> 16) & 1);
  static_cast<uint16_t *>(p)[i] = static_cast<uint16_t>(bits >> 16);
}

typedef float v8f __attribute__((ext_vector_type(8)));

static int runCopy(const Case &c) {
  int64_t bytes = c.floorBytes() / 2 / 64 * 64;
  Buffer src(bytes / 4, 4), dst(bytes / 4, 4);
  char *s = static_cast<char *>(src.data), *d = static_cast<char *>(dst.data);
  auto memcpyCopy = [&] {
#pragma omp parallel
    {
      int t = omp_get_thread_num(), n = omp_get_num_threads();
      int64_t chunk = (bytes / n + 63) / 64 * 64;
      int64_t begin = std::min<int64_t>(bytes, t * chunk);
      int64_t end = std::min<int64_t>(bytes, begin + chunk);
      std::memcpy(d + begin, s + begin, end - begin);
    }
    return true;
  };
  auto streamingCopy = [&] {
    int64_t vectors = bytes / 32;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < vectors; ++i) {
      v8f v = reinterpret_cast<const v8f *>(s)[i];
      __builtin_nontemporal_store(v, reinterpret_cast<v8f *>(d) + i);
    }
    return true;
  };
  // Report the faster of the two, each timed the same way.
  auto timeOne = [&](auto &&copy) {
    copy();
    std::vector<double> times;
    for (int r = 0; r < c.reps; ++r) {
      auto start = std::chrono::steady_clock::now();
      copy();
      times.push_back(std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  };
  double t = std::min(timeOne(memcpyCopy), timeOne(streamingCopy));
  std::printf("seconds=%.9g bytes=%lld\n", t,
              static_cast<long long>(c.floorBytes()));
  return 0;
}

/// Rows view: R rows of C for layer/rms; images: N, C, HW.
static int runScalar(const Case &c, Buffer &x, Buffer &y, Buffer &g, Buffer &b,
                     Buffer &m, Buffer &v) {
  bool bf16 = c.dtype == "bf16";
  if (c.kernel == "layer_norm" || c.kernel == "rms_norm") {
    int64_t rows = c.shape[0], cols = c.shape[1];
    bool center = c.kernel == "layer_norm";
    return timeAndReport(c, [&] {
#pragma omp parallel for schedule(static)
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t o = r * cols;
        float mean = 0, var = 0;
        if (center) {
          for (int64_t j = 0; j < cols; ++j)
            mean += load(x.data, o + j, bf16);
          mean /= cols;
        }
        for (int64_t j = 0; j < cols; ++j) {
          float d = load(x.data, o + j, bf16) - mean;
          var += d * d;
        }
        float inv = 1.0f / std::sqrt(var / cols + 1e-5f);
        for (int64_t j = 0; j < cols; ++j) {
          float out =
              (load(x.data, o + j, bf16) - mean) * inv * load(g.data, j, bf16);
          if (center)
            out += load(b.data, j, bf16);
          store(y.data, o + j, out, bf16);
        }
      }
      return true;
    });
  }
  // Images: N, C, H*W (NCHW) or N, H*W, C (NHWC); `at` is the offset of
  // (example i, channel k, position j).
  bool nhwc = c.nhwc();
  int64_t n = c.shape[0], ch = c.params(),
          hw = nhwc ? c.shape[1] * c.shape[2] : c.shape[2] * c.shape[3];
  auto at = [&](int64_t i, int64_t k, int64_t j) {
    return nhwc ? (i * hw + j) * ch + k : (i * ch + k) * hw + j;
  };
  if (c.kernel.rfind("group_norm", 0) == 0) {
    // 32 groups of ch / 32 channels, one (example, group) per iteration.
    int64_t groups = 32, per = ch / groups;
    return timeAndReport(c, [&] {
#pragma omp parallel for schedule(static)
      for (int64_t s = 0; s < n * groups; ++s) {
        int64_t i = s / groups, k0 = s % groups * per;
        float sum = 0, q = 0;
        for (int64_t k = k0; k < k0 + per; ++k)
          for (int64_t j = 0; j < hw; ++j)
            sum += load(x.data, at(i, k, j), bf16);
        float mean = sum / (per * hw);
        for (int64_t k = k0; k < k0 + per; ++k)
          for (int64_t j = 0; j < hw; ++j) {
            float d = load(x.data, at(i, k, j), bf16) - mean;
            q += d * d;
          }
        float inv = 1.0f / std::sqrt(q / (per * hw) + 1e-5f);
        for (int64_t k = k0; k < k0 + per; ++k) {
          float gk = load(g.data, k, bf16), bk = load(b.data, k, bf16);
          for (int64_t j = 0; j < hw; ++j) {
            int64_t e = at(i, k, j);
            store(y.data, e, (load(x.data, e, bf16) - mean) * inv * gk + bk,
                  bf16);
          }
        }
      }
      return true;
    });
  }
  bool train = c.kernel.rfind("bn_train", 0) == 0;
  return timeAndReport(c, [&] {
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < ch; ++k) {
      float mean, inv;
      if (train) {
        float s = 0, q = 0;
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < hw; ++j)
            s += load(x.data, at(i, k, j), bf16);
        mean = s / (n * hw);
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < hw; ++j) {
            float d = load(x.data, at(i, k, j), bf16) - mean;
            q += d * d;
          }
        inv = 1.0f / std::sqrt(q / (n * hw) + 1e-5f);
        m.as<float>()[k] = mean;
      } else {
        mean = m.as<float>()[k];
        inv = 1.0f / std::sqrt(v.as<float>()[k] + 1e-5f);
      }
      float gk = load(g.data, k, bf16), bk = load(b.data, k, bf16);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < hw; ++j) {
          int64_t e = at(i, k, j);
          store(y.data, e, (load(x.data, e, bf16) - mean) * inv * gk + bk,
                bf16);
        }
    }
    return true;
  });
}

int main(int argc, char **argv) {
  Case c;
  if (!parse(argc, argv, c))
    return 2;
  if (c.impl == "copy")
    return runCopy(c);
  int64_t w = c.elementBytes(), p = c.params();
  Buffer x(c.elements(), w), y(c.elements(), w), g(p, w), b(p, w, false, 2);
  Buffer m(p, 4, false, 3), v(p, 4, true, 4), m2(p, 4), v2(p, 4), m3(p, 4),
      v3(p, 4);
  if (c.impl == "scalar")
    return runScalar(c, x, y, g, b, m, v);
  if (c.impl != "norm") {
    std::fprintf(stderr, "unknown --impl=%s\n", c.impl.c_str());
    return 2;
  }
  bool bf16 = c.dtype == "bf16";
  auto ok = [](norm_status s) { return s == NORM_OK; };
  if (c.kernel == "layer_norm" || c.kernel == "rms_norm") {
    int64_t r = c.shape[0], k = c.shape[1];
    bool ln = c.kernel == "layer_norm";
    return timeAndReport(c, [&] {
      if (ln)
        return bf16 ? ok(layer_norm_bf16(x.as<uint16_t>(), r, k,
                                         g.as<uint16_t>(), k, b.as<uint16_t>(),
                                         k, y.as<uint16_t>()))
                    : ok(layer_norm_f32(x.as<float>(), r, k, g.as<float>(), k,
                                        b.as<float>(), k, y.as<float>()));
      return bf16 ? ok(rms_norm_bf16(x.as<uint16_t>(), r, k, g.as<uint16_t>(),
                                     k, y.as<uint16_t>()))
                  : ok(rms_norm_f32(x.as<float>(), r, k, g.as<float>(), k,
                                    y.as<float>()));
    });
  }
  int64_t n = c.shape[0], d1 = c.shape[1], d2 = c.shape[2], d3 = c.shape[3];
  int64_t ch = c.params();
  if (c.kernel == "group_norm" || c.kernel == "group_norm_nhwc") {
    auto *f32 = c.nhwc() ? group_norm_nhwc_f32 : group_norm_f32;
    auto *b16 = c.nhwc() ? group_norm_nhwc_bf16 : group_norm_bf16;
    return timeAndReport(c, [&] {
      return bf16 ? ok(b16(x.as<uint16_t>(), n, d1, d2, d3, g.as<uint16_t>(),
                           ch, b.as<uint16_t>(), ch, y.as<uint16_t>()))
                  : ok(f32(x.as<float>(), n, d1, d2, d3, g.as<float>(), ch,
                           b.as<float>(), ch, y.as<float>()));
    });
  }
  if (c.kernel == "bn_infer" || c.kernel == "bn_infer_nhwc") {
    auto *f32 = c.nhwc() ? bn_infer_nhwc_f32 : bn_infer_f32;
    auto *b16 = c.nhwc() ? bn_infer_nhwc_bf16 : bn_infer_bf16;
    return timeAndReport(c, [&] {
      return bf16 ? ok(b16(x.as<uint16_t>(), n, d1, d2, d3, m.as<float>(), ch,
                           v.as<float>(), ch, g.as<uint16_t>(), ch,
                           b.as<uint16_t>(), ch, y.as<uint16_t>()))
                  : ok(f32(x.as<float>(), n, d1, d2, d3, m.as<float>(), ch,
                           v.as<float>(), ch, g.as<float>(), ch, b.as<float>(),
                           ch, y.as<float>()));
    });
  }
  auto *f32 = c.nhwc() ? bn_train_nhwc_f32 : bn_train_f32;
  auto *b16 = c.nhwc() ? bn_train_nhwc_bf16 : bn_train_bf16;
  return timeAndReport(c, [&] {
    return bf16 ? ok(b16(x.as<uint16_t>(), n, d1, d2, d3, g.as<uint16_t>(), ch,
                         b.as<uint16_t>(), ch, m.as<float>(), ch, v.as<float>(),
                         ch, y.as<uint16_t>(), m2.as<float>(), v2.as<float>(),
                         m3.as<float>(), v3.as<float>()))
                : ok(f32(x.as<float>(), n, d1, d2, d3, g.as<float>(), ch,
                         b.as<float>(), ch, m.as<float>(), ch, v.as<float>(),
                         ch, y.as<float>(), m2.as<float>(), v2.as<float>(),
                         m3.as<float>(), v3.as<float>()));
  });
}
