//===- SplitColumns.cpp - Column slots split along their reduced axis -----===//
//
// The column strategy (the innermost segment kept: batch norm over NHWC,
// instance norm over NHWC, LayerNorm over the channels of NCHW) has one
// parallel iteration per block of slots, and each walks the whole reduced
// segment. With few slots (an NHWC batch norm of 16 to 256 channels: one to
// four blocks) that leaves threads idle and walks memory in strided
// columns. Such kernels instead cut the reduced segment into chunks of
// consecutive rows, a number fixed by the shape alone (so that results do
// not depend on the thread count), in three parallel phases:
//
//   A. per chunk, for each block of slots: the sums of x - pivot and
//      (x - pivot)^2 over the chunk's rows, tile by tile, stored in a
//      scratch buffer on the calling thread's stack (the pivot is the mean
//      of the slot's first 8 values, as for any vector of column slots:
//      loadPivot);
//   B. per slot block: the chunks' sums added in chunk order, the centered
//      sum of squares with the same accuracy check and exact fallback as an
//      unsplit slot (checkedSumOfSquares), the statistics results, and what
//      phase C applies (the pivot, the shift or the folded offset, inv or
//      inv * gamma: slotAffine) in the scratch buffer;
//   C. per chunk, for each block of slots: the normalizing pass over the
//      chunk's rows, with those constants loaded, not recomputed.
//
// Each chunk reads and writes only its own rows in phases A and C, and the
// pivot comes from the scratch buffer in phase C, so an output that is its
// input (in place) gives the same bits.
//
// Channels-last group norm runs the same phases on its channels
// (ChannelGroups.cpp): in rounds of examples, its chunks and channel parts
// chosen here, phase B merging each group's channels.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

namespace {
/// f32 values of the scratch buffer (24 KiB of the calling thread's stack):
/// two sums and a pivot per chunk and slot (so at most 2048 / slots chunks,
/// as when it held the sums alone in 16 KiB).
constexpr int64_t kScratchFloats = 6144;
/// Channel groups: 32 KiB (three floats per chunk and channel, 2730
/// channels), so that two examples of 1280 channels (the SD UNet's deepest
/// group norms at batch 2) share a round: 2x16x16x1280 bf16 35-39 -> 28 us.
/// (The same size for batch norm's chunks measured 3-7 % slower at
/// 32x14x14x256: ten chunks instead of eight.)
constexpr int64_t kGroupScratchFloats = 8192;
static_assert(kMaxGroupChannels == kGroupScratchFloats / 3);
/// At most this many chunks, each of at least kMinChunkBytes of input per
/// slot block row range.
constexpr int64_t kMaxChunks = 16;
constexpr int64_t kMinChunkBytes = 32 * 1024;
/// Kernels with at least this many parallel slot iterations without
/// splitting keep the column strategy as it is.
constexpr int64_t kSplitBelowIterations = 16;
/// Phase C by rows: rows normalized per visit of a block of channels.
constexpr int64_t kRowsPerBlockVisit = 8;
/// Channel groups: a round's chunks and examples are also split into parts
/// of the channels' whole vectors, at least this many vectors each, until
/// they give kSplitBelowIterations parallel iterations.
constexpr int64_t kMinPartBlocks = 4;
/// Channel groups: a round takes at most this much input (at least one
/// example), so that phase C finds it in the L3 where phase A left it.
constexpr int64_t kRoundBytes = 8 * 1024 * 1024;
} // namespace

bool KernelBuilder::canSplitColumns() {
  if (rowLike || desc.givenStats || !ct.isF32() ||
      !op->getParentOfType<FunctionOpInterface>())
    return false;
  return llvm::count_if(segments, [](const Segment &s) { return s.reduced; }) ==
         1;
}

