//===- KernelEmitter.cpp - The gpu.func of a norm op ----------------------===//
//
// One kernel per op and access width. Threads compute in f32 on scalars;
// loads and stores along the innermost segment move `width` elements at a
// time (16 bytes for the widest element). Every sum is taken in a fixed
// order (per thread, then a warp butterfly, then the warps' partials read
// in order by every thread), so results are the same run to run.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

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

namespace {

/// A kernel argument viewed as a flat buffer, with its strides.
struct Buffer {
  Value mem;
  Strides strides;
  Type elem;
  explicit operator bool() const { return static_cast<bool>(mem); }
  bool alongInner() const { return strides.back() == 1; }
};

/// Per-segment positions; null entries are 0.
using Position = SmallVector<Value>;

class Emitter {
public:
  Emitter(gpu::GPUModuleOp module, NormalizationOpInterface op,
          const KernelPlan &plan, int64_t width)
      : b(module.getContext()), loc(op.getLoc()), op(op), plan(plan),
        desc(op.getDesc()), width(width) {
    b.setInsertionPointToEnd(module.getBody());
  }

  gpu::GPUFuncOp emit(StringRef name);

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value convert(Value v, Type to);
  SmallVector<Value> delinearize(Value linear, ArrayRef<int64_t> sizes);
  Value offset(const Buffer &buf, const Position &pos);
  /// `width` elements of `buf` at `pos` (one load repeated when the buffer
  /// does not vary along the innermost segment).
  SmallVector<Value> load(const Buffer &buf, const Position &pos);
  void store(const Buffer &buf, const Position &pos, ArrayRef<Value> values);
  Value applyRegion(Region &region, ValueRange args);
  /// The values normalized at `pos` (the prologue applied), in f32; stores
  /// the prologue value when it is returned and `storeKept`.
  SmallVector<Value> loadH(const Position &pos, bool storeKept);
  /// Normalizes, applies the affine and the epilogue, and stores.
  /// Subtracts `pivot` then `shift` (either may be null) from h, scales by
  /// inv, applies the affine and the epilogue, and stores.
  void finish(const Position &pos, ArrayRef<Value> h, Value pivot, Value shift,
              Value inv);
  /// (v - pivot) - shift, skipping null terms.
  Value centered(Value v, Value pivot, Value shift);
  /// A shared-memory buffer of `n` f32, 16-byte aligned.
  Value sharedBuffer(int64_t n);
  Value warpSum(Value v);
  Value blockSum(Value v);
  /// inv from the variance (or the sum of squares for an L2 norm).
  Value invFrom(Value varOrSumSq);
  void storeStatistics(const Position &pos, Value mean, Value var, Value inv);

  void emitRows();
  void emitColumns();
  void emitElementwise();
  /// The reductions and the normalization of one slot of a row strategy.
  void emitRowSlot(const Position &slotPos, Value t);
  /// The sum over a cluster of a value every thread of each block holds:
  /// each block's through its shared memory, read by every thread in rank
  /// order.
  Value clusterSum(Value blockTotal);
  void clusterBarrier();

  OpBuilder b;
  Location loc;
  NormalizationOpInterface op;
  const KernelPlan &plan;
  NormDesc desc;
  int64_t width;
  gpu::GPUFuncOp func;

  Type normElem;
  Buffer x, y, kept, gamma, beta, givenMean, givenVar;
  Buffer outMean, outVar, outRstd, runMean, runVar, newMean, newVar;
  SmallVector<Buffer> fused; // prologue then epilogue operands
  unsigned numPrologue = 0;
  Value lane, warp, tidY; // for the block reductions
  Value tid, rank;        // thread in block; block in cluster (rows)
  Value outer;            // the product of the dynamic sizes, or null
  /// n times the outer size (n when the shapes are static).
  Value scaled(int64_t n) {
    Value v = index(n);
    return outer ? arith::MulIOp::create(b, loc, outer, v).getResult() : v;
  }
  /// Bytes each vector access of a flat view needs its base aligned to.
  DenseMap<Value, int64_t> alignment;
};

} // namespace

Value Emitter::convert(Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw == tw) { // f16 <-> bf16
    v = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
    return arith::TruncFOp::create(b, loc, to, v);
  }
  if (fw < tw)
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

