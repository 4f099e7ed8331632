//===- NormToVector.cpp - Norm ops to vectorized parallel loops -----------===//
//
// The CPU code generation of norm ops. One pattern serves every op: it reads
// the op's NormDesc, views the input as alternating runs ("segments") of
// reduced and kept axes, and emits an scf.parallel loop over statistics slots
// whose body reduces and normalizes with vector ops on buffers.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/AxisRoles.h"
#include "norm/Dialect/Norm/IR/FloatCast.h"
#include "norm/Dialect/Norm/IR/GroupSplit.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/TargetParser/Host.h"

#include <functional>

namespace mlir::norm {
#define GEN_PASS_DEF_NORMCONVERTTOVECTORPASS
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

/// Rows of at least this many bytes take their statistics in one read from
/// memory (blocks of kChanBlock elements merged with Chan's formula) instead
/// of two passes over the row, which would no longer come from cache.
static constexpr int64_t kLongRowBytes = 256 * 1024;
static constexpr int64_t kChanBlock = 2048;

/// Problems whose output (as large as the input) is smaller than this run
/// without a thread team.
static constexpr int64_t kSequentialBytes = 64 * 1024;

int64_t norm::hostVectorWidth() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return 64;
  if (features.lookup("avx2") || features.lookup("avx"))
    return 32;
  return 16;
}

namespace {

/// A run of adjacent work axes that play the same role.
struct Segment : AxisRole {
  SmallVector<int64_t> axes;
};

/// Builds the kernel of one op.
class KernelBuilder {
public:
  KernelBuilder(PatternRewriter &rewriter, NormalizationOpInterface op,
                int64_t width, int64_t streamingThreshold)
      : b(rewriter), loc(op.getLoc()), op(op), desc(op.getDesc()),
        ct(op.getComputeElementType()), width(width),
        streamingThreshold(streamingThreshold) {}

  LogicalResult build();

private:
  using Indices = SmallVector<Value>;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value constant(OpBuilder &nb, double v) {
    return arith::ConstantOp::create(nb, loc, nb.getFloatAttr(ct, v));
  }
  VectorType vec(int64_t w, Type elem) { return VectorType::get({w}, elem); }
  Value convert(OpBuilder &nb, Value v, Type elem);
  Value splat(OpBuilder &nb, Value v, int64_t w);

  Value splitGroups(Value buffer, int64_t position);
  /// Views `buffer`, whose axes are the work axes `axes`, as the segments
  /// that hold them (as many dimensions as such segments).
  Value segmentView(Value buffer, ArrayRef<int64_t> axes);
  /// The indices into a segment view of the segments whose flag is set.
  Indices select(const Indices &idx, function_ref<bool(const Segment &)> flag);
  Value allocLike(RankedTensorType type, ArrayRef<int64_t> workAxes);

  /// The element of the tensor that is normalized at `idx`, as a vector
  /// of `w` elements of its type (the prologue applied to the input).
  Value loadNormalized(OpBuilder &nb, const Indices &idx, int64_t w);
  /// loadNormalized converted to the compute type.
  Value loadInput(OpBuilder &nb, const Indices &idx, int64_t w);
  /// Fused operand `k` at `idx`, as a vector of `w` elements of its type.
  Value loadFused(OpBuilder &nb, unsigned k, const Indices &idx, int64_t w);
  /// The body of a prologue or epilogue on vectors of `w` elements.
  Value applyRegion(OpBuilder &nb, Region &region, ValueRange args, int64_t w);
  /// Turns a normalized value (compute type) into the output element at
  /// `idx`: rounded to the normalized type, then through the epilogue.
  Value finishOutput(OpBuilder &nb, Value v, const Indices &idx, int64_t w);
  /// Loads `view` (gamma, beta, a given statistic, a fused operand), which
  /// varies along the segments `flag` selects, at the current position: a
  /// vector of `w` elements (a scalar when `w` is 0) converted to `to`, or
  /// of the view's element type when `to` is null.
  Value loadAlong(OpBuilder &nb, Value view,
                  function_ref<bool(const Segment &)> flag, const Indices &idx,
                  int64_t w, Type to);
  /// Sums term(x) over every reduced position of one statistics slot.
  Value reduceSlot(OpBuilder &nb, Indices idx, int64_t lanes,
                   function_ref<Value(OpBuilder &, Value, int64_t)> term);
  /// Adds term(x) over [lo, hi) of the row at `at` to a wide and a
  /// one-element accumulator (whole vectors, then a scalar remainder).
  SmallVector<Value>
  sumRowRange(OpBuilder &nb, const Indices &at, Value lo, Value hi,
              Value wideAcc, Value narrowAcc,
              function_ref<Value(OpBuilder &, Value, int64_t)> term);
  Value horizontalSum(OpBuilder &nb, Value wide, Value narrow);
  Value zeroVector(OpBuilder &nb, int64_t w);
  /// The mean and sum of squared deviations of shifted(x) over a long row,
  /// reading the row from memory once (Chan's blocked combination).
  std::pair<Value, Value>
  chanStatistics(OpBuilder &nb, const Indices &idx,
                 function_ref<Value(OpBuilder &, Value, int64_t)> shifted);
  /// Calls body(idx, w, nontemporal) for every reduced position of one slot;
  /// whole vectors of a row are stored with non-temporal stores when
  /// `streamRow` holds at run time.
  void forEachInSlot(
      OpBuilder &nb, Indices idx, int64_t lanes, Value streamRow,
      function_ref<void(OpBuilder &, const Indices &, int64_t, bool)> body);
  /// Whether the row at `idx` is stored with non-temporal stores: the output
  /// is larger than the streaming threshold and the row starts on a 64-byte
  /// boundary. Null when streaming never applies.
  Value streamingCondition(OpBuilder &nb, const Indices &idx);
  void nestReduced(
      OpBuilder &nb, Indices &idx, size_t depth, ValueRange inits,
      function_ref<SmallVector<Value>(OpBuilder &, Indices &, ValueRange)>
          innermost,
      SmallVector<Value> &results);
  /// Computes and applies the statistics of the slot at `idx`; `lanes` is 0
  /// for a row (scalar statistics) or the number of slots in the vector.
  void emitSlot(OpBuilder &nb, Indices idx, int64_t lanes);
  void storeStat(OpBuilder &nb, Value view, const Indices &idx, Value v);
  /// The first element of the slot at `idx` (0 when it has none).
  Value loadPivot(OpBuilder &nb, Indices idx, int64_t lanes);

