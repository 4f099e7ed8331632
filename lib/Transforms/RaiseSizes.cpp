//===- RaiseSizes.cpp - Sizes and element counts as importers write them --===//
//
// With dynamic sizes, importers compute element counts and reshape targets
// with index arithmetic: torch-mlir's mean divides by sitofp of a product
// of tensor.dim values, and its reshapes infer a -1 size as
// `select(d < 0, total / known, d)`. Sizes here are followed to the tensor
// and dimension they were first taken from (Extent), and counts to products
// of those (Monomial), so that two computations of one size compare equal.
//
//===----------------------------------------------------------------------===//

#include "RaiseMatchers.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace mlir::norm::raise {

Extent extentOf(Value tensor, int64_t dim) {
  for (int depth = 0; depth < 64; ++depth) {
    auto type = dyn_cast<RankedTensorType>(tensor.getType());
    if (!type || dim >= type.getRank())
      break;
    if (!type.isDynamicDim(dim))
      return Extent{type.getDimSize(dim), {}, -1, {}};
    if (auto empty = tensor.getDefiningOp<tensor::EmptyOp>())
      return extentOfValue(empty.getDynamicSize(dim));
    if (auto expand = tensor.getDefiningOp<tensor::ExpandShapeOp>()) {
      OpFoldResult size = expand.getMixedOutputShape()[dim];
      if (auto v = dyn_cast<Value>(size))
        return extentOfValue(v);
      return Extent{*getConstantIntValue(size), {}, -1, {}};
    }
    // A reshape to a shape built from scalars: the scalar.
    if (auto reshape = tensor.getDefiningOp<tensor::ReshapeOp>()) {
      auto from = reshape.getShape().getDefiningOp<tensor::FromElementsOp>();
      if (!from)
        break;
      return extentOfValue(from.getElements()[dim]);
    }
    auto result = dyn_cast<OpResult>(tensor);
    auto dps = result ? dyn_cast<DestinationStyleOpInterface>(result.getOwner())
                      : DestinationStyleOpInterface();
    if (!dps)
      break;
    tensor = dps.getDpsInitOperand(result.getResultNumber())->get();
  }
  return Extent{ShapedType::kDynamic, tensor, dim, {}};
}

Extent extentOfValue(Value v) {
  while (isa_and_nonnull<arith::IndexCastOp, arith::IndexCastUIOp,
                         arith::ExtSIOp, arith::ExtUIOp>(v.getDefiningOp()))
    v = v.getDefiningOp()->getOperand(0);
  if (std::optional<int64_t> c = getConstantIntValue(v))
    return Extent{*c, {}, -1, {}};
  if (auto dimOp = v.getDefiningOp<tensor::DimOp>())
    if (std::optional<int64_t> d = dimOp.getConstantIndex())
      return extentOf(dimOp.getSource(), *d);
  return Extent{ShapedType::kDynamic, {}, -1, v};
}

bool Monomial::nonNegative() const {
  return coefficient >= 0 && llvm::all_of(factors, [](const Extent &e) {
           return static_cast<bool>(e.tensor);
         });
}

Monomial Monomial::operator*(const Monomial &o) const {
  Monomial m = *this;
  m.coefficient *= o.coefficient;
  llvm::append_range(m.factors, o.factors);
  return m;
}

bool Monomial::operator==(const Monomial &o) const {
  if (coefficient != o.coefficient || factors.size() != o.factors.size())
    return false;
  SmallVector<Extent> left = o.factors;
  for (const Extent &f : factors) {
    auto it = llvm::find(left, f);
    if (it == left.end())
      return false;
    left.erase(it);
  }
  return true;
}

/// `a / b` when b's factors are among a's and its coefficient divides a's.
static std::optional<Monomial> divide(const Monomial &a, const Monomial &b) {
  if (b.coefficient == 0 || a.coefficient % b.coefficient != 0)
    return std::nullopt;
  Monomial q = a;
  q.coefficient /= b.coefficient;
  for (const Extent &f : b.factors) {
    auto it = llvm::find(q.factors, f);
    if (it == q.factors.end())
      return std::nullopt;
    q.factors.erase(it);
  }
  return q;
}

