//===- EvaluateElementwise.cpp - Float64 evaluation of elementwise ops ----===//
//
// The float64 reference of what surrounds and is fused into norm ops:
// linalg.generic ops with parallel loops whose bodies hold scalar arith and
// math ops. Every scalar op is evaluated in float64 except the roundings the
// IR spells out: arith.truncf, each tensor read at its element type, and
// arith.extf, whose operand is a value of its (narrower) type. Arithmetic
// in a 16-bit type is exact up to such a conversion or store, as the
// lowerings compute it in f32 and round it once there.
//
//===----------------------------------------------------------------------===//

#include "EvaluateElementwise.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CheckedArithmetic.h"

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
          // Index and integer arithmetic (sizes and positions), exact in
          // a double below 2^53.
          .Case<arith::AddIOp>([&](auto) { return in[0] + in[1]; })
          .Case<arith::SubIOp>([&](auto) { return in[0] - in[1]; })
          .Case<arith::MulIOp>([&](auto) { return in[0] * in[1]; })
          .Case<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp,
                arith::ExtUIOp, arith::UIToFPOp>([&](auto) { return in[0]; })
          .Case([&](arith::CmpIOp c) -> std::optional<double> {
            bool r = false;
            switch (c.getPredicate()) {
            case arith::CmpIPredicate::eq:
              r = in[0] == in[1];
              break;
            case arith::CmpIPredicate::ne:
              r = in[0] != in[1];
              break;
            case arith::CmpIPredicate::slt:
            case arith::CmpIPredicate::ult:
              r = in[0] < in[1];
              break;
            case arith::CmpIPredicate::sle:
            case arith::CmpIPredicate::ule:
              r = in[0] <= in[1];
              break;
            case arith::CmpIPredicate::sgt:
            case arith::CmpIPredicate::ugt:
              r = in[0] > in[1];
              break;
            case arith::CmpIPredicate::sge:
            case arith::CmpIPredicate::uge:
              r = in[0] >= in[1];
              break;
            }
            return r ? 1.0 : 0.0;
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
          // A value converted from a 16-bit type is one the type holds:
          // 16-bit arithmetic is exact up to there (the lowerings compute it
          // in f32 and round it once, where it is converted or stored).
          .Case([&](arith::ExtFOp e) {
            return roundToType(e.getIn().getType(), in[0]);
          })
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
          .Case([&](math::FPowIOp) { return std::pow(in[0], in[1]); })
          .Case([&](math::FmaOp) { return in[0] * in[1] + in[2]; })
          .Default([](Operation *) { return std::nullopt; });
  if (!result)
    return evalError("no float64 reference for '" +
                     op.getName().getStringRef() + "' in an elementwise body");
  return *result;
}

/// Evaluates the scalar ops of `body` in float64 on `args` (one per block
/// argument, or fewer); writes what its terminator yields to `yields`.
/// `values` is scratch kept across the elements of one generic: every
/// element rewrites the arguments and results, and outer constants stay
/// evaluated.
static llvm::Error evaluateBody(Block &body, ArrayRef<double> args,
                                ArrayRef<int64_t> index,
                                const BodyContext &context,
                                llvm::DenseMap<Value, double> &values,
                                MutableArrayRef<double> yields) {
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
    // A size computed outside (a dynamic mean's count).
    if (std::optional<int64_t> n = context.integer(v)) {
      values[v] = static_cast<double>(*n);
      return values[v];
    }
    return evalError("an elementwise body reads a value it cannot evaluate");
  };
  for (Operation &op : body.without_terminator()) {
    if (auto loop = dyn_cast<linalg::IndexOp>(op)) {
      values[loop.getResult()] = static_cast<double>(index[loop.getDim()]);
      continue;
    }
    // An element of a tensor read at computed positions (torch-mlir's
    // broadcasts of dynamically sized tensors).
    if (auto extract = dyn_cast<tensor::ExtractOp>(op)) {
      const ref::Tensor *t = context.lookup(extract.getTensor());
      if (!t || t->shape.size() != extract.getIndices().size())
        return evalError("an elementwise body extracts from a tensor it "
                         "cannot evaluate");
      int64_t offset = 0;
      for (auto [i, position] : llvm::enumerate(extract.getIndices())) {
        llvm::Expected<double> p = get(position);
        if (!p)
          return p.takeError();
        if (*p < 0 || *p >= static_cast<double>(t->shape[i]))
          return evalError("an elementwise body extracts out of bounds");
        offset = offset * t->shape[i] + static_cast<int64_t>(*p);
      }
      values[extract.getResult()] =
          roundToType(extract.getType(), t->data[offset]);
      continue;
    }
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
  for (auto [y, v] : llvm::zip(yields, body.getTerminator()->getOperands())) {
    llvm::Expected<double> r = get(v);
    if (!r)
      return r.takeError();
    y = *r;
  }
  return llvm::Error::success();
}

namespace {
/// How a generic reads (or writes) one operand: each dimension at a loop's
/// index or at a constant position (torch-mlir's broadcast of a unit
/// dimension: (d0, d1) -> (0, d1)).
struct Access {
  SmallVector<std::pair<unsigned, int64_t>> loopStrides;
  int64_t base = 0;
  int64_t offset(ArrayRef<int64_t> index) const {
    int64_t o = base;
    for (auto [d, stride] : loopStrides)
      o += index[d] * stride;
    return o;
  }
};
} // namespace

/// acc += a * b, false on overflow (maps from anywhere, positions bounded
/// by the operands' sizes only after this).
static bool mulAdd(int64_t &acc, int64_t a, int64_t b) {
  std::optional<int64_t> product = llvm::checkedMul(a, b);
  std::optional<int64_t> sum =
      product ? llvm::checkedAdd(acc, *product) : std::nullopt;
  if (!sum)
    return false;
  acc = *sum;
  return true;
}

/// `expr` as constant + sum of coefficient * loop, or none (mod, floordiv,
/// symbols, overflow).
static bool linearTerms(AffineExpr expr, int64_t scale, int64_t &constant,
                        SmallVectorImpl<int64_t> &coefficients) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return mulAdd(coefficients[dim.getPosition()], scale, 1);
  if (auto c = dyn_cast<AffineConstantExpr>(expr))
    return mulAdd(constant, scale, c.getValue());
  auto bin = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!bin)
    return false;
  if (bin.getKind() == AffineExprKind::Add)
    return linearTerms(bin.getLHS(), scale, constant, coefficients) &&
           linearTerms(bin.getRHS(), scale, constant, coefficients);
  if (bin.getKind() == AffineExprKind::Mul) {
    auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
    AffineExpr other = bin.getLHS();
    if (!c) {
      c = dyn_cast<AffineConstantExpr>(bin.getLHS());
      other = bin.getRHS();
    }
    int64_t scaled = 0;
    return c && mulAdd(scaled, scale, c.getValue()) &&
           linearTerms(other, scaled, constant, coefficients);
  }
  return false;
}

