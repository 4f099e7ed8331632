//===- HostTensor.h - Tensors in host memory --------------------*- C++ -*-===//
//
// The data norm-run and the tests exchange with kernels: a dense row-major
// buffer of f64, f32, f16, bf16, i8 or f8E4M3FN (quantized) elements with a
// shape.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_SUPPORT_HOSTTENSOR_H
#define NORM_SUPPORT_HOSTTENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace mlir::norm {

enum class DType { F64, F32, F16, BF16, I8, F8E4M3FN };

/// Size in bytes of one element.
unsigned byteWidth(DType type);
/// The MLIR spelling: f64, f32, f16, bf16, i8, f8E4M3FN.
llvm::StringRef dtypeName(DType type);
/// Parses an MLIR element type spelling.
std::optional<DType> parseDType(llvm::StringRef name);

/// Rounds `value` to the nearest representable value of `type` (ties to
/// even), keeping NaN and infinities; i8 saturates to [-128, 127] and takes
/// NaN to 0.
double roundTo(DType type, double value);

/// Allocates on a cache line (64 bytes), as ML frameworks allocate tensors:
/// kernels timed or checked on a HostTensor see the alignment an embedder's
/// buffers have (malloc only promises 16 bytes).
template <typename T> struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t alignment{64};
  CacheLineAllocator() = default;
  template <typename U> CacheLineAllocator(const CacheLineAllocator<U> &) {}
  T *allocate(size_t n) {
    return static_cast<T *>(::operator new(n * sizeof(T), alignment));
  }
  void deallocate(T *p, size_t) { ::operator delete(p, alignment); }
  bool operator==(const CacheLineAllocator &) const { return true; }
  bool operator!=(const CacheLineAllocator &) const { return false; }
};

class HostTensor {
public:
  HostTensor() = default;
  HostTensor(DType type, std::vector<int64_t> shape);

  DType dtype() const { return type; }
  llvm::ArrayRef<int64_t> shape() const { return dims; }
  int64_t numElements() const;
  int64_t numBytes() const { return static_cast<int64_t>(bytes.size()); }
  void *data() { return bytes.data(); }
  const void *data() const { return bytes.data(); }

  /// Reads element `i` widened to double.
  double get(int64_t i) const;
  /// Writes element `i`, rounding to the element type.
  void set(int64_t i, double value);

  /// Returns a copy with every element rounded to `to`.
  HostTensor convertTo(DType to) const;
  /// Returns the elements widened to double.
  std::vector<double> toDoubles() const;
  /// Prints the type as MLIR would: `tensor<4x768xf32>`.
  std::string typeString() const;

private:
  DType type = DType::F32;
  std::vector<int64_t> dims;
  std::vector<uint8_t, CacheLineAllocator<uint8_t>> bytes;
};

} // namespace mlir::norm

#endif // NORM_SUPPORT_HOSTTENSOR_H
