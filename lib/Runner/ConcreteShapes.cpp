//===- ConcreteShapes.cpp - A function's sizes for given inputs -----------===//

#include "ConcreteShapes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Reference/Reference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace mlir;
using namespace mlir::norm;

static std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << '[';
  llvm::interleaveComma(shape, os);
  os << ']';
  return s;
}

std::string norm::describeOp(Operation *op) {
  std::string s = "'" + op->getName().getStringRef().str() + "'";
  if (auto loc = op->getLoc()->findInstanceOf<FileLineColLoc>())
    s += " (" + llvm::sys::path::filename(loc.getFilename().getValue()).str() +
         ":" + std::to_string(loc.getLine()) + ":" +
         std::to_string(loc.getColumn()) + ")";
  return s;
}

static llvm::Error opError(Operation *op, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 describeOp(op) + ": " + message);
}

/// The bit width of an integer or index value, 0 for other types.
static unsigned bitWidth(Type type) {
  if (type.isIndex())
    return 64;
  if (auto integer = dyn_cast<IntegerType>(type))
    return integer.getWidth() <= 64 ? integer.getWidth() : 0;
  return 0;
}

/// Integers are held sign-extended from their width.
static int64_t signExtend(int64_t v, unsigned width) {
  return width >= 64 ? v : llvm::SignExtend64(v, width);
}
static uint64_t zeroExtend(int64_t v, unsigned width) {
  return width >= 64 ? static_cast<uint64_t>(v)
                     : static_cast<uint64_t>(v) &
                           llvm::maskTrailingOnes<uint64_t>(width);
}

static std::optional<bool> compare(arith::CmpIPredicate predicate, int64_t a,
                                   int64_t b, unsigned width) {
  uint64_t ua = zeroExtend(a, width), ub = zeroExtend(b, width);
  switch (predicate) {
  case arith::CmpIPredicate::eq:
    return a == b;
  case arith::CmpIPredicate::ne:
    return a != b;
  case arith::CmpIPredicate::slt:
    return a < b;
  case arith::CmpIPredicate::sle:
    return a <= b;
  case arith::CmpIPredicate::sgt:
    return a > b;
  case arith::CmpIPredicate::sge:
    return a >= b;
  case arith::CmpIPredicate::ult:
    return ua < ub;
  case arith::CmpIPredicate::ule:
    return ua <= ub;
  case arith::CmpIPredicate::ugt:
    return ua > ub;
  case arith::CmpIPredicate::uge:
    return ua >= ub;
  }
  return std::nullopt;
}

namespace {

class Propagation {
public:
  explicit Propagation(func::FuncOp func) : func(func) {}

  llvm::Error run(llvm::ArrayRef<HostTensor> inputs);
  ConcreteShapes result;

private:
  std::optional<int64_t> integer(Value v) const {
    auto it = result.integers.find(v);
    if (it == result.integers.end())
      return std::nullopt;
    return it->second;
  }
  std::optional<int64_t> size(OpFoldResult ofr) const {
    if (auto attr = dyn_cast<Attribute>(ofr))
      return cast<IntegerAttr>(attr).getInt();
    return integer(cast<Value>(ofr));
  }
  void setInteger(Value v, int64_t x) {
    result.integers[v] = signExtend(x, bitWidth(v.getType()));
  }

  void visitArith(Operation *op);
  llvm::Error visitTensor(Operation *op);
  llvm::Error visitLinalg(linalg::LinalgOp op);
  void visitScalarGeneric(linalg::GenericOp g);
  llvm::Error visitNorm(NormalizationOpInterface op);

  func::FuncOp func;
  /// The values of 1-D integer tensors built from known scalars.
  llvm::DenseMap<Value, std::vector<int64_t>> integerTensors;
};

} // namespace

