//===- Statistics.cpp - One slot's statistics -----------------------------===//
//
// The statistics of one slot (one pass with an exact fallback or two passes
// from cache, or Chan's blocked combination for long rows) and their
// outputs; Normalize.cpp then applies them.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

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
#include <limits>

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

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
        Value length = arith::SubIOp::create(fb, loc, end, start);
        Value nbf = toCt(fb, length);
        SmallVector<Value> s = sumRowRange(
            fb, idx, start, end, zeroRowSums(fb, /*perStep=*/false), shifted);
        Value blockMean =
            arith::DivFOp::create(fb, loc, horizontalSum(fb, s, length), nbf);
        SmallVector<Value> q =
            sumRowRange(fb, idx, start, end, zeroRowSums(fb, /*perStep=*/false),
                        [&](OpBuilder &ib, Value v, int64_t w) -> Value {
                          Value d =
                              arith::SubFOp::create(ib, loc, shifted(ib, v, w),
                                                    splat(ib, blockMean, w));
                          return arith::MulFOp::create(ib, loc, d, d);
                        });
        Value blockM2 = horizontalSum(fb, q, length);
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
  if (!rowLike) {
    // Column slots: one vector of `lanes` slots per reduced position, all
    // stored non-temporally or none.
    auto walk = [&](OpBuilder &wb, bool nontemporal) {
      Indices at = idx;
      nestReduced(
          wb, at, 0, {},
          [&](OpBuilder &ib, Indices &pos, ValueRange) -> SmallVector<Value> {
            body(ib, pos, lanes, nontemporal);
            return {};
          },
          none);
    };
    if (!streamRow) {
      walk(nb, false);
      return;
    }
    scf::IfOp::create(
        nb, loc, streamRow,
        [&](OpBuilder &tb, Location) {
          walk(tb, true);
          scf::YieldOp::create(tb, loc);
        },
        [&](OpBuilder &eb, Location) {
          walk(eb, false);
          scf::YieldOp::create(eb, loc);
        });
    return;
  }
  nestReduced(
      nb, idx, 0, {},
      [&](OpBuilder &ib, Indices &at, ValueRange) -> SmallVector<Value> {
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
        // The remainder (< width elements) as vectors of halving widths,
        // each taken when its bit of the remainder is set: at most
        // log2(width) steps instead of one scalar step per element
        // (inference batch norm's 14x14 planes end in 4 elements).
        forEachRemainderStep(ib, at, main, rem, ValueRange(),
                             [&](OpBuilder &tb, const Indices &pos, int64_t k,
                                 ValueRange) -> SmallVector<Value> {
                               body(tb, pos, k, false);
                               return {};
                             });
        return {};
      },
      none);
}