  PatternRewriter &b;
  Location loc;
  NormalizationOpInterface op;
  NormDesc desc;
  Type ct;
  int64_t width;
  int64_t streamingThreshold;

  Type inElem;   // element type of the input
  Type normElem; // of the tensor that is normalized (after the prologue)
  Type outElem;  // of the output (after the epilogue)
  SmallVector<Value> fusedViews; // prologue then epilogue operands
  unsigned numPrologue = 0;
  Value kept;            // view of the returned prologue value, or null
  bool readKept = false; // the slot being emitted reads h back from `kept`
  SmallVector<Segment> segments;
  SmallVector<Value> segSizes;
  SmallVector<OpFoldResult> workSizes;
  Value x, y;                     // segment views of input and output
  Value gamma, beta;              // parameter views (over param segments)
  Value givenMean, givenVar;      // given statistics views
  Value outMean, outVar, outRstd; // statistics views (over kept segments)
  Value count;                    // reduced elements per slot, in ct
  Value outputBytes;              // bytes of the normalized output
  Value rowBytes;                 // bytes of the innermost segment
  Value mayStream; // i1: large output whose rows all align like the first
  Value eps;
  bool rowLike = false;
};

} // namespace

Value KernelBuilder::convert(OpBuilder &nb, Value v, Type elem) {
  return castFloat(nb, loc, v, elem);
}

Value KernelBuilder::splat(OpBuilder &nb, Value v, int64_t w) {
  if (isa<VectorType>(v.getType()))
    return v;
  return vector::BroadcastOp::create(nb, loc, vec(w, v.getType()), v);
}

Value KernelBuilder::splitGroups(Value buffer, int64_t position) {
  auto type = cast<MemRefType>(buffer.getType());
  GroupSplit split = splitGroupAxis(b, loc, type.getShape(),
                                    memref::getMixedSizes(b, loc, buffer),
                                    position, desc.numGroups);
  auto resultType = MemRefType::get(split.shape, type.getElementType());
  return memref::ExpandShapeOp::create(b, loc, resultType, buffer,
                                       split.reassociation, split.outputShape);
}

Value KernelBuilder::segmentView(Value buffer, ArrayRef<int64_t> axes) {
  SmallVector<ReassociationIndices> reassociation;
  int64_t position = 0;
  for (const Segment &seg : segments) {
    ReassociationIndices group;
    for (int64_t a : seg.axes)
      if (llvm::is_contained(axes, a))
        group.push_back(position++);
    if (!group.empty())
      reassociation.push_back(group);
  }
  if (reassociation.empty())
    return buffer; // a rank-0 view stays as it is
  return memref::CollapseShapeOp::create(b, loc, buffer, reassociation);
}

KernelBuilder::Indices
KernelBuilder::select(const Indices &idx,
                      function_ref<bool(const Segment &)> flag) {
  Indices result;
  for (auto [seg, i] : llvm::zip(segments, idx))
    if (flag(seg))
      result.push_back(i);
  return result;
}

Value KernelBuilder::allocLike(RankedTensorType type,
                               ArrayRef<int64_t> workAxes) {
  SmallVector<Value> dynamic;
  for (auto [d, a] : llvm::zip(type.getShape(), workAxes))
    if (ShapedType::isDynamic(d))
      dynamic.push_back(getValueOrCreateConstantIndexOp(b, loc, workSizes[a]));
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  return memref::AllocOp::create(b, loc, memrefType, dynamic);
}

Value KernelBuilder::loadFused(OpBuilder &nb, unsigned k, const Indices &idx,
                               int64_t w) {
  auto flag = [k](const Segment &s) { return ((s.fused >> k) & 1) != 0; };
  return loadAlong(nb, fusedViews[k], flag, idx, w, Type());
}

Value KernelBuilder::applyRegion(OpBuilder &nb, Region &region, ValueRange args,
                                 int64_t w) {
  // Every op of the body is elementwise (the verifier checks): the same op
  // on vectors computes it lane by lane. Constants stay scalars, splatted.
  Block &body = region.front();
  IRMapping mapping;
  mapping.map(body.getArguments(), args);
  for (Operation &op : body.without_terminator()) {
    Operation *clone = nb.clone(op, mapping);
    if (matchPattern(clone, m_Constant())) {
      mapping.map(op.getResult(0), splat(nb, clone->getResult(0), w));
      continue;
    }
    for (Value result : clone->getResults())
      result.setType(vec(w, result.getType()));
  }
  return mapping.lookup(cast<YieldOp>(body.getTerminator()).getValue());
}

Value KernelBuilder::loadNormalized(OpBuilder &nb, const Indices &idx,
                                    int64_t w) {
  if (readKept)
    return vector::LoadOp::create(nb, loc, vec(w, normElem), kept, idx);
  Value v = vector::LoadOp::create(nb, loc, vec(w, inElem), x, idx);
  if (op.getPrologue().empty())
    return v;
  SmallVector<Value> args{v};
  for (unsigned k = 0; k < numPrologue; ++k)
    args.push_back(loadFused(nb, k, idx, w));
  return applyRegion(nb, op.getPrologue(), args, w);
}

Value KernelBuilder::loadInput(OpBuilder &nb, const Indices &idx, int64_t w) {
  return convert(nb, loadNormalized(nb, idx, w), ct);
}

Value KernelBuilder::finishOutput(OpBuilder &nb, Value v, const Indices &idx,
                                  int64_t w) {
  v = convert(nb, v, normElem);
  if (op.getEpilogue().empty())
    return v;
  SmallVector<Value> args{v};
  for (unsigned k = numPrologue; k < fusedViews.size(); ++k)
    args.push_back(loadFused(nb, k, idx, w));
  return applyRegion(nb, op.getEpilogue(), args, w);
}