static llvm::Expected<Access> accessOf(AffineMap map,
                                       ArrayRef<int64_t> operandShape,
                                       ArrayRef<int64_t> loops) {
  // Each dimension is read at a loop's index, a constant position
  // (torch-mlir's broadcast of a unit dimension: (d0, d1) -> (0, d1)) or a
  // linear combination of loops (a convolution's window, d2 * 2 + d5).
  auto unsupported = [] {
    return evalError("--check cannot evaluate an operand of a linalg.generic "
                     "(not a tensor it knows, or indexed by more than linear "
                     "combinations of loops)");
  };
  if (map.getNumResults() != operandShape.size() || map.getNumSymbols() != 0)
    return unsupported();
  Access access;
  int64_t stride = 1;
  for (int64_t r = static_cast<int64_t>(map.getNumResults()) - 1; r >= 0; --r) {
    int64_t extent = operandShape[r];
    AffineExpr expr = map.getResult(r);
    int64_t constant = 0;
    SmallVector<int64_t> coefficients(loops.size(), 0);
    if (!linearTerms(expr, 1, constant, coefficients))
      return unsupported();
    if (auto dim = dyn_cast<AffineDimExpr>(expr);
        dim && extent != loops[dim.getPosition()])
      return evalError("linalg.generic: operand extents do not match");
    // The lowest and highest positions over the loops.
    int64_t lowest = constant, highest = constant;
    for (auto [d, c] : llvm::enumerate(coefficients)) {
      if (c == 0)
        continue;
      if (loops[d] == 0)
        return access; // nothing is read
      int64_t strideOfLoop = 0;
      if (!mulAdd(c > 0 ? highest : lowest, c, loops[d] - 1) ||
          !mulAdd(strideOfLoop, c, stride))
        return unsupported();
      access.loopStrides.push_back({static_cast<unsigned>(d), strideOfLoop});
    }
    // In range, positions times strides stay within the operand's size.
    if (lowest < 0 || highest >= extent)
      return evalError("linalg.generic: an operand is read out of range");
    access.base += constant * stride;
    stride *= extent;
  }
  return access;
}