void KernelBuilder::forEachColumnBlock(
    OpBuilder &nb, const Indices &idx,
    function_ref<void(OpBuilder &, const Indices &, int64_t)> body,
    ColumnBlocks which, Value part, Value parts) {
  Value inner = segSizes.back();
  Value blocks = arith::DivUIOp::create(nb, loc, inner, index(width));
  if (which != ColumnBlocks::Remainder) {
    // Part p of `parts` takes whole blocks [p * blocks / parts, (p + 1) *
    // blocks / parts).
    Value lo = index(0), hi = blocks;
    if (part) {
      auto bound = [&](Value p) {
        return arith::DivUIOp::create(
            nb, loc, arith::MulIOp::create(nb, loc, p, blocks), parts);
      };
      lo = bound(part);
      hi = bound(arith::AddIOp::create(nb, loc, part, index(1)));
    }
    scf::ForOp::create(nb, loc, lo, hi, index(1), ValueRange{},
                       [&](OpBuilder &fb, Location, Value block, ValueRange) {
                         Indices at = idx;
                         at.back() = arith::MulIOp::create(fb, loc, block,
                                                           index(width));
                         body(fb, at, width);
                         scf::YieldOp::create(fb, loc);
                       });
  }
  if (which == ColumnBlocks::Whole)
    return;
  Value start = arith::MulIOp::create(nb, loc, blocks, index(width));
  auto remainder = [&](OpBuilder &rb) {
    forEachRemainderStep(
        rb, idx, start, arith::SubIOp::create(rb, loc, inner, start),
        ValueRange(),
        [&](OpBuilder &sb, const Indices &at, int64_t lanes, ValueRange) {
          body(sb, at, lanes);
          return SmallVector<Value>();
        });
  };
  if (!part)
    return remainder(nb);
  // The remainder belongs to the last part.
  Value last =
      arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::eq, part,
                            arith::SubIOp::create(nb, loc, parts, index(1)));
  scf::IfOp::create(nb, loc, last, [&](OpBuilder &tb, Location) {
    remainder(tb);
    scf::YieldOp::create(tb, loc);
  });
}

Value KernelBuilder::columnRows(OpBuilder &nb, int64_t bytes) {
  Value rowBytes = arith::MaxUIOp::create(
      nb, loc,
      arith::MulIOp::create(nb, loc, segSizes.back(),
                            index(inElem.getIntOrFloatBitWidth() / 8)),
      index(1));
  return arith::MaxUIOp::create(
      nb, loc, arith::DivUIOp::create(nb, loc, index(bytes), rowBytes),
      index(1));
}

KernelBuilder::SplitShape
KernelBuilder::splitShape(OpBuilder &nb, ArrayRef<int64_t> parallelSegs) {
  size_t r =
      llvm::find_if(segments, [](const Segment &s) { return s.reduced; }) -
      segments.begin();
  Value slotsOuter = index(1);
  for (int64_t s : parallelSegs)
    slotsOuter = arith::MulIOp::create(nb, loc, slotsOuter, segSizes[s]);
  return {r, slotsOuter,
          arith::MulIOp::create(nb, loc, slotsOuter, segSizes.back())};
}

Value KernelBuilder::splitChunks(OpBuilder &nb,
                                 ArrayRef<int64_t> parallelSegs) {
  auto maxU = [&](Value a, int64_t v) {
    return arith::MaxUIOp::create(nb, loc, a, index(v));
  };
  auto [r, slotsOuter, slots] = splitShape(nb, parallelSegs);
  Value inner = segSizes.back();
  // Rows of the reduced segment per chunk: at least kMinChunkBytes of input
  // for a slot block's row range.
  Value innerBytes = arith::MulIOp::create(
      nb, loc, maxU(inner, 1), index(inElem.getIntOrFloatBitWidth() / 8));
  Value minRows = maxU(
      arith::CeilDivUIOp::create(nb, loc, index(kMinChunkBytes), innerBytes),
      1);
  Value chunks = arith::MinUIOp::create(
      nb, loc, index(kMaxChunks),
      arith::DivUIOp::create(nb, loc, segSizes[r], minRows));
  chunks = arith::MinUIOp::create(
      nb, loc, chunks,
      arith::DivUIOp::create(nb, loc, index(kScratchFloats / 3),
                             maxU(slots, 1)));
  // Enough parallel iterations already: no split (one chunk).
  Value iterations = arith::MulIOp::create(
      nb, loc, slotsOuter,
      arith::CeilDivUIOp::create(nb, loc, inner, index(width)));
  Value few = arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::ult,
                                    iterations, index(kSplitBelowIterations));
  return arith::SelectOp::create(nb, loc, few, chunks, index(1));
}