SmallVector<Value> Emitter::delinearize(Value linear, ArrayRef<int64_t> sizes) {
  SmallVector<Value> result(sizes.size());
  for (size_t i = sizes.size(); i-- > 0;) {
    if (i == 0) {
      result[i] = linear;
      break;
    }
    Value size = index(sizes[i]);
    result[i] = arith::RemUIOp::create(b, loc, linear, size);
    linear = arith::DivUIOp::create(b, loc, linear, size);
  }
  return result;
}

Value Emitter::offset(const Buffer &buf, const Position &pos) {
  Value sum;
  for (auto [p, s] : llvm::zip(pos, buf.strides)) {
    if (!p || s == 0)
      continue;
    Value term = s == 1 ? p : arith::MulIOp::create(b, loc, p, index(s));
    sum = sum ? arith::AddIOp::create(b, loc, sum, term).getResult() : term;
  }
  return sum ? sum : index(0);
}

SmallVector<Value> Emitter::load(const Buffer &buf, const Position &pos) {
  Value at = offset(buf, pos);
  if (width > 1 && buf.alongInner()) {
    auto type = VectorType::get({width}, buf.elem);
    int64_t bytes = width * buf.elem.getIntOrFloatBitWidth() / 8;
    Value v = vector::LoadOp::create(b, loc, type, buf.mem, ValueRange{at},
                                     /*nontemporal=*/false, llvm::Align(bytes));
    alignment[buf.mem] = bytes;
    SmallVector<Value> result;
    for (int64_t j = 0; j < width; ++j)
      result.push_back(vector::ExtractOp::create(b, loc, v, j));
    return result;
  }
  Value scalar = memref::LoadOp::create(b, loc, buf.mem, ValueRange{at});
  if (!buf.alongInner())
    return SmallVector<Value>(width, scalar);
  // A scalar kernel (width 1) along the row.
  return {scalar};
}

void Emitter::store(const Buffer &buf, const Position &pos,
                    ArrayRef<Value> values) {
  Value at = offset(buf, pos);
  if (values.size() == 1) {
    memref::StoreOp::create(b, loc, values[0], buf.mem, ValueRange{at});
    return;
  }
  auto type = VectorType::get({static_cast<int64_t>(values.size())}, buf.elem);
  Value v = vector::FromElementsOp::create(b, loc, type, values);
  int64_t bytes = values.size() * buf.elem.getIntOrFloatBitWidth() / 8;
  vector::StoreOp::create(b, loc, v, buf.mem, ValueRange{at},
                          /*nontemporal=*/false, llvm::Align(bytes));
  alignment[buf.mem] = bytes;
}

Value Emitter::applyRegion(Region &region, ValueRange args) {
  // The body is elementwise on scalars (the verifier checks): cloned as is.
  Block &body = region.front();
  IRMapping mapping;
  mapping.map(body.getArguments(), args);
  for (Operation &inner : body.without_terminator())
    b.clone(inner, mapping);
  return mapping.lookup(cast<YieldOp>(body.getTerminator()).getValue());
}

SmallVector<Value> Emitter::loadH(const Position &pos, bool storeKept) {
  SmallVector<Value> xs = load(x, pos);
  SmallVector<Value> h = xs;
  if (!op.getPrologue().empty()) {
    SmallVector<SmallVector<Value>> operands;
    for (unsigned k = 0; k < numPrologue; ++k)
      operands.push_back(load(fused[k], pos));
    for (size_t j = 0; j < xs.size(); ++j) {
      SmallVector<Value> args{xs[j]};
      for (auto &o : operands)
        args.push_back(o[j]);
      h[j] = applyRegion(op.getPrologue(), args);
    }
  }
  if (kept && storeKept) {
    SmallVector<Value> k;
    for (Value v : h)
      k.push_back(convert(v, kept.elem));
    store(kept, pos, k);
  }
  for (Value &v : h)
    v = convert(v, b.getF32Type());
  return h;
}

Value Emitter::centered(Value v, Value pivot, Value shift) {
  // The mean is never formed in f32 for this: with a large offset (mean 1e4,
  // std 1e-2) its rounding (1e-3) would be a tenth of a standard deviation,
  // while h - pivot is exact and the shift (the mean of h - pivot) small.
  if (pivot)
    v = arith::SubFOp::create(b, loc, v, pivot);
  if (shift)
    v = arith::SubFOp::create(b, loc, v, shift);
  return v;
}