/// Index and integer arithmetic on known values, and integer constants.
void Propagation::visitArith(Operation *op) {
  // A constant shape operand (a folded tensor.from_elements).
  if (auto constant = dyn_cast<arith::ConstantOp>(op))
    if (auto elements = dyn_cast<DenseIntElementsAttr>(constant.getValue());
        elements && elements.getType().getRank() <= 1) {
      std::vector<int64_t> values;
      for (const APInt &v : elements.getValues<APInt>())
        values.push_back(v.getSExtValue());
      integerTensors[constant.getResult()] = std::move(values);
      return;
    }
  if (op->getNumResults() != 1)
    return;
  Value out = op->getResult(0);
  unsigned width = bitWidth(out.getType());
  if (!width)
    return;
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    if (auto attr = dyn_cast<IntegerAttr>(constant.getValue()))
      setInteger(out, attr.getValue().getSExtValue());
    return;
  }
  SmallVector<int64_t, 3> in;
  for (Value operand : op->getOperands()) {
    std::optional<int64_t> v = integer(operand);
    if (!v)
      return;
    in.push_back(*v);
  }
  unsigned inWidth =
      op->getNumOperands() ? bitWidth(op->getOperand(0).getType()) : width;
  auto set = [&](std::optional<int64_t> v) {
    if (v)
      setInteger(out, *v);
  };
  // Overflow wraps (as in arith); division by zero and the one overflowing
  // division leave the value unknown.
  auto wrap = [](uint64_t v) { return static_cast<int64_t>(v); };
  auto divisible = [&]() {
    return in[1] != 0 && !(in[0] == INT64_MIN && in[1] == -1);
  };
  llvm::TypeSwitch<Operation *>(op)
      .Case(
          [&](arith::AddIOp) { set(wrap(uint64_t(in[0]) + uint64_t(in[1]))); })
      .Case(
          [&](arith::SubIOp) { set(wrap(uint64_t(in[0]) - uint64_t(in[1]))); })
      .Case(
          [&](arith::MulIOp) { set(wrap(uint64_t(in[0]) * uint64_t(in[1]))); })
      .Case([&](arith::DivSIOp) {
        if (divisible())
          set(in[0] / in[1]);
      })
      .Case([&](arith::RemSIOp) {
        if (divisible())
          set(in[0] % in[1]);
      })
      .Case([&](arith::FloorDivSIOp) {
        if (divisible())
          set(llvm::divideFloorSigned(in[0], in[1]));
      })
      .Case([&](arith::CeilDivSIOp) {
        if (divisible())
          set(llvm::divideCeilSigned(in[0], in[1]));
      })
      .Case([&](arith::DivUIOp) {
        if (zeroExtend(in[1], width))
          set(wrap(zeroExtend(in[0], width) / zeroExtend(in[1], width)));
      })
      .Case([&](arith::RemUIOp) {
        if (zeroExtend(in[1], width))
          set(wrap(zeroExtend(in[0], width) % zeroExtend(in[1], width)));
      })
      .Case([&](arith::AndIOp) { set(in[0] & in[1]); })
      .Case([&](arith::OrIOp) { set(in[0] | in[1]); })
      .Case([&](arith::XOrIOp) { set(in[0] ^ in[1]); })
      .Case([&](arith::MaxSIOp) { set(std::max(in[0], in[1])); })
      .Case([&](arith::MinSIOp) { set(std::min(in[0], in[1])); })
      .Case([&](arith::MaxUIOp) {
        set(zeroExtend(in[0], width) >= zeroExtend(in[1], width) ? in[0]
                                                                 : in[1]);
      })
      .Case([&](arith::MinUIOp) {
        set(zeroExtend(in[0], width) <= zeroExtend(in[1], width) ? in[0]
                                                                 : in[1]);
      })
      .Case([&](arith::CmpIOp cmp) {
        if (std::optional<bool> b =
                compare(cmp.getPredicate(), in[0], in[1], inWidth))
          set(*b ? 1 : 0);
      })
      .Case([&](arith::SelectOp) { set(in[0] ? in[1] : in[2]); })
      .Case<arith::IndexCastOp, arith::ExtSIOp, arith::TruncIOp>(
          [&](Operation *) { set(in[0]); })
      .Case<arith::IndexCastUIOp, arith::ExtUIOp>(
          [&](Operation *) { set(wrap(zeroExtend(in[0], inWidth))); });
}

