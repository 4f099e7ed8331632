//===- Prefetch.cpp - The next wave's rows into L2 ------------------------===//
//
// A block of 1024 threads that holds a whole row in registers fills an SM:
// while it reduces, the bus idles unless the rows of the next wave are
// already on their way (docs/gpu.md, "Prefetch of the next wave"; a
// cluster deals the lines round all its threads). Also the weights' lines
// into L1 (KernelPlan::prefetchWeightsL1), or the weights themselves into
// shared memory (stagedWeightUnits).
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::gpu_plan;
using namespace mlir::norm::gpu_plan::detail;

Value Emitter::globalAddress(const Buffer &buf, Value byteOffset) {
  Value base = arith::IndexCastOp::create(
      b, loc, b.getI64Type(),
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buf.mem));
  return arith::AddIOp::create(
      b, loc, base,
      arith::IndexCastOp::create(b, loc, b.getI64Type(), byteOffset));
}

void Emitter::prefetch(const Buffer &buf, Value byteOffset, bool l1) {
  Value address = globalAddress(buf, byteOffset);
  // Inline PTX: LLVM 22 selects llvm.nvvm.prefetch.global.L2 for sm_90 only,
  // while the instruction exists from sm_20 on.
  inlinePtx({}, l1 ? "prefetch.global.L1 [$0];" : "prefetch.global.L2 [$0];",
            "l", address);
}

void Emitter::stageUnit(const Buffer &buf, const Position &pos, Value staged,
                        Value slot) {
  int64_t bytes = buf.elem.getIntOrFloatBitWidth() / 8;
  Value from = globalAddress(
      buf, arith::MulIOp::create(b, loc, offset(buf, pos), index(bytes)));
  Value to =
      sharedAddress(staged, arith::MulIOp::create(b, loc, slot, index(width)));
  // 16 bytes bypass L1 (.cg); smaller copies go through it (.ca). The copy
  // needs its source aligned to its size: the C wrapper launches this
  // kernel only when the buffer is (norm.arg_alignment), even if no unit
  // of it is loaded otherwise.
  int64_t size = width * bytes;
  alignment[buf.mem] = std::max(alignment.lookup(buf.mem), size);
  std::string ptx = (size == 16 ? "cp.async.cg.shared.global [$0], [$1], "
                                : "cp.async.ca.shared.global [$0], [$1], ") +
                    std::to_string(size) + ";";
  inlinePtx({}, ptx, "r,l,~{memory}", ValueRange{to, from});
}

void Emitter::waitStaged() {
  inlinePtx({}, "cp.async.wait_all;", "~{memory}", ValueRange{});
}

SmallVector<Value> Emitter::loadStaged(Value staged, Value slot) {
  return loadUnit(staged, arith::MulIOp::create(b, loc, slot, index(width)));
}

void Emitter::prefetchAhead(Value t) {
  ifThen(aheadValid, [&] { prefetchLines(t); });
}

void Emitter::prefetchLines(Value t) {
  const int64_t inner = plan.segments.back().size;
  const int64_t threads = plan.threads;
  SmallVector<int64_t> outerReduced;
  for (size_t i = 0; i + 1 < plan.segments.size(); ++i)
    if (plan.segments[i].reduced)
      outerReduced.push_back(plan.segments[i].size);
  // The slot the next wave of blocks takes, into L2 while this one works
  // on its own: their loads then find their lines there. One prefetch per
  // 128-byte line of each contiguous run (the innermost segment), the
  // lines dealt round the cluster's threads, up to the plan's budget.
  SmallVector<const Buffer *> rowBuffers{&x};
  for (unsigned k = 0; k < numPrologue; ++k)
    rowBuffers.push_back(&fused[k]);
  Value me = t;
  if (rank)
    me = arith::AddIOp::create(
        b, loc, me, arith::MulIOp::create(b, loc, rank, index(threads)));
  int64_t runs = 1;
  for (int64_t size : outerReduced)
    runs *= size;
  for (const Buffer *buf : rowBuffers) {
    if (!buf->alongInner())
      continue;
    int64_t bytes = std::max<int64_t>(1, buf->elem.getIntOrFloatBitWidth() / 8);
    int64_t runBytes = inner * bytes;
    // Lines 0..runBytes/128 from the run's start: the last one may
    // be partial or, for a run not 128-byte aligned, its tail.
    int64_t perRun = runBytes / 128 + 1;
    // All its lines, or the slot's first ones within the budget.
    int64_t lines =
        plan.prefetchWhole
            ? runs * perRun
            : std::max<int64_t>(1, plan.prefetchBytes /
                                       static_cast<int64_t>(rowBuffers.size()) /
                                       128);
    int64_t all = threads * plan.clusterSize;
    for (int64_t j = 0; j * all < lines; ++j) {
      Value line = arith::MinUIOp::create(
          b, loc, arith::AddIOp::create(b, loc, me, index(j * all)),
          index(lines - 1));
      Position pos = aheadPos;
      SmallVector<Value> run = delinearize(
          arith::DivUIOp::create(b, loc, line, index(perRun)), outerReduced);
      size_t r = 0;
      for (size_t i = 0; i + 1 < plan.segments.size(); ++i)
        if (plan.segments[i].reduced)
          pos[i] = run[r++];
      pos.back() = Value();
      Value within = arith::MinUIOp::create(
          b, loc,
          arith::MulIOp::create(
              b, loc, arith::RemUIOp::create(b, loc, line, index(perRun)),
              index(128)),
          index(runBytes - 1));
      prefetch(*buf, arith::AddIOp::create(
                         b, loc,
                         arith::MulIOp::create(b, loc, offset(*buf, pos),
                                               index(bytes)),
                         within));
    }
  }
}
