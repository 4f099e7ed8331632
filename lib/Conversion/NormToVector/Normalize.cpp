//===- Normalize.cpp - One slot's normalizing pass ------------------------===//
//
// The pass that applies a slot's statistics: (x - mean) * rstd * gamma +
// beta in the compute type, rounded to the normalized type, then the fused
// epilogue and the store (non-temporal for large outputs); bf16 rows in
// even and odd halves where PairedRows.cpp allows.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "llvm/Support/SaveAndRestore.h"

#include <optional>

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

Value KernelBuilder::streamingCondition(OpBuilder &nb, const Indices &idx,
                                        int64_t lanes) {
  // Whole vectors of a row, or column slots' vectors of `lanes` elements,
  // must cover whole 64-byte lines.
  int64_t elemBytes = outElem.getIntOrFloatBitWidth() / 8;
  if ((rowLike ? width : lanes) * elemBytes % 64 != 0)
    return {};
  // Linear index of the slot's first element in the (row-major) output
  // (for a column slot, that of its first lane at the first position).
  Value linear = index(0);
  for (auto [i, v] : llvm::enumerate(idx))
    linear = arith::AddIOp::create(
        nb, loc, arith::MulIOp::create(nb, loc, linear, segSizes[i]),
        rowLike && i + 1 == idx.size() ? index(0) : v);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(nb, loc, y);
  Value address = arith::AddIOp::create(
      nb, loc, base, arith::MulIOp::create(nb, loc, linear, index(elemBytes)));
  Value misaligned = arith::RemUIOp::create(nb, loc, address, index(64));
  Value aligned = arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::eq,
                                        misaligned, index(0));
  return arith::AndIOp::create(nb, loc, aligned, mayStream);
}

Value KernelBuilder::centerAbout(OpBuilder &ib, const SlotStatistics &stats,
                                 Value v, int64_t w) {
  auto broadcastTo = [&](Value s) {
    return stats.lanes == 0 ? splat(ib, s, w) : s;
  };
  if (stats.pivot)
    v = arith::SubFOp::create(ib, loc, v, broadcastTo(stats.pivot));
  if (Value m = stats.shift ? stats.shift : stats.mean)
    v = arith::SubFOp::create(ib, loc, v, broadcastTo(m));
  return v;
}

KernelBuilder::SlotAffine
KernelBuilder::slotAffine(OpBuilder &nb, const Indices &idx,
                          const SlotStatistics &stats) {
  // gamma constant over the slot (batch, instance and group norm's
  // per-channel scale): inv * gamma once per slot, one multiplication per
  // vector fewer (the product rounds once more: half an ulp).
  SlotAffine a;
  Value &slotScale = a.scale;
  if (gamma && llvm::none_of(segments, [](const Segment &s) {
        return s.reduced && s.param;
      })) {
    Value g = loadAlong(
        nb, gamma, [](const Segment &s) { return s.param; }, idx, stats.lanes,
        ct);
    if (desc.zeroCenteredGamma)
      g = arith::AddFOp::create(
          nb, loc, g,
          stats.lanes == 0 ? constant(nb, 1.0)
                           : splat(nb, constant(nb, 1.0), stats.lanes));
    slotScale = arith::MulFOp::create(nb, loc, stats.inv, g);
  }
  // 16-bit results of batch statistics: (x - pivot - shift) * scale as
  // fma(x - pivot, scale, -shift * scale), one operation per vector fewer
  // (LayerNorm bf16 4096x768 single-threaded: see docs/cpu.md). x - pivot
  // is taken exactly as before; only shift * scale rounds once more, and
  // |shift * scale| = |pivot - mean| / std <= sqrt(n - 1) (the pivot is one
  // of the n values or the mean of some of them), so the outputs move by at
  // most 2^-24 sqrt(n - 1) standard deviations: under 2^-14 for rows of up to
  // 2^20, 1/32 of a bf16 unit at 1 (f32 results keep both subtractions). With
  // gamma and beta constant over the slot (batch norm's channels), beta joins
  // the constant: one multiply-add per vector after x - pivot. Given statistics
  // (inference batch norm) of 16-bit inputs: x * scale + (beta - mean * scale),
  // one multiply-add per vector; the rounding of mean * scale, 2^-24 |mean| /
  // std, is 2^-15 of what rounding x to 16 bits already cost for x near the
  // mean. `offset` is the constant: -foldedMean * scale, plus beta when
  // betaInOffset.
  Value &offset = a.offset;
  Value foldedMean =
      stats.pivot && stats.shift ? stats.shift
      : desc.givenStats && desc.center && inElem.getIntOrFloatBitWidth() <= 16
          ? stats.mean
          : Value();
  if (foldedMean && normElem.getIntOrFloatBitWidth() <= 16) {
    Value scale = slotScale ? slotScale : stats.inv;
    offset = arith::NegFOp::create(
        nb, loc, arith::MulFOp::create(nb, loc, foldedMean, scale));
    if (slotScale && beta) {
      Value b = loadAlong(
          nb, beta, [](const Segment &s) { return s.param; }, idx, stats.lanes,
          ct);
      offset = arith::AddFOp::create(nb, loc, b, offset);
      a.betaInOffset = true;
    }
  }
  return a;
}