/// tensor.dim, tensor.empty, tensor.cast, the reshapes and their shape
/// operands.
llvm::Error Propagation::visitTensor(Operation *op) {
  auto shapeOf = [&](Value v) { return result.shapeOf(v); };
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](tensor::DimOp dim) -> llvm::Error {
        const std::vector<int64_t> *shape = shapeOf(dim.getSource());
        std::optional<int64_t> index = integer(dim.getIndex());
        if (!shape || !index)
          return llvm::Error::success();
        if (*index < 0 || *index >= static_cast<int64_t>(shape->size()))
          return opError(op, "dimension " + llvm::Twine(*index) +
                                 " of a tensor of rank " +
                                 llvm::Twine(shape->size()));
        setInteger(dim.getResult(), (*shape)[*index]);
        return llvm::Error::success();
      })
      .Case([&](tensor::EmptyOp empty) -> llvm::Error {
        std::vector<int64_t> shape;
        for (OpFoldResult ofr : empty.getMixedSizes()) {
          std::optional<int64_t> n = size(ofr);
          if (!n)
            return llvm::Error::success();
          if (*n < 0)
            return opError(op, "a negative size, " + llvm::Twine(*n));
          shape.push_back(*n);
        }
        result.shapes[empty.getResult()] = std::move(shape);
        return llvm::Error::success();
      })
      .Case([&](tensor::CastOp cast) -> llvm::Error {
        const std::vector<int64_t> *shape = shapeOf(cast.getSource());
        auto type = dyn_cast<RankedTensorType>(cast.getType());
        if (!shape || !type)
          return llvm::Error::success();
        for (auto [d, n] : llvm::enumerate(*shape))
          if (!type.isDynamicDim(d) && type.getDimSize(d) != n)
            return opError(op, "casts a tensor of shape " +
                                   shapeString(*shape) + " to " +
                                   shapeString(type.getShape()));
        // A copy: inserting may move the map's entries.
        std::vector<int64_t> same = *shape;
        result.shapes[cast.getResult()] = std::move(same);
        return llvm::Error::success();
      })
      .Case([&](tensor::CollapseShapeOp collapse) -> llvm::Error {
        const std::vector<int64_t> *shape = shapeOf(collapse.getSrc());
        if (!shape)
          return llvm::Error::success();
        std::vector<int64_t> collapsed;
        for (ReassociationIndices group : collapse.getReassociationIndices()) {
          int64_t n = 1;
          for (int64_t d : group)
            n *= (*shape)[d];
          collapsed.push_back(n);
        }
        result.shapes[collapse.getResult()] = std::move(collapsed);
        return llvm::Error::success();
      })
      .Case([&](tensor::ExpandShapeOp expand) -> llvm::Error {
        const std::vector<int64_t> *shape = shapeOf(expand.getSrc());
        if (!shape)
          return llvm::Error::success();
        std::vector<int64_t> expanded;
        for (OpFoldResult ofr : expand.getMixedOutputShape()) {
          std::optional<int64_t> n = size(ofr);
          if (!n)
            return llvm::Error::success();
          expanded.push_back(*n);
        }
        for (auto [d, group] :
             llvm::enumerate(expand.getReassociationIndices())) {
          int64_t n = 1;
          for (int64_t e : group)
            n *= expanded[e];
          if (n != (*shape)[d] ||
              llvm::any_of(group, [&](int64_t e) { return expanded[e] < 0; }))
            return opError(op, "expands a tensor of shape " +
                                   shapeString(*shape) + " into " +
                                   shapeString(expanded));
        }
        result.shapes[expand.getResult()] = std::move(expanded);
        return llvm::Error::success();
      })
      .Case([&](tensor::FromElementsOp from) -> llvm::Error {
        // A shape operand (tensor.reshape's).
        std::vector<int64_t> elements;
        for (Value v : from.getElements()) {
          std::optional<int64_t> n = integer(v);
          if (!n)
            return llvm::Error::success();
          elements.push_back(*n);
        }
        integerTensors[from.getResult()] = std::move(elements);
        return llvm::Error::success();
      })
      .Case([&](tensor::ExtractSliceOp slice) -> llvm::Error {
        // A piece of a shape operand.
        auto it = integerTensors.find(slice.getSource());
        if (it == integerTensors.end() ||
            slice.getSourceType().getRank() != 1 ||
            ShapedType::isDynamic(slice.getStaticOffsets()[0]) ||
            ShapedType::isDynamic(slice.getStaticSizes()[0]) ||
            slice.getStaticStrides()[0] != 1)
          return llvm::Error::success();
        int64_t at = slice.getStaticOffsets()[0];
        int64_t n = slice.getStaticSizes()[0];
        if (at < 0 || at + n > static_cast<int64_t>(it->second.size()))
          return llvm::Error::success();
        std::vector<int64_t> piece(it->second.begin() + at,
                                   it->second.begin() + at + n);
        integerTensors[slice.getResult()] = std::move(piece);
        return llvm::Error::success();
      })
      .Case([&](tensor::ExtractOp extract) -> llvm::Error {
        // An element of a shape operand or of a rank-0 integer tensor.
        auto it = integerTensors.find(extract.getTensor());
        if (it == integerTensors.end() || !bitWidth(extract.getType()))
          return llvm::Error::success();
        int64_t at = 0;
        if (!extract.getIndices().empty()) {
          std::optional<int64_t> i = extract.getIndices().size() == 1
                                         ? integer(extract.getIndices()[0])
                                         : std::nullopt;
          if (!i)
            return llvm::Error::success();
          at = *i;
        }
        if (at >= 0 && at < static_cast<int64_t>(it->second.size()))
          setInteger(extract.getResult(), it->second[at]);
        return llvm::Error::success();
      })
      .Case([&](tensor::ReshapeOp reshape) -> llvm::Error {
        const std::vector<int64_t> *shape = shapeOf(reshape.getSource());
        auto it = integerTensors.find(reshape.getShape());
        if (!shape || it == integerTensors.end())
          return llvm::Error::success();
        int64_t from = 1, to = 1;
        for (int64_t n : *shape)
          from *= n;
        for (int64_t n : it->second)
          to = n < 0 ? -1 : to * n;
        if (from != to)
          return opError(op, "reshapes a tensor of shape " +
                                 shapeString(*shape) + " into " +
                                 shapeString(it->second));
        result.shapes[reshape.getResult()] = it->second;
        return llvm::Error::success();
      })
      .Default([](Operation *) { return llvm::Error::success(); });
}

