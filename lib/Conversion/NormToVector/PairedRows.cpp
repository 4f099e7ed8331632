//===- PairedRows.cpp - bf16 rows as their even and odd elements ----------===//
//
// A vector of 2n bf16 values is n 32-bit words: shifted left by 16, the
// words are its even elements as f32; masked to their upper halves, its odd
// ones. That takes two instructions per 2n elements where widening them in
// order takes four. Work along a row is elementwise, so the whole vectors of
// a row can be normalized as these two halves when every operand that
// varies along the row is bf16 as well; the halves are interleaved back
// before the store.
//
// Column slots (NHWC batch norm: the lanes are channels) pair the same way
// when their per-channel constants hold gamma and beta: the constants are
// split into even and odd channels once per slot, each position's bf16
// channels widened as halves, and the halves interleaved back before the
// store, which then rounds and packs pairs of channels (a shift and a word
// blend on AVX2, vcvtne2ps2bf16 with AVX512-BF16) instead of widening and
// narrowing in order (two instructions more per 16 values each way).
//
// A fused epilogue then runs on each half with its 16-bit values carried in
// f32 and rounded to their type where they are used: what
// arith-emulate-unsupported-floats does to the in-order code, so both give
// the same bits.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

std::pair<Value, Value> KernelBuilder::widenPairs(OpBuilder &nb, Value raw) {
  int64_t w = cast<VectorType>(raw.getType()).getNumElements();
  Type i32 = nb.getI32Type();
  auto words = vec(w / 2, i32);
  Value packed = vector::BitCastOp::create(nb, loc, words, raw);
  Value evens = arith::ShLIOp::create(
      nb, loc, packed,
      arith::ConstantOp::create(
          nb, loc, DenseElementsAttr::get(words, nb.getI32IntegerAttr(16))));
  Value odds = arith::AndIOp::create(
      nb, loc, packed,
      arith::ConstantOp::create(
          nb, loc,
          DenseElementsAttr::get(
              words, nb.getI32IntegerAttr(static_cast<int32_t>(0xFFFF0000)))));
  auto halves = vec(w / 2, nb.getF32Type());
  return {vector::BitCastOp::create(nb, loc, halves, evens),
          vector::BitCastOp::create(nb, loc, halves, odds)};
}

/// Float types an epilogue value may have on the paired path: 16-bit ones
/// are carried in f32.
static bool isCarried(Type type) {
  return isa<BFloat16Type, Float16Type, Float32Type>(type);
}

static bool isNarrow(Type type) { return isa<BFloat16Type, Float16Type>(type); }

bool vector_detail::isPolynomialMath(Operation *op) {
  return isa<math::MathDialect>(op->getDialect()) &&
         !isa<math::AbsFOp, math::CopySignOp, math::FmaOp, math::SqrtOp,
              math::RsqrtOp>(op);
}

