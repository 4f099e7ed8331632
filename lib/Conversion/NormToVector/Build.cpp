//===- Build.cpp - The loops of a CPU kernel
//--------------------------------===//
//
// The buffers of one op, the parallel loop over its statistics slots and
// the running statistics update.
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

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

void KernelBuilder::resetViews() {
  segments.clear();
  segSizes.clear();
  workSizes.clear();
  fusedViews.clear();
  x = y = kept = gamma = beta = givenMean = givenVar = givenInv = Value();
  outMean = outVar = outRstd = Value();
  givenInvAll = false;
  rowLike = false;
}

MemRefType KernelBuilder::toMemRef(Type tensorType) {
  auto tensor = cast<RankedTensorType>(tensorType);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

Value KernelBuilder::bufferOf(Value tensor) {
  if (!tensor)
    return {};
  return bufferization::ToBufferOp::create(b, loc, toMemRef(tensor.getType()),
                                           tensor, /*read_only=*/true);
}

LogicalResult KernelBuilder::emitBody() {
  Value xWork = desc.groupAxis >= 0 ? splitGroups(inputBuffer, desc.groupAxis)
                                    : inputBuffer;
  Value yWork = desc.groupAxis >= 0 ? splitGroups(outputBuffer, desc.groupAxis)
                                    : outputBuffer;
  Value keptWork = keptBuffer && desc.groupAxis >= 0
                       ? splitGroups(keptBuffer, desc.groupAxis)
                       : keptBuffer;
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
  FailureOr<SmallVector<AxisRole>> roles = workAxisRoles(op, desc);
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
    // Folded: a static segment's size is a constant (precomputeGivenInv
    // reads it).
    Value size = index(1);
    for (int64_t a : seg.axes)
      size = b.createOrFold<arith::MulIOp>(
          loc, size, getValueOrCreateConstantIndexOp(b, loc, workSizes[a]));
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
  for (Value result : op.getStatsResults())
    statsAllocs.push_back(
        allocLike(cast<RankedTensorType>(result.getType()), keptW));
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
  // Rows of given statistics (NCHW inference): 1/sqrt(var + eps) once per
  // channel, not once per (example, channel) plane.
  if (rowLike && desc.givenStats && ct.isF32() &&
      cast<MemRefType>(givenVar.getType()).getRank() == 1)
    precomputeGivenInv();
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
  // Inference over NHWC (given statistics, channels innermost): one
  // iteration per chunk of about 16 KiB of rows (the innermost kept segment
  // the statistics do not vary along) instead of one per row and block of
  // channels, so that each block's scale and offset are computed once per
  // chunk, not once per row (batch norm inference bf16 32x56x56x64 took
  // 0.90 ms, four times the same op over NCHW).
  int64_t rowChunks = -1;
  Value chunkRows;
  if (!rowLike && desc.givenStats)
    for (size_t k = parallelSegs.size(); k-- > 0;)
      if (int64_t s = parallelSegs[k]; !segments[s].given) {
        rowChunks = s;
        chunkRows = columnRows(b, kColumnTileBytes);
        ubs[k] = arith::CeilDivUIOp::create(b, loc, segSizes[s], chunkRows);
        break;
      }
  if (!rowLike && rowChunks < 0) {
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
    if (rowChunks >= 0) {
      Value first = arith::MulIOp::create(pb, loc, idx[rowChunks], chunkRows);
      Value last = arith::MinUIOp::create(
          pb, loc, arith::AddIOp::create(pb, loc, first, chunkRows),
          segSizes[rowChunks]);
      forEachColumnBlock(
          pb, idx, [&](OpBuilder &ib, const Indices &at, int64_t lanes) {
            SlotStatistics stats = givenStatistics(ib, at, lanes);
            reducedRange =
                ReducedRange{static_cast<size_t>(rowChunks), first, last};
            emitNormalizingPass(ib, at, stats, nullptr);
            reducedRange.reset();
          });
      return;
    }
    // A full block of lanes, or the remaining slots (fewer than `width`) as
    // blocks of halving widths, each taken when its bit of their count is
    // set: NHWC batch norm with 16 or 96 channels, a 7x7 plane of a
    // channels-first LayerNorm. One slot at a time, each a strided walk
    // over the reduced axes, took 10 to 30 times longer.
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
          Value rem = arith::SubIOp::create(eb, loc, inner, start);
          forEachRemainderStep(
              eb, idx, start, rem, ValueRange(),
              [&](OpBuilder &sb, const Indices &at, int64_t lanes, ValueRange) {
                emitSlot(sb, at, lanes);
                return SmallVector<Value>();
              });
          scf::YieldOp::create(eb, loc);
        });
  };
  // Rows of several kept segments: chunks of consecutive rows
  // (SlotLoops.cpp).
  LoopBody body = slotBody;
  if (rowLike && parallelSegs.size() >= 2 && !op->hasAttr("norm.slot_range"))
    body = chunkRowSlots(lbs, ubs, steps, slotBody);
  // A row-range entry point (norm-compile --tile-entry): the slots
  // [begin, end) of the linearized slot loops, clamped to the slots, so
  // that an embedder can split the rows over its own threads.
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
      slotBody(pb, l, delinearize(pb, ivs[0], extents));
    };
  }
  // Small problems run on the calling thread: waking a thread team costs
  // more than normalizing a few kilobytes (batch-size-1 latency); at
  // AVX-512's width, up to kSequentialWideBytes for inference, column
  // kernels and rows that the calling thread pipelines.
  Value small = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                      outputBytes, index(kSequentialBytes));
  if (width >= kWideVectorWidth) {
    Value under =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, outputBytes,
                              index(kSequentialWideBytes));
    if (desc.givenStats || !rowLike)
      small = under;
    else if (canPipelineRows())
      small = arith::OrIOp::create(
          b, loc, small,
          arith::AndIOp::create(
              b, loc, under,
              pipelineCachedRowsCondition(b, /*negate=*/false,
                                          /*callingThread=*/true)));
  }
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
        if (channelGroups) {
          emitSplitColumns(tb, Value(), parallelSegs,
                           /*parallelLoops=*/false);
          scf::YieldOp::create(tb, loc);
          return;
        }
        if (!canPipelineRows()) {
          nest(tb, 0);
          scf::YieldOp::create(tb, loc);
          return;
        }
        // Several short rows in cache: pipelined on this thread too (the
        // plain loops first in the IR).
        scf::IfOp::create(
            tb, loc,
            pipelineCachedRowsCondition(tb, /*negate=*/true,
                                        /*callingThread=*/true),
            [&](OpBuilder &fb, Location) {
              nest(fb, 0);
              scf::YieldOp::create(fb, loc);
            },
            [&](OpBuilder &cb, Location) {
              emitPipelinedRows(cb, /*streamed=*/false, /*parallel=*/false);
              scf::YieldOp::create(cb, loc);
            });
        scf::YieldOp::create(tb, loc);
      },
      [&](OpBuilder &eb, Location) {
        auto plain = [&](OpBuilder &pb) {
          scf::ParallelOp::create(pb, loc, lbs, ubs, steps, body);
        };
        // `special` where `cond` holds at run time, `otherwise` (the plain
        // slot loops by default) where it does not.
        auto either = [&](OpBuilder &at, Value cond,
                          function_ref<void(OpBuilder &)> special,
                          function_ref<void(OpBuilder &)> otherwise = {}) {
          scf::IfOp::create(
              at, loc, cond,
              [&](OpBuilder &tb, Location) {
                special(tb);
                scf::YieldOp::create(tb, loc);
              },
              [&](OpBuilder &fb, Location) {
                if (otherwise)
                  otherwise(fb);
                else
                  plain(fb);
                scf::YieldOp::create(fb, loc);
              });
        };
        if (channelGroups) {
          // Channels-last group norm: always split columns
          // (SplitColumns.cpp).
          emitSplitColumns(eb, Value(), parallelSegs);
        } else if (canPipelineRows()) {
          // Rows that leave the L3: normalized while the next is summed,
          // and streamed out; short rows in cache: the same with ordinary
          // stores (PipelinedRows.cpp).
          either(
              eb, pipelineRowsCondition(eb),
              [&](OpBuilder &tb) { emitPipelinedRows(tb); },
              [&](OpBuilder &fb) {
                either(fb, pipelineCachedRowsCondition(fb),
                       [&](OpBuilder &cb) { emitPipelinedRows(cb, false); });
              });
        } else if (canSplitColumns()) {
          // Few column slots: their reduced segment in chunks.
          Value chunks = splitChunks(eb, parallelSegs);
          either(eb,
                 arith::CmpIOp::create(eb, loc, arith::CmpIPredicate::uge,
                                       chunks, index(2)),
                 [&](OpBuilder &sb) {
                   emitSplitColumns(sb, chunks, parallelSegs);
                 });
        } else {
          plain(eb);
        }
        scf::YieldOp::create(eb, loc);
      });
  return success();
}

