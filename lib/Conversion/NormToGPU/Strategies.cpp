//===- Strategies.cpp - The loops of each GPU strategy --------------------===//
//
// Rows (a warp, a block or a cluster per statistics slot), columns (adjacent
// slots across x, the reduction along y) and the elementwise kernel of given
// statistics; the building blocks are in KernelEmitter.cpp.
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::gpu_plan;
using namespace mlir::norm::gpu_plan::detail;

void Emitter::emitRowSlot(const Position &slotPos, Value t) {
  const int64_t inner = plan.segments.back().size;
  SmallVector<int64_t> outerReduced;
  for (size_t i = 0; i + 1 < plan.segments.size(); ++i)
    if (plan.segments[i].reduced)
      outerReduced.push_back(plan.segments[i].size);
  const int64_t units = plan.units(width);
  const int64_t threads = plan.threads;
  const double count = static_cast<double>(plan.reduced);
  // The variance's divisor: n - 1 for an unbiased LayerNorm.
  const double varCount = desc.unbiasedVar ? count - 1.0 : count;
  auto unitPosition = [&](Value u) {
    Position pos = slotPos;
    Value perRow = index(inner / width);
    Value o = arith::DivUIOp::create(b, loc, u, perRow);
    Value e = arith::MulIOp::create(
        b, loc, arith::RemUIOp::create(b, loc, u, perRow), index(width));
    SmallVector<Value> outer = delinearize(o, outerReduced);
    size_t k = 0;
    for (size_t i = 0; i + 1 < plan.segments.size(); ++i)
      if (plan.segments[i].reduced)
        pos[i] = outer[k++];
    pos.back() = e;
    return pos;
  };
  Value mean, var, inv, shift;
  // Sums of h - pivot, then of ((h - pivot) - shift)^2.
  auto sumOf = [&](ArrayRef<Value> values, Value pivot, Value acc) {
    for (Value v : values)
      acc = arith::AddFOp::create(b, loc, acc, centered(v, pivot, {}));
    return acc;
  };
  auto squares = [&](ArrayRef<Value> values, Value pivot, Value acc) {
    for (Value v : values) {
      v = centered(v, pivot, shift);
      acc = arith::AddFOp::create(b, loc, acc,
                                  arith::MulFOp::create(b, loc, v, v));
    }
    return acc;
  };
  // The sum for the mean is taken of h - pivot, with the pivot the slot's
  // first element: a large offset (mean 1e4, std 1e-2) then cancels exactly
  // instead of drowning the deviations in the rounding of a large sum.
  Value pivot;
  if (desc.center)
    pivot =
        plan.reduced > 0 ? loadH(unitPosition(index(0)), false)[0] : f32(0.0);
  auto statistics = [&](function_ref<Value(bool, Value, Value)> pass) {
    // pass(squares, pivot, acc) sums h - pivot, or the centered squares.
    if (desc.center) {
      shift = arith::DivFOp::create(
          b, loc, blockSum(pass(false, pivot, f32(0))), f32(count));
      mean = arith::AddFOp::create(b, loc, pivot, shift);
      var = arith::DivFOp::create(b, loc, blockSum(pass(true, pivot, f32(0))),
                                  f32(varCount));
    } else {
      var = blockSum(pass(true, {}, f32(0)));
      if (desc.scaling != Scaling::L2Norm)
        var = arith::DivFOp::create(b, loc, var, f32(count));
    }
    inv = invFrom(var);
    if (desc.scaling == Scaling::L2Norm)
      var = Value();
  };
  // Unit k of this thread: threads of a block take adjacent units, blocks
  // of a cluster adjacent runs of them.
  auto unitOf = [&](int64_t k) -> Value {
    Value u =
        arith::AddIOp::create(b, loc, t, index(k * threads * plan.clusterSize));
    if (rank)
      u = arith::AddIOp::create(
          b, loc, u, arith::MulIOp::create(b, loc, rank, index(threads)));
    return u;
  };

  if (plan.inRegisters) {
    // The thread's units stay in registers: one read of the input, two
    // exact passes over registers.
    int64_t perThread = plan.unitsPerThread(width);
    SmallVector<SmallVector<Value>> h;
    SmallVector<Value> valid;
    for (int64_t k = 0; k < perThread; ++k) {
      Value u = unitOf(k);
      Value inside;
      if ((k + 1) * threads * plan.clusterSize > units)
        inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, u,
                                       index(units));
      // Packed: the elements as loaded (h is then exactly their value).
      auto loadUnit = [&] {
        return plan.packed ? load(x, unitPosition(u))
                           : loadH(unitPosition(u), true);
      };
      if (!inside) {
        h.push_back(loadUnit());
      } else {
        Type elem = plan.packed ? x.elem : b.getF32Type();
        auto ifOp = scf::IfOp::create(b, loc, SmallVector<Type>(width, elem),
                                      inside, true);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(ifOp.thenBlock());
          scf::YieldOp::create(b, loc, loadUnit());
          b.setInsertionPointToStart(ifOp.elseBlock());
          Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
          scf::YieldOp::create(b, loc, SmallVector<Value>(width, zero));
        }
        h.push_back(SmallVector<Value>(ifOp.getResults()));
      }
      valid.push_back(inside);
    }
    // The thread's first `staged` units find their weights in shared
    // memory (KernelPlan::stagedWeightUnits; vector kernel only), at slot
    // k * threads + t of each buffer.
    int64_t staged = width == plan.vectorWidth && width > 1
                         ? std::min(plan.stagedWeightUnits, perThread)
                         : 0;
    auto slotOf = [&](int64_t k) -> Value {
      return arith::AddIOp::create(b, loc, t, index(k * threads));
    };
    // The weights the other units meet in the normalizing pass, into L1
    // while the row comes from memory (KernelPlan::prefetchWeightsL1).
    if (plan.prefetchWeightsL1 && width > 1) {
      for (int64_t k = staged; k < perThread; ++k) {
        Position pos = unitPosition(unitOf(k));
        for (const Buffer *p : {&gamma, &beta}) {
          if (!*p || !p->alongInner())
            continue;
          int64_t bytes = p->elem.getIntOrFloatBitWidth() / 8;
          Value off =
              arith::MulIOp::create(b, loc, offset(*p, pos), index(bytes));
          ifThen(valid[k], [&] { prefetch(*p, off, true); });
        }
      }
    }
    // The staged units' weights, copied while the row comes from memory.
    Value stagedGamma, stagedBeta;
    if (staged > 0) {
      for (auto [p, buffer] :
           {std::pair{&gamma, &stagedGamma}, std::pair{&beta, &stagedBeta}}) {
        if (!*p || !p->alongInner() || (p == &beta && !plan.stageBeta))
          continue;
        *buffer = sharedBuffer(staged * threads * width, p->elem);
        for (int64_t k = 0; k < staged; ++k)
          ifThen(valid[k], [&, p = p, buffer = buffer] {
            stageUnit(*p, unitPosition(unitOf(k)), *buffer, slotOf(k));
          });
      }
    }
    SmallVector<Value> words;
    if (plan.packed)
      words = packPairs(h);
    // The thread's values in f32 for one pass over them. Packed, they are
    // widened again in every pass, from words made distinct per pass by an
    // opaque zero, so that LLVM cannot keep the first pass's f32 values
    // alive instead (twice the registers).
    auto forPass = [&](bool first) {
      if (plan.packed)
        return unpackPairs(words, perThread, width,
                           first ? Value() : opaqueZero());
      return h;
    };
    if (aheadValid)
      prefetchAhead(t);
    // The thread's sum of `each` over its valid units (padding lanes hold
    // 0, which is not 0 once centered).
    auto overValid = [&](bool first,
                         function_ref<Value(ArrayRef<Value>)> each) {
      Value acc = f32(0);
      for (auto [values, inside] : llvm::zip(forPass(first), valid)) {
        Value part = each(values);
        if (inside)
          part = arith::SelectOp::create(b, loc, inside, part, f32(0));
        acc = arith::AddFOp::create(b, loc, acc, part);
      }
      return acc;
    };
    if (desc.center && plan.oneRoundMoments) {
      // One reduction of (sum, squares about each warp's mean, count)
      // instead of two: a barrier and a cluster barrier fewer.
      // (Never packed: see KernelPlan::oneRoundMoments.)
      Moments all = blockMoments(
          overValid(true,
                    [&](ArrayRef<Value> v) { return sumOf(v, pivot, f32(0)); }),
          overValid(true,
                    [&](ArrayRef<Value> v) {
                      return f32(static_cast<double>(v.size()));
                    }),
          [&](Value warpShift) {
            shift = warpShift;
            return overValid(false, [&](ArrayRef<Value> v) {
              return squares(v, pivot, f32(0));
            });
          });
      shift = arith::DivFOp::create(b, loc, all.sum, f32(count));
      mean = arith::AddFOp::create(b, loc, pivot, shift);
      var = arith::DivFOp::create(b, loc, all.squares, f32(varCount));
      inv = invFrom(var);
    } else {
      statistics([&](bool sq, Value m, Value) { // acc: 0
        return overValid(!sq || !desc.center, [&](ArrayRef<Value> v) {
          return sq ? squares(v, m, f32(0)) : sumOf(v, m, f32(0));
        });
      });
    }
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t, index(0));
    if (rank)
      first = arith::AndIOp::create(
          b, loc, first,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rank,
                                index(0)));
    ifThen(first, [&] { storeStatistics(slotPos, mean, var, inv); });
    SmallVector<SmallVector<Value>> last = forPass(false);
    if (staged > 0)
      waitStaged();
    for (int64_t k = 0; k < perThread; ++k) {
      Value u = unitOf(k);
      ifThen(valid[k], [&] {
        SmallVector<Value> g, be;
        if (k < staged && stagedGamma)
          g = loadStaged(stagedGamma, slotOf(k));
        if (k < staged && stagedBeta)
          be = loadStaged(stagedBeta, slotOf(k));
        finish(unitPosition(u), last[k], pivot, shift, inv, g, be);
      });
    }
    return;
  }

  // Rows too long for registers: each pass reads the row again (from L2
  // while the rows in flight fit there).
  auto overRow = [&](Value init,
                     function_ref<Value(const Position &, Value)> body) {
    auto loop = scf::ForOp::create(b, loc, t, index(units), index(threads),
                                   init ? ValueRange{init} : ValueRange{});
    OpBuilder::InsertionGuard guard(b);
    if (!init) { // the builder added the terminator
      b.setInsertionPoint(loop.getBody()->getTerminator());
      body(unitPosition(loop.getInductionVar()), Value());
      return Value();
    }
    b.setInsertionPointToStart(loop.getBody());
    Value acc =
        body(unitPosition(loop.getInductionVar()), loop.getRegionIterArg(0));
    scf::YieldOp::create(b, loc, acc);
    return loop.getResult(0);
  };
  bool keptStored = false;
  statistics([&](bool sq, Value m, Value acc) {
    bool storeKept = !keptStored;
    keptStored = true;
    return overRow(acc, [&](const Position &pos, Value a) {
      SmallVector<Value> values = loadH(pos, storeKept);
      return sq ? squares(values, m, a) : sumOf(values, m, a);
    });
  });
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t, index(0));
  ifThen(first, [&] { storeStatistics(slotPos, mean, var, inv); });
  overRow(Value(), [&](const Position &pos, Value) {
    finish(pos, loadH(pos, false), pivot, shift, inv);
    return Value();
  });
}

