//===- KernelEmitter.cpp - The gpu.func of a norm op ----------------------===//
//
// One kernel per op and access width. Threads compute in f32 on scalars;
// loads and stores along the innermost segment move `width` elements at a
// time (16 bytes for the widest element). Every sum is taken in a fixed
// order (per thread, then a warp butterfly, then the warps' partials read
// in order by every thread), so results are the same run to run.
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include "norm/Dialect/Norm/IR/FloatCast.h"

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

Value Emitter::convert(Value v, Type to) { return castFloat(b, loc, v, to); }

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

SmallVector<Value> Emitter::loadUnit(Value mem, Value at) {
  Type elem = cast<MemRefType>(mem.getType()).getElementType();
  Value v = vector::LoadOp::create(
      b, loc, VectorType::get({width}, elem), mem, ValueRange{at},
      /*nontemporal=*/false,
      llvm::Align(width * elem.getIntOrFloatBitWidth() / 8));
  SmallVector<Value> result;
  for (int64_t j = 0; j < width; ++j)
    result.push_back(vector::ExtractOp::create(b, loc, v, j));
  return result;
}

SmallVector<Value> Emitter::load(const Buffer &buf, const Position &pos) {
  Value at = offset(buf, pos);
  if (width > 1 && buf.alongInner()) {
    alignment[buf.mem] = width * buf.elem.getIntOrFloatBitWidth() / 8;
    return loadUnit(buf.mem, at);
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

SmallVector<Value> Emitter::packPairs(ArrayRef<SmallVector<Value>> units) {
  SmallVector<Value> flat;
  for (const SmallVector<Value> &unit : units)
    llvm::append_range(flat, unit);
  if (flat.empty())
    return {};
  Type elem = flat.front().getType();
  if (flat.size() % 2)
    flat.push_back(arith::ConstantOp::create(b, loc, b.getZeroAttr(elem)));
  auto pair = VectorType::get({2}, elem);
  auto word = VectorType::get({1}, b.getI32Type());
  SmallVector<Value> words;
  for (size_t i = 0; i < flat.size(); i += 2) {
    Value v = vector::FromElementsOp::create(b, loc, pair,
                                             ValueRange{flat[i], flat[i + 1]});
    v = vector::BitCastOp::create(b, loc, word, v);
    words.push_back(vector::ExtractOp::create(b, loc, v, 0));
  }
  return words;
}

SmallVector<SmallVector<Value>> Emitter::unpackPairs(ArrayRef<Value> words,
                                                     int64_t count,
                                                     int64_t width, Value key) {
  auto pair = VectorType::get({2}, x.elem);
  auto word = VectorType::get({1}, b.getI32Type());
  SmallVector<SmallVector<Value>> units(count);
  for (int64_t e = 0; e < count * width; e += 2) {
    Value w = words[e / 2];
    if (key)
      w = arith::XOrIOp::create(b, loc, w, key);
    Value v = vector::FromElementsOp::create(b, loc, word, ValueRange{w});
    v = vector::BitCastOp::create(b, loc, pair, v);
    for (int64_t j = 0; j < 2 && e + j < count * width; ++j)
      units[(e + j) / width].push_back(
          convert(vector::ExtractOp::create(b, loc, v, j), b.getF32Type()));
  }
  return units;
}

Value Emitter::opaqueZero() {
  return inlinePtx(b.getI32Type(), "mov.u32 $0, 0;", "=r", {});
}

Value Emitter::inlinePtx(Type result, StringRef ptx, StringRef constraints,
                         ValueRange operands) {
  auto asmOp = LLVM::InlineAsmOp::create(
      b, loc, result ? TypeRange{result} : TypeRange{}, operands,
      b.getStringAttr(ptx), b.getStringAttr(constraints),
      /*has_side_effects=*/b.getUnitAttr(), /*is_align_stack=*/UnitAttr(),
      LLVM::TailCallKindAttr::get(b.getContext(), LLVM::TailCallKind::None),
      /*asm_dialect=*/LLVM::AsmDialectAttr(), /*operand_attrs=*/ArrayAttr());
  return result ? asmOp.getResult(0) : Value();
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
                     Value shift, Value inv, ArrayRef<Value> stagedG,
                     ArrayRef<Value> stagedB) {
  SmallVector<Value> g(stagedG), be(stagedB);
  if (gamma && g.empty())
    g = load(gamma, pos);
  if (beta && be.empty())
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

void Emitter::ifThen(Value cond, function_ref<void()> body) {
  if (!cond)
    return body();
  auto ifOp = scf::IfOp::create(b, loc, cond, /*withElse=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  body();
}

Value Emitter::sharedBuffer(int64_t n, Type elem) {
  auto space =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto type =
      MemRefType::get({n}, elem ? elem : b.getF32Type(), AffineMap(), space);
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
    // (Measured on an H200: reading them one per lane and summing with a
    // butterfly is no faster, and 7 % slower on f32 rows of 256K.)
    v = warpSum(v);
    int64_t warps = plan.threads / 32;
    Value partials = shared(warps);
    ifThen(isLane0(), [&] {
      memref::StoreOp::create(b, loc, v, partials, ValueRange{warp});
    });
    gpu::BarrierOp::create(b, loc);
    auto total = [&] {
      Value sum =
          memref::LoadOp::create(b, loc, partials, ValueRange{index(0)});
      for (int64_t w = 1; w < warps; ++w)
        sum = arith::AddFOp::create(
            b, loc, sum,
            memref::LoadOp::create(b, loc, partials, ValueRange{index(w)}));
      return sum;
    };
    // With a cluster, only the threads that push the block's total read
    // the partials (others would hold them across the wait: spills).
    return plan.clusterSize > 1 ? clusterSum(total) : total();
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

Value Emitter::isLane0() {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                               index(0));
}

Value Emitter::laneLoad(Value buffer, int64_t n) {
  if (n >= 32)
    return memref::LoadOp::create(b, loc, buffer, ValueRange{lane});
  Value inside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, lane, index(n));
  Value at = arith::MinUIOp::create(b, loc, lane, index(n - 1));
  Value v = memref::LoadOp::create(b, loc, buffer, ValueRange{at});
  return arith::SelectOp::create(b, loc, inside, v, f32(0.0));
}

Value Emitter::reciprocal(Value count, std::optional<double> known) {
  // A division is a call into a slow path in SASS (and a stack frame).
  if (known)
    return f32(1.0 / *known);
  return NVVM::RcpApproxFtzF32Op::create(b, loc, b.getF32Type(), count);
}

Moments Emitter::combineMoments(Moments part, std::optional<double> total) {
  // Chan et al.: the squares about the common mean are the parts' own plus
  // n_i (m_i - m)^2; a part without elements adds nothing.
  // The means need not be exact: a part's squares are about the same value
  // `own` its correction uses, and an error of an ulp in it adds n ulp^2.
  Moments all;
  all.sum = warpSum(part.sum);
  all.count = total ? f32(*total) : warpSum(part.count);
  Value mean =
      arith::MulFOp::create(b, loc, all.sum, reciprocal(all.count, total));
  Value own = arith::MulFOp::create(b, loc, part.sum,
                                    reciprocal(part.count, std::nullopt));
  Value d = arith::SubFOp::create(b, loc, own, mean);
  Value term = arith::MulFOp::create(b, loc, part.count,
                                     arith::MulFOp::create(b, loc, d, d));
  Value some = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                     part.count, f32(0.0));
  term = arith::SelectOp::create(b, loc, some, term, f32(0.0));
  all.squares = warpSum(arith::AddFOp::create(b, loc, part.squares, term));
  return all;
}

Moments Emitter::blockMoments(Value sum, Value count,
                              function_ref<Value(Value)> squaresAbout) {
  // Each warp's exact two-pass moments (shuffles only), then one barrier
  // for the block's and, with a cluster, one cluster barrier. Where every
  // thread has the same count (no padding), the counts are constants.
  std::optional<double> perWarp, total;
  FloatAttr constant;
  if (matchPattern(count, m_Constant(&constant))) {
    perWarp = 32 * constant.getValueAsDouble();
    total = constant.getValueAsDouble() * plan.threads;
  }
  Moments warpPart;
  warpPart.sum = warpSum(sum);
  warpPart.count = perWarp ? f32(*perWarp) : warpSum(count);
  warpPart.squares = warpSum(squaresAbout(arith::MulFOp::create(
      b, loc, warpPart.sum, reciprocal(warpPart.count, perWarp))));
  int64_t warps = plan.threads / 32;
  Value sums = sharedBuffer(warps), squares = sharedBuffer(warps);
  Value counts = perWarp ? Value() : sharedBuffer(warps);
  ifThen(isLane0(), [&] {
    memref::StoreOp::create(b, loc, warpPart.sum, sums, ValueRange{warp});
    memref::StoreOp::create(b, loc, warpPart.squares, squares,
                            ValueRange{warp});
    if (counts)
      memref::StoreOp::create(b, loc, warpPart.count, counts, ValueRange{warp});
  });
  gpu::BarrierOp::create(b, loc);
  Value partCount;
  if (perWarp) {
    partCount = f32(*perWarp);
    if (warps < 32)
      partCount = arith::SelectOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, lane,
                                index(warps)),
          partCount, f32(0.0));
  } else {
    partCount = laneLoad(counts, warps);
  }
  Moments block = combineMoments(
      {laneLoad(sums, warps), laneLoad(squares, warps), partCount}, total);
  if (plan.clusterSize == 1)
    return block;
  SmallVector<Value> parts =
      clusterGather({block.sum, block.squares, block.count});
  if (total)
    total = *total * plan.clusterSize;
  return combineMoments({parts[0], parts[1], parts[2]}, total);
}

Value Emitter::invFrom(Value varOrSumSq) {
  if (desc.scaling == Scaling::L2Norm) {
    Value norm = math::SqrtOp::create(b, loc, varOrSumSq);
    Value clamped = arith::MaximumFOp::create(b, loc, norm, f32(desc.epsilon));
    return arith::DivFOp::create(b, loc, f32(1.0), clamped);
  }
  if (desc.scaling == Scaling::StdPlusEpsilon) {
    Value root = math::SqrtOp::create(b, loc, varOrSumSq);
    return arith::DivFOp::create(
        b, loc, f32(1.0),
        arith::AddFOp::create(b, loc, root, f32(desc.epsilon)));
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
  // Packed rows of blocks smaller than 1024 threads: as many blocks as make
  // 1024 threads per SM (64 registers each), so that one loads while
  // another reduces; ptxas would otherwise take up to 128 registers.
  if (plan.packed && plan.threads < 1024)
    func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                  b.getI32IntegerAttr(1024 / plan.threads));
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