LogicalResult KernelBuilder::build() {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto outputType = cast<RankedTensorType>(op.getOutput().getType());
  inElem = inputType.getElementType();
  normElem = op.getNormalizedElementType();
  outElem = outputType.getElementType();
  fusedOperands.assign(op.getPrologueInputs().begin(),
                       op.getPrologueInputs().end());
  llvm::append_range(fusedOperands, op.getEpilogueInputs());
  fusedMaps = op.getPrologueIndexing();
  llvm::append_range(fusedMaps, op.getEpilogueIndexing());
  numPrologue = op.getPrologueInputs().size();
  if (fusedOperands.size() > 64)
    return b.notifyMatchFailure(op, "more than 64 fused operands");

  // Input and output in work coordinates.
  inputBuffer = bufferOf(op.getInput());
  SmallVector<OpFoldResult> inputSizes =
      memref::getMixedSizes(b, loc, inputBuffer);
  SmallVector<Value> dynamic;
  for (auto [d, s] : llvm::zip(inputType.getShape(), inputSizes))
    if (ShapedType::isDynamic(d))
      dynamic.push_back(getValueOrCreateConstantIndexOp(b, loc, s));
  outputBuffer = allocAligned(b, loc, toMemRef(outputType), dynamic);
  if (Value result = op.getPrologueResult())
    keptBuffer = allocAligned(b, loc, toMemRef(result.getType()), dynamic);
  // Channels-last group norm runs as column slots (SplitColumns.cpp); with a
  // dynamic channel count, where it has at most kMaxGroupChannels at run
  // time, the row kernel over the same buffers otherwise.
  std::optional<NormDesc> ungrouped = channelGroupsView();
  if (!ungrouped) {
    if (failed(emitBody()))
      return failure();
  } else if (!ShapedType::isDynamic(inputType.getShape().back())) {
    useChannelGroups(*ungrouped, index(inputType.getShape().back()));
    if (failed(emitBody()))
      return failure();
  } else {
    Value channels = getValueOrCreateConstantIndexOp(b, loc, inputSizes.back());
    Value fits = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule,
                                       channels, index(kMaxGroupChannels));
    auto choice = scf::IfOp::create(b, loc, fits, /*withElseRegion=*/true);
    NormDesc grouped = desc;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(choice.thenBlock()->getTerminator());
    useChannelGroups(*ungrouped, channels);
    if (failed(emitBody()))
      return failure();
    b.setInsertionPoint(choice.elseBlock()->getTerminator());
    resetViews();
    desc = grouped;
    channelGroups.reset();
    if (failed(emitBody()))
      return failure();
  }

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
  results.push_back(asTensor(outputBuffer, op.getOutput().getType()));
  for (auto [alloc, result] : llvm::zip(statsAllocs, op.getStatsResults()))
    results.push_back(asTensor(alloc, result.getType()));
  Value keptResult;
  if (keptBuffer)
    keptResult = asTensor(keptBuffer, op.getPrologueResult().getType());

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
    // A row-range entry point updates its own channels only (its slots: the
    // channel is the one kept axis), so that the calls over a split of the
    // rows update each channel once, as the whole call does.
    Value from = index(0), to = channels;
    if (auto range = op->getAttrOfType<DenseI64ArrayAttr>("norm.slot_range")) {
      auto func = op->getParentOfType<FunctionOpInterface>();
      from =
          arith::MinUIOp::create(b, loc, func.getArgument(range[0]), channels);
      to = arith::MaxUIOp::create(
          b, loc, from,
          arith::MinUIOp::create(b, loc, func.getArgument(range[1]), channels));
    }
    scf::ForOp::create(
        b, loc, from, to, index(1), ValueRange{},
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
          if (rstdAfterUpdate)
            storeInverseStd(fb, varAlloc, varAlloc, c);
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