/// A comparison of a size with 0 that sizes decide (they are never
/// negative).
static std::optional<bool> knownCondition(Value c) {
  auto cmp = c.getDefiningOp<arith::CmpIOp>();
  if (!cmp || !getConstantIntValue(cmp.getRhs()) ||
      *getConstantIntValue(cmp.getRhs()) != 0)
    return std::nullopt;
  Monomial m = monomialOf(cmp.getLhs());
  if (!m.nonNegative())
    return std::nullopt;
  switch (cmp.getPredicate()) {
  case arith::CmpIPredicate::slt:
    return false;
  case arith::CmpIPredicate::sge:
    return true;
  default:
    return std::nullopt;
  }
}

static Monomial symbol(Value v) {
  Monomial m;
  m.factors.push_back(Extent{ShapedType::kDynamic, {}, -1, v});
  return m;
}

static std::optional<Monomial> monomialOfRank0(Value t);

/// A scalar a loop-free generic's body yields: one of its inputs, or a
/// select of two that have the same size.
static std::optional<Monomial> monomialOfYield(linalg::GenericOp g, Value y) {
  if (auto select = y.getDefiningOp<arith::SelectOp>();
      select && select->getBlock() == g.getBody()) {
    std::optional<Monomial> t = monomialOfYield(g, select.getTrueValue());
    std::optional<Monomial> f = monomialOfYield(g, select.getFalseValue());
    if (t && f && *t == *f)
      return t;
    return std::nullopt;
  }
  auto arg = dyn_cast<BlockArgument>(y);
  if (!arg || arg.getOwner() != g.getBody() ||
      arg.getArgNumber() >= g.getNumDpsInputs())
    return std::nullopt;
  Value in = g.getDpsInputOperand(arg.getArgNumber())->get();
  if (!isa<ShapedType>(in.getType()))
    return monomialOf(in);
  return monomialOfRank0(in);
}

/// The element of a rank-0 integer tensor: a splat constant, or what a
/// loop-free generic yields (ONNX shape arithmetic on rank-0 tensors).
static std::optional<Monomial> monomialOfRank0(Value t) {
  auto type = dyn_cast<RankedTensorType>(t.getType());
  if (!type || type.getRank() != 0)
    return std::nullopt;
  if (auto c = t.getDefiningOp<arith::ConstantOp>()) {
    auto dense = dyn_cast<DenseIntElementsAttr>(c.getValue());
    if (!dense)
      return std::nullopt;
    return Monomial{dense.getSplatValue<APInt>().getSExtValue(), {}};
  }
  auto g = t.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumLoops() != 0 || g.getNumResults() != 1)
    return std::nullopt;
  return monomialOfYield(g, g.getBody()->getTerminator()->getOperand(0));
}

/// The element an extract reads from a small integer tensor built from
/// scalars: `tensor.from_elements` (through `tensor.extract_slice`), or a
/// rank-0 tensor.
static std::optional<Monomial> monomialOfElement(tensor::ExtractOp extract) {
  Value t = extract.getTensor();
  if (extract.getIndices().empty())
    return monomialOfRank0(t);
  std::optional<int64_t> index =
      extract.getIndices().size() == 1
          ? getConstantIntValue(extract.getIndices()[0])
          : std::nullopt;
  if (!index)
    return std::nullopt;
  if (auto slice = t.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType().getRank() != 1 ||
        ShapedType::isDynamic(slice.getStaticOffsets()[0]) ||
        slice.getStaticStrides()[0] != 1)
      return std::nullopt;
    *index += slice.getStaticOffsets()[0];
    t = slice.getSource();
  }
  auto from = t.getDefiningOp<tensor::FromElementsOp>();
  if (!from || *index < 0 ||
      *index >= static_cast<int64_t>(from.getElements().size()))
    return std::nullopt;
  return monomialOf(from.getElements()[*index]);
}