Value KernelBuilder::loadPivot(OpBuilder &nb, Indices idx, int64_t lanes) {
  // The first reduced position of the slot, or 0 when the slot is empty (no
  // element may be read then). Slots whose exact squares pass would read
  // them from memory again (several rows, or a vector of column slots,
  // where one lane's outlier sends the whole vector there) take the mean
  // of their first kPivotSamples positions along the last reduced segment
  // instead: with normal data the first element is more than sqrt(3)
  // standard deviations from the mean 8 % of the time, so nearly every
  // vector of 64 column slots took the exact pass; the mean of 8 such
  // values is that far out about once in a million.
  Value n = index(1);
  size_t last = 0;
  for (auto [i, seg] : llvm::enumerate(segments)) {
    if (!seg.reduced)
      continue;
    idx[i] = index(0);
    n = arith::MulIOp::create(nb, loc, n, segSizes[i]);
    last = i;
  }
  bool average = lanes > 0 || llvm::count_if(segments, [](const Segment &s) {
                                return s.reduced;
                              }) > 1;
  int64_t w = lanes == 0 ? 1 : lanes;
  Value nonEmpty =
      arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::ne, n, index(0));
  auto ifOp = scf::IfOp::create(
      nb, loc, nonEmpty,
      [&](OpBuilder &tb, Location) {
        Value v;
        if (!average) {
          v = loadInput(tb, idx, w);
        } else {
          Value samples = arith::MinUIOp::create(tb, loc, segSizes[last],
                                                 index(kPivotSamples));
          auto loop = scf::ForOp::create(
              tb, loc, index(0), samples, index(1),
              ValueRange{zeroVector(tb, w)},
              [&](OpBuilder &fb, Location, Value i, ValueRange acc) {
                Indices at = idx;
                at[last] = i;
                scf::YieldOp::create(
                    fb, loc,
                    ValueRange{arith::AddFOp::create(fb, loc, acc[0],
                                                     loadInput(fb, at, w))});
              });
          Value k = arith::UIToFPOp::create(
              tb, loc, ct,
              arith::IndexCastOp::create(tb, loc, tb.getI64Type(), samples));
          v = arith::DivFOp::create(tb, loc, loop.getResult(0),
                                    splat(tb, k, w));
        }
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

SmallVector<Value> KernelBuilder::inputLikeViews() {
  // An operand that is broadcast along some segment has a view of lower
  // rank (no index for that segment) and is read again for every position
  // along it, from cache: not prefetched.
  SmallVector<Value> views{x};
  for (unsigned f = 0; f < numPrologue; ++f)
    if (llvm::all_of(segments, [&](const Segment &s) {
          return ((s.fused >> f) & 1) != 0;
        }))
      views.push_back(fusedViews[f]);
  return views;
}

Value KernelBuilder::rowSlotBytes(OpBuilder &nb) {
  Value bytes = rowBytes;
  for (size_t i = 0; i + 1 < segments.size(); ++i)
    if (segments[i].reduced)
      bytes = arith::MulIOp::create(nb, loc, bytes, segSizes[i]);
  return bytes;
}

void KernelBuilder::prefetchLines(OpBuilder &nb, ArrayRef<Value> views,
                                  Indices at, int64_t w, uint32_t locality) {
  Value base = at.back();
  for (Value view : views) {
    int64_t bits = cast<MemRefType>(view.getType())
                       .getElementType()
                       .getIntOrFloatBitWidth();
    int64_t perLine = std::max<int64_t>(1, 512 / bits);
    for (int64_t j = 0; j < w; j += perLine) {
      at.back() = j ? arith::AddIOp::create(nb, loc, base, index(j)) : base;
      memref::PrefetchOp::create(nb, loc, view, at, /*isWrite=*/false, locality,
                                 /*isDataCache=*/true);
    }
  }
}

Value KernelBuilder::leavesCache(OpBuilder &nb) {
  int64_t inBytes = inElem.getIntOrFloatBitWidth() / 8;
  int64_t outBytes = outElem.getIntOrFloatBitWidth() / 8;
  Value workingSet = arith::MulIOp::create(
      nb, loc, arith::DivUIOp::create(nb, loc, outputBytes, index(outBytes)),
      index(inBytes + outBytes));
  return arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::uge, workingSet,
                               index(streamingThreshold));
}

KernelBuilder::PrefetchPasses
KernelBuilder::nextSlotPrefetch(OpBuilder &nb, const Indices &idx,
                                int64_t lanes) {
  // Slots of 16 KiB to 256 KiB (512 KiB for several rows) whose one kept
  // segment is outside the row: while one is worked on from cache, the next
  // slot's input is prefetched into L2, so that memory stays busy (the
  // hardware prefetchers only run a few lines ahead of demand loads, and
  // passes over cached data make none). The prefetches are spread over the
  // passes over the slot, each of the p prefetching passes taking an equal
  // share of every row of the next slot, so that the misses in flight are
  // spread over the whole slot's work instead of bunched in one pass: f32
  // in every pass (the mean's, the squares', the normalizing), bf16 in
  // every pass but the first (measured faster that way, docs/cpu.md:
  // LayerNorm f32 1024x8192 2.29 -> 1.65 ms, RMSNorm bf16 2048x8192 1.66
  // -> 1.36 ms against the whole next row in one pass or none). An NCHW
  // batch norm's channel prefetches the next channel's planes, which
  // follow its own in memory.
  auto isKept = [](const Segment &s) { return !s.reduced; };
  if (!prefetchNextSlot || lanes != 0 || !rowLike || !segments.back().reduced ||
      llvm::count_if(segments, isKept) != 1 || desc.givenStats)
    return {};
  size_t k = llvm::find_if(segments, isKept) - segments.begin();
  Value slotBytes = rowSlotBytes(nb);
  bool singleRow = slotBytes == rowBytes;
  Value last = arith::SubIOp::create(nb, loc, segSizes[k], index(1));
  Value next = arith::MinUIOp::create(
      nb, loc, arith::AddIOp::create(nb, loc, idx[k], index(1)), last);
  Value enabled = arith::AndIOp::create(
      nb, loc,
      arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::uge, slotBytes,
                            index(kPrefetchRowBytes)),
      arith::CmpIOp::create(
          nb, loc, arith::CmpIPredicate::ult, slotBytes,
          index(singleRow ? kLongRowBytes : kPrefetchSlotBytes)));
  // Only when the input and the output together do not fit in half the L3
  // (the streaming threshold): smaller inputs are read from the L3, where
  // the hardware prefetchers keep up and the prefetches only cost
  // instructions (each line is prefetched by every prefetching pass). NCHW
  // batch norm training f32 32x256x14x14 (12.8 MB in and out), 2 threads:
  // 120 -> 105 us without them; the larger shapes keep them.
  enabled = arith::AndIOp::create(nb, loc, enabled, leavesCache(nb));
  SmallVector<Value> views = inputLikeViews();

  // The i-th of `parts` shares of the next slot's rows.
  auto share = [&](int64_t i, int64_t parts) -> RowHook {
    Value start = arith::DivUIOp::create(
        nb, loc, arith::MulIOp::create(nb, loc, segSizes.back(), index(i)),
        index(parts));
    return [this, k, next, enabled, views, parts,
            start](OpBuilder &ib, const Indices &at, int64_t w) {
      if (w != width)
        return;
      scf::IfOp::create(ib, loc, enabled, [&](OpBuilder &tb, Location) {
        // A vector at position j of a row prefetches as many elements from
        // position n i / p + j / p of the next slot's row, one prefetch per
        // 64-byte line: successive windows overlap, so each line is
        // prefetched about p times. Windows of w / p elements (each line
        // once) measured slower: LayerNorm f32 2048x4096 1.79-1.82 against
        // 1.54-1.57 ms, as if a prefetch that finds the miss buffers full
        // were dropped.
        Value base = start;
        if (parts > 1)
          base = arith::AddIOp::create(
              tb, loc, base,
              arith::DivUIOp::create(tb, loc, at.back(), index(parts)));
        else
          base = at.back();
        Indices ahead = at;
        ahead[k] = next;
        ahead.back() = base;
        prefetchLines(tb, views, ahead, w);
        scf::YieldOp::create(tb, loc);
      });
    };
  };
  // f32 prefetches in every pass over the slot, bf16 in every pass but the
  // first.
  PrefetchPasses hooks;
  SmallVector<RowHook *> passes{&hooks.sum, &hooks.squares, &hooks.normalize};
  if (!desc.center)
    passes.erase(passes.begin());
  if (inElem.getIntOrFloatBitWidth() < 32)
    passes.erase(passes.begin());
  for (auto [i, hook] : llvm::enumerate(passes))
    *hook = share(i, passes.size());
  return hooks;
}