/// Whether `e` only grows with each dimension: sums and products with
/// non-negative constants of dimensions and non-negative constants.
static bool isMonotone(AffineExpr e) {
  if (isa<AffineDimExpr>(e))
    return true;
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return c.getValue() >= 0;
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin || (e.getKind() != AffineExprKind::Add &&
               e.getKind() != AffineExprKind::Mul))
    return false;
  return isMonotone(bin.getLHS()) && isMonotone(bin.getRHS());
}

/// The operands of a linalg op must agree on each loop's size, and every
/// position an indexing map reads or writes must lie inside its operand.
/// A loop-free generic on integer scalars and rank-0 tensors (ONNX shape
/// arithmetic): its body, evaluated on the known inputs.
void Propagation::visitScalarGeneric(linalg::GenericOp g) {
  Block *body = g.getBody();
  for (OpOperand *input : g.getDpsInputOperands()) {
    Value in = input->get();
    BlockArgument arg = body->getArgument(input->getOperandNumber());
    if (!isa<ShapedType>(in.getType())) {
      if (std::optional<int64_t> v = integer(in))
        setInteger(arg, *v);
      continue;
    }
    auto it = integerTensors.find(in);
    if (it != integerTensors.end() && it->second.size() == 1)
      setInteger(arg, it->second[0]);
  }
  for (Operation &op : body->without_terminator())
    if (isa<arith::ArithDialect>(op.getDialect()))
      visitArith(&op);
  if (std::optional<int64_t> y = integer(body->getTerminator()->getOperand(0)))
    integerTensors[g.getResult(0)] = {*y};
}