/// An affine.apply's expression over its operands: products, constants and
/// exact divisions by constants.
static std::optional<Monomial> monomialOfExpr(AffineExpr e,
                                              affine::AffineApplyOp apply) {
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return Monomial{c.getValue(), {}};
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return monomialOf(apply.getMapOperands()[d.getPosition()]);
  if (auto s = dyn_cast<AffineSymbolExpr>(e))
    return monomialOf(apply.getMapOperands()[apply.getAffineMap().getNumDims() +
                                             s.getPosition()]);
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return std::nullopt;
  std::optional<Monomial> l = monomialOfExpr(bin.getLHS(), apply);
  std::optional<Monomial> r = monomialOfExpr(bin.getRHS(), apply);
  if (!l || !r)
    return std::nullopt;
  if (e.getKind() == AffineExprKind::Mul)
    return *l * *r;
  if (e.getKind() == AffineExprKind::FloorDiv && r->factors.empty())
    return divide(*l, *r);
  return std::nullopt;
}

Monomial monomialOf(Value v) {
  for (int depth = 0; depth < 64; ++depth) {
    if (std::optional<int64_t> c = getConstantIntValue(v))
      return Monomial{*c, {}};
    Operation *def = v.getDefiningOp();
    if (isa_and_nonnull<arith::IndexCastOp, arith::IndexCastUIOp,
                        arith::ExtSIOp, arith::ExtUIOp>(def)) {
      v = def->getOperand(0);
      continue;
    }
    if (auto select = dyn_cast_or_null<arith::SelectOp>(def)) {
      std::optional<bool> c = knownCondition(select.getCondition());
      if (!c) {
        // Both branches the same size (ONNX Reshape's "0 copies the
        // input's size", where it is the input's size anyway).
        Monomial t = monomialOf(select.getTrueValue());
        return t == monomialOf(select.getFalseValue()) ? t : symbol(v);
      }
      v = *c ? select.getTrueValue() : select.getFalseValue();
      continue;
    }
    if (auto extract = dyn_cast_or_null<tensor::ExtractOp>(def)) {
      std::optional<Monomial> m = monomialOfElement(extract);
      return m ? *m : symbol(v);
    }
    if (auto apply = dyn_cast_or_null<affine::AffineApplyOp>(def)) {
      std::optional<Monomial> m =
          apply.getAffineMap().getNumResults() == 1
              ? monomialOfExpr(apply.getAffineMap().getResult(0), apply)
              : std::nullopt;
      return m ? *m : symbol(v);
    }
    if (auto mul = dyn_cast_or_null<arith::MulIOp>(def))
      return monomialOf(mul.getLhs()) * monomialOf(mul.getRhs());
    if (isa_and_nonnull<arith::DivSIOp, arith::DivUIOp>(def)) {
      std::optional<Monomial> q = divide(monomialOf(def->getOperand(0)),
                                         monomialOf(def->getOperand(1)));
      return q ? *q : symbol(v);
    }
    Extent e = extentOfValue(v);
    if (!e.value || e.value != v)
      return monomialOf(e);
    return symbol(v);
  }
  return symbol(v);
}

Monomial monomialOf(const Extent &e) {
  if (!ShapedType::isDynamic(e.constant))
    return Monomial{e.constant, {}};
  if (e.value)
    return monomialOf(e.value);
  // A collapsed dimension: the product of the sizes it collapses.
  if (auto collapse = e.tensor.getDefiningOp<tensor::CollapseShapeOp>()) {
    Monomial m;
    for (int64_t d : collapse.getReassociationIndices()[e.dim])
      m = m * monomialOfDim(collapse.getSrc(), d);
    return m;
  }
  Monomial m;
  m.factors.push_back(e);
  return m;
}

Monomial monomialOfDim(Value tensor, int64_t dim) {
  return monomialOf(extentOf(tensor, dim));
}

bool isCountOf(Value v, const Reduction &r) {
  Operation *def = v.getDefiningOp();
  if (!isa_and_nonnull<arith::SIToFPOp, arith::UIToFPOp>(def))
    return false;
  Monomial count{r.count, {}};
  for (const Extent &e : r.dynamicExtents)
    count = count * monomialOf(e);
  return monomialOf(def->getOperand(0)) == count;
}

} // namespace mlir::norm::raise