Value KernelBuilder::loadAlong(OpBuilder &nb, Value view,
                               function_ref<bool(const Segment &)> flag,
                               const Indices &idx, int64_t w, Type to) {
  Indices at = select(idx, flag);
  Type elem = cast<MemRefType>(view.getType()).getElementType();
  if (!to)
    to = elem;
  if (flag(segments.back()))
    return convert(nb, vector::LoadOp::create(nb, loc, vec(w, elem), view, at),
                   to);
  Value scalar = convert(nb, memref::LoadOp::create(nb, loc, view, at), to);
  return w == 0 ? scalar : splat(nb, scalar, w);
}

void KernelBuilder::nestReduced(
    OpBuilder &nb, Indices &idx, size_t depth, ValueRange inits,
    function_ref<SmallVector<Value>(OpBuilder &, Indices &, ValueRange)>
        innermost,
    SmallVector<Value> &results) {
  // Reduced segments other than the innermost one, outermost first.
  size_t last = segments.size() - 1;
  while (depth < last && !segments[depth].reduced)
    ++depth;
  if (depth >= last) {
    results = innermost(nb, idx, inits);
    return;
  }
  auto loop = scf::ForOp::create(
      nb, loc, index(0), segSizes[depth], index(1), inits,
      [&](OpBuilder &lb, Location, Value iv, ValueRange args) {
        idx[depth] = iv;
        SmallVector<Value> inner;
        nestReduced(lb, idx, depth + 1, args, innermost, inner);
        scf::YieldOp::create(lb, loc, inner);
      });
  results.assign(loop.getResults().begin(), loop.getResults().end());
}

Value KernelBuilder::reduceSlot(
    OpBuilder &nb, Indices idx, int64_t lanes,
    function_ref<Value(OpBuilder &, Value, int64_t)> term) {
  SmallVector<Value> inits;
  if (rowLike)
    inits = {zeroVector(nb, width), zeroVector(nb, 1)};
  else
    inits = {zeroVector(nb, lanes)};
  SmallVector<Value> sums;
  nestReduced(
      nb, idx, 0, inits,
      [&](OpBuilder &ib, Indices &at, ValueRange accs) -> SmallVector<Value> {
        if (!rowLike) {
          Value v = term(ib, loadInput(ib, at, lanes), lanes);
          return {arith::AddFOp::create(ib, loc, accs[0], v)};
        }
        return sumRowRange(ib, at, index(0), segSizes.back(), accs[0], accs[1],
                           term);
      },
      sums);
  if (!rowLike)
    return sums[0];
  return horizontalSum(nb, sums[0], sums[1]);
}

SmallVector<Value> KernelBuilder::sumRowRange(
    OpBuilder &nb, const Indices &at, Value lo, Value hi, Value wideAcc,
    Value narrowAcc, function_ref<Value(OpBuilder &, Value, int64_t)> term) {
  // Whole vectors along the row, then a scalar remainder.
  Value w = index(width);
  Value length = arith::SubIOp::create(nb, loc, hi, lo);
  Value rem = arith::RemUIOp::create(nb, loc, length, w);
  Value main = arith::SubIOp::create(nb, loc, hi, rem);
  SmallVector<Value> out;
  for (auto [lb, ub, step, w2, acc] :
       {std::tuple{lo, main, w, width, wideAcc},
        std::tuple{main, hi, index(1), int64_t{1}, narrowAcc}}) {
    int64_t vw = w2;
    auto loop = scf::ForOp::create(
        nb, loc, lb, ub, step, ValueRange{acc},
        [&](OpBuilder &lb2, Location, Value iv, ValueRange args) {
          Indices pos = at;
          pos.back() = iv;
          Value v = term(lb2, loadInput(lb2, pos, vw), vw);
          scf::YieldOp::create(
              lb2, loc,
              ValueRange{arith::AddFOp::create(lb2, loc, args[0], v)});
        });
    out.push_back(loop.getResult(0));
  }
  return out;
}

Value KernelBuilder::horizontalSum(OpBuilder &nb, Value wide, Value narrow) {
  // Reassociation only lets the tree of the horizontal sum differ from a
  // serial chain; it is the same tree on every run and thread count.
  auto fm = arith::FastMathFlags::reassoc;
  Value w = vector::ReductionOp::create(nb, loc, vector::CombiningKind::ADD,
                                        wide, fm);
  Value n = vector::ReductionOp::create(nb, loc, vector::CombiningKind::ADD,
                                        narrow, fm);
  return arith::AddFOp::create(nb, loc, w, n);
}

Value KernelBuilder::zeroVector(OpBuilder &nb, int64_t w) {
  return arith::ConstantOp::create(
      nb, loc, DenseElementsAttr::get(vec(w, ct), nb.getFloatAttr(ct, 0.0)));
}

std::pair<Value, Value> KernelBuilder::chanStatistics(
    OpBuilder &nb, const Indices &idx,
    function_ref<Value(OpBuilder &, Value, int64_t)> shifted) {
  // Blocks of kChanBlock elements are reduced exactly from L1 (mean, then
  // centered squares) and merged with Chan's parallel formula:
  //   n' = n + nb, d = mean_b - mean, mean' = mean + d * nb / n',
  //   M2' = M2 + M2_b + d^2 * n * nb / n'.
  Value n = segSizes.back();
  Value zero = constant(nb, 0.0);
  auto toCt = [&](OpBuilder &b2, Value i) -> Value {
    return arith::UIToFPOp::create(
        b2, loc, ct, arith::IndexCastOp::create(b2, loc, b2.getI64Type(), i));
  };
  auto loop = scf::ForOp::create(
      nb, loc, index(0), n, index(kChanBlock), ValueRange{zero, zero, zero},
      [&](OpBuilder &fb, Location, Value start, ValueRange acc) {
        Value end = arith::MinUIOp::create(
            fb, loc, arith::AddIOp::create(fb, loc, start, index(kChanBlock)),
            n);
        Value nbf = toCt(fb, arith::SubIOp::create(fb, loc, end, start));
        SmallVector<Value> s =
            sumRowRange(fb, idx, start, end, zeroVector(fb, width),
                        zeroVector(fb, 1), shifted);
        Value blockMean =
            arith::DivFOp::create(fb, loc, horizontalSum(fb, s[0], s[1]), nbf);
        SmallVector<Value> q = sumRowRange(
            fb, idx, start, end, zeroVector(fb, width), zeroVector(fb, 1),
            [&](OpBuilder &ib, Value v, int64_t w) -> Value {
              Value d = arith::SubFOp::create(ib, loc, shifted(ib, v, w),
                                              splat(ib, blockMean, w));
              return arith::MulFOp::create(ib, loc, d, d);
            });
        Value blockM2 = horizontalSum(fb, q[0], q[1]);
        Value total = arith::AddFOp::create(fb, loc, acc[0], nbf);
        Value delta = arith::SubFOp::create(fb, loc, blockMean, acc[1]);
        Value weight = arith::DivFOp::create(fb, loc, nbf, total);
        Value mean = arith::AddFOp::create(
            fb, loc, acc[1], arith::MulFOp::create(fb, loc, delta, weight));
        Value cross = arith::MulFOp::create(
            fb, loc, arith::MulFOp::create(fb, loc, delta, delta),
            arith::MulFOp::create(fb, loc, acc[0], weight));
        Value m2 = arith::AddFOp::create(
            fb, loc, acc[2], arith::AddFOp::create(fb, loc, blockM2, cross));
        scf::YieldOp::create(fb, loc, ValueRange{total, mean, m2});
      });
  return {loop.getResult(1), loop.getResult(2)};
}