void Emitter::finish(const Position &pos, ArrayRef<Value> h, Value pivot,
                     Value shift, Value inv) {
  SmallVector<Value> g, be;
  if (gamma)
    g = load(gamma, pos);
  if (beta)
    be = load(beta, pos);
  SmallVector<SmallVector<Value>> operands;
  for (unsigned k = numPrologue; k < fused.size(); ++k)
    operands.push_back(load(fused[k], pos));
  SmallVector<Value> out;
  for (size_t j = 0; j < h.size(); ++j) {
    Value v = centered(h[j], pivot, shift);
    v = arith::MulFOp::create(b, loc, v, inv);
    if (gamma) {
      Value gj = convert(g[j], b.getF32Type());
      if (desc.zeroCenteredGamma)
        gj = arith::AddFOp::create(b, loc, gj, f32(1.0));
      v = arith::MulFOp::create(b, loc, v, gj);
    }
    if (beta)
      v = arith::AddFOp::create(b, loc, v, convert(be[j], b.getF32Type()));
    v = convert(v, normElem);
    if (!op.getEpilogue().empty()) {
      SmallVector<Value> args{v};
      for (auto &o : operands)
        args.push_back(o[j]);
      v = applyRegion(op.getEpilogue(), args);
    }
    out.push_back(v);
  }
  store(y, pos, out);
}

Value Emitter::sharedBuffer(int64_t n) {
  auto space =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto type = MemRefType::get({n}, b.getF32Type(), AffineMap(), space);
  Value buffer = func.addWorkgroupAttribution(type, loc);
  // LLVM merges the reads of adjacent partials into 16-byte loads; the
  // buffer must be aligned for them (the default alignment, 4, is not).
  func.setWorkgroupAttributionAttr(func.getNumWorkgroupAttributions() - 1,
                                   LLVM::LLVMDialect::getAlignAttrName(),
                                   b.getI64IntegerAttr(16));
  return buffer;
}

Value Emitter::warpSum(Value v) {
  for (int32_t m : {16, 8, 4, 2, 1}) {
    Value other =
        gpu::ShuffleOp::create(b, loc, v, m, 32, gpu::ShuffleMode::XOR)
            .getShuffleResult();
    // a + b == b + a: every lane ends with the same sum.
    v = arith::AddFOp::create(b, loc, v, other);
  }
  return v;
}

