//===- KernelBuilder.cpp - Views, loads and reductions --------------------===//
//
// The building blocks of the CPU kernels: segment views of the buffers,
// loads with the prologue applied, the epilogue, and sums over a slot.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "llvm/Support/SaveAndRestore.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/AxisRoles.h"
#include "norm/Dialect/Norm/IR/FloatCast.h"
#include "norm/Dialect/Norm/IR/GroupSplit.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include <functional>

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

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
  return allocAligned(b, loc, memrefType, dynamic);
}

Value vector_detail::allocAligned(OpBuilder &b, Location loc, MemRefType type,
                                  ValueRange dynamicSizes) {
  return memref::AllocOp::create(b, loc, type, dynamicSizes,
                                 b.getI64IntegerAttr(kBufferAlignment));
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

Value KernelBuilder::loadInputAnyOrder(OpBuilder &nb, const Indices &idx,
                                       int64_t w) {
  Value raw = loadNormalized(nb, idx, w);
  if (w % 2 != 0 || !normElem.isBF16() || !ct.isF32())
    return convert(nb, raw, ct);
  auto [evens, odds] = widenPairs(nb, raw);
  SmallVector<int64_t> both = llvm::to_vector(llvm::seq<int64_t>(0, w));
  return vector::ShuffleOp::create(nb, loc, evens, odds, both);
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
  // Reduced segments other than the innermost one, outermost first (and the
  // segment of reducedRange, reduced or not).
  size_t last = segments.size() - 1;
  auto walked = [&](size_t d) {
    return segments[d].reduced || (reducedRange && reducedRange->segment == d);
  };
  while (depth < last && !walked(depth))
    ++depth;
  if (depth >= last) {
    results = innermost(nb, idx, inits);
    return;
  }
  Value lo = index(0), hi = segSizes[depth];
  if (reducedRange && reducedRange->segment == depth) {
    lo = reducedRange->lo;
    hi = reducedRange->hi;
  }
  auto body = [&](OpBuilder &lb, Location, Value iv, ValueRange args) {
    idx[depth] = iv;
    SmallVector<Value> inner;
    nestReduced(lb, idx, depth + 1, args, innermost, inner);
    scf::YieldOp::create(lb, loc, inner);
  };
  if (inits.empty()) {
    if (!reverseWalk) {
      scf::ForOp::create(nb, loc, lo, hi, index(1), inits, body);
      return;
    }
    // Backwards: position lo + hi - 1 - iv.
    Value top = arith::SubIOp::create(
        nb, loc, arith::AddIOp::create(nb, loc, lo, hi), index(1));
    scf::ForOp::create(
        nb, loc, lo, hi, index(1), inits,
        [&](OpBuilder &lb, Location l, Value iv, ValueRange args) {
          body(lb, l, arith::SubIOp::create(lb, loc, top, iv), args);
        });
    return;
  }
  // Sums over blocks of kSumBlockIterations iterations, each from zero,
  // added to the totals: a lane's serial chain of additions is a block
  // plus the number of blocks long, not the whole extent (a slot of
  // 600000 short rows summed its squares 3e-4 off in f32 as one chain).
  // With sumChains > 1 and no walked segment inside this one, iteration i
  // of a block adds into chain i % sumChains, the chains summed pairwise
  // at the block's end: independent chains of additions for the slot
  // vectors that are a single native vector or less per position.
  bool innermostWalk = true;
  for (size_t d = depth + 1; d < last; ++d)
    innermostWalk &= !walked(d);
  int64_t chains = innermostWalk ? sumChains : 1;
  auto loop = scf::ForOp::create(
      nb, loc, lo, hi, index(kSumBlockIterations), inits,
      [&](OpBuilder &ob, Location, Value start, ValueRange totals) {
        Value end = arith::MinUIOp::create(
            ob, loc,
            arith::AddIOp::create(ob, loc, start, index(kSumBlockIterations)),
            hi);
        SmallVector<Value> zeros;
        for (Value t : totals)
          zeros.push_back(arith::ConstantOp::create(
              ob, loc, cast<TypedAttr>(ob.getZeroAttr(t.getType()))));
        SmallVector<Value> block;
        if (chains == 1) {
          block = llvm::to_vector_of<Value>(
              scf::ForOp::create(ob, loc, start, end, index(1), zeros, body)
                  .getResults());
        } else {
          size_t n = zeros.size();
          Value length = arith::SubIOp::create(ob, loc, end, start);
          Value mainEnd = arith::SubIOp::create(
              ob, loc, end,
              arith::RemUIOp::create(ob, loc, length, index(chains)));
          SmallVector<Value> chainInits;
          for (int64_t c = 0; c < chains; ++c)
            llvm::append_range(chainInits, zeros);
          auto interleaved = scf::ForOp::create(
              ob, loc, start, mainEnd, index(chains), chainInits,
              [&](OpBuilder &lb, Location, Value iv, ValueRange args) {
                SmallVector<Value> next;
                for (int64_t c = 0; c < chains; ++c) {
                  idx[depth] = arith::AddIOp::create(lb, loc, iv, index(c));
                  SmallVector<Value> inner;
                  nestReduced(lb, idx, depth + 1, args.slice(c * n, n),
                              innermost, inner);
                  llvm::append_range(next, inner);
                }
                scf::YieldOp::create(lb, loc, next);
              });
          // Pairwise: ((c0 + c1) + (c2 + c3)).
          SmallVector<SmallVector<Value>> sets;
          for (int64_t c = 0; c < chains; ++c)
            sets.push_back(llvm::to_vector_of<Value>(
                interleaved.getResults().slice(c * n, n)));
          while (sets.size() > 1) {
            SmallVector<SmallVector<Value>> halved;
            for (size_t k = 0; k + 1 < sets.size(); k += 2) {
              SmallVector<Value> sum;
              for (size_t t = 0; t < n; ++t)
                sum.push_back(
                    arith::AddFOp::create(ob, loc, sets[k][t], sets[k + 1][t]));
              halved.push_back(sum);
            }
            if (sets.size() % 2)
              halved.push_back(sets.back());
            sets = std::move(halved);
          }
          // The last length % chains iterations, into the combined sums.
          block = llvm::to_vector_of<Value>(
              scf::ForOp::create(ob, loc, mainEnd, end, index(1), sets[0], body)
                  .getResults());
        }
        SmallVector<Value> sums;
        for (auto [t, v] : llvm::zip(totals, block))
          sums.push_back(arith::AddFOp::create(ob, loc, t, v));
        scf::YieldOp::create(ob, loc, sums);
      });
  results.assign(loop.getResults().begin(), loop.getResults().end());
}

Value KernelBuilder::reduceSlot(OpBuilder &nb, Indices idx, int64_t lanes,
                                Term term) {
  return reduceSlot(nb, idx, lanes, ArrayRef<Term>{term})[0];
}

Value KernelBuilder::pairedOrder(OpBuilder &nb, Value v, bool inverse) {
  int64_t n = cast<VectorType>(v.getType()).getNumElements();
  SmallVector<int64_t> mask;
  for (int64_t i = 0; i < n; ++i)
    mask.push_back(inverse ? (i % 2) * (n / 2) + i / 2
                           : (i < n / 2 ? 2 * i : 2 * (i - n / 2) + 1));
  return vector::ShuffleOp::create(nb, loc, v, v, mask);
}

SmallVector<Value> KernelBuilder::reduceSlot(OpBuilder &nb, Indices idx,
                                             int64_t lanes,
                                             ArrayRef<Term> terms,
                                             bool pairedLanes) {
  size_t n = terms.size();
  SmallVector<Value> inits;
  for (size_t t = 0; t < n; ++t) {
    if (rowLike)
      llvm::append_range(
          inits, zeroRowSums(nb, llvm::count_if(segments, [](const Segment &s) {
                                   return s.reduced;
                                 }) > 1));
    else
      inits.push_back(zeroVector(nb, lanes));
  }
  size_t group = inits.size() / n;
  SmallVector<Value> sums;
  // Column slots of at most one native vector (`width` is four native f32
  // vectors) per position: four chains, two for two native vectors.
  int64_t nativeVectors =
      llvm::divideCeil(lanes * ct.getIntOrFloatBitWidth(), width * 8);
  llvm::SaveAndRestore chainsGuard(
      sumChains,
      rowLike ? 1
              : std::max<int64_t>(1, 4 / std::max<int64_t>(1, nativeVectors)));
  nestReduced(
      nb, idx, 0, inits,
      [&](OpBuilder &ib, Indices &at, ValueRange accs) -> SmallVector<Value> {
        if (!rowLike) {
          if (rowHook)
            rowHook(ib, at, lanes);
          Value x = pairedLanes ? loadInputAnyOrder(ib, at, lanes)
                                : loadInput(ib, at, lanes);
          SmallVector<Value> next;
          for (size_t t = 0; t < n; ++t)
            next.push_back(
                arith::AddFOp::create(ib, loc, accs[t], terms[t](ib, x, lanes),
                                      arith::FastMathFlags::contract));
          return next;
        }
        return sumRowRange(ib, at, index(0), segSizes.back(), accs, terms);
      },
      sums);
  if (!rowLike) {
    if (pairedLanes)
      for (Value &sum : sums)
        sum = pairedOrder(nb, sum, /*inverse=*/true);
    return sums;
  }
  SmallVector<Value> totals;
  for (size_t t = 0; t < n; ++t)
    totals.push_back(horizontalSum(nb, ValueRange(sums).slice(t * group, group),
                                   segSizes.back()));
  return totals;
}

SmallVector<Value> KernelBuilder::zeroRowSums(OpBuilder &nb, bool perStep) {
  SmallVector<Value> sums{zeroVector(nb, width)};
  for (int64_t k = perStep ? remainderStep() : 1; k >= 1; k /= 2)
    sums.push_back(zeroVector(nb, k));
  return sums;
}

SmallVector<Value> KernelBuilder::sumRowRange(OpBuilder &nb, const Indices &at,
                                              Value lo, Value hi,
                                              ValueRange sums,
                                              ArrayRef<Term> terms) {
  // Whole vectors along the row, then the remainder as vectors of halving
  // widths (each when its bit of the remainder is set), each added to the
  // accumulator of its width: a fixed order whatever the thread count.
  // Several terms share the loads; `sums` holds each term's accumulators
  // in turn (zeroRowSums' layout).
  size_t n = terms.size();
  size_t group = sums.size() / n;
  Value w = index(width);
  Value length = arith::SubIOp::create(nb, loc, hi, lo);
  Value rem = arith::RemUIOp::create(nb, loc, length, w);
  Value main = arith::SubIOp::create(nb, loc, hi, rem);
  SmallVector<Value> mainInits;
  for (size_t t = 0; t < n; ++t)
    mainInits.push_back(sums[t * group]);
  auto loop = scf::ForOp::create(
      nb, loc, lo, main, w, mainInits,
      [&](OpBuilder &lb, Location, Value iv, ValueRange args) {
        SmallVector<Value> next(args);
        Indices pos = at;
        pos.back() = iv;
        if (rowHook)
          rowHook(lb, pos, width);
        // Each slice of `sw` elements: the slice hook, the load and its
        // terms added to the accumulators' lanes of the slice (contract: a
        // squared term and its sum become one FMA).
        auto slice = [&](int64_t offset, int64_t sw) {
          Indices pos = at;
          pos.back() = offset == 0
                           ? iv
                           : arith::AddIOp::create(lb, loc, iv, index(offset))
                                 .getResult();
          if (sliceHook)
            sliceHook(lb, pos, sw);
          Value x = loadInputAnyOrder(lb, pos, sw);
          for (size_t t = 0; t < n; ++t) {
            Value acc = next[t];
            if (sw != width)
              acc = vector::ExtractStridedSliceOp::create(
                  lb, loc, next[t], ArrayRef<int64_t>{offset},
                  ArrayRef<int64_t>{sw}, ArrayRef<int64_t>{1});
            Value sum = arith::AddFOp::create(lb, loc, acc, terms[t](lb, x, sw),
                                              arith::FastMathFlags::contract);
            next[t] = sw == width
                          ? sum
                          : vector::InsertStridedSliceOp::create(
                                lb, loc, sum, next[t],
                                ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{1})
                                .getResult();
          }
        };
        int64_t sw = sliceHook ? hookSlice() : width;
        for (int64_t offset = 0; offset < width; offset += sw)
          slice(offset, sw);
        scf::YieldOp::create(lb, loc, next);
      });
  auto step = [&](OpBuilder &tb, const Indices &pos, int64_t k,
                  ValueRange acc) -> SmallVector<Value> {
    Value x = loadInputAnyOrder(tb, pos, k);
    size_t per = acc.size() / n;
    SmallVector<Value> next(acc);
    for (size_t t = 0; t < n; ++t) {
      Value v = terms[t](tb, x, k);
      if (per == 1) {
        // One single-lane accumulator.
        if (k > 1)
          v = vector::BroadcastOp::create(
              tb, loc, acc[t].getType(),
              vector::ReductionOp::create(tb, loc, vector::CombiningKind::ADD,
                                          v, arith::FastMathFlags::reassoc));
        next[t] = arith::AddFOp::create(tb, loc, acc[t], v,
                                        arith::FastMathFlags::contract);
        continue;
      }
      // One per step, from remainderStep() lanes down to 1.
      size_t i = t * per + llvm::Log2_64(remainderStep()) - llvm::Log2_64(k);
      next[i] = arith::AddFOp::create(tb, loc, acc[i], v,
                                      arith::FastMathFlags::contract);
    }
    return next;
  };
  SmallVector<Value> steps;
  for (size_t t = 0; t < n; ++t)
    llvm::append_range(steps, sums.slice(t * group + 1, group - 1));
  SmallVector<Value> stepped =
      forEachRemainderStep(nb, at, main, rem, steps, step);
  SmallVector<Value> result;
  for (size_t t = 0; t < n; ++t) {
    result.push_back(loop.getResult(t));
    llvm::append_range(
        result, ArrayRef<Value>(stepped).slice(t * (group - 1), group - 1));
  }
  return result;
}

SmallVector<Value> KernelBuilder::forEachRemainderStep(
    OpBuilder &nb, const Indices &at, Value from, Value rem, ValueRange values,
    function_ref<SmallVector<Value>(OpBuilder &, const Indices &, int64_t,
                                    ValueRange)>
        body) {
  SmallVector<Value> current(values);
  for (int64_t k = remainderStep(); k >= 1; k /= 2) {
    Value part = arith::AndIOp::create(nb, loc, rem, index(k));
    Value take = arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::ne, part,
                                       index(0));
    auto thenBuilder = [&](OpBuilder &tb, Location) {
      Indices pos = at;
      pos.back() = from;
      scf::YieldOp::create(tb, loc, body(tb, pos, k, current));
    };
    scf::IfOp ifOp =
        current.empty()
            ? scf::IfOp::create(nb, loc, take, thenBuilder)
            : scf::IfOp::create(nb, loc, take, thenBuilder,
                                [&](OpBuilder &eb, Location) {
                                  scf::YieldOp::create(eb, loc, current);
                                });
    current.assign(ifOp.getResults().begin(), ifOp.getResults().end());
    from = arith::AddIOp::create(nb, loc, from, part);
  }
  return current;
}