void KernelBuilder::forEachInSlot(
    OpBuilder &nb, Indices idx, int64_t lanes, Value streamRow,
    function_ref<void(OpBuilder &, const Indices &, int64_t, bool)> body) {
  SmallVector<Value> none;
  nestReduced(
      nb, idx, 0, {},
      [&](OpBuilder &ib, Indices &at, ValueRange) -> SmallVector<Value> {
        if (!rowLike) {
          body(ib, at, lanes, false);
          return {};
        }
        Value n = segSizes.back();
        Value w = index(width);
        Value rem = arith::RemUIOp::create(ib, loc, n, w);
        Value main = arith::SubIOp::create(ib, loc, n, rem);
        auto loop = [&](OpBuilder &lb, Value from, Value to, Value step,
                        int64_t vw, bool nt) {
          scf::ForOp::create(
              lb, loc, from, to, step, ValueRange{},
              [&](OpBuilder &lb2, Location, Value iv, ValueRange) {
                Indices pos = at;
                pos.back() = iv;
                body(lb2, pos, vw, nt);
                scf::YieldOp::create(lb2, loc);
              });
        };
        if (streamRow && at.size() == idx.size()) {
          scf::IfOp::create(
              ib, loc, streamRow,
              [&](OpBuilder &tb, Location) {
                loop(tb, index(0), main, w, width, true);
                scf::YieldOp::create(tb, loc);
              },
              [&](OpBuilder &eb, Location) {
                loop(eb, index(0), main, w, width, false);
                scf::YieldOp::create(eb, loc);
              });
        } else {
          loop(ib, index(0), main, w, width, false);
        }
        loop(ib, main, n, index(1), 1, false);
        return {};
      },
      none);
}

Value KernelBuilder::streamingCondition(OpBuilder &nb, const Indices &idx) {
  int64_t elemBytes = outElem.getIntOrFloatBitWidth() / 8;
  if (!rowLike || (width * elemBytes) % 64 != 0)
    return {};
  // Linear index of the row's first element in the (row-major) output.
  Value linear = index(0);
  for (auto [i, v] : llvm::enumerate(idx)) {
    linear = arith::MulIOp::create(nb, loc, linear, segSizes[i]);
    if (i + 1 < idx.size())
      linear = arith::AddIOp::create(nb, loc, linear, v);
  }
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(nb, loc, y);
  Value address = arith::AddIOp::create(
      nb, loc, base, arith::MulIOp::create(nb, loc, linear, index(elemBytes)));
  Value misaligned = arith::RemUIOp::create(nb, loc, address, index(64));
  Value aligned = arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::eq,
                                        misaligned, index(0));
  return arith::AndIOp::create(nb, loc, aligned, mayStream);
}

Value KernelBuilder::loadPivot(OpBuilder &nb, Indices idx, int64_t lanes) {
  // The first reduced position of the slot, or 0 when the slot is empty (no
  // element may be read then).
  Value n = index(1);
  for (auto [i, seg] : llvm::enumerate(segments)) {
    if (!seg.reduced)
      continue;
    idx[i] = index(0);
    n = arith::MulIOp::create(nb, loc, n, segSizes[i]);
  }
  Value nonEmpty =
      arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::ne, n, index(0));
  auto ifOp = scf::IfOp::create(
      nb, loc, nonEmpty,
      [&](OpBuilder &tb, Location) {
        Value v = loadInput(tb, idx, lanes == 0 ? 1 : lanes);
        if (lanes == 0)
          v = vector::ExtractOp::create(tb, loc, v, ArrayRef<int64_t>{0});
        scf::YieldOp::create(tb, loc, v);
      },
      [&](OpBuilder &eb, Location) {
        Value zero = lanes == 0 ? constant(eb, 0.0)
                                : splat(eb, constant(eb, 0.0), lanes);
        scf::YieldOp::create(eb, loc, zero);
      });
  return ifOp.getResult(0);
}

void KernelBuilder::storeStat(OpBuilder &nb, Value view, const Indices &idx,
                              Value v) {
  if (!view)
    return;
  Indices at = select(idx, [](const Segment &s) { return !s.reduced; });
  Value f32 = convert(nb, v, nb.getF32Type());
  if (isa<VectorType>(f32.getType()))
    vector::StoreOp::create(nb, loc, f32, view, at);
  else
    memref::StoreOp::create(nb, loc, f32, view, at);
}