Value Emitter::blockSum(Value v) {
  auto shared = [&](int64_t n) { return sharedBuffer(n); };
  switch (plan.strategy) {
  case Strategy::WarpPerRow:
    return warpSum(v);
  case Strategy::BlockPerRow: {
    // Each warp's sum to shared memory, then every thread adds them in
    // order. Every reduction has its own buffer, so one barrier suffices.
    v = warpSum(v);
    int64_t warps = plan.threads / 32;
    Value partials = shared(warps);
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, index(0));
    auto ifOp = scf::IfOp::create(b, loc, first, /*withElse=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      memref::StoreOp::create(b, loc, v, partials, ValueRange{warp});
    }
    gpu::BarrierOp::create(b, loc);
    Value sum = memref::LoadOp::create(b, loc, partials, ValueRange{index(0)});
    for (int64_t w = 1; w < warps; ++w)
      sum = arith::AddFOp::create(
          b, loc, sum,
          memref::LoadOp::create(b, loc, partials, ValueRange{index(w)}));
    return plan.clusterSize > 1 ? clusterSum(sum) : sum;
  }
  case Strategy::Columns: {
    int64_t rows = plan.threads;
    Value partials = shared(rows * 32);
    Value at = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, tidY, index(32)), lane);
    memref::StoreOp::create(b, loc, v, partials, ValueRange{at});
    gpu::BarrierOp::create(b, loc);
    Value sum = memref::LoadOp::create(b, loc, partials, ValueRange{lane});
    for (int64_t r = 1; r < rows; ++r)
      sum = arith::AddFOp::create(
          b, loc, sum,
          memref::LoadOp::create(
              b, loc, partials,
              ValueRange{arith::AddIOp::create(b, loc, lane, index(r * 32))}));
    return sum;
  }
  case Strategy::Elementwise:
    break;
  }
  llvm_unreachable("no reduction in the elementwise strategy");
}

void Emitter::clusterBarrier() {
  // Release then acquire: what a block wrote to its shared memory before is
  // visible to the cluster after.
  NVVM::ClusterArriveOp::create(b, loc, UnitAttr());
  NVVM::ClusterWaitOp::create(b, loc, UnitAttr());
}

Value Emitter::clusterSum(Value blockTotal) {
  Value slot = sharedBuffer(1);
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, index(0));
  auto ifOp = scf::IfOp::create(b, loc, first, /*withElse=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    memref::StoreOp::create(b, loc, blockTotal, slot, ValueRange{index(0)});
  }
  clusterBarrier();
  // The block's shared address, mapped into each block of the cluster.
  Value address = arith::IndexCastOp::create(
      b, loc, b.getI64Type(),
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, slot));
  auto shared = LLVM::LLVMPointerType::get(b.getContext(), 3);
  auto distributed = LLVM::LLVMPointerType::get(b.getContext(), 7);
  Value local = LLVM::IntToPtrOp::create(b, loc, shared, address);
  Value sum;
  for (int64_t r = 0; r < plan.clusterSize; ++r) {
    Value rank = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(r));
    Value remote = NVVM::MapaOp::create(b, loc, distributed, local, rank);
    Value v = LLVM::LoadOp::create(b, loc, b.getF32Type(), remote);
    sum = sum ? arith::AddFOp::create(b, loc, sum, v).getResult() : v;
  }
  return sum;
}

Value Emitter::invFrom(Value varOrSumSq) {
  if (desc.scaling == Scaling::L2Norm) {
    Value norm = math::SqrtOp::create(b, loc, varOrSumSq);
    Value clamped = arith::MaximumFOp::create(b, loc, norm, f32(desc.epsilon));
    return arith::DivFOp::create(b, loc, f32(1.0), clamped);
  }
  return math::RsqrtOp::create(
      b, loc, arith::AddFOp::create(b, loc, varOrSumSq, f32(desc.epsilon)));
}

void Emitter::storeStatistics(const Position &pos, Value mean, Value var,
                              Value inv) {
  auto put = [&](const Buffer &buf, Value v) {
    if (buf && v)
      memref::StoreOp::create(b, loc, convert(v, buf.elem), buf.mem,
                              ValueRange{offset(buf, pos)});
  };
  put(outMean, mean);
  put(outVar, var);
  put(outRstd, inv);
  if (!desc.updateRunning)
    return;
  // new = (1 - w) * running + w * batch; the variance folded in is
  // var * n / max(n - 1, 1) when unbiased.
  double n = static_cast<double>(plan.reduced);
  double factor = desc.unbiasedRunningVar ? n / std::max(n - 1.0, 1.0) : 1.0;
  auto update = [&](const Buffer &old, const Buffer &into, Value batch) {
    Value o = convert(
        memref::LoadOp::create(b, loc, old.mem, ValueRange{offset(old, pos)}),
        b.getF32Type());
    Value sum = arith::AddFOp::create(
        b, loc, arith::MulFOp::create(b, loc, f32(1.0 - desc.batchWeight), o),
        arith::MulFOp::create(b, loc, f32(desc.batchWeight), batch));
    memref::StoreOp::create(b, loc, convert(sum, into.elem), into.mem,
                            ValueRange{offset(into, pos)});
  };
  update(runMean, newMean, mean);
  update(runVar, newVar, arith::MulFOp::create(b, loc, var, f32(factor)));
}

void Emitter::emitRowSlot(const Position &slotPos, Value t) {
  const int64_t inner = plan.segments.back().size;
  SmallVector<int64_t> outerReduced;
  for (size_t i = 0; i + 1 < plan.segments.size(); ++i)
    if (plan.segments[i].reduced)
      outerReduced.push_back(plan.segments[i].size);
  const int64_t units = plan.units(width);
  const int64_t threads = plan.threads;
  const double count = static_cast<double>(plan.reduced);
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
                                  f32(count));
    } else {
      var = blockSum(pass(true, {}, f32(0)));
      if (desc.scaling == Scaling::Variance)
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
  auto ifThen = [&](Value cond, function_ref<void()> body) {
    if (!cond)
      return body();
    auto ifOp = scf::IfOp::create(b, loc, cond, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    body();
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
      if (!inside) {
        h.push_back(loadH(unitPosition(u), true));
      } else {
        SmallVector<Type> types(width, b.getF32Type());
        auto ifOp = scf::IfOp::create(b, loc, types, inside, true);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(ifOp.thenBlock());
          scf::YieldOp::create(b, loc, loadH(unitPosition(u), true));
          b.setInsertionPointToStart(ifOp.elseBlock());
          scf::YieldOp::create(b, loc, SmallVector<Value>(width, f32(0.0)));
        }
        h.push_back(SmallVector<Value>(ifOp.getResults()));
      }
      valid.push_back(inside);
    }
    statistics([&](bool sq, Value m, Value acc) {
      for (auto [values, inside] : llvm::zip(h, valid)) {
        Value part = sq ? squares(values, m, f32(0)) : sumOf(values, m, f32(0));
        if (inside) // padding lanes hold 0, which is not 0 once centered
          part = arith::SelectOp::create(b, loc, inside, part, f32(0));
        acc = arith::AddFOp::create(b, loc, acc, part);
      }
      return acc;
    });
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t, index(0));
    if (rank)
      first = arith::AndIOp::create(
          b, loc, first,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rank,
                                index(0)));
    ifThen(first, [&] { storeStatistics(slotPos, mean, var, inv); });
    for (int64_t k = 0; k < perThread; ++k) {
      Value u = unitOf(k);
      ifThen(valid[k],
             [&] { finish(unitPosition(u), h[k], pivot, shift, inv); });
    }
    // No block leaves while another may still read its shared memory.
    if (rank)
      clusterBarrier();
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
  auto body = [&] {
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
    emitRowSlot(pos, t);
  };
  if (!active)
    return body();
  // A warp without a slot does nothing (no barrier in this strategy).
  auto ifOp = scf::IfOp::create(b, loc, active, /*withElse=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  body();
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
  if (desc.scaling == Scaling::Variance)
    var = arith::DivFOp::create(b, loc, var, f32(count));
  inv = invFrom(var);
  if (desc.scaling == Scaling::L2Norm)
    var = Value();
  Value writer = arith::AndIOp::create(
      b, loc, valid,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tidY, index(0)));
  {
    auto ifOp = scf::IfOp::create(b, loc, writer, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    storeStatistics(slotPos, mean, var, inv);
  }
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

gpu::GPUFuncOp Emitter::emit(StringRef name) {
  MLIRContext *ctx = b.getContext();
  SmallVector<Value> values(op->getOperands());
  llvm::append_range(values, op->getResults());
  SmallVector<Type> argTypes;
  for (Value v : values)
    argTypes.push_back(MemRefType::get(
        {}, cast<RankedTensorType>(v.getType()).getElementType()));
  if (plan.dynamicOuter) // the product of the dynamic sizes
    argTypes.push_back(b.getIndexType());
  func = gpu::GPUFuncOp::create(b, loc, name,
                                FunctionType::get(ctx, argTypes, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  auto asI32 = [](std::array<int64_t, 3> a) {
    return SmallVector<int32_t>{static_cast<int32_t>(a[0]),
                                static_cast<int32_t>(a[1]),
                                static_cast<int32_t>(a[2])};
  };
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr(asI32(plan.block())));
  if (plan.dynamicOuter) {
    std::array<int64_t, 3> f = plan.gridFormula(width);
    func->setAttr("norm.grid_formula", b.getDenseI64ArrayAttr(f));
  } else {
    func.setKnownGridSizeAttr(b.getDenseI32ArrayAttr(asI32(plan.grid(width))));
  }
  if (plan.clusterSize > 1)
    func->setAttr(
        NVVM::NVVMDialect::getClusterDimAttrName(),
        b.getDenseI32ArrayAttr({static_cast<int32_t>(plan.clusterSize), 1, 1}));
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  if (plan.dynamicOuter)
    outer = entry.getArgument(values.size());

  // Flat views of the arguments; a dynamic one has the outer size times its
  // static extents.
  DenseMap<Value, Value> flat;
  for (auto [v, arg] : llvm::zip(values, entry.getArguments())) {
    if (flat.count(v))
      continue;
    auto type = cast<RankedTensorType>(v.getType());
    if (type.hasStaticShape()) {
      auto viewType =
          MemRefType::get({type.getNumElements()}, type.getElementType());
      flat[v] = memref::ReinterpretCastOp::create(
          b, loc, viewType, arg, /*offset=*/0, {type.getNumElements()}, {1});
      continue;
    }
    int64_t known = 1;
    for (int64_t d : type.getShape())
      if (!ShapedType::isDynamic(d))
        known *= d;
    auto viewType =
        MemRefType::get({ShapedType::kDynamic}, type.getElementType());
    flat[v] = memref::ReinterpretCastOp::create(
        b, loc, viewType, arg, OpFoldResult(b.getIndexAttr(0)),
        {OpFoldResult(scaled(known))}, {OpFoldResult(b.getIndexAttr(1))});
  }
  auto buffer = [&](Value v, function_ref<bool(const Segment &)> flag) {
    if (!v)
      return Buffer();
    return Buffer{flat.lookup(v), plan.strides(flag),
                  cast<RankedTensorType>(v.getType()).getElementType()};
  };
  auto all = [](const Segment &) { return true; };
  auto isParam = [](const Segment &s) { return s.param; };
  auto isGiven = [](const Segment &s) { return s.given; };
  auto isKept = [](const Segment &s) { return !s.reduced; };
  normElem = op.getNormalizedElementType();
  x = buffer(op.getInput(), all);
  y = buffer(op.getOutput(), all);
  kept = buffer(op.getPrologueResult(), all);
  gamma = buffer(op.getScaleOperand(), isParam);
  beta = buffer(op.getShiftOperand(), isParam);
  if (desc.givenStats) {
    givenMean = buffer(op.getMeanOperand(), isGiven);
    givenVar = buffer(op.getVarOperand(), isGiven);
  }
  SmallVector<Value> fusedValues(op.getPrologueInputs());
  numPrologue = fusedValues.size();
  llvm::append_range(fusedValues, op.getEpilogueInputs());
  for (auto [k, v] : llvm::enumerate(fusedValues))
    fused.push_back(buffer(
        v, [k = k](const Segment &s) { return ((s.fused >> k) & 1) != 0; }));
  SmallVector<Value> stats(op.getStatsResults());
  switch (desc.stats) {
  case ReturnedStats::None:
    break;
  case ReturnedStats::Rstd:
    outRstd = buffer(stats[0], isKept);
    break;
  case ReturnedStats::MeanVar:
    outMean = buffer(stats[0], isKept);
    outVar = buffer(stats[1], isKept);
    break;
  case ReturnedStats::MeanRstd:
    outMean = buffer(stats[0], isKept);
    outRstd = buffer(stats[1], isKept);
    break;
  }
  if (desc.updateRunning) {
    runMean = buffer(op.getMeanOperand(), isKept);
    runVar = buffer(op.getVarOperand(), isKept);
    SmallVector<Value> running(op.getRunningResults());
    newMean = buffer(running[0], isKept);
    newVar = buffer(running[1], isKept);
  }

  switch (plan.strategy) {
  case Strategy::WarpPerRow:
  case Strategy::BlockPerRow:
    emitRows();
    break;
  case Strategy::Columns:
    emitColumns();
    break;
  case Strategy::Elementwise:
    emitElementwise();
    break;
  }
  b.setInsertionPointToEnd(&entry);
  gpu::ReturnOp::create(b, loc);
  // What the launcher checks before it picks this kernel.
  SmallVector<int64_t> align;
  for (Value v : values) {
    Type elem = cast<RankedTensorType>(v.getType()).getElementType();
    align.push_back(std::max<int64_t>(
        alignment.lookup(flat.lookup(v)),
        std::max<int64_t>(1, elem.getIntOrFloatBitWidth() / 8)));
  }
  func->setAttr("norm.arg_alignment", b.getDenseI64ArrayAttr(align));
  return func;
}

gpu::GPUFuncOp gpu_plan::emitKernel(gpu::GPUModuleOp module,
                                    NormalizationOpInterface op,
                                    const KernelPlan &plan, int64_t width,
                                    StringRef name) {
  return Emitter(module, op, plan, width).emit(name);
}