void Emitter::emitRows() {
  tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  lane = arith::RemUIOp::create(b, loc, tid, index(32));
  warp = arith::DivUIOp::create(b, loc, tid, index(32));
  Value slot = bid, t = tid;
  if (plan.clusterSize > 1) { // consecutive blocks form a cluster
    slot = arith::DivUIOp::create(b, loc, bid, index(plan.clusterSize));
    rank = arith::RemUIOp::create(b, loc, bid, index(plan.clusterSize));
  }
  Value active;
  if (plan.strategy == Strategy::WarpPerRow) {
    slot = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, bid, index(plan.slotsPerBlock)),
        warp);
    t = lane;
    if (plan.dynamicOuter || plan.slots % plan.slotsPerBlock != 0)
      active = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, slot,
                                     scaled(plan.slots));
  }
  auto slotPosition = [&](Value slot) {
    SmallVector<int64_t> keptSizes;
    for (const Segment &s : plan.segments)
      if (!s.reduced)
        keptSizes.push_back(s.size);
    SmallVector<Value> keptIdx = delinearize(slot, keptSizes);
    Position pos(plan.segments.size(), Value());
    size_t k = 0;
    for (auto [i, s] : llvm::enumerate(plan.segments))
      if (!s.reduced)
        pos[i] = keptIdx[k++];
    return pos;
  };
  // Not in the scalar kernel of an aligned shape (a fallback whose 1024
  // threads have no register to spare for it).
  if (plan.residentPerSM > 0 && width == plan.vectorWidth) {
    // Blocks start in order: while this one works, the SMs' other blocks
    // take the rows up to slot + ahead, and the next one on this SM about
    // that row.
    Value sms = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        NVVM::SmDimOp::create(b, loc, b.getI32Type()));
    Value ahead = arith::MaxUIOp::create(
        b, loc, index(1),
        arith::DivUIOp::create(
            b, loc,
            arith::MulIOp::create(b, loc, sms, index(plan.residentPerSM)),
            index(plan.clusterSize)));
    Value next = arith::AddIOp::create(b, loc, slot, ahead);
    aheadValid = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, next,
                                       scaled(plan.slots));
    // Past the last slot the position is not used; clamp it anyway.
    aheadPos =
        slotPosition(arith::SelectOp::create(b, loc, aheadValid, next, slot));
  }
  if (plan.clusterSize > 1)
    initClusterExchange();
  // A warp without a slot does nothing (no barrier in this strategy).
  ifThen(active, [&] { emitRowSlot(slotPosition(slot), t); });
}

