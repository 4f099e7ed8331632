//===- HostTensor.cpp - Tensors in host memory ----------------------------===//

#include "norm/Support/HostTensor.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::norm;

unsigned norm::byteWidth(DType type) {
  switch (type) {
  case DType::F64:
    return 8;
  case DType::F32:
    return 4;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I8:
  case DType::F8E4M3FN:
    return 1;
  }
  return 4;
}

llvm::StringRef norm::dtypeName(DType type) {
  switch (type) {
  case DType::F64:
    return "f64";
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::I8:
    return "i8";
  case DType::F8E4M3FN:
    return "f8E4M3FN";
  }
  return "f32";
}

std::optional<DType> norm::parseDType(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<DType>>(name)
      .Case("f64", DType::F64)
      .Case("f32", DType::F32)
      .Case("f16", DType::F16)
      .Case("bf16", DType::BF16)
      .Case("i8", DType::I8)
      .Case("f8E4M3FN", DType::F8E4M3FN)
      .Default(std::nullopt);
}

static const llvm::fltSemantics &semantics(DType type) {
  switch (type) {
  case DType::F64:
    return llvm::APFloat::IEEEdouble();
  case DType::F32:
    return llvm::APFloat::IEEEsingle();
  case DType::F16:
    return llvm::APFloat::IEEEhalf();
  case DType::BF16:
    return llvm::APFloat::BFloat();
  case DType::F8E4M3FN:
    return llvm::APFloat::Float8E4M3FN();
  case DType::I8:
    break; // not a float; see roundTo
  }
  return llvm::APFloat::IEEEsingle();
}

/// Rounds to `type` and returns its bit pattern.
static uint64_t encode(DType type, double value) {
  llvm::APFloat f(value);
  bool lost = false;
  f.convert(semantics(type), llvm::APFloat::rmNearestTiesToEven, &lost);
  return f.bitcastToAPInt().getZExtValue();
}

static double decode(DType type, uint64_t bits) {
  llvm::APFloat f(semantics(type), llvm::APInt(byteWidth(type) * 8, bits));
  bool lost = false;
  f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return f.convertToDouble();
}

static int8_t saturateToI8(double value) {
  if (std::isnan(value))
    return 0;
  return static_cast<int8_t>(std::clamp(std::nearbyint(value), -128.0, 127.0));
}

double norm::roundTo(DType type, double value) {
  if (type == DType::I8)
    return saturateToI8(value);
  return decode(type, encode(type, value));
}

HostTensor::HostTensor(DType type, std::vector<int64_t> shape)
    : type(type), dims(std::move(shape)) {
  bytes.resize(static_cast<size_t>(numElements()) * byteWidth(type));
}

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

double HostTensor::get(int64_t i) const {
  const uint8_t *p = bytes.data() + i * byteWidth(type);
  switch (type) {
  case DType::F64: {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  case DType::F32: {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case DType::F16:
  case DType::BF16: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return decode(type, v);
  }
  case DType::I8:
    return static_cast<int8_t>(*p);
  case DType::F8E4M3FN:
    return decode(type, *p);
  }
  return 0.0;
}

void HostTensor::set(int64_t i, double value) {
  uint8_t *p = bytes.data() + i * byteWidth(type);
  switch (type) {
  case DType::F64:
    std::memcpy(p, &value, 8);
    return;
  case DType::F32: {
    float v = static_cast<float>(value);
    std::memcpy(p, &v, 4);
    return;
  }
  case DType::F16:
  case DType::BF16: {
    uint16_t v = static_cast<uint16_t>(encode(type, value));
    std::memcpy(p, &v, 2);
    return;
  }
  case DType::I8:
    *p = static_cast<uint8_t>(saturateToI8(value));
    return;
  case DType::F8E4M3FN:
    *p = static_cast<uint8_t>(encode(type, value));
    return;
  }
}

HostTensor HostTensor::convertTo(DType to) const {
  if (to == type)
    return *this;
  HostTensor result(to, dims);
  for (int64_t i = 0, e = numElements(); i < e; ++i)
    result.set(i, get(i));
  return result;
}

std::vector<double> HostTensor::toDoubles() const {
  std::vector<double> values(static_cast<size_t>(numElements()));
  for (int64_t i = 0, e = numElements(); i < e; ++i)
    values[i] = get(i);
  return values;
}

std::string HostTensor::typeString() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "tensor<";
  for (int64_t d : dims)
    os << d << 'x';
  os << dtypeName(type) << '>';
  return s;
}