llvm::Error Propagation::visitLinalg(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics())
    return llvm::Error::success();
  if (auto g = dyn_cast<linalg::GenericOp>(op.getOperation());
      g && g.getNumLoops() == 0 && g.getNumResults() == 1 &&
      bitWidth(getElementTypeOrSelf(g.getResult(0).getType()))) {
    visitScalarGeneric(g);
    return llvm::Error::success();
  }
  unsigned numLoops = op.getNumLoops();
  std::vector<int64_t> loops(numLoops, ShapedType::kDynamic);
  std::vector<int64_t> from(numLoops, -1);
  SmallVector<std::pair<OpOperand *, const std::vector<int64_t> *>> shaped;
  for (OpOperand &operand : op->getOpOperands()) {
    const std::vector<int64_t> *shape = result.shapeOf(operand.get());
    if (!shape || (!op.isDpsInput(&operand) && !op.isDpsInit(&operand)))
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (map.getNumResults() != shape->size())
      continue;
    shaped.push_back({&operand, shape});
    for (auto [r, expr] : llvm::enumerate(map.getResults())) {
      auto dim = dyn_cast<AffineDimExpr>(expr);
      if (!dim)
        continue;
      unsigned d = dim.getPosition();
      int64_t n = (*shape)[r];
      if (loops[d] == ShapedType::kDynamic) {
        loops[d] = n;
        from[d] = operand.getOperandNumber();
      } else if (loops[d] != n) {
        return opError(
            op, "operand #" + llvm::Twine(operand.getOperandNumber()) +
                    " has size " + llvm::Twine(n) + " along loop d" +
                    llvm::Twine(d) + " but operand #" + llvm::Twine(from[d]) +
                    " has size " + llvm::Twine(loops[d]));
      }
    }
  }
  // Positions away from the loop variables (constants, sums of windows):
  // the largest one must be inside the operand. Nothing is read when a loop
  // is empty.
  if (llvm::is_contained(loops, 0))
    return llvm::Error::success();
  for (auto [operand, shape] : shaped) {
    AffineMap map = op.getMatchingIndexingMap(operand);
    for (auto [r, expr] : llvm::enumerate(map.getResults())) {
      if (isa<AffineDimExpr>(expr) || !isMonotone(expr))
        continue;
      SmallVector<AffineExpr> last;
      bool known = true;
      for (unsigned d = 0; d < numLoops; ++d) {
        known &= loops[d] != ShapedType::kDynamic || !expr.isFunctionOfDim(d);
        last.push_back(getAffineConstantExpr(
            loops[d] == ShapedType::kDynamic ? 0 : loops[d] - 1,
            op.getContext()));
      }
      auto highest = dyn_cast<AffineConstantExpr>(
          simplifyAffineExpr(expr.replaceDims(last), 0, 0));
      if (known && highest && highest.getValue() >= (*shape)[r])
        return opError(
            op, "operand #" + llvm::Twine(operand->getOperandNumber()) +
                    " is accessed at " + llvm::Twine(highest.getValue()) +
                    " in its dimension " + llvm::Twine(r) + " of size " +
                    llvm::Twine((*shape)[r]));
    }
  }
  if (llvm::none_of(loops, ShapedType::isDynamic))
    result.loops[op] = loops;
  for (auto [res, init] : llvm::zip(op->getResults(), op.getDpsInits()))
    if (const std::vector<int64_t> *shape = result.shapeOf(init)) {
      // A copy: inserting may move the map's entries.
      std::vector<int64_t> same = *shape;
      result.shapes[res] = std::move(same);
    }
  return llvm::Error::success();
}

