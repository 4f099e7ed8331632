//===- EvaluateElementwise.cpp - Float64 evaluation of elementwise ops ----===//
//
// The float64 reference of what surrounds and is fused into norm ops:
// linalg.generic ops with parallel loops whose bodies hold scalar arith and
// math ops. Every scalar op is evaluated in float64 except the roundings the
// IR spells out (arith.truncf, and each tensor read at its element type).
//
//===----------------------------------------------------------------------===//

#include "EvaluateElementwise.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::norm;

static llvm::Error evalError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

double norm::roundToType(Type type, double value) {
  if (type.isF32())
    return roundTo(DType::F32, value);
  if (type.isF16())
    return roundTo(DType::F16, value);
  if (type.isBF16())
    return roundTo(DType::BF16, value);
  if (type.isSignlessInteger(8))
    return roundTo(DType::I8, value);
  if (isa<Float8E4M3FNType>(type))
    return roundTo(DType::F8E4M3FN, value);
  return value;
}

static bool compare(arith::CmpFPredicate p, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (p) {
  case arith::CmpFPredicate::AlwaysFalse:
    return false;
  case arith::CmpFPredicate::OEQ:
    return !unordered && a == b;
  case arith::CmpFPredicate::OGT:
    return !unordered && a > b;
  case arith::CmpFPredicate::OGE:
    return !unordered && a >= b;
  case arith::CmpFPredicate::OLT:
    return !unordered && a < b;
  case arith::CmpFPredicate::OLE:
    return !unordered && a <= b;
  case arith::CmpFPredicate::ONE:
    return !unordered && a != b;
  case arith::CmpFPredicate::ORD:
    return !unordered;
  case arith::CmpFPredicate::UEQ:
    return unordered || a == b;
  case arith::CmpFPredicate::UGT:
    return unordered || a > b;
  case arith::CmpFPredicate::UGE:
    return unordered || a >= b;
  case arith::CmpFPredicate::ULT:
    return unordered || a < b;
  case arith::CmpFPredicate::ULE:
    return unordered || a <= b;
  case arith::CmpFPredicate::UNE:
    return unordered || a != b;
  case arith::CmpFPredicate::UNO:
    return unordered;
  case arith::CmpFPredicate::AlwaysTrue:
    return true;
  }
  return false;
}

/// Evaluates one scalar op; fails for ops with no float64 reference.
static llvm::Expected<double> evaluateScalar(Operation &op,
                                             ArrayRef<double> in) {
  auto nanAware = [](double a, double b, bool max) {
    if (std::isnan(a) || std::isnan(b))
      return std::nan("");
    return max ? std::fmax(a, b) : std::fmin(a, b);
  };
  std::optional<double> result =
      llvm::TypeSwitch<Operation *, std::optional<double>>(&op)
          .Case([&](arith::ConstantOp c) -> std::optional<double> {
            if (auto f = dyn_cast<FloatAttr>(c.getValue()))
              return f.getValueAsDouble();
            if (auto i = dyn_cast<IntegerAttr>(c.getValue()))
              return static_cast<double>(i.getValue().getSExtValue());
            return std::nullopt;
          })
          .Case([&](arith::AddFOp) { return in[0] + in[1]; })
          .Case([&](arith::SubFOp) { return in[0] - in[1]; })
          .Case([&](arith::MulFOp) { return in[0] * in[1]; })
          .Case([&](arith::DivFOp) { return in[0] / in[1]; })
          .Case([&](arith::NegFOp) { return -in[0]; })
          .Case([&](arith::MaximumFOp) { return nanAware(in[0], in[1], true); })
          .Case(
              [&](arith::MinimumFOp) { return nanAware(in[0], in[1], false); })
          .Case([&](arith::MaxNumFOp) { return std::fmax(in[0], in[1]); })
          .Case([&](arith::MinNumFOp) { return std::fmin(in[0], in[1]); })
          .Case([&](arith::ExtFOp) { return in[0]; })
          .Case([&](arith::TruncFOp t) {
            return roundToType(t.getType(), in[0]);
          })
          .Case([&](arith::CmpFOp c) -> std::optional<double> {
            return compare(c.getPredicate(), in[0], in[1]) ? 1.0 : 0.0;
          })
          .Case([&](arith::SelectOp) { return in[0] != 0 ? in[1] : in[2]; })
          .Case([&](arith::FPToSIOp c) -> std::optional<double> {
            // Toward zero; a value out of the range is the IR's bug (LLVM
            // makes it poison), saturated here.
            unsigned bits = c.getType().getIntOrFloatBitWidth();
            double limit = std::ldexp(1.0, static_cast<int>(bits) - 1);
            if (std::isnan(in[0]))
              return 0.0;
            return std::clamp(std::trunc(in[0]), -limit, limit - 1);
          })
          .Case([&](arith::SIToFPOp) { return in[0]; })
          .Case([&](math::RoundEvenOp) { return std::nearbyint(in[0]); })
          .Case([&](math::RoundOp) { return std::round(in[0]); })
          .Case([&](math::FloorOp) { return std::floor(in[0]); })
          .Case([&](math::CeilOp) { return std::ceil(in[0]); })
          .Case([&](math::TruncOp) { return std::trunc(in[0]); })
          .Case([&](math::ExpOp) { return std::exp(in[0]); })
          .Case([&](math::Exp2Op) { return std::exp2(in[0]); })
          .Case([&](math::ExpM1Op) { return std::expm1(in[0]); })
          .Case([&](math::LogOp) { return std::log(in[0]); })
          .Case([&](math::Log1pOp) { return std::log1p(in[0]); })
          .Case([&](math::TanhOp) { return std::tanh(in[0]); })
          .Case([&](math::ErfOp) { return std::erf(in[0]); })
          .Case([&](math::SqrtOp) { return std::sqrt(in[0]); })
          .Case([&](math::RsqrtOp) { return 1.0 / std::sqrt(in[0]); })
          .Case([&](math::AbsFOp) { return std::fabs(in[0]); })
          .Case([&](math::PowFOp) { return std::pow(in[0], in[1]); })
          .Case([&](math::FmaOp) { return in[0] * in[1] + in[2]; })
          .Default([](Operation *) { return std::nullopt; });
  if (!result)
    return evalError("no float64 reference for '" +
                     op.getName().getStringRef() + "' in an elementwise body");
  return *result;
}