Value KernelBuilder::horizontalSum(OpBuilder &nb, ValueRange sums,
                                   Value length) {
  // Reassociation only lets the tree of each horizontal sum differ from a
  // serial chain; it is the same tree on every run and thread count.
  auto fm = arith::FastMathFlags::reassoc;
  auto reduce = [&](OpBuilder &rb, Value v) -> Value {
    return vector::ReductionOp::create(rb, loc, vector::CombiningKind::ADD, v,
                                       fm);
  };
  Value total = reduce(nb, sums[0]);
  if (sums.size() == 2)
    return arith::AddFOp::create(nb, loc, total, reduce(nb, sums[1]));
  // A step's accumulator is zero unless the rows' remainder has its bit
  // (every row of a slot has the same length): skip the others' trees.
  Value rem = arith::RemUIOp::create(nb, loc, length, index(width));
  int64_t k = remainderStep();
  for (Value acc : sums.drop_front()) {
    Value take = arith::CmpIOp::create(
        nb, loc, arith::CmpIPredicate::ne,
        arith::AndIOp::create(nb, loc, rem, index(k)), index(0));
    total = scf::IfOp::create(
                nb, loc, take,
                [&](OpBuilder &tb, Location) {
                  scf::YieldOp::create(
                      tb, loc,
                      arith::AddFOp::create(tb, loc, total, reduce(tb, acc))
                          .getResult());
                },
                [&](OpBuilder &eb, Location) {
                  scf::YieldOp::create(eb, loc, total);
                })
                .getResult(0);
    k /= 2;
  }
  return total;
}

Value KernelBuilder::zeroVector(OpBuilder &nb, int64_t w) {
  return arith::ConstantOp::create(
      nb, loc, DenseElementsAttr::get(vec(w, ct), nb.getFloatAttr(ct, 0.0)));
}