Value KernelBuilder::checkedSumOfSquares(
    OpBuilder &ob, int64_t lanes, Value s1, Value s2, Value shift,
    function_ref<Value(OpBuilder &)> exact) {
  // S2 - S1 * shift cancels the n shift^2 that S2 holds beyond the centered
  // squares: kept only when S2 <= 4 (S2 - S1 shift), i.e. when the mean is
  // within sqrt(3) standard deviations of the pivot, so that its error
  // stays within 4 times the relative rounding of S2 (the exact pass's own
  // sum rounds as much), and S2 is finite (|d| > 2^64 would overflow it).
  // Otherwise, a NaN included, the exact pass runs.
  Value m2 = arith::SubFOp::create(ob, loc, s2,
                                   arith::MulFOp::create(ob, loc, s1, shift));
  auto scalarOrSplat = [&](double v) {
    Value c = constant(ob, v);
    return lanes == 0 ? c : splat(ob, c, lanes);
  };
  Value ok = arith::AndIOp::create(
      ob, loc,
      arith::CmpFOp::create(
          ob, loc, arith::CmpFPredicate::OGE, m2,
          arith::MulFOp::create(ob, loc, s2, scalarOrSplat(0.25))),
      arith::CmpFOp::create(
          ob, loc, arith::CmpFPredicate::OLT, s2,
          scalarOrSplat(std::numeric_limits<double>::infinity())));
  if (lanes)
    ok = vector::ReductionOp::create(ob, loc, vector::CombiningKind::AND, ok);
  auto ifOp = scf::IfOp::create(
      ob, loc, ok,
      [&](OpBuilder &tb, Location) { scf::YieldOp::create(tb, loc, m2); },
      [&](OpBuilder &eb, Location) {
        scf::YieldOp::create(eb, loc, exact(eb));
      });
  return ifOp.getResult(0);
}

