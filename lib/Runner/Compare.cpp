//===- Compare.cpp - Comparing results with the reference -----------------===//

#include "norm/Runner/Runner.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm;

void norm::toleranceFor(DType type, double &atol, double &rtol) {
  // A few units in the last place of the result type: its rounding (2^-24,
  // 2^-11, 2^-8 relative) plus the error of an f32 (or coarser) computation.
  switch (type) {
  case DType::F64:
    atol = rtol = 1e-10;
    return;
  case DType::F32:
    atol = rtol = 1e-4;
    return;
  case DType::F16:
    atol = rtol = 4e-3;
    return;
  case DType::BF16:
    atol = rtol = 3e-2;
    return;
  case DType::F8E4M3FN:
    // 3 mantissa bits: one step is 2^-3 relative; subnormals 2^-9 apart.
    atol = 1.0 / 256;
    rtol = 0.13;
    return;
  case DType::I8:
    // A quantized value may land one step away where the f32 kernel and
    // the float64 reference fall on either side of a rounding boundary.
    atol = 1;
    rtol = 0;
    return;
  }
}

Comparison norm::compare(const HostTensor &got, const ref::Tensor &want,
                         DType precision) {
  double atol, rtol;
  toleranceFor(precision, atol, rtol);
  return compare(got, want, atol, rtol);
}

Comparison norm::compare(const HostTensor &got, const ref::Tensor &want,
                         double atol, double rtol) {
  Comparison c;
  c.atol = atol;
  c.rtol = rtol;
  bool sameShape = std::vector<int64_t>(got.shape().begin(),
                                        got.shape().end()) == want.shape;
  if (!sameShape ||
      static_cast<int64_t>(want.data.size()) != got.numElements()) {
    c.mismatches = std::max<int64_t>(1, got.numElements());
    c.maxAbsError = c.maxRelError = INFINITY;
    return c;
  }
  for (int64_t i = 0, e = got.numElements(); i < e; ++i) {
    double g = got.get(i), w = want.data[i];
    if (std::isnan(g) || std::isnan(w)) {
      c.nanMismatches += std::isnan(g) != std::isnan(w);
      continue;
    }
    if (g == w) // also equal infinities
      continue;
    double abs = std::fabs(g - w);
    if (std::isinf(g) || std::isinf(w)) {
      // An infinity matches only itself, whatever the tolerance.
      c.maxAbsError = INFINITY;
      ++c.mismatches;
      continue;
    }
    c.maxAbsError = std::max(c.maxAbsError, abs);
    if (std::fabs(w) > c.atol)
      c.maxRelError = std::max(c.maxRelError, abs / std::fabs(w));
    if (!(abs <= c.atol + c.rtol * std::fabs(w)))
      ++c.mismatches;
  }
  return c;
}