void KernelBuilder::emitSlot(OpBuilder &nb, Indices idx, int64_t lanes) {
  auto isParam = [](const Segment &s) { return s.param; };
  auto isGiven = [](const Segment &s) { return s.given; };
  auto broadcastTo = [&](OpBuilder &ib, Value v, int64_t w) {
    return lanes == 0 ? splat(ib, v, w) : v;
  };

  // A returned prologue value of the normalized type is computed and stored
  // first, then every pass reads it back (from cache for rows that fit)
  // instead of reading the prologue's operands and computing it again.
  readKept = false;
  if (kept && cast<MemRefType>(kept.getType()).getElementType() == normElem) {
    forEachInSlot(nb, idx, lanes, Value(),
                  [&](OpBuilder &ib, const Indices &at, int64_t w, bool) {
                    vector::StoreOp::create(ib, loc, loadNormalized(ib, at, w),
                                            kept, at);
                  });
    readKept = true;
  }

  // Batch statistics are taken of x - pivot, with the pivot the slot's first
  // element: the subtraction is exact for values near the pivot, so a large
  // offset (mean 1e4, std 1e-2) does not drown the variance in rounding.
  // `shift` is the mean of x - pivot; the mean itself is pivot + shift.
  Value mean, shift, pivot, var, inv;
  if (desc.center && !desc.givenStats)
    pivot = loadPivot(nb, idx, lanes);
  auto centered = [&](OpBuilder &ib, Value v, int64_t w) {
    if (pivot)
      v = arith::SubFOp::create(ib, loc, v, broadcastTo(ib, pivot, w));
    Value m = shift ? shift : mean;
    if (m)
      v = arith::SubFOp::create(ib, loc, v, broadcastTo(ib, m, w));
    return v;
  };
  if (desc.givenStats) {
    // Scalars for a row, vectors of `lanes` slots otherwise.
    mean = loadAlong(nb, givenMean, isGiven, idx, lanes, ct);
    var = loadAlong(nb, givenVar, isGiven, idx, lanes, ct);
    Value e = lanes == 0 ? eps : splat(nb, eps, lanes);
    inv =
        math::RsqrtOp::create(nb, loc, arith::AddFOp::create(nb, loc, var, e));
  } else {
    auto divide = [&](Value sum) {
      return arith::DivFOp::create(
          nb, loc, sum, lanes == 0 ? count : splat(nb, count, lanes));
    };
    auto squares = [&](OpBuilder &ib, Value v, int64_t w) -> Value {
      v = centered(ib, v, w);
      return arith::MulFOp::create(ib, loc, v, v);
    };
    Value sumSq;
    bool singleRow = llvm::count_if(segments, [](const Segment &seg) {
                       return seg.reduced;
                     }) == 1;
    if (desc.center && rowLike && singleRow) {
      // Long rows: one read from memory with Chan's blocks; rows that stay
      // in cache: two exact passes.
      Value longRow = arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::uge,
                                            rowBytes, index(kLongRowBytes));
      auto ifOp = scf::IfOp::create(
          nb, loc, longRow,
          [&](OpBuilder &tb, Location) {
            auto [m, m2] = chanStatistics(
                tb, idx, [&](OpBuilder &ib, Value v, int64_t w) -> Value {
                  return arith::SubFOp::create(ib, loc, v, splat(ib, pivot, w));
                });
            scf::YieldOp::create(tb, loc, ValueRange{m, m2});
          },
          [&](OpBuilder &eb, Location) {
            shift = arith::DivFOp::create(
                eb, loc, reduceSlot(eb, idx, lanes, centered), count);
            Value m2 = reduceSlot(eb, idx, lanes, squares);
            scf::YieldOp::create(eb, loc, ValueRange{shift, m2});
          });
      shift = ifOp.getResult(0);
      sumSq = ifOp.getResult(1);
      mean = arith::AddFOp::create(nb, loc, pivot, shift);
    } else {
      if (desc.center) {
        shift = divide(reduceSlot(nb, idx, lanes, centered));
        mean = arith::AddFOp::create(nb, loc, pivot, shift);
      }
      sumSq = reduceSlot(nb, idx, lanes, squares);
    }
    Value e = lanes == 0 ? eps : splat(nb, eps, lanes);
    if (desc.scaling == Scaling::L2Norm) {
      Value norm = math::SqrtOp::create(nb, loc, sumSq);
      Value clamped = arith::MaximumFOp::create(nb, loc, norm, e);
      Value one =
          lanes == 0 ? constant(nb, 1.0) : splat(nb, constant(nb, 1.0), lanes);
      inv = arith::DivFOp::create(nb, loc, one, clamped);
    } else {
      var = divide(sumSq);
      inv = math::RsqrtOp::create(nb, loc,
                                  arith::AddFOp::create(nb, loc, var, e));
    }
  }
  storeStat(nb, outMean, idx, mean);
  storeStat(nb, outVar, idx, var);
  storeStat(nb, outRstd, idx, inv);

  forEachInSlot(
      nb, idx, lanes, streamingCondition(nb, idx),
      [&](OpBuilder &ib, const Indices &at, int64_t w, bool nontemporal) {
        Value h = loadNormalized(ib, at, w);
        if (kept && !readKept)
          vector::StoreOp::create(
              ib, loc,
              convert(ib, h, cast<MemRefType>(kept.getType()).getElementType()),
              kept, at);
        Value v = centered(ib, convert(ib, h, ct), w);
        v = arith::MulFOp::create(ib, loc, v, broadcastTo(ib, inv, w));
        if (gamma) {
          Value g = loadAlong(ib, gamma, isParam, at, w, ct);
          if (desc.zeroCenteredGamma)
            g = arith::AddFOp::create(ib, loc, g,
                                      splat(ib, constant(ib, 1.0), w));
          v = arith::MulFOp::create(ib, loc, v, g);
        }
        if (beta)
          v = arith::AddFOp::create(ib, loc, v,
                                    loadAlong(ib, beta, isParam, at, w, ct));
        v = finishOutput(ib, v, at, w);
        if (nontemporal)
          vector::StoreOp::create(ib, loc, v, y, at,
                                  /*nontemporal=*/true, llvm::Align(64));
        else
          vector::StoreOp::create(ib, loc, v, y, at);
      });
  readKept = false;
}

