//===- KernelPlan.cpp - How a norm op maps onto a GPU grid ----------------===//

#include "KernelPlan.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::gpu_plan;

/// Threads per block of a row spread over a cluster.
static constexpr int64_t kClusterThreads = 512;
/// Threads along y of the column strategy, at most.
static constexpr int64_t kColumnThreads = 32;
/// Threads per block and blocks at most of the elementwise strategy (a
/// grid-stride loop covers the rest).
static constexpr int64_t kElementwiseThreads = 256;
static constexpr int64_t kElementwiseBlocks = 1 << 16;
/// Shared memory a block gives to staged weights: static shared memory is
/// at most 48 KB per block, and the reductions and the cluster exchange
/// take under 1 KB.
static constexpr int64_t kStagedWeightBytes = 40 * 1024;
static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Vector accesses move this many bytes (ld.global.v4.b32).
static constexpr int64_t kVectorBytes = 16;

static int64_t bytesOf(Type t) {
  return std::max<int64_t>(1,
                           getElementTypeOrSelf(t).getIntOrFloatBitWidth() / 8);
}

Strides
KernelPlan::strides(llvm::function_ref<bool(const Segment &)> flag) const {
  Strides result(segments.size(), 0);
  int64_t stride = 1;
  for (size_t i = segments.size(); i-- > 0;) {
    if (!flag(segments[i]))
      continue;
    result[i] = stride;
    stride *= segments[i].size;
  }
  return result;
}

std::array<int64_t, 3> KernelPlan::grid(int64_t width) const {
  switch (strategy) {
  case Strategy::WarpPerRow:
    return {ceilDiv(slots, slotsPerBlock), 1, 1};
  case Strategy::BlockPerRow:
    return {slots * clusterSize, 1, 1};
  case Strategy::Columns: {
    int64_t inner = segments.back().size;
    return {slots / inner * ceilDiv(inner, 32), 1, 1};
  }
  case Strategy::Elementwise: {
    int64_t units = slots / width;
    return {std::min<int64_t>(ceilDiv(units, kElementwiseThreads),
                              kElementwiseBlocks),
            1, 1};
  }
  }
  llvm_unreachable("unknown strategy");
}

std::array<int64_t, 3> KernelPlan::gridFormula(int64_t width) const {
  switch (strategy) {
  case Strategy::WarpPerRow:
    return {slots, slotsPerBlock, 0};
  case Strategy::BlockPerRow:
    return {slots * clusterSize, 1, 0};
  case Strategy::Columns: {
    int64_t inner = segments.back().size;
    return {slots / inner * ceilDiv(inner, 32), 1, 0};
  }
  case Strategy::Elementwise:
    return {slots / width, kElementwiseThreads, kElementwiseBlocks};
  }
  llvm_unreachable("unknown strategy");
}

std::array<int64_t, 3> KernelPlan::block() const {
  switch (strategy) {
  case Strategy::WarpPerRow:
    return {32 * slotsPerBlock, 1, 1};
  case Strategy::BlockPerRow:
  case Strategy::Elementwise:
    return {threads, 1, 1};
  case Strategy::Columns:
    return {32, threads, 1};
  }
  llvm_unreachable("unknown strategy");
}

/// Grids are at most 2^31 - 1 blocks along x.
static llvm::Expected<KernelPlan> checkGrid(KernelPlan plan) {
  if (!plan.dynamicOuter &&
      plan.grid(plan.vectorWidth)[0] > std::numeric_limits<int32_t>::max())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the grid would exceed 2^31 - 1 blocks");
  return plan;
}

