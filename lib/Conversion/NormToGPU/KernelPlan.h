//===- KernelPlan.h - How a norm op maps onto a GPU grid --------*- C++ -*-===//
//
// The GPU lowering works on static shapes. This computes, from an op's
// NormDesc and types, the segments of its work coordinates, the element
// strides of every buffer along them, and the strategy and launch shape of
// its kernel (docs/gpu.md).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_CONVERSION_NORMTOGPU_KERNELPLAN_H
#define NORM_CONVERSION_NORMTOGPU_KERNELPLAN_H

#include "norm/Dialect/Norm/IR/AxisRoles.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

namespace mlir::norm::gpu_plan {

/// A maximal run of adjacent work axes with the same role.
struct Segment : AxisRole {
  int64_t size = 1;
};

/// How threads share the work.
enum class Strategy {
  /// One warp per statistics slot, several slots per block (short rows).
  WarpPerRow,
  /// One block per slot, warps combined through shared memory.
  BlockPerRow,
  /// The innermost axis is kept: 32 adjacent slots per block along x,
  /// threads along y split each slot's reduction (batch norm NHWC).
  Columns,
  /// Given statistics: nothing to reduce, one element per thread.
  Elementwise,
};

/// Strides, in elements, of a dense row-major buffer along each segment;
/// 0 where the buffer does not vary along the segment.
using Strides = llvm::SmallVector<int64_t>;

struct KernelPlan {
  llvm::SmallVector<Segment> segments;
  Strategy strategy = Strategy::BlockPerRow;
  int64_t slots = 1;   // statistics slots (product of kept segments)
  int64_t reduced = 1; // elements per slot
  /// Elements per vector access along the innermost segment in the
  /// vectorized kernel (1: no vectorized kernel).
  int64_t vectorWidth = 1;
  /// Threads per slot (rows), threads along y (Columns) or per block.
  int64_t threads = 32;
  /// Slots per block (WarpPerRow).
  int64_t slotsPerBlock = 1;
  /// The outermost segment has dynamic axes: `slots` and the outermost
  /// segment's size count them as 1, and the kernel takes the product of
  /// the dynamic sizes as its last argument; the grid is that product times
  /// gridPerOuter() (rounded up, capped).
  bool dynamicOuter = false;
  /// BlockPerRow: the blocks of a thread-block cluster (sm_90) that share a
  /// row, each keeping its part in registers; 1 without clusters.
  int64_t clusterSize = 1;
  /// Whether each thread keeps its part of the row in registers (one read
  /// of the input); otherwise the row is read once per pass.
  bool inRegisters = false;
  /// BlockPerRow in registers on a cluster of at most 4 blocks: centered
  /// statistics in one reduction (each warp's sum, squares about its own
  /// mean and count, combined by Chan's formula) instead of two.
  bool oneRoundMoments = false;
  /// BlockPerRow in registers, 16-bit input without prologue, long rows
  /// (planKernel says which): each thread keeps its values as loaded, two
  /// per 32-bit register, and widens them again in each pass (up to 64
  /// values per thread instead of 32).
  bool packed = false;
  /// BlockPerRow in registers with one block of 1024 threads per row, or a
  /// cluster whose next wave of rows fits the prefetch budget: blocks of
  /// the kernel one SM holds at once (0: no prefetch). Each block
  /// prefetches into L2 its part of the row the next wave will take.
  int64_t residentPerSM = 0;
  /// BlockPerRow in registers, one block of 1024 threads per row (rows of
  /// 16K-32K elements: one row per SM): each thread prefetches into L1 the
  /// gamma and beta of its units before the statistics, so that the
  /// normalizing pass does not wait for them from L2.
  bool prefetchWeightsL1 = false;
  /// BlockPerRow in registers, vector kernel: units per thread whose gamma
  /// and beta are copied into shared memory (cp.async) while the row comes
  /// from memory, so that the normalizing pass finds them on chip.
  int64_t stagedWeightUnits = 0;
  /// Whether beta is staged with gamma (else it is loaded as before).
  bool stageBeta = true;
  /// Whether each block or cluster prefetches the whole next slot (its
  /// input and the prologue's inputs), or only prefetchBytes of it.
  bool prefetchWhole = false;
  int64_t prefetchBytes = 0;

  /// Strides of a buffer varying along the segments `flag` selects.
  Strides strides(llvm::function_ref<bool(const Segment &)> flag) const;
  /// The grid and block of the kernel with `width` elements per access.
  std::array<int64_t, 3> grid(int64_t width) const;
  std::array<int64_t, 3> block() const;
  /// With a dynamic outer size n, the grid is min(ceil(n * a / b), cap)
  /// (cap 0: none), returned as {a, b, cap} for `width`.
  std::array<int64_t, 3> gridFormula(int64_t width) const;
  /// Units (vectors of `width` elements) of one slot.
  int64_t units(int64_t width) const { return reduced / width; }
  /// Units each thread keeps in registers.
  int64_t unitsPerThread(int64_t width) const {
    int64_t all = threads * clusterSize;
    return (units(width) + all - 1) / all;
  }
};

/// Which row kernels stage their weights in shared memory.
enum class StagedWeights {
  /// Where same-run A/Bs measured it faster (KernelPlan.cpp).
  Auto,
  /// Nowhere.
  None,
  /// Every vectorized row kernel of one block of 1024 threads or of a
  /// cluster, gamma and beta.
  All,
  /// As All, gamma alone.
  Gamma,
};

/// The target's and the tuning's choices that planKernel takes.
struct PlanOptions {
  /// Blocks per cluster at most (1: the target has no clusters).
  int64_t maxCluster = 1;
  /// About how many bytes of the next wave's rows a wave prefetches.
  int64_t prefetchBytes = 10 << 20;
  /// Whether KernelPlan::packed is allowed.
  bool packedRows = true;
  /// Values a thread of a row strategy keeps in registers (f32; twice as
  /// many packed): with 1024 threads a block may use 64 registers per
  /// thread, half of them for the row at 32.
  int64_t rowValues = 32;
  /// A tuning knob for same-run A/Bs.
  StagedWeights stagedWeights = StagedWeights::Auto;
};

/// Plans the kernel of `op`, or says why the GPU lowering cannot take it.
llvm::Expected<KernelPlan> planKernel(NormalizationOpInterface op,
                                      const PlanOptions &options);

} // namespace mlir::norm::gpu_plan

#endif // NORM_CONVERSION_NORMTOGPU_KERNELPLAN_H