Value KernelBuilder::inverseScale(OpBuilder &nb, int64_t lanes, Value sumSq,
                                  Value &var) {
  Value e = lanes == 0 ? eps : splat(nb, eps, lanes);
  if (desc.scaling == Scaling::L2Norm) {
    Value norm = math::SqrtOp::create(nb, loc, sumSq);
    Value clamped = arith::MaximumFOp::create(nb, loc, norm, e);
    Value one =
        lanes == 0 ? constant(nb, 1.0) : splat(nb, constant(nb, 1.0), lanes);
    return arith::DivFOp::create(nb, loc, one, clamped);
  }
  Value n = count;
  if (desc.unbiasedVar)
    n = arith::SubFOp::create(nb, loc, n, constant(nb, 1.0));
  var = arith::DivFOp::create(nb, loc, sumSq,
                              lanes == 0 ? n : splat(nb, n, lanes));
  if (desc.scaling == Scaling::StdPlusEpsilon) {
    Value one =
        lanes == 0 ? constant(nb, 1.0) : splat(nb, constant(nb, 1.0), lanes);
    Value root = math::SqrtOp::create(nb, loc, var);
    return arith::DivFOp::create(nb, loc, one,
                                 arith::AddFOp::create(nb, loc, root, e));
  }
  return math::RsqrtOp::create(nb, loc, arith::AddFOp::create(nb, loc, var, e));
}

KernelBuilder::SlotStatistics KernelBuilder::givenStatistics(OpBuilder &nb,
                                                             const Indices &idx,
                                                             int64_t lanes) {
  // Scalars for a row, vectors of `lanes` slots otherwise.
  auto isGiven = [](const Segment &s) { return s.given; };
  Value mean = loadAlong(nb, givenMean, isGiven, idx, lanes, ct);
  auto compute = [&](OpBuilder &cb) -> Value {
    Value var = loadAlong(cb, givenVar, isGiven, idx, lanes, ct);
    Value e = lanes == 0 ? eps : splat(cb, eps, lanes);
    return math::RsqrtOp::create(cb, loc,
                                 arith::AddFOp::create(cb, loc, var, e));
  };
  Value inv;
  if (givenInv && lanes == 0 && givenInvAll) {
    // Precomputed for every channel.
    inv = convert(
        nb, memref::LoadOp::create(nb, loc, givenInv, select(idx, isGiven)[0]),
        ct);
  } else if (givenInv && lanes == 0) {
    // Precomputed for the first kGivenInvChannels channels.
    Value c = select(idx, isGiven)[0];
    Value stored = arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::ult, c,
                                         index(kGivenInvChannels));
    inv = scf::IfOp::create(
              nb, loc, stored,
              [&](OpBuilder &tb, Location) {
                Value v = memref::LoadOp::create(tb, loc, givenInv, c);
                scf::YieldOp::create(tb, loc, convert(tb, v, ct));
              },
              [&](OpBuilder &eb, Location) {
                scf::YieldOp::create(eb, loc, compute(eb));
              })
              .getResult(0);
  } else {
    inv = compute(nb);
  }
  return SlotStatistics{lanes, {}, {}, mean, inv};
}

void KernelBuilder::precomputeGivenInv() {
  // A frame object of the kernel's function, filled on the calling thread
  // before the slot loops (the AOT ABI allocates nothing on the heap).
  auto func = op->getParentOfType<FunctionOpInterface>();
  if (!func)
    return;
  // The one segment the given statistics vary along. A static channel
  // count up to kGivenInvChannels gets a buffer of its size and no
  // per-plane fallback.
  auto given =
      llvm::find_if(segments, [](const Segment &s) { return s.given; });
  Value size = segSizes[given - segments.begin()];
  std::optional<int64_t> known = getConstantIntValue(size);
  givenInvAll = known && *known <= kGivenInvChannels;
  int64_t entries =
      givenInvAll ? std::max<int64_t>(1, *known) : kGivenInvChannels;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&func.getFunctionBody().front());
    givenInv = memref::AllocaOp::create(
        b, loc, MemRefType::get({entries}, b.getF32Type()));
  }
  Value channels =
      givenInvAll
          ? size
          : arith::MinUIOp::create(b, loc, size, index(kGivenInvChannels))
                .getResult();
  scf::ForOp::create(b, loc, index(0), channels, index(1), ValueRange(),
                     [&](OpBuilder &fb, Location, Value c, ValueRange) {
                       storeInverseStd(fb, givenVar, givenInv, c);
                       scf::YieldOp::create(fb, loc);
                     });
}