llvm::Expected<KernelPlan> gpu_plan::planKernel(NormalizationOpInterface op,
                                                const PlanOptions &options) {
  int64_t maxCluster = options.maxCluster;
  int64_t prefetchBytes = options.prefetchBytes;
  int64_t rowValues = options.rowValues;
  auto fail = [](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), why);
  };
  NormDesc desc = op.getDesc();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  if (!op.getComputeElementType().isF32())
    return fail("the GPU lowering computes in f32 only");
  int64_t staticElements = 1;
  for (int64_t d : inputType.getShape())
    if (!ShapedType::isDynamic(d))
      staticElements *= d;
  if (staticElements >= (int64_t{1} << 40))
    return fail("the tensor is too large for the GPU lowering");

  // Work sizes: the input's, with a grouped axis split in two. A dynamic
  // axis counts 1 here: the kernel takes the product of the dynamic sizes
  // (`outer`) as an argument.
  SmallVector<int64_t> work;
  SmallVector<bool> workDynamic;
  for (auto [a, extent] : llvm::enumerate(inputType.getShape())) {
    bool dynamic = ShapedType::isDynamic(extent);
    if (static_cast<int64_t>(a) != desc.groupAxis) {
      work.push_back(dynamic ? 1 : extent);
      workDynamic.push_back(dynamic);
      continue;
    }
    if (dynamic)
      return fail("the GPU lowering needs a static grouped channel axis");
    workDynamic.append({false, false});
    work.push_back(desc.numGroups);
    work.push_back(extent / desc.numGroups);
  }
  FailureOr<SmallVector<AxisRole>> roles = workAxisRoles(op);
  if (failed(roles))
    return fail("more than 64 fused operands");

  KernelPlan plan;
  for (auto [a, role] : llvm::enumerate(*roles)) {
    Segment *last = plan.segments.empty() ? nullptr : &plan.segments.back();
    if (last && last->sameRole(role)) {
      last->size *= work[a];
    } else {
      Segment seg;
      static_cast<AxisRole &>(seg) = role;
      seg.size = work[a];
      plan.segments.push_back(seg);
    }
    // Dynamic sizes: only in the outermost segment, and only if it is kept
    // (a batch of rows, of channels, of (n, c) instances).
    if (workDynamic[a]) {
      if (plan.segments.size() > 1 || role.reduced)
        return fail("the GPU lowering takes dynamic sizes only on leading "
                    "axes that are not reduced and that every operand "
                    "varies along alike");
      plan.dynamicOuter = true;
    }
  }
  if (plan.segments.empty())
    return fail("rank-0 input");
  if (plan.dynamicOuter && plan.segments.size() == 1)
    return fail("the GPU lowering needs a static innermost axis");
  // Every other operand and result: dynamic exactly where the input is.
  SmallVector<Value> values(op->getOperands());
  llvm::append_range(values, op->getResults());
  for (Value v : values) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (t && !t.hasStaticShape() && !plan.dynamicOuter)
      return fail("the GPU lowering needs static shapes");
  }
  for (const Segment &s : plan.segments)
    (s.reduced ? plan.reduced : plan.slots) *= s.size;

  // The widest element moved along the innermost segment sets the vector.
  const Segment &inner = plan.segments.back();
  int64_t widest = std::max(bytesOf(op.getInput().getType()),
                            bytesOf(op.getOutput().getType()));
  if (Value kept = op.getPrologueResult())
    widest = std::max(widest, bytesOf(kept.getType()));
  if (inner.param)
    for (Value p : {op.getScaleOperand(), op.getShiftOperand()})
      if (p)
        widest = std::max(widest, bytesOf(p.getType()));
  if (inner.given)
    widest = std::max(widest, bytesOf(op.getMeanOperand().getType()));
  SmallVector<Value> fused(op.getPrologueInputs());
  llvm::append_range(fused, op.getEpilogueInputs());
  for (auto [k, v] : llvm::enumerate(fused))
    if ((inner.fused >> k) & 1)
      widest = std::max(widest, bytesOf(v.getType()));
  int64_t width = kVectorBytes / widest;
  bool rows = inner.reduced || desc.givenStats;
  plan.vectorWidth = rows && inner.size % width == 0 ? width : 1;

  if (desc.givenStats) {
    plan.strategy = Strategy::Elementwise;
    plan.threads = kElementwiseThreads;
    plan.slots *= plan.reduced; // every element is its own slot
    plan.reduced = 1;
    return checkGrid(plan);
  }
  if (!inner.reduced) {
    plan.strategy = Strategy::Columns;
    // About 32 reduced elements per thread, at most 32 threads per slot.
    plan.threads = std::clamp<int64_t>(
        llvm::PowerOf2Ceil(ceilDiv(plan.reduced, 32)), 1, kColumnThreads);
    return checkGrid(plan);
  }
  int64_t perThread = ceilDiv(plan.reduced, rowValues);
  // Centered rows of 16-bit inputs (no prologue: the values normalized are
  // the loaded ones) longer than two blocks' registers hold as f32 (64K
  // elements) keep them packed, two per 32-bit register, and widen them
  // again for each pass: twice the values per thread, so blocks of 512
  // threads instead of 1024, or half the blocks per row, and two rows in
  // flight per SM where there was one. Measured on an H100 (bench/gpu,
  // same-run A/B): LayerNorm bf16 rows of 128K +16 %, 256K +27 %, training
  // batch norm bf16 (200K per channel) +42 %; but RMSNorm, one reduction
  // round, -2 to -5 % at 64K-128K, and LayerNorm at 64K (one block of 1024
  // threads instead of four of 512) +1 %. Without clusters (sm_80), rows of
  // 32K-64K elements are packed too: held in registers by one block of 1024
  // threads, they are read once instead of once per pass.
  bool longRow = maxCluster > 1 ? desc.center && perThread > 2048
                                : perThread > 1024 && perThread <= 2048;
  if (options.packedRows && longRow && bytesOf(op.getInput().getType()) == 2 &&
      op.getPrologue().empty()) {
    plan.packed = true;
    perThread = ceilDiv(plan.reduced, 2 * rowValues);
  }
  int64_t registerValues = plan.packed ? 2 * rowValues : rowValues;
  plan.threads = std::clamp<int64_t>(llvm::PowerOf2Ceil(perThread), 32, 1024);
  // Rows longer than one block's registers hold (32K elements): a cluster
  // of blocks of at most 512 threads (two blocks fit an SM, so one loads
  // while the other reduces), up to maxCluster blocks, then blocks of 1024.
  // (Measured on an H200: for 32K-element rows one block of 1024 threads
  // beats a cluster of two blocks of 512, 0.81 against 0.61 of copy.)
  if (perThread > 1024 && maxCluster > 1) {
    plan.clusterSize = std::min<int64_t>(
        maxCluster, llvm::PowerOf2Ceil(ceilDiv(perThread, kClusterThreads)));
    plan.threads = std::clamp<int64_t>(
        llvm::PowerOf2Ceil(ceilDiv(perThread, plan.clusterSize)), 32, 1024);
  }
  if (plan.threads == 32) {
    plan.strategy = Strategy::WarpPerRow;
    plan.slotsPerBlock = 4;
  } else {
    plan.strategy = Strategy::BlockPerRow;
  }
  // Both kernels (vectorized and scalar) keep at most registerValues
  // values, plus one partial vector, per thread.
  plan.inRegisters = plan.unitsPerThread(1) <= registerValues &&
                     plan.unitsPerThread(plan.vectorWidth) * plan.vectorWidth <=
                         registerValues + plan.vectorWidth;
  plan.packed = plan.packed && plan.inRegisters;
  // One reduction round for the centered statistics saves a block and a
  // cluster barrier. Measured on an H200 (bench/gpu, same-run A/B): +2.5 to
  // +4.3 % on LayerNorm rows of 64K over 4 blocks, but -5 % (512 threads)
  // and -10 % (1024) for bf16 over 8 blocks, and unsteady (+2 / -8 %) on
  // one block of 1024 threads: there, one block per SM stays latency-bound
  // whatever the number of barriers. Not for packed rows: with no barrier
  // between the sum and the squares, ptxas merges their widenings and keeps
  // the f32 values (spills at 64 registers). With the cluster exchange
  // (H100, same-run A/B), clusters of 8 were level with two rounds.
  plan.oneRoundMoments =
      plan.inRegisters && plan.strategy == Strategy::BlockPerRow &&
      plan.clusterSize > 1 && plan.clusterSize <= 4 && !plan.packed;
  // A block of 1024 threads holds the SM alone: after its statistics, the
  // normalizing pass waited for the weights from L2 with no other load in
  // flight. Prefetched into L1 with the row (two same-run A/Bs on an H100,
  // bench/gpu, sm_90 cubins): LayerNorm f32 rows of 32K 0.82-0.83 ->
  // 0.90-0.92 of copy, RMSNorm bf16 32K 0.93 -> 0.97, LayerNorm bf16 32K
  // +0-2 %, RMSNorm f32 32K +1 %. Not elsewhere: at 16K (blocks of 512) and
  // on clusters it was level or lost up to 12 % (LayerNorm f32 256K), and
  // on warp-per-row and short block rows the prefetches cost 2-10x.
  plan.prefetchWeightsL1 =
      plan.inRegisters && plan.strategy == Strategy::BlockPerRow &&
      plan.clusterSize == 1 && plan.threads == 1024 && !plan.packed;
  // The weights of a row long enough that its slice no longer stays in L1
  // are read again from L2 with every row, after the statistics, while no
  // other load is in flight. Copied into shared memory (cp.async) with the
  // row instead, up to kStagedWeightBytes per block (static shared memory),
  // the thread's first units' weights are on chip for the normalizing pass.
  // Same-run A/Bs (bench/gpu; gpu-h200-staged-ab*.csv, gpu-h100-staged-
  // ab.csv): clusters without a shift (RMSNorm) level to +4 % on an H200
  // and to +7 % on an H100 (f32 256K 0.89 -> 0.95 of copy); one block of
  // 1024 threads with 16-bit weights (rows of 32K, the L1 prefetch then
  // dropped) LayerNorm +24 % and RMSNorm +14 % on an H200 (0.75 -> 0.93
  // and 0.88 -> 1.00 of copy), but -1 % and -3 % on an H100, where the L1
  // prefetch already hid most of the wait. Not where it lost on both: clusters
  // with gamma and beta (LayerNorm bf16 64K -16 % on an H200, f32 level) and
  // single blocks with f32 weights (LayerNorm f32 32K -3 to -5 %: an eighth of
  // its weights fit, and the L1 prefetch covers them all).
  StagedWeights which = options.stagedWeights;
  if (plan.inRegisters && plan.strategy == Strategy::BlockPerRow &&
      plan.vectorWidth > 1 && inner.param && which != StagedWeights::None) {
    plan.stageBeta = which != StagedWeights::Gamma;
    int64_t unitBytes = 0;
    bool narrow = true;
    for (Value p : {op.getScaleOperand(), op.getShiftOperand()}) {
      if (!p || (p == op.getShiftOperand() && !plan.stageBeta))
        continue;
      unitBytes += plan.vectorWidth * bytesOf(p.getType());
      narrow = narrow && bytesOf(p.getType()) == 2;
    }
    bool single = plan.clusterSize == 1 && plan.threads == 1024;
    bool stage = unitBytes > 0 &&
                 (which == StagedWeights::Auto
                      ? (single && narrow) ||
                            (plan.clusterSize > 1 && !op.getShiftOperand())
                      : single || plan.clusterSize > 1);
    if (stage) {
      plan.stagedWeightUnits =
          std::min(plan.unitsPerThread(plan.vectorWidth),
                   kStagedWeightBytes / (plan.threads * unitBytes));
      if (plan.stagedWeightUnits > 0 && plan.stageBeta)
        plan.prefetchWeightsL1 = false;
    }
  }
  if (!plan.inRegisters) { // re-read per pass, one block per row
    plan.clusterSize = 1;
    plan.threads = 1024;
  } else if (plan.strategy == Strategy::BlockPerRow &&
             plan.threads * plan.clusterSize >= 1024 && prefetchBytes > 0) {
    // One block of 1024 threads, or two of 512, fill an SM's registers:
    // while they reduce, no load is in flight unless their successors'
    // rows are already coming. Each block therefore prefetches into L2 its
    // part of the slot the next wave takes (132 SMs, as on an H100 or
    // H200). Single blocks prefetch whole slots when a wave's worth fits
    // the budget, else a part of half of it: a block still waits for its
    // lines that come from HBM, but the bus is busier, and L2 does not
    // thrash. (Measured on an H200, bench/gpu: whole rows up to 8.4 MB
    // ahead lift bf16 rows of 32K elements by 5-15 %; 17 MB ahead of f32
    // rows lose 25 %, while a quarter of them gains up to 5 %.)
    // Clusters prefetch only whole slots within the budget. Same-run A/Bs
    // against no cluster prefetch (bench/results/gpu-h{100,200}-cluster-
    // prefetch-ab.csv): whole slots (bf16 rows of 64K unpacked, RMSNorm
    // bf16 of 128K-256K) gain 7-14 % on an H200 (LayerNorm bf16 64K 0.74 ->
    // 0.84 of copy, RMSNorm bf16 256K 0.78 -> 0.87) and, on an H100,
    // LayerNorm bf16 64K +11 % and RMSNorm bf16 256K +6 %, the rest -4 % to
    // +1 %; partial slots (f32 rows, packed LayerNorm bf16 of 128K-256K) won
    // 1-5 % on the H200 but lost 3-10 % on the H100.
    int64_t resident = plan.threads >= 1024 ? 1 : 2;
    int64_t ahead = std::max<int64_t>(1, 132 * resident / plan.clusterSize);
    int64_t slotBytes = plan.reduced * bytesOf(op.getInput().getType());
    for (Value v : op.getPrologueInputs())
      slotBytes += plan.reduced * bytesOf(v.getType());
    plan.prefetchWhole = ahead * slotBytes <= prefetchBytes;
    plan.prefetchBytes = std::max<int64_t>(128, prefetchBytes / 2 / ahead);
    if (plan.clusterSize == 1 || plan.prefetchWhole)
      plan.residentPerSM = resident;
  }
  return checkGrid(plan);
}