void KernelBuilder::emitNormalizingPass(OpBuilder &nb, const Indices &idx,
                                        const SlotStatistics &stats,
                                        const RowHook &prefetch) {
  VectorNormalizer normalize = prepareNormalizing(nb, idx, stats);
  // The rows of a row slot of several rows (the examples of an NCHW
  // training batch norm's channel) go backwards, last summed first: the
  // statistics' last rows are the likeliest still in L1 and L2 (when the
  // rows sit a multiple of 4 KiB apart they share a few cache sets, which
  // keep only the last of them): bf16 32x128x16x16 single-threaded 73-75
  // -> 69-70 us, 32x512x8x8 198 -> 188-191 us. Each element is normalized
  // alone, so the order does not change the bits. Column slots keep their
  // forward walk (backwards, NHWC bf16 32x56x56x16 lost 12 %).
  llvm::SaveAndRestore backwards(reverseWalk, rowLike);
  forEachInSlot(
      nb, idx, stats.lanes, streamingCondition(nb, idx, stats.lanes),
      [&](OpBuilder &ib, const Indices &at, int64_t w, bool nontemporal) {
        if (prefetch)
          prefetch(ib, at, w);
        normalize(ib, at, w, nontemporal);
      });
}

KernelBuilder::VectorNormalizer
KernelBuilder::prepareNormalizing(OpBuilder &nb, const Indices &idx,
                                  const SlotStatistics &stats) {
  int64_t lanes = stats.lanes;
  SlotAffine a = stats.affine ? *stats.affine : slotAffine(nb, idx, stats);
  bool betaInOffset = a.betaInOffset;
  // The slot's constants: its statistics and the folded scale and offset
  // (vectors of `lanes` for column slots, scalars for a row).
  struct Constants {
    SlotStatistics stats;
    Value scale, offset;
  };
  Constants whole{stats, a.scale, a.offset};
  // bf16 rows whose operands along the row are bf16: whole vectors as
  // their even and odd elements (PairedRows.cpp).
  bool pairRows = canPairRows(lanes);
  // bf16 column slots whose gamma and beta are in the constants: the same,
  // the constants split into even and odd channels here, once per slot.
  bool pairColumns =
      canPairColumns(lanes) && (!gamma || a.scale) && (!beta || betaInOffset);
  std::array<Constants, 2> halfConstants;
  if (pairColumns) {
    for (int half = 0; half < 2; ++half) {
      SmallVector<int64_t> picks;
      for (int64_t i = half; i < lanes; i += 2)
        picks.push_back(i);
      auto pick = [&](Value v) -> Value {
        return v ? vector::ShuffleOp::create(nb, loc, v, v, picks).getResult()
                 : Value();
      };
      SlotStatistics s{lanes / 2, pick(stats.pivot), pick(stats.shift),
                       pick(stats.mean), pick(stats.inv)};
      halfConstants[half] = {s, pick(a.scale), pick(a.offset)};
    }
  }
  return [=](OpBuilder &ib, const Indices &at, int64_t w, bool nontemporal) {
    auto isParam = [](const Segment &s) { return s.param; };
    auto broadcastTo = [&](OpBuilder &bb, Value v, int64_t n) {
      return lanes == 0 ? splat(bb, v, n) : v;
    };
    // (h - mean) * inv * gamma + beta on `n` lanes, in the compute type
    // (contract: the scale by gamma and the shift by beta become one
    // FMA).
    auto affineWith = [&](const Constants &c, Value h,
                          function_ref<Value()> loadGamma,
                          function_ref<Value()> loadBeta, int64_t n) {
      Value pivot = c.stats.pivot, inv = c.stats.inv;
      Value slotScale = c.scale, offset = c.offset;
      Value v;
      if (offset) {
        v = pivot ? arith::SubFOp::create(ib, loc, h, broadcastTo(ib, pivot, n))
                        .getResult()
                  : h;
        v = arith::MulFOp::create(
            ib, loc, v, broadcastTo(ib, slotScale ? slotScale : inv, n),
            arith::FastMathFlags::contract);
        v = arith::AddFOp::create(ib, loc, v, broadcastTo(ib, offset, n),
                                  arith::FastMathFlags::contract);
      } else if (slotScale) {
        v = arith::MulFOp::create(ib, loc, centerAbout(ib, c.stats, h, n),
                                  broadcastTo(ib, slotScale, n),
                                  arith::FastMathFlags::contract);
      } else {
        v = arith::MulFOp::create(ib, loc, centerAbout(ib, c.stats, h, n),
                                  broadcastTo(ib, inv, n));
      }
      if (Value g = gamma && !slotScale ? loadGamma() : Value()) {
        if (desc.zeroCenteredGamma)
          g = arith::AddFOp::create(ib, loc, g,
                                    splat(ib, constant(ib, 1.0), n));
        v = arith::MulFOp::create(ib, loc, v, g,
                                  arith::FastMathFlags::contract);
      }
      if (beta && !betaInOffset)
        v = arith::AddFOp::create(ib, loc, v, loadBeta(),
                                  arith::FastMathFlags::contract);
      return v;
    };
    auto affine = [&](Value h, function_ref<Value()> loadGamma,
                      function_ref<Value()> loadBeta, int64_t n) {
      return affineWith(whole, h, loadGamma, loadBeta, n);
    };
    // A non-temporal store starts on a 64-byte line, or (a slice of a
    // pipelined row) as far into one as a multiple of its size.
    auto streamAlign = [&](Type elem) {
      int64_t bytes = w * elem.getIntOrFloatBitWidth() / 8;
      return llvm::Align(std::min<uint64_t>(64, bytes & -bytes));
    };
    auto store = [&](Value v) {
      if (nontemporal)
        vector::StoreOp::create(ib, loc, v, y, at,
                                /*nontemporal=*/true, streamAlign(outElem));
      else
        vector::StoreOp::create(ib, loc, v, y, at);
    };
    Value h = loadNormalized(ib, at, w);
    if (kept && !readKept) {
      Value k = convert(ib, h, keptElem());
      if (nontemporal && streamKept)
        vector::StoreOp::create(ib, loc, k, kept, at, /*nontemporal=*/true,
                                streamAlign(keptElem()));
      else
        vector::StoreOp::create(ib, loc, k, kept, at);
    }
    if ((pairRows && w == width) || (pairColumns && w == lanes)) {
      // x, gamma, beta and the epilogue operands widened as even and
      // odd elements (a column slot's channels: gamma and beta are in its
      // constants, split into halves above), each half normalized and
      // finished, the halves interleaved back before the store.
      auto halves = [&](Value raw) -> std::array<Value, 2> {
        auto [e, o] = widenPairs(ib, raw);
        return {e, o};
      };
      // gamma's and beta's halves, loaded when affine first asks for
      // them (not when the slot's scale or offset holds them).
      auto paramHalf = [&](std::optional<std::array<Value, 2>> &cache,
                           Value view, int half) {
        if (!cache) {
          if (segments.back().param) {
            cache = halves(loadAlong(ib, view, isParam, at, w, Type()));
          } else {
            Value v = loadAlong(ib, view, isParam, at, w / 2, ct);
            cache = std::array<Value, 2>{v, v};
          }
        }
        return (*cache)[half];
      };
      std::optional<std::array<Value, 2>> gs, bs;
      std::array<Value, 2> xs = halves(h);
      SmallVector<std::array<Value, 2>> fused =
          loadFusedPairs(ib, at, w, numPrologue, fusedViews.size());
      SmallVector<Value> out;
      for (int half = 0; half < 2; ++half) {
        SmallVector<Value> args;
        for (const std::array<Value, 2> &pair : fused)
          args.push_back(pair[half]);
        Value v = affineWith(
            pairColumns ? halfConstants[half] : whole, xs[half],
            [&] { return paramHalf(gs, gamma, half); },
            [&] { return paramHalf(bs, beta, half); }, w / 2);
        out.push_back(finishOutputCarried(ib, v, args, w / 2));
      }
      store(packPairs(ib, out[0], out[1], outElem));
      return;
    }
    Value v = affine(
        convert(ib, h, ct),
        [&] { return loadAlong(ib, gamma, isParam, at, w, ct); },
        [&] { return loadAlong(ib, beta, isParam, at, w, ct); }, w);
    store(finishOutput(ib, v, at, w));
  };
}
