//===- InputSpec.cpp - Parsing norm-run's --input values ------------------===//

#include "norm/Support/InputSpec.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::norm;

static llvm::Error specError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Parses a finite floating-point number.
static bool parseNumber(llvm::StringRef text, double &value) {
  text = text.trim();
  if (text.empty() || text.getAsDouble(value))
    return false;
  return std::isfinite(value);
}

llvm::Error norm::parseShapedType(llvm::StringRef text,
                                  std::vector<int64_t> &shape, DType &dtype) {
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, 'x');
  std::optional<DType> type = parseDType(parts.back());
  if (!type)
    return specError("unknown element type '" + parts.back() +
                     "' (expected f32, f16 or bf16)");
  if (*type == DType::F64)
    return specError("f64 inputs are not supported (expected f32, f16 or "
                     "bf16)");
  dtype = *type;
  shape.clear();
  uint64_t elements = 1;
  for (llvm::StringRef dim : llvm::ArrayRef(parts).drop_back()) {
    uint64_t value;
    if (dim == "?")
      return specError("dimension '?' in '" + text +
                       "': inputs need known sizes");
    if (dim.getAsInteger(10, value) || value > (uint64_t{1} << 40))
      return specError("bad dimension '" + dim + "' in '" + text + "'");
    if (value != 0 && elements > (uint64_t{1} << 34) / value)
      return specError("'" + text + "' is too large");
    elements *= value;
    shape.push_back(static_cast<int64_t>(value));
  }
  return llvm::Error::success();
}

llvm::Expected<InputSpec> norm::parseInputSpec(llvm::StringRef text) {
  InputSpec spec;
  if (text.consume_front("@")) {
    if (text.empty())
      return specError("'@' must be followed by a .npy file name");
    spec.kind = InputSpec::Kind::File;
    spec.path = text.str();
    return spec;
  }
  auto [type, value] = text.split('=');
  if (value.empty() && !text.contains('='))
    return specError("'" + text +
                     "' is neither @FILE.npy nor TYPE=VALUE (e.g. "
                     "4x768xf32=random)");
  if (llvm::Error err = parseShapedType(type, spec.shape, spec.dtype))
    return std::move(err);
  if (value.consume_front("random")) {
    spec.kind = InputSpec::Kind::Random;
    // random+nan: one element, drawn like the others, is NaN (the row,
    // channel or group holding it must come out NaN, and only it).
    spec.oneNaN = value.consume_back("+nan");
    if (spec.oneNaN && spec.dtype == DType::I8)
      return specError("an i8 tensor has no NaN ('" + text + "')");
    if (value.empty())
      return spec;
    if (!value.consume_front("(") || !value.consume_back(")"))
      return specError("expected random or random(LOW,HIGH) (then "
                       "optionally +nan), got 'random" +
                       value + "'");
    auto [low, high] = value.split(',');
    if (!parseNumber(low, spec.low) || !parseNumber(high, spec.high) ||
        !(spec.low < spec.high))
      return specError("random(LOW,HIGH) needs finite numbers with LOW < "
                       "HIGH, got 'random(" +
                       value + ")'");
    return spec;
  }
  spec.kind = InputSpec::Kind::Splat;
  llvm::StringRef v = value.trim();
  double number;
  if (v == "nan")
    spec.value = NAN;
  else if (v == "inf")
    spec.value = INFINITY;
  else if (v == "-inf")
    spec.value = -INFINITY;
  else if (parseNumber(v, number))
    spec.value = number;
  else
    return specError("bad value '" + value +
                     "' (expected a number, nan, inf, random or "
                     "random(LOW,HIGH))");
  return spec;
}

HostTensor norm::materialize(const InputSpec &spec, uint64_t seed) {
  HostTensor tensor(spec.dtype, spec.shape);
  int64_t n = tensor.numElements();
  if (spec.kind == InputSpec::Kind::Splat) {
    for (int64_t i = 0; i < n; ++i)
      tensor.set(i, spec.value);
    return tensor;
  }
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> dist(spec.low, spec.high);
  for (int64_t i = 0; i < n; ++i)
    tensor.set(i, dist(engine));
  if (spec.oneNaN && n > 0)
    tensor.set(static_cast<int64_t>(engine() % static_cast<uint64_t>(n)), NAN);
  return tensor;
}