llvm::Expected<std::vector<ref::Tensor>>
norm::evaluateGeneric(linalg::GenericOp generic, const BodyContext &context,
                      ArrayRef<int64_t> loops,
                      ArrayRef<std::vector<int64_t>> resultShapes) {
  auto lookup = context.lookup;
  unsigned numResults = generic.getNumDpsInits();
  if (generic.getNumResults() != numResults ||
      resultShapes.size() != numResults)
    return evalError("--check evaluates linalg.generic ops on tensors only");
  if (generic.getNumLoops() != loops.size())
    return evalError("linalg.generic: loop count does not match its loops");
  struct Input {
    const ref::Tensor *tensor;
    Access access;
    Type elem;
  };
  SmallVector<Input> inputs;
  for (OpOperand *operand : generic.getDpsInputOperands()) {
    const ref::Tensor *tensor = lookup(operand->get());
    if (!tensor)
      return evalError("--check cannot evaluate an operand of a "
                       "linalg.generic (not a tensor it knows)");
    auto access =
        accessOf(generic.getMatchingIndexingMap(operand), tensor->shape, loops);
    if (!access)
      return access.takeError();
    inputs.push_back(
        {tensor, *access, getElementTypeOrSelf(operand->get().getType())});
  }
  // Each result starts as its init's values when the body reads them (a
  // reduction's accumulator; a max with its index takes two), and is
  // written at its output map's position; a reduction accumulates in
  // float64.
  std::vector<ref::Tensor> results(numResults);
  SmallVector<Access> outs;
  SmallVector<bool> readsInit;
  for (unsigned r = 0; r < numResults; ++r) {
    OpOperand *init = generic.getDpsInitOperand(r);
    readsInit.push_back(generic.payloadUsesValueFromOperand(init));
    if (readsInit.back()) {
      const ref::Tensor *start = lookup(init->get());
      if (!start)
        return evalError("--check cannot evaluate the initial value of a "
                         "linalg.generic's output");
      results[r] = *start;
    } else {
      results[r].shape = resultShapes[r];
      int64_t n = 1;
      for (int64_t d : resultShapes[r])
        n *= d;
      results[r].data.assign(n, 0.0);
    }
    auto out =
        accessOf(generic.getMatchingIndexingMap(init), results[r].shape, loops);
    if (!out)
      return out.takeError();
    outs.push_back(*out);
  }
  int64_t total = 1;
  for (int64_t d : loops)
    total *= d;
  std::vector<int64_t> index(loops.size(), 0);
  SmallVector<double> args(inputs.size() + numResults, 0.0);
  SmallVector<double> yields(numResults, 0.0);
  SmallVector<int64_t> at(numResults, 0);
  llvm::DenseMap<Value, double> scratch;
  for (int64_t linear = 0; linear < total; ++linear) {
    for (auto [k, in] : llvm::enumerate(inputs))
      args[k] = roundToType(in.elem, in.tensor->data[in.access.offset(index)]);
    for (unsigned r = 0; r < numResults; ++r) {
      at[r] = outs[r].offset(index);
      args[inputs.size() + r] = readsInit[r] ? results[r].data[at[r]] : 0.0;
    }
    if (llvm::Error err = evaluateBody(*generic.getBody(), args, index, context,
                                       scratch, yields))
      return std::move(err);
    for (unsigned r = 0; r < numResults; ++r)
      results[r].data[at[r]] = yields[r];
    for (int64_t d = static_cast<int64_t>(loops.size()) - 1; d >= 0; --d) {
      if (++index[d] < loops[d])
        break;
      index[d] = 0;
    }
  }
  return results;
}