/// With dynamic sizes, gamma, beta and the statistics and fused operands of
/// a norm op must still fit its input, or the kernel would read out of
/// bounds.
llvm::Error Propagation::visitNorm(NormalizationOpInterface op) {
  const std::vector<int64_t> *found = result.shapeOf(op.getInput());
  if (!found)
    return llvm::Error::success();
  std::vector<int64_t> input = *found;
  std::string error;
  ref::Shapes expected;
  bool ok = ref::deriveShapes(op.getDesc(), input, expected, error);
  auto check = [&](const char *name, Value v,
                   const std::vector<int64_t> &want) {
    const std::vector<int64_t> *shape = v ? result.shapeOf(v) : nullptr;
    if (!ok || !shape || *shape == want)
      return;
    ok = false;
    error = std::string(name) + " has shape " + shapeString(*shape) +
            " but the input " + shapeString(input) + " needs " +
            shapeString(want);
  };
  check("gamma", op.getScaleOperand(), expected.param);
  check("beta", op.getShiftOperand(), expected.param);
  check("the mean operand", op.getMeanOperand(), expected.channel);
  check("the variance operand", op.getVarOperand(), expected.channel);
  auto checkFused = [&](const char *name, OperandRange operands,
                        ArrayRef<AffineMap> maps) {
    for (auto [operand, map] : llvm::zip(operands, maps)) {
      std::vector<int64_t> want;
      for (unsigned r = 0; r < map.getNumResults(); ++r)
        want.push_back(input[map.getDimPosition(r)]);
      check(name, operand, want);
    }
  };
  checkFused("a prologue operand", op.getPrologueInputs(),
             op.getPrologueIndexing());
  checkFused("an epilogue operand", op.getEpilogueInputs(),
             op.getEpilogueIndexing());
  if (!ok)
    return opError(op, error);
  result.shapes[op.getOutput()] = input;
  if (Value kept = op.getPrologueResult())
    result.shapes[kept] = input;
  for (Value v : op.getStatsResults())
    result.shapes[v] = expected.stats;
  for (Value v : op.getRunningResults())
    result.shapes[v] = expected.channel;
  return llvm::Error::success();
}

llvm::Error Propagation::run(llvm::ArrayRef<HostTensor> inputs) {
  for (auto [arg, input] : llvm::zip(func.getArguments(), inputs))
    result.shapes[arg] =
        std::vector<int64_t>(input.shape().begin(), input.shape().end());
  Block *entry = func.getBody().empty() ? nullptr : &func.getBody().front();
  std::string failure;
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    // Static shapes need no following (constants, say).
    for (Value r : op->getResults())
      if (auto type = dyn_cast<RankedTensorType>(r.getType());
          type && type.hasStaticShape())
        result.shapes[r] = std::vector<int64_t>(type.getShape().begin(),
                                                type.getShape().end());
    llvm::Error err = [&]() -> llvm::Error {
      if (auto norm = dyn_cast<NormalizationOpInterface>(op))
        return visitNorm(norm);
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
        return visitLinalg(linalgOp);
      if (isa<tensor::TensorDialect>(op->getDialect()))
        return visitTensor(op);
      if (isa<arith::ArithDialect>(op->getDialect()))
        visitArith(op);
      // An assertion only where it runs on every call.
      auto assertOp = dyn_cast<cf::AssertOp>(op);
      std::optional<int64_t> holds =
          assertOp ? integer(assertOp.getArg()) : std::nullopt;
      if (assertOp && op->getBlock() == entry && holds && !*holds)
        return opError(op, "these inputs fail the program's assertion \"" +
                               assertOp.getMsg() + "\"");
      return llvm::Error::success();
    }();
    if (err) {
      failure = llvm::toString(std::move(err));
      return WalkResult::interrupt();
    }
    // The bodies of linalg and norm ops hold scalar code.
    if (isa<NormalizationOpInterface, linalg::LinalgOp>(op))
      return WalkResult::skip();
    return WalkResult::advance();
  });
  if (failure.empty())
    return llvm::Error::success();
  return llvm::createStringError(llvm::inconvertibleErrorCode(), failure);
}

llvm::Expected<ConcreteShapes>
norm::propagateShapes(func::FuncOp func, llvm::ArrayRef<HostTensor> inputs) {
  Propagation propagation(func);
  if (llvm::Error err = propagation.run(inputs))
    return std::move(err);
  return std::move(propagation.result);
}