void KernelBuilder::emitSplitColumns(OpBuilder &nb, Value chunks,
                                     ArrayRef<int64_t> parallelSegs,
                                     bool parallelLoops) {
  SplitShape shape = splitShape(nb, parallelSegs);
  size_t r = shape.reduced;
  Value slots = shape.slots;
  Value rows = segSizes[r];
  Value inner = segSizes.back();
  // Channel groups run in rounds of `perRound` examples (whose channels'
  // sums fit in the scratch buffer), from `base` to `roundEnd`; the phases
  // over chunks also split the channels' whole vectors into `parts`.
  Value perRound, parts, base, roundEnd;
  if (channelGroups) {
    // Folded where the shape is static.
    auto minU = [&](Value a, Value b) {
      return nb.createOrFold<arith::MinUIOp>(loc, a, b);
    };
    auto maxU = [&](Value a, int64_t v) {
      return nb.createOrFold<arith::MaxUIOp>(loc, a, index(v));
    };
    auto mul = [&](Value a, Value b) {
      return nb.createOrFold<arith::MulIOp>(loc, a, b);
    };
    auto div = [&](Value a, Value b) {
      return nb.createOrFold<arith::DivUIOp>(loc, a, b);
    };
    Value c = channelGroups->channels;
    Value rowBytes = maxU(mul(c, index(inElem.getIntOrFloatBitWidth() / 8)), 1);
    // Examples whose input fits in kRoundBytes together (at least one).
    Value fit = maxU(div(index(kRoundBytes), maxU(mul(rows, rowBytes), 1)), 1);
    Value perChannel = index(kMaxGroupChannels);
    perRound =
        minU(minU(segSizes[parallelSegs[0]], fit), div(perChannel, maxU(c, 1)));
    slots = mul(perRound, c);
    Value minRows = maxU(nb.createOrFold<arith::CeilDivUIOp>(
                             loc, index(kMinChunkBytes), rowBytes),
                         1);
    chunks =
        maxU(minU(index(kMaxChunks),
                  minU(div(rows, minRows), div(perChannel, maxU(slots, 1)))),
             1);
    parts = minU(nb.createOrFold<arith::CeilDivUIOp>(
                     loc, index(kSplitBelowIterations), mul(perRound, chunks)),
                 maxU(div(c, index(width * kMinPartBlocks)), 1));
  }
  Value chunkRows = arith::CeilDivUIOp::create(nb, loc, rows, chunks);

  // The scratch buffer, a fixed frame object of the kernel's function, one
  // for the op's split column kernels (on the calling thread and over the
  // team; channel groups need the larger).
  int64_t scratchFloats = channelGroups ? kGroupScratchFloats : kScratchFloats;
  if (!scratchBuffer ||
      cast<MemRefType>(scratchBuffer.getType()).getNumElements() <
          scratchFloats) {
    OpBuilder::InsertionGuard guard(nb);
    auto func = op->getParentOfType<FunctionOpInterface>();
    nb.setInsertionPointToStart(&func.getFunctionBody().front());
    scratchBuffer = memref::AllocaOp::create(
        nb, loc, MemRefType::get({scratchFloats}, nb.getF32Type()));
  }
  Value scratch = scratchBuffer;
  // Scratch row `row`, column of the slot at `at`.
  auto scratchAt = [&](OpBuilder &ib, const Indices &at, Value row) -> Value {
    Value p = index(0);
    for (int64_t s : parallelSegs)
      p = arith::AddIOp::create(
          ib, loc, arith::MulIOp::create(ib, loc, p, segSizes[s]),
          base ? arith::SubIOp::create(ib, loc, at[s], base) : at[s]);
    Value column = arith::AddIOp::create(
        ib, loc, arith::MulIOp::create(ib, loc, p, inner), at.back());
    return arith::AddIOp::create(
        ib, loc, arith::MulIOp::create(ib, loc, row, slots), column);
  };
  auto loadScratch = [&](OpBuilder &ib, const Indices &at, Value row,
                         int64_t lanes) -> Value {
    Value v = vector::LoadOp::create(ib, loc, vec(lanes, ib.getF32Type()),
                                     scratch, scratchAt(ib, at, row));
    return convert(ib, v, ct);
  };
  auto storeScratch = [&](OpBuilder &ib, const Indices &at, Value row,
                          Value v) {
    vector::StoreOp::create(ib, loc, convert(ib, v, ib.getF32Type()), scratch,
                            scratchAt(ib, at, row));
  };
  // A parallel loop (or a loop nest on the calling thread) over (chunk,
  // channel part, outer kept segments) or the outer kept segments alone;
  // body(builder, indices, chunk or null, part or null).
  auto parallel =
      [&](bool overChunks,
          function_ref<void(OpBuilder &, Indices &, Value, Value)> body) {
        SmallVector<Value> lbs, ubs, steps;
        auto add = [&](Value lb, Value ub) {
          lbs.push_back(lb);
          ubs.push_back(ub);
          steps.push_back(index(1));
        };
        bool overParts = overChunks && parts;
        if (overChunks)
          add(index(0), chunks);
        if (overParts)
          add(index(0), parts);
        for (int64_t s : parallelSegs)
          base ? add(base, roundEnd) : add(index(0), segSizes[s]);
        if (lbs.empty())
          add(index(0), index(1));
        auto loopBody = [&](OpBuilder &pb, Location, ValueRange ivs) {
          Indices idx(segments.size(), Value());
          size_t first = (overChunks ? 1 : 0) + (overParts ? 1 : 0);
          for (auto [k, s] : llvm::enumerate(parallelSegs))
            idx[s] = ivs[first + k];
          for (Value &v : idx)
            if (!v)
              v = index(0);
          body(pb, idx, overChunks ? ivs[0] : Value(),
               overParts ? ivs[1] : Value());
        };
        if (parallelLoops)
          scf::ParallelOp::create(nb, loc, lbs, ubs, steps, loopBody);
        else
          scf::buildLoopNest(nb, loc, lbs, ubs, steps, loopBody);
      };
  // forEachColumnBlock, or with a channel part (channel groups) only that
  // part's share of the blocks.
  auto blocksOf =
      [&](OpBuilder &ib, const Indices &idx, Value part,
          function_ref<void(OpBuilder &, const Indices &, int64_t)> body,
          ColumnBlocks which = ColumnBlocks::All) {
        forEachColumnBlock(ib, idx, body, which, part, parts);
      };
  // The rows [lo, hi) of a chunk, and body(builder, lo, hi) for each tile
  // of them: about kColumnTileBytes of input, so that the passes of the slot
  // blocks over a tile (each a strided walk) find it in L1.
  Value tileRows = columnRows(nb, kColumnTileBytes);
  // A channel part walks only its share of each row: as many more rows.
  if (parts)
    tileRows = arith::MulIOp::create(nb, loc, tileRows, parts);
  auto forEachTile = [&](OpBuilder &ib, Value chunk,
                         function_ref<void(OpBuilder &, Value, Value)> body,
                         Value step) {
    Value lo = arith::MinUIOp::create(
        ib, loc, arith::MulIOp::create(ib, loc, chunk, chunkRows), rows);
    Value hi = arith::MinUIOp::create(
        ib, loc, arith::AddIOp::create(ib, loc, lo, chunkRows), rows);
    scf::ForOp::create(ib, loc, lo, hi, step, ValueRange{},
                       [&](OpBuilder &tb, Location, Value tlo, ValueRange) {
                         Value thi = arith::MinUIOp::create(
                             tb, loc, arith::AddIOp::create(tb, loc, tlo, step),
                             hi);
                         body(tb, tlo, thi);
                         scf::YieldOp::create(tb, loc);
                       });
  };
  // Prefetches (into L2) the lanes at `at` of the row a tile further on:
  // the slot blocks walk a tile in strided columns, which the hardware
  // prefetchers do not follow. Only when the input and the output together
  // take the streaming threshold (half the L3), as for rows and channels
  // (Statistics.cpp): from the L3 the prefetches only cost instructions
  // (the address of the row ahead, clamped, and a prefetch per line of
  // every row). NHWC batch norm training, AVX-512, interleaved medians:
  // bf16 32x56x56x16 (3.2 MB in) 76 -> 63 us on 2 threads, 119 -> 111 us on
  // one; f32 32x14x14x256 249 -> 226 us on one; bf16 32x56x56x64 (13 MB
  // in) lost 10 % without them.
  Value farFromCache = leavesCache(nb);
  Value lastRow = arith::SubIOp::create(nb, loc, rows, index(1));
  SmallVector<Value> aheadViews = inputLikeViews();
  RowHook prefetchInputs = [&, r](OpBuilder &ib, const Indices &at,
                                  int64_t lanes) {
    Indices ahead = at;
    ahead[r] = arith::MinUIOp::create(
        ib, loc, arith::AddIOp::create(ib, loc, at[r], tileRows), lastRow);
    prefetchLines(ib, aheadViews, ahead, lanes);
  };
  // Scratch rows of a chunk: its two sums and (phase A) the pivots.
  auto row = [&](OpBuilder &ib, Value chunk, int64_t which) -> Value {
    return arith::AddIOp::create(
        ib, loc, arith::MulIOp::create(ib, loc, chunk, index(3)), index(which));
  };
  bool storesKept = kept && keptElem() == normElem;
  // Channel groups: the three phases in a loop over rounds of examples.
  std::optional<OpBuilder::InsertionGuard> inRound;
  if (channelGroups) {
    Value examples = segSizes[parallelSegs[0]];
    auto rounds = scf::ForOp::create(nb, loc, index(0), examples, perRound);
    inRound.emplace(nb);
    nb.setInsertionPoint(rounds.getBody()->getTerminator());
    base = rounds.getInductionVar();
    roundEnd = arith::MinUIOp::create(
        nb, loc, arith::AddIOp::create(nb, loc, base, perRound), examples);
  }

  // A: each chunk's sums, over its tiles, in the scratch buffer. Each
  // block's pivot is taken once per chunk, not per tile, and kept in the
  // chunk's third scratch row (from the input: another chunk may be writing
  // the kept prologue value's first row).
  parallel(true, [&](OpBuilder &pb, Indices &idx, Value chunk, Value part) {
    blocksOf(
        pb, idx, part, [&](OpBuilder &ib, const Indices &at, int64_t lanes) {
          Value zero = zeroVector(ib, lanes);
          storeScratch(ib, at, row(ib, chunk, 0), zero);
          storeScratch(ib, at, row(ib, chunk, 1), zero);
          if (desc.center)
            storeScratch(ib, at, row(ib, chunk, 2), loadPivot(ib, at, lanes));
        });
    auto tiles = [&](OpBuilder &sb, bool prefetch) {
      forEachTile(
          sb, chunk,
          [&](OpBuilder &tb, Value tlo, Value thi) {
            blocksOf(
                tb, idx, part,
                [&](OpBuilder &ib, const Indices &at, int64_t lanes) {
                  Value pivot =
                      desc.center
                          ? loadScratch(ib, at, row(ib, chunk, 2), lanes)
                          : Value();
                  // bf16 blocks sum their even and odd channels apart
                  // (widened as halves), the pivot in that order too.
                  bool paired = canPairColumns(lanes);
                  if (paired && pivot)
                    pivot = pairedOrder(ib, pivot);
                  reducedRange = ReducedRange{r, tlo, thi};
                  if (storesKept) {
                    forEachInSlot(ib, at, lanes, Value(),
                                  [&](OpBuilder &kb, const Indices &pos,
                                      int64_t w, bool) {
                                    vector::StoreOp::create(
                                        kb, loc, loadNormalized(kb, pos, w),
                                        kept, pos);
                                  });
                    readKept = true;
                  }
                  // Each tile sums from zero; its sums are then added to the
                  // chunk's (a short serial chain per lane, as nestReduced's
                  // blocks).
                  auto pivoted = [&](OpBuilder &fb, Value v, int64_t) -> Value {
                    return pivot ? arith::SubFOp::create(fb, loc, v, pivot)
                                       .getResult()
                                 : v;
                  };
                  auto squared = [&](OpBuilder &fb, Value v,
                                     int64_t w) -> Value {
                    Value d = pivoted(fb, v, w);
                    return arith::MulFOp::create(
                        fb, loc, d, d, arith::FastMathFlags::contract);
                  };
                  if (prefetch)
                    rowHook = prefetchInputs;
                  SmallVector<Value> sums =
                      pivot
                          ? reduceSlot(ib, at, lanes,
                                       ArrayRef<Term>{pivoted, squared}, paired)
                          : SmallVector<Value>{
                                zeroVector(ib, lanes),
                                reduceSlot(ib, at, lanes,
                                           ArrayRef<Term>{squared}, paired)[0]};
                  rowHook = nullptr;
                  reducedRange.reset();
                  readKept = false;
                  for (int64_t k = 0; k < 2; ++k) {
                    Value total = arith::AddFOp::create(
                        ib, loc, loadScratch(ib, at, row(ib, chunk, k), lanes),
                        sums[k]);
                    storeScratch(ib, at, row(ib, chunk, k), total);
                  }
                });
          },
          tileRows);
    };
    scf::IfOp::create(
        pb, loc, farFromCache,
        [&](OpBuilder &tb, Location) {
          tiles(tb, true);
          scf::YieldOp::create(tb, loc);
        },
        [&](OpBuilder &eb, Location) {
          tiles(eb, false);
          scf::YieldOp::create(eb, loc);
        });
  });

  // B: the statistics of each slot block, and what phase C needs of them
  // in scratch rows 0 to 2 (which scale, offset and beta it finds there).
  std::tuple<bool, bool, bool> affineShape;
  // What phase C applies: the pivot, the shift or the folded offset, and
  // inv or inv * gamma.
  auto storeAffine = [&](OpBuilder &ib, const Indices &at,
                         const SlotStatistics &stats) {
    SlotAffine a = slotAffine(ib, at, stats);
    if (stats.pivot)
      storeScratch(ib, at, index(0), stats.pivot);
    if (Value v = a.offset ? a.offset : stats.shift)
      storeScratch(ib, at, index(1), v);
    storeScratch(ib, at, index(2), a.scale ? a.scale : stats.inv);
    affineShape = {bool(a.scale), bool(a.offset), a.betaInOffset};
  };
  parallel(false, [&](OpBuilder &pb, Indices &idx, Value, Value) {
    forEachColumnBlock(
        pb, idx, [&](OpBuilder &ib, const Indices &at, int64_t lanes) {
          Value zero = zeroVector(ib, lanes);
          auto loop = scf::ForOp::create(
              ib, loc, index(0), chunks, index(1), ValueRange{zero, zero},
              [&](OpBuilder &fb, Location, Value chunk, ValueRange acc) {
                Value s1 = arith::AddFOp::create(
                    fb, loc, acc[0],
                    loadScratch(fb, at, row(fb, chunk, 0), lanes));
                Value s2 = arith::AddFOp::create(
                    fb, loc, acc[1],
                    loadScratch(fb, at, row(fb, chunk, 1), lanes));
                scf::YieldOp::create(fb, loc, ValueRange{s1, s2});
              });
          Value s1 = loop.getResult(0), s2 = loop.getResult(1);
          Value pivot, shift, mean, var, sumSq = s2;
          if (desc.center) {
            // Phase A's pivot (every chunk stored the same one).
            pivot = loadScratch(ib, at, row(ib, index(0), 2), lanes);
            shift = arith::DivFOp::create(ib, loc, s1, splat(ib, count, lanes));
            sumSq = checkedSumOfSquares(
                ib, lanes, s1, s2, shift, [&](OpBuilder &eb) {
                  return reduceSlot(
                      eb, at, lanes,
                      [&](OpBuilder &tb, Value v, int64_t) -> Value {
                        Value d = centerAbout(
                            tb, SlotStatistics{lanes, pivot, shift, {}, {}}, v,
                            lanes);
                        return arith::MulFOp::create(
                            tb, loc, d, d, arith::FastMathFlags::contract);
                      });
                });
            mean = arith::AddFOp::create(ib, loc, pivot, shift);
          }
          if (channelGroups) {
            // Each channel's shift and centered sum of squares (its pivot
            // stays in row 2), for its group's.
            storeScratch(ib, at, index(0), shift);
            storeScratch(ib, at, index(1), sumSq);
            return;
          }
          Value inv = inverseScale(ib, lanes, sumSq, var);
          storeAffine(ib, at, SlotStatistics{lanes, pivot, shift, mean, inv});
          storeStat(ib, outMean, at, mean);
          storeStat(ib, outVar, at, var);
          storeStat(ib, outRstd, at, inv);
        });
    if (channelGroups)
      mergeChannelGroups(pb, idx, scratch, scratchAt, storeAffine);
  });

  // C: each chunk's normalizing pass, tile by tile, or when rows hold two
  // or more whole blocks a few rows at a time (kRowsPerBlockVisit rows
  // through each block in turn): in tiles, the strided stores of such rows
  // ran 1.3 to 1.7 times slower (NHWC batch norm f32 with 128, 256 and 512
  // channels, 2 threads); rows of one block and a remainder (96 channels)
  // the other way round. Dynamic shapes choose at run time. NHWC batch norm
  // f32 32x14x14x256, dynamic shape, 2 threads: 187 us with a one-row loop
  // per block and the scale recomputed, 150 us one row per visit without
  // the loop, 130 us with phase B's constants (static shape 128 -> 110 us);
  // bf16 eight rows per visit: 89-91 -> 68-72 us (docs/cpu.md).
  // The normalizing pass of the block at `at` over rows [lo, hi).
  auto normalizeBlock = [&](OpBuilder &ib, const Indices &at, int64_t lanes,
                            Value lo, Value hi) {
    auto [hasScale, hasOffset, betaInOffset] = affineShape;
    SlotStatistics stats{lanes, {}, {}, {}, {}};
    SlotAffine a;
    a.betaInOffset = betaInOffset;
    if (desc.center)
      stats.pivot = loadScratch(ib, at, index(0), lanes);
    if (hasOffset)
      a.offset = loadScratch(ib, at, index(1), lanes);
    else if (desc.center)
      stats.shift = loadScratch(ib, at, index(1), lanes);
    (hasScale ? a.scale : stats.inv) = loadScratch(ib, at, index(2), lanes);
    stats.affine = a;
    reducedRange = ReducedRange{r, lo, hi};
    readKept = storesKept;
    emitNormalizingPass(ib, at, stats, nullptr);
    readKept = false;
    reducedRange.reset();
  };
  // By row: the tile's rows a few at a time through the whole blocks (each
  // block's constants loaded once for them), then
  // each remainder block down the tile (its checks once per tile, not once
  // per row).
  auto normalizeChunk = [&](OpBuilder &pb, Indices &idx, Value chunk,
                            Value part, bool byRow) {
    forEachTile(
        pb, chunk,
        [&](OpBuilder &tb, Value tlo, Value thi) {
          if (!byRow) {
            blocksOf(tb, idx, part,
                     [&](OpBuilder &ib, const Indices &at, int64_t lanes) {
                       normalizeBlock(ib, at, lanes, tlo, thi);
                     });
            return;
          }
          scf::ForOp::create(
              tb, loc, tlo, thi, index(kRowsPerBlockVisit), ValueRange{},
              [&](OpBuilder &rb, Location, Value row, ValueRange) {
                Value next = arith::MinUIOp::create(
                    rb, loc,
                    arith::AddIOp::create(rb, loc, row,
                                          index(kRowsPerBlockVisit)),
                    thi);
                blocksOf(
                    rb, idx, part,
                    [&](OpBuilder &ib, const Indices &at, int64_t lanes) {
                      normalizeBlock(ib, at, lanes, row, next);
                    },
                    ColumnBlocks::Whole);
                scf::YieldOp::create(rb, loc);
              });
          blocksOf(
              tb, idx, part,
              [&](OpBuilder &ib, const Indices &at, int64_t lanes) {
                normalizeBlock(ib, at, lanes, tlo, thi);
              },
              ColumnBlocks::Remainder);
        },
        tileRows);
  };
  parallel(true, [&](OpBuilder &pb, Indices &idx, Value chunk, Value part) {
    Value byRow = arith::CmpIOp::create(pb, loc, arith::CmpIPredicate::uge,
                                        inner, index(2 * width));
    scf::IfOp::create(
        pb, loc, byRow,
        [&](OpBuilder &tb, Location) {
          normalizeChunk(tb, idx, chunk, part, true);
          scf::YieldOp::create(tb, loc);
        },
        [&](OpBuilder &eb, Location) {
          normalizeChunk(eb, idx, chunk, part, false);
          scf::YieldOp::create(eb, loc);
        });
  });
}
