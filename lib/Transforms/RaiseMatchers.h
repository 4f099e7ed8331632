//===- RaiseMatchers.h - Matching normalization formulas in linalg -*- C++
//-*-===//
//
// Shared by --norm-raise's patterns (Raise.cpp, RaiseTorchGroupNorm.cpp).
// Matching works on scalar SSA values inside linalg.generic bodies; a block
// argument that reads another elementwise generic's result with the identity
// map is looked through to the value that generic yields.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_TRANSFORMS_RAISEMATCHERS_H
#define NORM_LIB_TRANSFORMS_RAISEMATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir::norm::raise {

/// Statistics over `axes` of `x` (a tensor, seen through widening casts),
/// produced by a reduction whose result is indexed by `outMap` from the
/// reduction's loops (the loops of x).
struct Stat {
  Value x;
  SmallVector<int64_t> axes;
  AffineMap outMap;
  bool operator==(const Stat &o) const {
    return x == o.x && axes == o.axes && outMap == o.outMap;
  }
};

/// A dimension's extent: a constant, or a dynamic size named by the tensor
/// it was first taken from (a function argument, say) and the dimension,
/// followed through tensor.empty, destination operands and tensor.dim; or a
/// size value followed no further.
struct Extent {
  int64_t constant = ShapedType::kDynamic;
  Value tensor;
  int64_t dim = -1;
  Value value;
  bool operator==(const Extent &o) const {
    return constant == o.constant && tensor == o.tensor && dim == o.dim &&
           value == o.value;
  }
};

/// The extent of dimension `dim` of `tensor`.
Extent extentOf(Value tensor, int64_t dim);

/// The extent an index value `v` stands for.
Extent extentOfValue(Value v);

/// A product of extents times a constant: what importers compute sizes and
/// element counts with (RaiseSizes.cpp).
struct Monomial {
  int64_t coefficient = 1;
  SmallVector<Extent> factors;
  /// Whether the value cannot be negative: a product of tensor sizes and a
  /// non-negative coefficient.
  bool nonNegative() const;
  Monomial operator*(const Monomial &o) const;
  bool operator==(const Monomial &o) const;
};

/// The monomial an integer or index value computes: constants, casts,
/// tensor.dim, products, exact divisions, and selects whose condition
/// compares sizes with 0; any other value is a factor of its own.
Monomial monomialOf(Value v);

/// The monomial of an extent (followed through the value it names; a
/// collapsed dimension as the product of the sizes it collapses).
Monomial monomialOf(const Extent &e);

/// The size of dimension `dim` of `tensor` as a monomial.
Monomial monomialOfDim(Value tensor, int64_t dim);

/// A sum reduction read with the identity map by `v`: its body term and
/// reduced loops, whose element count is `count` times the product of
/// `dynamicExtents`.
struct Reduction {
  Value term;
  SmallVector<int64_t> axes;
  AffineMap outMap;
  int64_t count = 1;
  SmallVector<Extent> dynamicExtents;
};

/// Whether `v`, a float, is sitofp (or uitofp) of the element count of `r`.
bool isCountOf(Value v, const Reduction &r);

/// A scalar constant, also through a cast of a constant.
std::optional<double> constantValue(Value v);

/// The generic whose body `v` (a block argument) belongs to, and the operand
/// it reads; null for anything else.
OpOperand *readOperand(Value v);

/// Looks through block arguments that read an elementwise generic's result
/// with the identity map: the scalar that generic yields.
Value resolve(Value v);

/// resolve, then through float casts (a widening extf always; a narrowing
/// truncf only when `narrowing`).
Value peel(Value v, bool narrowing);

/// The operand a scalar reads with the identity map of its generic (through
/// extf in the body); null otherwise.
OpOperand *identityOperand(Value v);

/// A tensor seen through generics that only widen it (yield extf(arg)).
Value throughWidening(Value t);