/// Evaluates the scalar ops of `body` in float64 on `args` (one per block
/// argument, or fewer); returns what its terminator yields. `values` is
/// scratch kept across the elements of one generic: every element rewrites
/// the arguments and results, and outer constants stay evaluated.
static llvm::Expected<double>
evaluateBody(Block &body, ArrayRef<double> args,
             llvm::DenseMap<Value, double> &values) {
  for (auto [arg, v] : llvm::zip(body.getArguments(), args))
    values[arg] = v;
  auto get = [&](Value v) -> llvm::Expected<double> {
    auto it = values.find(v);
    if (it != values.end())
      return it->second;
    // A constant defined outside the body.
    if (Operation *def = v.getDefiningOp()) {
      if (isa<arith::ConstantOp>(def)) {
        llvm::Expected<double> c = evaluateScalar(*def, {});
        if (c)
          values[v] = *c;
        return c;
      }
    }
    return evalError("an elementwise body reads a value it cannot evaluate");
  };
  for (Operation &op : body.without_terminator()) {
    SmallVector<double> in;
    for (Value operand : op.getOperands()) {
      llvm::Expected<double> v = get(operand);
      if (!v)
        return v.takeError();
      in.push_back(*v);
    }
    if (op.getNumResults() != 1)
      return evalError("no float64 reference for '" +
                       op.getName().getStringRef() + "'");
    llvm::Expected<double> r = evaluateScalar(op, in);
    if (!r)
      return r.takeError();
    values[op.getResult(0)] = *r;
  }
  return get(body.getTerminator()->getOperand(0));
}

llvm::Expected<ref::Tensor>
norm::evaluateGeneric(linalg::GenericOp generic,
                      llvm::function_ref<const ref::Tensor *(Value)> lookup,
                      std::vector<int64_t> shape) {
  if (generic.getNumResults() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumLoops() != generic.getNumParallelLoops())
    return evalError("--check evaluates linalg.generic ops with parallel "
                     "loops and one result only");
  if (generic.getNumLoops() != shape.size())
    return evalError("linalg.generic: loop count does not match its result");
  for (OpOperand &init : generic.getDpsInitsMutable())
    if (generic.payloadUsesValueFromOperand(&init))
      return evalError("--check does not evaluate a linalg.generic that reads "
                       "its output");
  // Each dimension of an input is read at a loop's index or at a constant
  // position (torch-mlir's broadcast of a unit dimension: (d0, d1) -> (0, d1)).
  struct Input {
    const ref::Tensor *tensor;
    SmallVector<std::pair<unsigned, int64_t>> loopStrides;
    int64_t base = 0;
    Type elem;
  };
  SmallVector<Input> inputs;
  for (OpOperand *operand : generic.getDpsInputOperands()) {
    Input in;
    in.tensor = lookup(operand->get());
    AffineMap map = generic.getMatchingIndexingMap(operand);
    bool supported =
        in.tensor && map.getNumResults() == in.tensor->shape.size();
    for (AffineExpr expr : map.getResults())
      supported &= isa<AffineDimExpr, AffineConstantExpr>(expr);
    if (!supported)
      return evalError("--check cannot evaluate an operand of a "
                       "linalg.generic (not a tensor it knows, or indexed "
                       "by more than loops and constants)");
    int64_t stride = 1;
    for (int64_t r = static_cast<int64_t>(map.getNumResults()) - 1; r >= 0;
         --r) {
      int64_t extent = in.tensor->shape[r];
      if (auto dim = dyn_cast<AffineDimExpr>(map.getResult(r))) {
        if (extent != shape[dim.getPosition()])
          return evalError("linalg.generic: operand extents do not match");
        in.loopStrides.push_back({dim.getPosition(), stride});
      } else {
        int64_t at = cast<AffineConstantExpr>(map.getResult(r)).getValue();
        if (at < 0 || at >= extent)
          return evalError("linalg.generic: a constant index is out of range");
        in.base += at * stride;
      }
      stride *= extent;
    }
    in.elem = getElementTypeOrSelf(operand->get().getType());
    inputs.push_back(in);
  }
  ref::Tensor result;
  result.shape = shape;
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  result.data.resize(total);
  std::vector<int64_t> index(shape.size(), 0);
  SmallVector<double> args(inputs.size() + 1, 0.0);
  llvm::DenseMap<Value, double> scratch;
  for (int64_t linear = 0; linear < total; ++linear) {
    for (auto [k, in] : llvm::enumerate(inputs)) {
      int64_t offset = in.base;
      for (auto [d, stride] : in.loopStrides)
        offset += index[d] * stride;
      args[k] = roundToType(in.elem, in.tensor->data[offset]);
    }
    llvm::Expected<double> v = evaluateBody(*generic.getBody(), args, scratch);
    if (!v)
      return v.takeError();
    result.data[linear] = *v;
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return result;
}