LogicalResult KernelBuilder::build() {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto outputType = cast<RankedTensorType>(op.getOutput().getType());
  inElem = inputType.getElementType();
  normElem = op.getNormalizedElementType();
  outElem = outputType.getElementType();
  SmallVector<Value> fusedOperands(op.getPrologueInputs());
  llvm::append_range(fusedOperands, op.getEpilogueInputs());
  SmallVector<AffineMap> fusedMaps = op.getPrologueIndexing();
  llvm::append_range(fusedMaps, op.getEpilogueIndexing());
  numPrologue = op.getPrologueInputs().size();
  if (fusedOperands.size() > 64)
    return b.notifyMatchFailure(op, "more than 64 fused operands");
  auto toMemRef = [](Type t) {
    auto tensor = cast<RankedTensorType>(t);
    return MemRefType::get(tensor.getShape(), tensor.getElementType());
  };
  auto bufferOf = [&](Value tensor) -> Value {
    if (!tensor)
      return {};
    return bufferization::ToBufferOp::create(b, loc, toMemRef(tensor.getType()),
                                             tensor, /*read_only=*/true);
  };

  // Input and output in work coordinates.
  Value input = bufferOf(op.getInput());
  SmallVector<OpFoldResult> inputSizes = memref::getMixedSizes(b, loc, input);
  SmallVector<Value> dynamic;
  for (auto [d, s] : llvm::zip(inputType.getShape(), inputSizes))
    if (ShapedType::isDynamic(d))
      dynamic.push_back(getValueOrCreateConstantIndexOp(b, loc, s));
  Value output = memref::AllocOp::create(b, loc, toMemRef(outputType), dynamic);
  Value keptAlloc;
  if (Value result = op.getPrologueResult())
    keptAlloc =
        memref::AllocOp::create(b, loc, toMemRef(result.getType()), dynamic);
  Value xWork =
      desc.groupAxis >= 0 ? splitGroups(input, desc.groupAxis) : input;
  Value yWork =
      desc.groupAxis >= 0 ? splitGroups(output, desc.groupAxis) : output;
  Value keptWork = keptAlloc && desc.groupAxis >= 0
                       ? splitGroups(keptAlloc, desc.groupAxis)
                       : keptAlloc;
  // The input axes each fused operand varies along, in work coordinates.
  SmallVector<std::vector<int64_t>> fusedAxes, fusedWork;
  for (AffineMap map : fusedMaps) {
    std::vector<int64_t> axes;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      axes.push_back(map.getDimPosition(r));
    fusedWork.push_back(desc.toWork(axes));
    fusedAxes.push_back(std::move(axes));
  }
  workSizes = memref::getMixedSizes(b, loc, xWork);

  // Segments: maximal runs of work axes with the same role.
  FailureOr<SmallVector<AxisRole>> roles = workAxisRoles(op);
  if (failed(roles))
    return b.notifyMatchFailure(op, "more than 64 fused operands");
  std::vector<int64_t> paramW = desc.toWork(desc.paramAxes);
  std::vector<int64_t> givenW = desc.toWork(desc.statsAxes);
  SmallVector<int64_t> keptW;
  for (auto [a, role] : llvm::enumerate(*roles)) {
    auto axis = static_cast<int64_t>(a);
    if (!role.reduced)
      keptW.push_back(axis);
    if (!segments.empty() && segments.back().sameRole(role)) {
      segments.back().axes.push_back(axis);
      continue;
    }
    Segment seg;
    static_cast<AxisRole &>(seg) = role;
    seg.axes.push_back(axis);
    segments.push_back(seg);
  }
  if (segments.empty())
    return failure(); // rank-0 inputs are rejected by the verifiers
  for (const Segment &seg : segments) {
    Value size = index(1);
    for (int64_t a : seg.axes)
      size = arith::MulIOp::create(
          b, loc, size, getValueOrCreateConstantIndexOp(b, loc, workSizes[a]));
    segSizes.push_back(size);
  }
  SmallVector<int64_t> allWork =
      llvm::to_vector(llvm::seq<int64_t>(0, desc.workRank()));
  x = segmentView(xWork, allWork);
  y = segmentView(yWork, allWork);
  if (keptWork)
    kept = segmentView(keptWork, allWork);
  // Rows: the innermost segment is reduced, or nothing is reduced and the
  // given statistics are constant along it (inference batch norm in NCHW:
  // each (n, c) is a row of H*W elements with one mean and variance).
  rowLike =
      segments.back().reduced || (desc.givenStats && !segments.back().given);

  // Parameters and given statistics follow the input's axes; a grouped
  // channel axis in them is split like the input's.
  auto paramView = [&](Value tensor) -> Value {
    Value buffer = bufferOf(tensor);
    if (!buffer)
      return {};
    for (auto [i, a] : llvm::enumerate(desc.paramAxes))
      if (a == desc.groupAxis)
        buffer = splitGroups(buffer, static_cast<int64_t>(i));
    return segmentView(buffer, paramW);
  };
  for (auto [k, operand] : llvm::enumerate(fusedOperands)) {
    Value buffer = bufferOf(operand);
    for (auto [i, a] : llvm::enumerate(fusedAxes[k]))
      if (a == desc.groupAxis)
        buffer = splitGroups(buffer, static_cast<int64_t>(i));
    fusedViews.push_back(segmentView(buffer, fusedWork[k]));
  }
  gamma = paramView(op.getScaleOperand());
  beta = paramView(op.getShiftOperand());
  if (desc.givenStats) {
    givenMean = segmentView(bufferOf(op.getMeanOperand()), givenW);
    givenVar = segmentView(bufferOf(op.getVarOperand()), givenW);
  }

  // Statistics results, and the variance the running update needs.
  SmallVector<Value> statsAllocs;
  for (Value result : op.getStatsResults())
    statsAllocs.push_back(
        allocLike(cast<RankedTensorType>(result.getType()), keptW));
  Value meanAlloc, varAlloc;
  switch (desc.stats) {
  case ReturnedStats::None:
    break;
  case ReturnedStats::Rstd:
    outRstd = segmentView(statsAllocs[0], keptW);
    break;
  case ReturnedStats::MeanVar:
  case ReturnedStats::MeanRstd:
    meanAlloc = statsAllocs[0];
    outMean = segmentView(statsAllocs[0], keptW);
    if (desc.stats == ReturnedStats::MeanVar) {
      varAlloc = statsAllocs[1];
      outVar = segmentView(statsAllocs[1], keptW);
    } else {
      outRstd = segmentView(statsAllocs[1], keptW);
    }
    break;
  }
  // Training batch norm returning the inverse standard deviation still
  // needs the variance for the running update: the rstd result holds it
  // until that update has read it, then becomes rsqrt(var + eps) in place
  // (no scratch buffer, so the kernel calls no allocator).
  bool rstdAfterUpdate = false;
  if (desc.updateRunning && !varAlloc) {
    varAlloc = statsAllocs[1];
    outVar = outRstd;
    outRstd = Value();
    rstdAfterUpdate = true;
  }

  Value n = index(1);
  for (auto [seg, size] : llvm::zip(segments, segSizes))
    if (seg.reduced)
      n = arith::MulIOp::create(b, loc, n, size);
  count = arith::UIToFPOp::create(
      b, loc, ct, arith::IndexCastOp::create(b, loc, b.getI64Type(), n));
  eps = constant(b, desc.epsilon);
  outputBytes = arith::MulIOp::create(
      b, loc, n, index(outElem.getIntOrFloatBitWidth() / 8));
  for (auto [seg, size] : llvm::zip(segments, segSizes))
    if (!seg.reduced)
      outputBytes = arith::MulIOp::create(b, loc, outputBytes, size);
  // Streaming also needs every row to start on a 64-byte boundary when the
  // first one does: with rows of other lengths, most rows would mix
  // non-temporal and ordinary stores in the same lines, which is slower
  // than ordinary stores alone (measured: 0.65 vs 0.37 ms for 14x14 rows).
  rowBytes = arith::MulIOp::create(b, loc, segSizes.back(),
                                   index(inElem.getIntOrFloatBitWidth() / 8));
  Value outRowBytes = arith::MulIOp::create(
      b, loc, segSizes.back(), index(outElem.getIntOrFloatBitWidth() / 8));
  Value rowsAligned = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      arith::RemUIOp::create(b, loc, outRowBytes, index(64)), index(0));
  mayStream = arith::AndIOp::create(
      b, loc, rowsAligned,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, outputBytes,
                            index(streamingThreshold)));

  // One parallel iteration per slot: the kept segments, and for a kept
  // innermost segment, blocks of `width` lanes.
  SmallVector<Value> lbs, ubs, steps;
  SmallVector<int64_t> parallelSegs;
  for (auto [i, seg] : llvm::enumerate(segments)) {
    if (seg.reduced || i + 1 == segments.size())
      continue;
    parallelSegs.push_back(static_cast<int64_t>(i));
    lbs.push_back(index(0));
    ubs.push_back(segSizes[i]);
    steps.push_back(index(1));
  }
  Value inner = segSizes.back();
  if (!rowLike) {
    lbs.push_back(index(0));
    ubs.push_back(arith::CeilDivUIOp::create(b, loc, inner, index(width)));
    steps.push_back(index(1));
  }
  if (lbs.empty()) { // a single slot
    lbs.push_back(index(0));
    ubs.push_back(index(1));
    steps.push_back(index(1));
  }
  auto slotBody = [&](OpBuilder &pb, Location, ValueRange ivs) {
    Indices idx(segments.size(), Value());
    for (auto [k, s] : llvm::enumerate(parallelSegs))
      idx[s] = ivs[k];
    for (Value &v : idx)
      if (!v)
        v = index(0);
    if (rowLike) {
      emitSlot(pb, idx, 0);
      return;
    }
    // A full block of lanes, or the remaining slots one by one.
    Value start = arith::MulIOp::create(pb, loc, ivs.back(), index(width));
    Value end = arith::AddIOp::create(pb, loc, start, index(width));
    Value full =
        arith::CmpIOp::create(pb, loc, arith::CmpIPredicate::ule, end, inner);
    scf::IfOp::create(
        pb, loc, full,
        [&](OpBuilder &tb, Location) {
          Indices at = idx;
          at.back() = start;
          emitSlot(tb, at, width);
          scf::YieldOp::create(tb, loc);
        },
        [&](OpBuilder &eb, Location) {
          scf::ForOp::create(
              eb, loc, start, inner, index(1), ValueRange{},
              [&](OpBuilder &fb, Location, Value iv, ValueRange) {
                Indices one = idx;
                one.back() = iv;
                emitSlot(fb, one, 1);
                scf::YieldOp::create(fb, loc);
              });
          scf::YieldOp::create(eb, loc);
        });
  };
  // A row-range entry point (norm-compile --tile-entry): the slots
  // [begin, end) of the linearized slot loops, clamped to the slots, so
  // that an embedder can split the rows over its own threads.
  std::function<void(OpBuilder &, Location, ValueRange)> body = slotBody;
  if (auto range = op->getAttrOfType<DenseI64ArrayAttr>("norm.slot_range")) {
    auto func = op->getParentOfType<FunctionOpInterface>();
    if (!rowLike || desc.givenStats || !func || range.size() != 2 ||
        range[1] >= static_cast<int64_t>(func.getNumArguments())) {
      op.emitOpError("a row-range entry point needs the reduced axes "
                     "innermost (rows of statistics slots) and batch "
                     "statistics");
      return failure();
    }
    Value begin = func.getArgument(range[0]);
    Value end = func.getArgument(range[1]);
    SmallVector<Value> extents = ubs; // the lower bounds are 0
    Value total = index(1);
    for (Value e : extents)
      total = arith::MulIOp::create(b, loc, total, e);
    Value lo = arith::MinUIOp::create(b, loc, begin, total);
    Value hi = arith::MinUIOp::create(b, loc, end, total);
    lbs = {lo};
    ubs = {hi};
    steps = {index(1)};
    body = [&, extents](OpBuilder &pb, Location l, ValueRange ivs) {
      SmallVector<Value> split(extents.size());
      Value rest = ivs[0];
      for (size_t d = extents.size(); d-- > 1;) {
        split[d] = arith::RemUIOp::create(pb, l, rest, extents[d]);
        rest = arith::DivUIOp::create(pb, l, rest, extents[d]);
      }
      split[0] = rest;
      slotBody(pb, l, split);
    };
  }
  // Small problems run on the calling thread: waking a thread team costs
  // more than normalizing a few kilobytes (batch-size-1 latency).
  Value small = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                      outputBytes, index(kSequentialBytes));
  scf::IfOp::create(
      b, loc, small,
      [&](OpBuilder &tb, Location) {
        SmallVector<Value> ivs;
        std::function<void(OpBuilder &, size_t)> nest = [&](OpBuilder &nb,
                                                            size_t d) {
          if (d == lbs.size()) {
            body(nb, loc, ivs);
            return;
          }
          scf::ForOp::create(
              nb, loc, lbs[d], ubs[d], steps[d], ValueRange{},
              [&](OpBuilder &fb, Location, Value iv, ValueRange) {
                ivs.push_back(iv);
                nest(fb, d + 1);
                ivs.pop_back();
                scf::YieldOp::create(fb, loc);
              });
        };
        nest(tb, 0);
        scf::YieldOp::create(tb, loc);
      },
      [&](OpBuilder &eb, Location) {
        scf::ParallelOp::create(eb, loc, lbs, ubs, steps, body);
        scf::YieldOp::create(eb, loc);
      });

  // Non-temporal stores are weakly ordered. No fence is added: the OpenMP
  // join barrier at the end of the loop executes locked instructions, which
  // drain the write-combining buffers on x86, and the calling thread sees its
  // own stores in program order.
  SmallVector<Value> results;
  auto asTensor = [&](Value buffer, Type type) {
    return bufferization::ToTensorOp::create(b, loc, type, buffer,
                                             b.getUnitAttr(), b.getUnitAttr())
        .getResult();
  };
  results.push_back(asTensor(output, op.getOutput().getType()));
  for (auto [alloc, result] : llvm::zip(statsAllocs, op.getStatsResults()))
    results.push_back(asTensor(alloc, result.getType()));
  Value keptResult;
  if (keptAlloc)
    keptResult = asTensor(keptAlloc, op.getPrologueResult().getType());

  if (desc.updateRunning) {
    // new = (1 - w) * running + w * batch, per channel; the variance folded
    // in is var * n / max(n - 1, 1) when unbiased.
    Type st = ct.isF64() ? ct : b.getF32Type();
    auto stConst = [&](double v) {
      return arith::ConstantOp::create(b, loc, b.getFloatAttr(st, v));
    };
    Value one = stConst(1.0);
    Value factor = one;
    if (desc.unbiasedRunningVar) {
      Value nSt = convert(b, count, st);
      Value denom = arith::MaximumFOp::create(
          b, loc, arith::SubFOp::create(b, loc, nSt, one), one);
      factor = arith::DivFOp::create(b, loc, nSt, denom);
    }
    Value w = stConst(desc.batchWeight), keep = stConst(1.0 - desc.batchWeight);
    ValueRange running = op.getRunningResults();
    Value oldMean = bufferOf(op.getMeanOperand());
    Value oldVar = bufferOf(op.getVarOperand());
    SmallVector<Value> newAllocs;
    for (Value r : running)
      newAllocs.push_back(allocLike(cast<RankedTensorType>(r.getType()),
                                    desc.toWork(desc.paramAxes)));
    Value channels = segSizes[0];
    for (auto [seg, size] : llvm::zip(segments, segSizes))
      if (!seg.reduced)
        channels = size;
    scf::ForOp::create(
        b, loc, index(0), channels, index(1), ValueRange{},
        [&](OpBuilder &fb, Location, Value c, ValueRange) {
          auto update = [&](Value old, Value batch, Value scale, Value into) {
            Value o = convert(fb, memref::LoadOp::create(fb, loc, old, c), st);
            Value v =
                convert(fb, memref::LoadOp::create(fb, loc, batch, c), st);
            v = arith::MulFOp::create(fb, loc, v, scale);
            Value sum = arith::AddFOp::create(
                fb, loc, arith::MulFOp::create(fb, loc, keep, o),
                arith::MulFOp::create(fb, loc, w, v));
            memref::StoreOp::create(fb, loc, convert(fb, sum, fb.getF32Type()),
                                    into, c);
          };
          update(oldMean, meanAlloc, one, newAllocs[0]);
          update(oldVar, varAlloc, factor, newAllocs[1]);
          if (rstdAfterUpdate) {
            Value v =
                convert(fb, memref::LoadOp::create(fb, loc, varAlloc, c), ct);
            Value r = math::RsqrtOp::create(
                fb, loc, arith::AddFOp::create(fb, loc, v, eps));
            memref::StoreOp::create(fb, loc, convert(fb, r, fb.getF32Type()),
                                    varAlloc, c);
          }
          scf::YieldOp::create(fb, loc);
        });
    for (auto [alloc, result] : llvm::zip(newAllocs, running))
      results.push_back(asTensor(alloc, result.getType()));
  }
  if (keptResult)
    results.push_back(keptResult);
  b.replaceOp(op, results);
  return success();
}