/// Whether every op of `region` computes the same on f32 carriers: arith ops
/// on f32, 16-bit floats (emulated in f32 either way) and i1, and math ops
/// on f32 only (a 16-bit math op may be approximated in 16-bit steps).
///
/// Math ops that become polynomials (erf, tanh, exp: GELU, SiLU, sigmoid)
/// are left to the in-order code too: their constants and partial results
/// fill the vector registers, and the halves' raw words, live until the odd
/// half is computed, spilled (a bf16 block of residual add, LayerNorm, bias
/// and GELU, 16384x1024 single-threaded: 12.3 ms in order, 12.8 ms paired;
/// with a ReLU in place of the GELU: 7.2 ms in order, 6.4 ms paired).
static bool isCarriable(Region &region) {
  auto carriable = [](Type t) {
    Type elem = getElementTypeOrSelf(t);
    return isCarried(elem) || elem.isInteger(1);
  };
  WalkResult result = region.walk([&](Operation *op) {
    if (isa<YieldOp>(op))
      return WalkResult::advance();
    // Rounded lazily, always to nearest even.
    if (auto trunc = dyn_cast<arith::TruncFOp>(op);
        trunc && trunc.getRoundingmodeAttr())
      return WalkResult::interrupt();
    bool isMath = isa<math::MathDialect>(op->getDialect());
    if (isPolynomialMath(op))
      return WalkResult::interrupt();
    if (!isMath && !isa<arith::ArithDialect>(op->getDialect()))
      return WalkResult::interrupt();
    auto types =
        llvm::concat<const Type>(op->getOperandTypes(), op->getResultTypes());
    for (Type t : types)
      if (!carriable(t) || (isMath && !getElementTypeOrSelf(t).isF32()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return !result.wasInterrupted();
}

/// Whether operand `k` of the fused ops varies along the row.
bool KernelBuilder::fusedAlongRow(unsigned k) const {
  return ((segments.back().fused >> k) & 1) != 0;
}

/// Whether operands [begin, end) of the fused ops can be loaded as halves:
/// bf16 along the row, or a float type constant along it.
bool KernelBuilder::canPairFused(unsigned begin, unsigned end) const {
  for (unsigned k = begin; k < end; ++k) {
    Type elem = cast<MemRefType>(fusedViews[k].getType()).getElementType();
    if (fusedAlongRow(k) ? !elem.isBF16() : !isCarried(elem))
      return false;
  }
  return true;
}

bool KernelBuilder::canPairRows(int64_t lanes) {
  if (lanes != 0 || !rowLike || width % 2 != 0 || !ct.isF32() ||
      !normElem.isBF16() || !isCarried(outElem))
    return false;
  auto elementOf = [](Value view) {
    return cast<MemRefType>(view.getType()).getElementType();
  };
  // gamma and beta along the row are bf16 (widened as halves); constant
  // along it (batch norm's per-channel ones) they are one value per row.
  bool alongRow = segments.back().param;
  for (Value view : {gamma, beta})
    if (view &&
        !(alongRow ? elementOf(view).isBF16() : isCarried(elementOf(view))))
      return false;
  return canPairFused(numPrologue, fusedViews.size()) &&
         (op.getEpilogue().empty() || isCarriable(op.getEpilogue()));
}

bool KernelBuilder::canPairColumns(int64_t lanes) {
  // Halves of whole native vectors (width is four of them).
  int64_t native = std::max<int64_t>(1, width / 4);
  if (lanes <= 0 || rowLike || lanes % (2 * native) != 0 || !ct.isF32() ||
      !normElem.isBF16() || !isCarried(outElem))
    return false;
  return canPairFused(numPrologue, fusedViews.size()) &&
         (op.getEpilogue().empty() || isCarriable(op.getEpilogue()));
}

bool KernelBuilder::canPairPrologue() {
  return rowLike && width % 2 == 0 && ct.isF32() && inElem.isBF16() &&
         normElem.isBF16() && !op.getPrologue().empty() &&
         canPairFused(0, numPrologue) && isCarriable(op.getPrologue());
}

SmallVector<std::array<Value, 2>>
KernelBuilder::loadFusedPairs(OpBuilder &nb, const Indices &idx, int64_t w,
                              unsigned begin, unsigned end) {
  SmallVector<std::array<Value, 2>> pairs;
  for (unsigned k = begin; k < end; ++k) {
    if (fusedAlongRow(k)) {
      auto [evens, odds] = widenPairs(nb, loadFused(nb, k, idx, w));
      pairs.push_back({evens, odds});
      continue;
    }
    // Constant along the row: one value (exact in f32) for both halves.
    Value v = splat(nb, convert(nb, loadFused(nb, k, idx, 0), ct), w / 2);
    pairs.push_back({v, v});
  }
  return pairs;
}

Value KernelBuilder::applyRegionCarried(OpBuilder &nb, Region &region,
                                        ArrayRef<Value> args,
                                        bool firstUnrounded, int64_t n) {
  // Each value of the region, carried in f32 (or i1), and whether a 16-bit
  // one still has to be rounded to its type before it is used.
  DenseMap<Value, Value> carrier;
  DenseSet<Value> unrounded;
  auto carriedType = [&](Type type) -> Type {
    return isa<FloatType>(type) ? Type(vec(n, nb.getF32Type()))
                                : Type(vec(n, type));
  };
  auto use = [&](Value value) {
    Value c = carrier.lookup(value);
    if (unrounded.erase(value)) {
      c = convert(nb, convert(nb, c, value.getType()), nb.getF32Type());
      carrier[value] = c;
    }
    return c;
  };
  Block &body = region.front();
  for (auto [arg, value] : llvm::zip(body.getArguments(), args))
    carrier[arg] = value;
  if (firstUnrounded)
    unrounded.insert(body.getArgument(0));
  for (Operation &o : body.without_terminator()) {
    Value result = o.getResult(0);
    Type type = result.getType();
    if (auto cst = dyn_cast<arith::ConstantOp>(o)) {
      Value wide;
      if (auto f = dyn_cast<FloatAttr>(cst.getValue()))
        wide = arith::ConstantOp::create(
            nb, loc, nb.getF32FloatAttr(f.getValue().convertToDouble()));
      else
        wide = nb.clone(o)->getResult(0);
      carrier[result] = splat(nb, wide, n);
      continue;
    }
    if (isa<arith::ExtFOp, arith::TruncFOp>(o)) {
      carrier[result] = use(o.getOperand(0));
    } else {
      IRMapping mapping;
      for (Value operand : o.getOperands())
        mapping.map(operand, use(operand));
      Operation *clone = nb.clone(o, mapping);
      clone->getResult(0).setType(carriedType(type));
      carrier[result] = clone->getResult(0);
    }
    if (isNarrow(type))
      unrounded.insert(result);
  }
  // Rounded once, to the yielded type, by the caller (packPairs).
  return carrier.lookup(cast<YieldOp>(body.getTerminator()).getValue());
}

Value KernelBuilder::finishOutputCarried(OpBuilder &nb, Value v,
                                         ArrayRef<Value> fused, int64_t n) {
  if (op.getEpilogue().empty())
    return v;
  // The normalized value rounds to the normalized type; the fused operands
  // are exact.
  SmallVector<Value> args{v};
  llvm::append_range(args, fused);
  return applyRegionCarried(nb, op.getEpilogue(), args,
                            /*firstUnrounded=*/true, n);
}

Value KernelBuilder::loadNormalizedPaired(OpBuilder &nb, const Indices &idx,
                                          int64_t w) {
  auto [xe, xo] =
      widenPairs(nb, vector::LoadOp::create(nb, loc, vec(w, inElem), x, idx));
  SmallVector<std::array<Value, 2>> operands =
      loadFusedPairs(nb, idx, w, 0, numPrologue);
  std::array<Value, 2> xs{xe, xo};
  SmallVector<Value> halves;
  for (int half = 0; half < 2; ++half) {
    SmallVector<Value> args{xs[half]};
    for (const std::array<Value, 2> &pair : operands)
      args.push_back(pair[half]);
    halves.push_back(applyRegionCarried(nb, op.getPrologue(), args,
                                        /*firstUnrounded=*/false, w / 2));
  }
  return packPairs(nb, halves[0], halves[1], normElem);
}

Value KernelBuilder::packPairs(OpBuilder &nb, Value evens, Value odds,
                               Type elem) {
  Value e = convert(nb, evens, elem), o = convert(nb, odds, elem);
  return vector::InterleaveOp::create(nb, loc, e, o);
}