void KernelBuilder::storeInverseStd(OpBuilder &nb, Value var, Value into,
                                    Value c) {
  Value v = convert(nb, memref::LoadOp::create(nb, loc, var, c), ct);
  Value r =
      math::RsqrtOp::create(nb, loc, arith::AddFOp::create(nb, loc, v, eps));
  memref::StoreOp::create(nb, loc, convert(nb, r, nb.getF32Type()), into, c);
}

void KernelBuilder::emitSlot(OpBuilder &nb, Indices idx, int64_t lanes) {
  SlotWork work = emitSlotStatistics(nb, idx, lanes);
  emitSlotNormalize(nb, idx, work);
}

void KernelBuilder::emitSlotNormalize(OpBuilder &nb, const Indices &idx,
                                      const SlotWork &work) {
  readKept = work.readKept;
  emitNormalizingPass(nb, idx, work.stats, work.prefetch);
  readKept = false;
}

KernelBuilder::SlotWork
KernelBuilder::emitSlotStatistics(OpBuilder &nb, Indices &idx, int64_t lanes) {
  auto broadcastTo = [&](OpBuilder &ib, Value v, int64_t w) {
    return lanes == 0 ? splat(ib, v, w) : v;
  };

  // A returned prologue value of the normalized type is computed and stored
  // first, then every pass reads it back (from cache for rows that fit)
  // instead of reading the prologue's operands and computing it again.
  readKept = false;
  if (kept && !streamKept && keptElem() == normElem) {
    // bf16 rows: the prologue of whole vectors on their even and odd
    // elements (PairedRows.cpp).
    bool paired = lanes == 0 && canPairPrologue();
    forEachInSlot(nb, idx, lanes, Value(),
                  [&](OpBuilder &ib, const Indices &at, int64_t w, bool) {
                    Value h = paired && w == width
                                  ? loadNormalizedPaired(ib, at, w)
                                  : loadNormalized(ib, at, w);
                    vector::StoreOp::create(ib, loc, h, kept, at);
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
  // The passes that prefetch the next slot's input (see nextSlotPrefetch).
  PrefetchPasses prefetch = nextSlotPrefetch(nb, idx, lanes);
  // The row hook of the slot's first pass over its input: the prefetch
  // shares it takes, then firstPass (none when all are unset).
  auto firstPassHook = [&](std::initializer_list<RowHook> prefetches) {
    SmallVector<RowHook> hooks;
    for (const RowHook &hook : prefetches)
      if (hook)
        hooks.push_back(hook);
    if (firstPass)
      hooks.push_back(firstPass);
    if (hooks.empty())
      return RowHook();
    return RowHook([hooks](OpBuilder &hb, const Indices &pos, int64_t w) {
      for (const RowHook &hook : hooks)
        hook(hb, pos, w);
    });
  };
  // In the squares pass, bf16 values subtract pivot + shift (the mean,
  // rounded to f32) at once: one operation per vector fewer (LayerNorm bf16
  // 4096x4096, single-threaded, 4.38 -> 4.04 ms). Distinct bf16 values
  // near a mean M are at least M 2^-8 apart, so a slot that is not constant
  // has a standard deviation of at least about M 2^-8 / sqrt(n), while the
  // mean's rounding is M 2^-24: the sum of squares grows by n times its
  // square, a relative (2^-16 sqrt(n))^2 of the variance (2e-6 for n =
  // 16384). The normalizing pass does not subtract the rounded mean: there
  // that rounding would shift every output by up to 2^-17 sqrt(n) standard
  // deviations, a bf16 ulp of 1 for rows of 10^6 (it folds shift * scale
  // instead, for 16-bit results: `offset` below).
  Value pivotShift;
  bool fuseShift = normElem.isBF16() && ct.isF32();
  auto centered = [&](OpBuilder &ib, Value v, int64_t w) {
    if (pivotShift)
      return arith::SubFOp::create(ib, loc, v, broadcastTo(ib, pivotShift, w))
          .getResult();
    return centerAbout(ib, SlotStatistics{lanes, pivot, shift, mean, {}}, v, w);
  };
  if (desc.givenStats) {
    SlotStatistics given = givenStatistics(nb, idx, lanes);
    mean = given.mean;
    inv = given.inv;
  } else {
    auto squares = [&](OpBuilder &ib, Value v, int64_t w) -> Value {
      v = centered(ib, v, w);
      return arith::MulFOp::create(ib, loc, v, v,
                                   arith::FastMathFlags::contract);
    };
    // Centered slots that do not take Chan's blocks (compute-bound on 2
    // cores; for 16-bit inputs widening each load costs as much as the
    // arithmetic) sum d = x - pivot and d^2 in one pass, and take the
    // centered squares as S2 - S1 * shift where that is accurate
    // (checkedSumOfSquares), else from the exact squares pass. An f64
    // compute type keeps the two exact passes.
    bool onePass = ct.isF32();
    auto onePassStatistics = [&](OpBuilder &ob) -> std::pair<Value, Value> {
      auto pivoted = [&](OpBuilder &ib, Value v, int64_t w) -> Value {
        return arith::SubFOp::create(ib, loc, v, broadcastTo(ib, pivot, w));
      };
      auto squared = [&](OpBuilder &ib, Value v, int64_t w) -> Value {
        Value d = pivoted(ib, v, w);
        return arith::MulFOp::create(ib, loc, d, d,
                                     arith::FastMathFlags::contract);
      };
      // The one pass takes the shares of the next slot that the sum's and
      // the squares' passes would have prefetched (bf16 rows: only the
      // squares', from their second pass on).
      rowHook = firstPassHook({prefetch.sum, prefetch.squares});
      sliceHook = firstPassSlice;
      SmallVector<Value> s =
          reduceSlot(ob, idx, lanes, ArrayRef<Term>{pivoted, squared});
      rowHook = sliceHook = nullptr;
      Value sh = arith::DivFOp::create(
          ob, loc, s[0], lanes == 0 ? count : splat(ob, count, lanes));
      Value m2 =
          checkedSumOfSquares(ob, lanes, s[0], s[1], sh, [&](OpBuilder &eb) {
            shift = sh;
            if (fuseShift)
              pivotShift = arith::AddFOp::create(eb, loc, pivot, sh);
            Value exact = reduceSlot(eb, idx, lanes, squares);
            pivotShift = Value();
            return exact;
          });
      return {sh, m2};
    };
    // The mean's pass, then the squares about it.
    auto twoPassStatistics = [&](OpBuilder &ob) -> std::pair<Value, Value> {
      rowHook = prefetch.sum;
      shift =
          arith::DivFOp::create(ob, loc, reduceSlot(ob, idx, lanes, centered),
                                lanes == 0 ? count : splat(ob, count, lanes));
      rowHook = prefetch.squares;
      Value m2 = reduceSlot(ob, idx, lanes, squares);
      rowHook = nullptr;
      return {shift, m2};
    };
    auto centeredStatistics = [&](OpBuilder &ob) {
      return onePass ? onePassStatistics(ob) : twoPassStatistics(ob);
    };
    Value sumSq;
    bool singleRow = llvm::count_if(segments, [](const Segment &seg) {
                       return seg.reduced;
                     }) == 1;
    if (desc.center && rowLike && singleRow && !shortRowsOnly) {
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
            auto [sh, m2] = centeredStatistics(eb);
            scf::YieldOp::create(eb, loc, ValueRange{sh, m2});
          });
      shift = ifOp.getResult(0);
      sumSq = ifOp.getResult(1);
      mean = arith::AddFOp::create(nb, loc, pivot, shift);
    } else if (desc.center) {
      std::tie(shift, sumSq) = centeredStatistics(nb);
      mean = arith::AddFOp::create(nb, loc, pivot, shift);
    } else {
      rowHook = firstPassHook({prefetch.squares});
      sliceHook = firstPassSlice;
      sumSq = reduceSlot(nb, idx, lanes, squares);
      rowHook = sliceHook = nullptr;
    }
    inv = inverseScale(nb, lanes, sumSq, var);
  }
  storeStat(nb, outMean, idx, mean);
  storeStat(nb, outVar, idx, var);
  storeStat(nb, outRstd, idx, inv);
  SlotWork work{SlotStatistics{lanes, pivot, shift, mean, inv},
                prefetch.normalize, readKept};
  readKept = false;
  return work;
}