/// A tensor seen through collapse_shape, expand_shape and reshape ops
/// (row-major reshapes).
Value throughReshapes(Value t);

/// The tensor a scalar reads with the identity map of its generic (through
/// extf in the body), seen through generics that only widen it.
Value identityRead(Value v);

/// Adds the prologue and epilogue regions to the state of a norm op being
/// built: no epilogue, and a prologue that widens the input's element from
/// `from` to `to` (none when they are the same).
void addNormRegions(RewriterBase &rewriter, OperationState &state, Type from,
                    Type to);

/// `map`, a map of `g`'s loops, with every loop of extent 1 written as the
/// constant 0 (importers read a statistic of shape 1x16x1x1 with either).
AffineMap unitLoopsAsZero(AffineMap map, linalg::GenericOp g);

/// A tensor filled with 0: linalg.fill, or the generic it generalizes to.
bool isZeroFilled(Value init);

/// A sum reduction read with the identity map by `v`.
std::optional<Reduction> matchSum(Value v);

/// `v` (in the statistics' space) = sum(term) / n, for the reduction's own
/// element count n: returns the reduction. With `unbiased`, also sum(term)
/// / (n - 1) for a static n, and sets *unbiased to which one it found.
std::optional<Reduction> matchAverage(Value v, bool *unbiased = nullptr);

/// A scalar in a generic of the input's loops that reads a statistic with a
/// broadcast map: the scalar the statistic's generic yields, and the map.
std::optional<std::pair<Value, AffineMap>> broadcastRead(Value v);

/// mean(x) over some axes, read by a scalar of the input's loops.
std::optional<Stat> matchMeanRead(Value v);

/// Whether `v` is base * base or base ** 2; sets `base`.
bool isSquare(Value v, Value &base);

/// var(x) = mean((x - mean(x))^2) or mean(x^2) - mean(x)^2 (centered), or
/// mean(x^2), in the statistics' space. With `unbiased`, a centered sum of
/// squares divided by n - 1 too (torch.var), and *unbiased says which.
std::optional<Stat> matchVariance(Value v, bool centered,
                                  bool *unbiased = nullptr);

/// rsqrt(v + eps) or 1 / sqrt(v + eps) (`inverse`), or sqrt(v + eps) (not
/// `inverse`), eps a non-negative constant: returns v and sets `eps`. With
/// `onStd`, also 1 / (sqrt(v) + eps) (`inverse`) or sqrt(v) + eps, epsilon
/// on the standard deviation, and sets *onStd to which one it found.
Value matchRootOfSum(Value s, bool inverse, double &eps, bool *onStd = nullptr);

/// The scale of a normalization, matchRootOfSum of a variance, in the
/// statistics' space.
std::optional<Stat> matchScale(Value v, bool centered, bool inverse,
                               double &eps, bool *onStd = nullptr,
                               bool *unbiased = nullptr);

/// matchScale of a statistic read with the map its reduction wrote it with.
std::optional<Stat> matchScaleRead(Value v, bool centered, bool inverse,
                                   double &eps, bool *onStd = nullptr,
                                   bool *unbiased = nullptr);

/// Both operand orders of a commutative binary op defining `v`; none when
/// `v` is not defined by an `Op`.
template <typename Op>
SmallVector<std::pair<Value, Value>> operandsOf(Value v) {
  auto op = v.getDefiningOp<Op>();
  if (!op)
    return {};
  return {{op.getLhs(), op.getRhs()}, {op.getRhs(), op.getLhs()}};
}

/// torch-mlir's broadcasts of dynamically sized tensors (a generic that
/// extracts each element at `select(size == 1, 0, index)`) as generics that
/// read the source with a map (RaiseDynamicBroadcasts.cpp).
void populateDynamicBroadcastPatterns(RewritePatternSet &patterns);

} // namespace mlir::norm::raise

#endif // NORM_LIB_TRANSFORMS_RAISEMATCHERS_H