namespace {

struct LowerNormalization
    : OpInterfaceRewritePattern<NormalizationOpInterface> {
  LowerNormalization(MLIRContext *context, int64_t width,
                     int64_t streamingThreshold)
      : OpInterfaceRewritePattern(context), width(width),
        streamingThreshold(streamingThreshold) {}
  LogicalResult matchAndRewrite(NormalizationOpInterface op,
                                PatternRewriter &rewriter) const override {
    return KernelBuilder(rewriter, op, width, streamingThreshold).build();
  }
  int64_t width;
  int64_t streamingThreshold;
};

struct NormConvertToVectorPass
    : norm::impl::NormConvertToVectorPassBase<NormConvertToVectorPass> {
  using Base::Base;
  void runOnOperation() override {
    if (vectorWidth < 0 || streamingThreshold < 0) {
      emitError(getOperation()->getLoc())
          << "vector-width and streaming-threshold must not be negative";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateNormToVectorPatterns(
        patterns, vectorWidth > 0 ? vectorWidth : hostVectorWidth(),
        streamingThreshold);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    if (failed(verifyNoNormOpsLeft(getOperation(),
                                   "could not be lowered to vector code")))
      return signalPassFailure();
    // Transcendentals of fused epilogues (tanh, erf, exp in GELU, SiLU,
    // sigmoid) as polynomials on vectors, instead of one libm call per lane.
    RewritePatternSet math(&getContext());
    populateMathPolynomialApproximationPatterns(math);
    if (failed(applyPatternsGreedily(getOperation(), std::move(math))))
      signalPassFailure();
  }
};

} // namespace

void mlir::norm::populateNormToVectorPatterns(RewritePatternSet &patterns,
                                              int64_t vectorWidth,
                                              int64_t streamingThreshold) {
  patterns.add<LowerNormalization>(patterns.getContext(), vectorWidth,
                                   streamingThreshold);
}