void Emitter::emitColumns() {
  lane = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  tidY = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::y);
  Value bid = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  const int64_t inner = plan.segments.back().size;
  int64_t innerBlocks = (inner + 31) / 32;
  Value outer = arith::DivUIOp::create(b, loc, bid, index(innerBlocks));
  Value c = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(
          b, loc, arith::RemUIOp::create(b, loc, bid, index(innerBlocks)),
          index(32)),
      lane);
  Value valid =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, c, index(inner));
  SmallVector<int64_t> keptSizes, reducedSizes;
  for (size_t i = 0; i + 1 < plan.segments.size(); ++i)
    (plan.segments[i].reduced ? reducedSizes : keptSizes)
        .push_back(plan.segments[i].size);
  SmallVector<Value> keptIdx = delinearize(outer, keptSizes);
  Position slotPos(plan.segments.size(), Value());
  size_t k = 0;
  for (size_t i = 0; i + 1 < plan.segments.size(); ++i)
    if (!plan.segments[i].reduced)
      slotPos[i] = keptIdx[k++];
  slotPos.back() = c;
  auto positionOf = [&](Value r) {
    Position pos = slotPos;
    SmallVector<Value> red = delinearize(r, reducedSizes);
    size_t j = 0;
    for (size_t i = 0; i + 1 < plan.segments.size(); ++i)
      if (plan.segments[i].reduced)
        pos[i] = red[j++];
    return pos;
  };
  // Threads past the last slot take part in the barriers with zeros.
  auto overSlot = [&](Value init, bool storeKept,
                      function_ref<Value(ArrayRef<Value>, Value)> body) {
    auto loop = scf::ForOp::create(b, loc, tidY, index(plan.reduced),
                                   index(plan.threads), ValueRange{init});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value acc = loop.getRegionIterArg(0);
    auto ifOp = scf::IfOp::create(b, loc, b.getF32Type(), valid, true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      SmallVector<Value> h =
          loadH(positionOf(loop.getInductionVar()), storeKept);
      scf::YieldOp::create(b, loc, body(h, acc));
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, acc);
    }
    scf::YieldOp::create(b, loc, ifOp.getResult(0));
    return loop.getResult(0);
  };
  const double count = static_cast<double>(plan.reduced);
  // The variance's divisor: n - 1 for an unbiased LayerNorm.
  const double varCount = desc.unbiasedVar ? count - 1.0 : count;
  Value mean, var, inv, pivot, shift;
  bool storeKept = true;
  if (desc.center) {
    // Sums of h - pivot, then of ((h - pivot) - shift)^2, as in the rows.
    pivot = f32(0.0);
    if (plan.reduced > 0) {
      auto ifOp = scf::IfOp::create(b, loc, b.getF32Type(), valid, true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      scf::YieldOp::create(b, loc, loadH(positionOf(index(0)), false)[0]);
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, f32(0.0));
      pivot = ifOp.getResult(0);
    }
    Value sum = overSlot(f32(0), true, [&](ArrayRef<Value> h, Value acc) {
      return arith::AddFOp::create(b, loc, acc,
                                   arith::SubFOp::create(b, loc, h[0], pivot))
          .getResult();
    });
    storeKept = false;
    shift = arith::DivFOp::create(b, loc, blockSum(sum), f32(count));
    mean = arith::AddFOp::create(b, loc, pivot, shift);
  }
  var = blockSum(
      overSlot(f32(0), storeKept, [&](ArrayRef<Value> h, Value acc) -> Value {
        Value v = centered(h[0], pivot, shift);
        return arith::AddFOp::create(b, loc, acc,
                                     arith::MulFOp::create(b, loc, v, v));
      }));
  if (desc.scaling != Scaling::L2Norm)
    var = arith::DivFOp::create(b, loc, var, f32(varCount));
  inv = invFrom(var);
  if (desc.scaling == Scaling::L2Norm)
    var = Value();
  Value writer = arith::AndIOp::create(
      b, loc, valid,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tidY, index(0)));
  ifThen(writer, [&] { storeStatistics(slotPos, mean, var, inv); });
  auto ifOp = scf::IfOp::create(b, loc, valid, /*withElse=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  auto loop = scf::ForOp::create(b, loc, tidY, index(plan.reduced),
                                 index(plan.threads));
  b.setInsertionPointToStart(loop.getBody());
  Position pos = positionOf(loop.getInductionVar());
  finish(pos, loadH(pos, false), pivot, shift, inv);
}

void Emitter::emitElementwise() {
  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  int64_t threads = plan.threads;
  Value step = index(threads * plan.grid(width)[0]);
  if (plan.dynamicOuter) // the grid follows the outer size
    step = arith::MulIOp::create(
        b, loc, gpu::GridDimOp::create(b, loc, gpu::Dimension::x),
        index(threads));
  Value first = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, bid, index(threads)), tid);
  auto loop =
      scf::ForOp::create(b, loc, first, scaled(plan.slots / width), step);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  SmallVector<int64_t> sizes;
  for (const Segment &s : plan.segments)
    sizes.push_back(s.size);
  Value element =
      arith::MulIOp::create(b, loc, loop.getInductionVar(), index(width));
  SmallVector<Value> idx = delinearize(element, sizes);
  Position pos(idx.begin(), idx.end());
  SmallVector<Value> h = loadH(pos, true);
  SmallVector<Value> means = load(givenMean, pos);
  SmallVector<Value> vars = load(givenVar, pos);
  // finish() takes one mean and inv: apply it per element when the given
  // statistics vary along the row.
  if (!givenMean.alongInner() || width == 1) {
    Value mean = convert(means[0], b.getF32Type());
    Value inv = invFrom(convert(vars[0], b.getF32Type()));
    finish(pos, h, mean, Value(), inv);
    return;
  }
  // Statistics along the innermost segment (channels last): normalize each
  // element with its own, then finish with mean 0 and inv 1.
  SmallVector<Value> normalized;
  for (int64_t j = 0; j < width; ++j) {
    Value m = convert(means[j], b.getF32Type());
    Value inv = invFrom(convert(vars[j], b.getF32Type()));
    normalized.push_back(arith::MulFOp::create(
        b, loc, arith::SubFOp::create(b, loc, h[j], m), inv));
  }
  finish(pos, normalized, Value(), Value(), f32(1.0));
}
