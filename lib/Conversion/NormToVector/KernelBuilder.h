//===- KernelBuilder.h - The CPU kernel of one norm op ----------*- C++ -*-===//
//
// Shared by the files of the CPU lowering: KernelBuilder.cpp (views, loads,
// reductions), Statistics.cpp (a slot's statistics), Normalize.cpp (the
// normalizing pass), PairedRows.cpp (bf16 rows as even and odd halves),
// SplitColumns.cpp (column slots split along their reduced segment),
// ChannelGroups.cpp (channels-last group norm as such column slots),
// Build.cpp (the kernel's loops) and NormToVector.cpp (the pattern and the
// pass). Internal to the CPU lowering.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_CONVERSION_NORMTOVECTOR_KERNELBUILDER_H
#define NORM_CONVERSION_NORMTOVECTOR_KERNELBUILDER_H

#include "norm/Dialect/Norm/IR/AxisRoles.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/MathExtras.h"

#include <functional>
#include <optional>

namespace mlir::norm::vector_detail {

/// Rows of at least this many bytes take their statistics in one read from
/// memory (blocks of kChanBlock elements merged with Chan's formula) instead
/// of two passes over the row, which would no longer come from cache.
inline constexpr int64_t kLongRowBytes = 256 * 1024;
inline constexpr int64_t kChanBlock = 2048;
/// Rows of at least this many bytes (and less than kLongRowBytes) prefetch
/// the next row into L2 while they are worked on from cache.
inline constexpr int64_t kPrefetchRowBytes = 16 * 1024;
/// Slots of several rows (batch norm's planes) prefetch the next slot when
/// it is at least kPrefetchRowBytes and less than this: two must fit in L2.
inline constexpr int64_t kPrefetchSlotBytes = 512 * 1024;

/// The pivot of a slot whose exact squares pass would read it from memory
/// again is the mean of this many of its first values (loadPivot).
inline constexpr int64_t kPivotSamples = 8;

/// Sums over an outer reduced segment (the rows of a multi-row slot, the
/// reduced positions of a column slot) are taken in blocks of this many
/// iterations, each block's sum then added to the total.
inline constexpr int64_t kSumBlockIterations = 256;

/// Column kernels (the innermost segment kept) walk their rows in tiles or
/// chunks of about this many bytes of input (SplitColumns.cpp, Build.cpp).
inline constexpr int64_t kColumnTileBytes = 16 * 1024;

/// Row kernels of several kept segments give each parallel iteration about
/// this many bytes of consecutive rows (Build.cpp).
inline constexpr int64_t kRowChunkBytes = 16 * 1024;

/// Row kernels of given statistics (NCHW inference) compute 1/sqrt(var +
/// eps) of up to this many channels once, into a frame object (16 KiB).
inline constexpr int64_t kGivenInvChannels = 4096;

/// The vector width (f32 lanes) from which the target is taken to have 32
/// vector registers (AVX-512's default width; AVX2's is 32 lanes, with 16
/// registers). Below it, the pipelined loop spills where it holds more:
/// centered rows (LayerNorm) of 16-bit elements in cache keep the plain
/// kernel (it was 5-12 % faster there, bf16 rows of 256 to 2048, 2
/// threads, interleaved), and so do the rows of canPipelineRows; only wider
/// targets run problems up to kSequentialWideBytes on the calling thread.
inline constexpr int64_t kWideVectorWidth = 64;

/// Problems whose output (as large as the input) is smaller than this run
/// without a thread team.
inline constexpr int64_t kSequentialBytes = 64 * 1024;
/// At kWideVectorWidth, problems up to this output size run on the calling
/// thread too when they are rows that it pipelines
/// (pipelineCachedRowsCondition: each row's serial chain of statistics
/// hides behind the previous row's normalization there, and under 64 rows
/// the team's chunks of 32 left a thread with half a chunk or none), given
/// statistics (inference batch norm) or column slots (NHWC). 2 threads,
/// best of 5000 calls, team -> calling thread, 128 KiB outputs: LayerNorm
/// f32 16x2048 2.0-2.2 -> 1.75 us, RMSNorm f32 2.30 -> 1.45 us, LayerNorm
/// bf16 32x2048 4.7 -> 3.8 us, RMSNorm bf16 3.5 -> 2.6 us; inference f32
/// 4x64x16x8 1.8-2.5 -> 1.45-1.77 us, NHWC inference bf16 8x16x8x64 1.9 ->
/// 1.2 us, NHWC training f32 4x16x8x64 3.26 -> 2.09 us, bf16 8x16x8x64 3.67
/// -> 3.04 us. At 192 KiB rows were mixed (RMSNorm bf16 96x1024 4.15 ->
/// 4.85 us, f32 48x1024 3.4 -> 2.2 us), at 256 KiB the team won. NCHW
/// training (slots of several rows) keeps kSequentialBytes (f32 4x64x16x8:
/// 2.84 us over the team, 3.24 us on the calling thread), and so does AVX2
/// code, compute-bound on bf16 (NHWC training bf16 6.5 -> 8.8 us, inference
/// bf16 3.7 -> 5.6 us on the calling thread; LayerNorm f32 16x2048 2.55 ->
/// 2.79 us).
inline constexpr int64_t kSequentialWideBytes = 160 * 1024;

/// Channel groups (channels-last group norm as column slots) take at most
/// this many channels: three floats per channel in a 32 KiB scratch buffer
/// (SplitColumns.cpp). A dynamic channel count checks it at run time.
inline constexpr int64_t kMaxGroupChannels = 8192 / 3;

/// Buffers the kernel allocates (its results, unless the caller passes them)
/// start on a cache line, as its full-width vector stores (and non-temporal
/// stores) expect: malloc only promises 16 bytes.
inline constexpr int64_t kBufferAlignment = 64;

/// Whether `op` is a math op that lowers to a polynomial or a sequence of
/// them (erf, exp, tanh, ...) rather than one instruction (absf, copysign,
/// fma, sqrt, rsqrt).
bool isPolynomialMath(Operation *op);

/// A `memref.alloc` of `type` aligned to kBufferAlignment.
Value allocAligned(OpBuilder &b, Location loc, MemRefType type,
                   ValueRange dynamicSizes);

/// A run of adjacent work axes that play the same role.
struct Segment : AxisRole {
  SmallVector<int64_t> axes;
};

/// Builds the kernel of one op.
class KernelBuilder {
public:
  KernelBuilder(PatternRewriter &rewriter, NormalizationOpInterface op,
                int64_t width, int64_t streamingThreshold)
      : b(rewriter), loc(op.getLoc()), op(op), desc(op.getDesc()),
        ct(op.getComputeElementType()), width(width),
        streamingThreshold(streamingThreshold) {}

  LogicalResult build();

private:
  using Indices = SmallVector<Value>;
  /// Emits work for a whole vector of a row at a position (a prefetch).
  using RowHook = std::function<void(OpBuilder &, const Indices &, int64_t)>;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value constant(OpBuilder &nb, double v) {
    return arith::ConstantOp::create(nb, loc, nb.getFloatAttr(ct, v));
  }
  VectorType vec(int64_t w, Type elem) { return VectorType::get({w}, elem); }
  Value convert(OpBuilder &nb, Value v, Type elem);
  Value splat(OpBuilder &nb, Value v, int64_t w);

  Value splitGroups(Value buffer, int64_t position);
  /// Views `buffer`, whose axes are the work axes `axes`, as the segments
  /// that hold them (as many dimensions as such segments).
  Value segmentView(Value buffer, ArrayRef<int64_t> axes);
  /// The indices into a segment view of the segments whose flag is set.
  Indices select(const Indices &idx, function_ref<bool(const Segment &)> flag);
  Value allocLike(RankedTensorType type, ArrayRef<int64_t> workAxes);

  /// The element of the tensor that is normalized at `idx`, as a vector
  /// of `w` elements of its type (the prologue applied to the input).
  Value loadNormalized(OpBuilder &nb, const Indices &idx, int64_t w);
  /// loadNormalized converted to the compute type.
  Value loadInput(OpBuilder &nb, const Indices &idx, int64_t w);
  /// loadInput with the lanes in any fixed order (for sums along a row):
  /// bf16 widens its even and odd elements apart, in half the instructions.
  Value loadInputAnyOrder(OpBuilder &nb, const Indices &idx, int64_t w);
  /// The even and odd elements of a bf16 vector, widened to f32
  /// (PairedRows.cpp).
  std::pair<Value, Value> widenPairs(OpBuilder &nb, Value raw);
  /// Whether the whole vectors of the slots' rows can be normalized as
  /// their even and odd elements: bf16 rows whose operands along the row
  /// are bf16 too and whose epilogue computes the same on f32 carriers.
  bool canPairRows(int64_t lanes);
  /// Whether column slots of `lanes` channels can be normalized as their
  /// even and odd channels (bf16 in and out of an f32 computation, each
  /// half whole native vectors); the caller checks that gamma and beta
  /// are folded into per-channel constants.
  bool canPairColumns(int64_t lanes);
  /// Whether the prologue of a row's whole vectors can be computed on
  /// their even and odd elements (loadNormalizedPaired).
  bool canPairPrologue();
  bool fusedAlongRow(unsigned k) const;
  bool canPairFused(unsigned begin, unsigned end) const;
  /// Fused operands [begin, end) at `idx` as even and odd halves
  /// (widenPairs), or one splatted value for both when constant along the
  /// row.
  SmallVector<std::array<Value, 2>> loadFusedPairs(OpBuilder &nb,
                                                   const Indices &idx,
                                                   int64_t w, unsigned begin,
                                                   unsigned end);
  /// A prologue or epilogue on `n` lanes of one half, its 16-bit values
  /// carried in f32 and rounded where used (the first argument not yet
  /// rounded to its type when `firstUnrounded`): the yielded value's
  /// carrier, not yet rounded to its type.
  Value applyRegionCarried(OpBuilder &nb, Region &region, ArrayRef<Value> args,
                           bool firstUnrounded, int64_t n);
  /// finishOutput on `n` lanes of one half: the output's carrier.
  Value finishOutputCarried(OpBuilder &nb, Value v, ArrayRef<Value> fused,
                            int64_t n);
  /// Even and odd halves (carriers) rounded to `elem` and interleaved
  /// (AVX512-BF16 targets then round both in one instruction:
  /// norm-pack-bf16-pairs).
  Value packPairs(OpBuilder &nb, Value evens, Value odds, Type elem);
  /// loadNormalized of a whole vector, the prologue computed on its even
  /// and odd elements and the halves interleaved back (canPairPrologue).
  Value loadNormalizedPaired(OpBuilder &nb, const Indices &idx, int64_t w);
  /// Fused operand `k` at `idx`, as a vector of `w` elements of its type.
  Value loadFused(OpBuilder &nb, unsigned k, const Indices &idx, int64_t w);
  /// The body of a prologue or epilogue on vectors of `w` elements.
  Value applyRegion(OpBuilder &nb, Region &region, ValueRange args, int64_t w);
  /// Turns a normalized value (compute type) into the output element at
  /// `idx`: rounded to the normalized type, then through the epilogue.
  Value finishOutput(OpBuilder &nb, Value v, const Indices &idx, int64_t w);
  /// Loads `view` (gamma, beta, a given statistic, a fused operand), which
  /// varies along the segments `flag` selects, at the current position: a
  /// vector of `w` elements (a scalar when `w` is 0) converted to `to`, or
  /// of the view's element type when `to` is null.
  Value loadAlong(OpBuilder &nb, Value view,
                  function_ref<bool(const Segment &)> flag, const Indices &idx,
                  int64_t w, Type to);
  /// A value summed over a slot, from the loaded input vector of `w` lanes.
  using Term = function_ref<Value(OpBuilder &, Value, int64_t)>;
  /// Sums term(x) over every reduced position of one statistics slot.
  Value reduceSlot(OpBuilder &nb, Indices idx, int64_t lanes, Term term);
  /// The sums of several terms over one slot, in one pass (one load each).
  /// With `pairedLanes` (column slots where canPairColumns holds), the
  /// terms see each position's lanes as its even channels then its odd
  /// ones (pairedOrder), bf16 widened as halves, and the sums come back in
  /// channel order: each lane adds the same values in the same order.
  SmallVector<Value> reduceSlot(OpBuilder &nb, Indices idx, int64_t lanes,
                                ArrayRef<Term> terms, bool pairedLanes = false);
  /// A vector of column slots' lanes, even channels first, then odd ones
  /// (`inverse`: back in channel order).
  Value pairedOrder(OpBuilder &nb, Value v, bool inverse = false);
  /// The accumulators of a row sum, zero: a vector of `width` lanes for the
  /// whole vectors, then, for a slot of several rows (`perStep`), one per
  /// remainder step (remainderStep() lanes, half as many, ..., 1), else one
  /// of a single lane.
  SmallVector<Value> zeroRowSums(OpBuilder &nb, bool perStep);
  /// Adds term(x) over [lo, hi) of the row at `at` to the accumulators
  /// `sums` (zeroRowSums' layout): whole vectors to the wide one; each
  /// remainder step to its own accumulator, with no reduction across lanes
  /// (a slot of many short rows, 7x7 or 14x14 planes, then has no serial
  /// chain per row), or summed across its lanes into the single-lane one
  /// (a slot of one row: no accumulators to reduce at the end).
  /// Several terms share each load; `sums` then holds each term's
  /// accumulators in turn.
  SmallVector<Value> sumRowRange(OpBuilder &nb, const Indices &at, Value lo,
                                 Value hi, ValueRange sums,
                                 ArrayRef<Term> terms);
  SmallVector<Value> sumRowRange(OpBuilder &nb, const Indices &at, Value lo,
                                 Value hi, ValueRange sums, Term term) {
    return sumRowRange(nb, at, lo, hi, sums, ArrayRef<Term>{term});
  }
  /// The total of row-sum accumulators, in a fixed order, for rows of
  /// `length` elements: only the remainder steps that ran are reduced.
  Value horizontalSum(OpBuilder &nb, ValueRange sums, Value length);
  /// Emits the remainder of a row, `rem` (< width) elements from `from`:
  /// body(builder, position, lanes, values) for each step of remainderStep()
  /// lanes, half as many, ..., 1 whose bit of `rem` is set, threading
  /// `values` through the steps (an scf.if each). Returns the final values.
  SmallVector<Value> forEachRemainderStep(
      OpBuilder &nb, const Indices &at, Value from, Value rem,
      ValueRange values,
      function_ref<SmallVector<Value>(OpBuilder &, const Indices &, int64_t,
                                      ValueRange)>
          body);
  /// The widest step of a row's remainder (< width elements), taken as
  /// vectors of this many lanes, half as many, ..., 1, each when its bit of
  /// the remainder is set: the largest power of two below `width` (whatever
  /// width was asked for).
  int64_t remainderStep() const {
    return width > 1 ? static_cast<int64_t>(
                           llvm::bit_floor(static_cast<uint64_t>(width - 1)))
                     : 0;
  }
  Value zeroVector(OpBuilder &nb, int64_t w);
  /// The mean and sum of squared deviations of shifted(x) over a long row,
  /// reading the row from memory once (Chan's blocked combination).
  std::pair<Value, Value>
  chanStatistics(OpBuilder &nb, const Indices &idx,
                 function_ref<Value(OpBuilder &, Value, int64_t)> shifted);
  /// Calls body(idx, w, nontemporal) for every reduced position of one slot;
  /// whole vectors of a row are stored with non-temporal stores when
  /// `streamRow` holds at run time.
  void forEachInSlot(
      OpBuilder &nb, Indices idx, int64_t lanes, Value streamRow,
      function_ref<void(OpBuilder &, const Indices &, int64_t, bool)> body);
  /// Whether the row at `idx` (or the column slots' vectors of `lanes`
  /// elements at `idx`) is stored with non-temporal stores: the output is
  /// larger than the streaming threshold, every row starts on a 64-byte
  /// boundary like the first, and so do the slot's vectors, which cover
  /// whole lines. Null when streaming never applies.
  Value streamingCondition(OpBuilder &nb, const Indices &idx, int64_t lanes);
  void nestReduced(
      OpBuilder &nb, Indices &idx, size_t depth, ValueRange inits,
      function_ref<SmallVector<Value>(OpBuilder &, Indices &, ValueRange)>
          innermost,
      SmallVector<Value> &results);
  /// Whether a column kernel (the innermost segment kept) with batch
  /// statistics and one reduced segment may split that segment into chunks
  /// (SplitColumns.cpp).
  bool canSplitColumns();
  /// Whether a row kernel may run pipelined (PipelinedRows.cpp), when
  /// pipelineRowsCondition holds at run time, and the pipelined kernel.
  bool canPipelineRows();
  Value pipelineRowsCondition(OpBuilder &nb);
  /// Whether the input and the output together take at least the streaming
  /// threshold (half the L3): smaller ones are read from the L3, where
  /// software prefetches only cost instructions.
  Value leavesCache(OpBuilder &nb);
  /// Rows that stay in cache (the output under the streaming threshold):
  /// pipelined with ordinary stores and no prefetch (or, `negate`d, the
  /// condition that they are not), over the thread team or, for small
  /// problems, on the calling thread.
  Value pipelineCachedRowsCondition(OpBuilder &nb, bool negate = false,
                                    bool callingThread = false);
  /// The pipelined kernel: streamed out (non-temporal stores, prefetch) or
  /// in cache; over the thread team or, for small problems, on the calling
  /// thread.
  void emitPipelinedRows(OpBuilder &nb, bool streamed = true,
                         bool parallel = true);
  /// The body of a parallel loop, called with its induction variables.
  using LoopBody = std::function<void(OpBuilder &, Location, ValueRange)>;
  /// The indices, one per extent, of a linear position in loops of
  /// `extents` (row-major) (SlotLoops.cpp).
  Indices delinearize(OpBuilder &nb, Value linear, ArrayRef<Value> extents);
  /// Rows of several kept segments in chunks of consecutive rows
  /// (SlotLoops.cpp): replaces the slot loops' bounds (`lbs`, `ubs`,
  /// `steps`, one per kept segment) by one loop over the chunks and returns
  /// its body, which calls `slotBody` for each row of its chunk.
  LoopBody chunkRowSlots(SmallVector<Value> &lbs, SmallVector<Value> &ubs,
                         SmallVector<Value> &steps, LoopBody slotBody);
  /// A split column kernel's reduced segment, the slots of its outer kept
  /// segments (`parallelSegs`), and all its slots (those times the
  /// innermost segment).
  struct SplitShape {
    size_t reduced;
    Value slotsOuter, slots;
  };
  SplitShape splitShape(OpBuilder &nb, ArrayRef<int64_t> parallelSegs);
  /// The number of chunks (1: no split) for the parallel segments
  /// `parallelSegs`, from the shape alone.
  Value splitChunks(OpBuilder &nb, ArrayRef<int64_t> parallelSegs);
  /// The kernel's slots as `chunks` chunks of the reduced segment, in three
  /// parallel phases (SplitColumns.cpp), or in loops on the calling thread
  /// when not `parallelLoops`. Channel groups (channelGroups) choose their
  /// own chunks (`chunks` null).
  void emitSplitColumns(OpBuilder &nb, Value chunks,
                        ArrayRef<int64_t> parallelSegs,
                        bool parallelLoops = true);
  /// Channels-last group norm (the channel axis innermost and grouped):
  /// `desc` viewed without groups when that view is (examples, reduced
  /// axes, channels), the compute type f32 and the channel count dynamic or
  /// at most kMaxGroupChannels (SplitColumns.cpp): the split columns'
  /// per-channel sums, then merged per group. Not for a row-range entry
  /// (`norm.slot_range`) nor for the whole call beside one
  /// (`norm.row_kernel`, norm-compile --tile-entry): those take the row
  /// kernel, whose bits they share.
  std::optional<NormDesc> channelGroupsView();
  /// Switches to that view: `desc` ungrouped, channelGroups set from the
  /// input's channel count `channels`.
  void useChannelGroups(const NormDesc &view, Value channels);
  /// The views of the buffers in work coordinates (after `desc`), the
  /// statistics results (statsAllocs) and the kernel's loops (Build.cpp);
  /// build() emits it once per view of the op.
  LogicalResult emitBody();
  static MemRefType toMemRef(Type tensorType);
  /// A read-only buffer of `tensor` (null for null).
  Value bufferOf(Value tensor);
  /// Forgets the views and segments of `desc` (before emitting the kernel
  /// again after another view of the same buffers).
  void resetViews();
  /// The channels and the channels per group of a group norm viewed as
  /// column slots (run-time values, constants for static shapes).
  struct ChannelGroups {
    Value channels, perGroup;
  };
  std::optional<ChannelGroups> channelGroups;
  /// The split column kernels' scratch buffer (emitSplitColumns), once
  /// created.
  Value scratchBuffer;
  /// Rows of the innermost segment in `bytes` of input (at least 1).
  Value columnRows(OpBuilder &nb, int64_t bytes);
  /// Which blocks forEachColumnBlock visits.
  enum class ColumnBlocks { All, Whole, Remainder };
  /// body(builder, indices, lanes) for each block of slots of the innermost
  /// (kept) segment at `idx`: whole vectors, then blocks of halving widths
  /// (or only the one or the other). With `part` (of `parts`), only that
  /// part's share of the whole vectors, and the remainder in the last part.
  void forEachColumnBlock(
      OpBuilder &nb, const Indices &idx,
      function_ref<void(OpBuilder &, const Indices &, int64_t)> body,
      ColumnBlocks which = ColumnBlocks::All, Value part = Value(),
      Value parts = Value());
  /// The centered sum of squares from one-pass sums about the pivot (`s1`
  /// of d = x - pivot, `s2` of d^2, `shift` = s1 / n): s2 - s1 * shift where
  /// that is accurate, else the result of `exact` (an scf.if).
  Value checkedSumOfSquares(OpBuilder &ob, int64_t lanes, Value s1, Value s2,
                            Value shift,
                            function_ref<Value(OpBuilder &)> exact);
  /// The scale of the normalization (rstd, or 1 / max(norm, eps) for an L2
  /// norm) from the sum of squares; sets `var` to the variance when there
  /// is one.
  Value inverseScale(OpBuilder &nb, int64_t lanes, Value sumSq, Value &var);

  /// A slot's statistics as the normalizing pass applies them: scalars for
  /// a row (`lanes` 0), else vectors of `lanes` slots. The mean is pivot +
  /// shift when the statistics were taken about a pivot.
  /// What the normalizing pass multiplies and adds that is constant over a
  /// slot: inv * gamma (when gamma does not vary along the reduced axes),
  /// and for 16-bit results the folded constant -shift * scale (plus beta
  /// when betaInOffset); null where the pass takes the general form.
  struct SlotAffine {
    Value scale, offset;
    bool betaInOffset = false;
  };
  struct SlotStatistics {
    int64_t lanes;
    Value pivot, shift, mean, inv;
    /// Set when computed ahead (the split columns' phase B).
    std::optional<SlotAffine> affine = std::nullopt;
  };
  /// What emitSlotStatistics leaves for the slot's normalizing pass.
  struct SlotWork {
    SlotStatistics stats;
    RowHook prefetch; // the normalizing pass's share of the next slot
    bool readKept;    // the prologue value is stored: read it back
  };
  /// Computes and applies the statistics of the slot at `idx`; `lanes` is 0
  /// for a row (scalar statistics) or the number of slots in the vector.
  void emitSlot(OpBuilder &nb, Indices idx, int64_t lanes);
  /// emitSlot in two halves: the statistics (and their results), then the
  /// normalizing pass (pipelined rows put the next row's statistics
  /// between them).
  SlotWork emitSlotStatistics(OpBuilder &nb, Indices &idx, int64_t lanes);
  void emitSlotNormalize(OpBuilder &nb, const Indices &idx,
                         const SlotWork &work);
  /// The slot's SlotAffine from its statistics and parameters at `idx`.
  SlotAffine slotAffine(OpBuilder &nb, const Indices &idx,
                        const SlotStatistics &stats);
  /// Phase B of channel groups (ChannelGroups.cpp): from each channel's
  /// shift and centered sum of squares in scratch rows 0 and 1 (its pivot in
  /// row 2), each group's statistics, then what phase C applies
  /// (`storeAffine`) in every channel of the group.
  void mergeChannelGroups(
      OpBuilder &pb, const Indices &idx, Value scratch,
      function_ref<Value(OpBuilder &, const Indices &, Value)> scratchAt,
      function_ref<void(OpBuilder &, const Indices &, const SlotStatistics &)>
          storeAffine);
  /// The given statistics (inference batch norm) of the slot at `idx`.
  SlotStatistics givenStatistics(OpBuilder &nb, const Indices &idx,
                                 int64_t lanes);
  /// v - pivot - shift (or v - mean) on `w` lanes.
  Value centerAbout(OpBuilder &ib, const SlotStatistics &stats, Value v,
                    int64_t w);
  /// The pass over the slot at `idx` that normalizes, finishes (epilogue)
  /// and stores every element (Normalize.cpp); `prefetch`, when set, issues
  /// this pass's share of the next slot's prefetches.
  void emitNormalizingPass(OpBuilder &nb, const Indices &idx,
                           const SlotStatistics &stats,
                           const RowHook &prefetch);
  /// What the normalizing pass does for one vector of `w` elements at an
  /// index of the slot (stored non-temporally or not).
  using VectorNormalizer =
      std::function<void(OpBuilder &, const Indices &, int64_t, bool)>;
  /// The slot's constants (emitted at `nb`), and the normalizer that uses
  /// them.
  VectorNormalizer prepareNormalizing(OpBuilder &nb, const Indices &idx,
                                      const SlotStatistics &stats);
  /// The input bytes of one row slot: its innermost row times each outer
  /// reduced segment (rowBytes itself when the slot is a single row).
  Value rowSlotBytes(OpBuilder &nb);
  /// The input and the prologue operands laid out like it (varying along
  /// every segment): what a prefetch of input rows covers.
  SmallVector<Value> inputLikeViews();
  /// Prefetches into L2 (locality 2; 3: L1), one prefetch per 64-byte
  /// line, the `w` elements of each of `views` from `at` on along the
  /// innermost segment.
  void prefetchLines(OpBuilder &nb, ArrayRef<Value> views, Indices at,
                     int64_t w, uint32_t locality = 2);
  /// The passes over a slot that prefetch the next slot.
  struct PrefetchPasses {
    RowHook sum, squares, normalize;
  };
  /// Emits, for the slot at `idx`, whether the next slot is prefetched, and
  /// returns what issues the prefetches for a vector of a row at a position
  /// in each pass over the slot (none when this slot prefetches nothing).
  PrefetchPasses nextSlotPrefetch(OpBuilder &nb, const Indices &idx,
                                  int64_t lanes);
  void storeStat(OpBuilder &nb, Value view, const Indices &idx, Value v);
  /// The pivot of the slot at `idx` (0 when it has none): its first element,
  /// or the mean of its first kPivotSamples along the last reduced segment.
  Value loadPivot(OpBuilder &nb, Indices idx, int64_t lanes);

  PatternRewriter &b;
  Location loc;
  NormalizationOpInterface op;
  NormDesc desc;
  Type ct;
  int64_t width;
  int64_t streamingThreshold;

  Type inElem;   // element type of the input
  Type normElem; // of the tensor that is normalized (after the prologue)
  Type outElem;  // of the output (after the epilogue)
  /// The op's buffers (build()) and its fused operands with their maps,
  /// prologue's then epilogue's.
  Value inputBuffer, outputBuffer, keptBuffer;
  SmallVector<Value> fusedOperands;
  SmallVector<AffineMap> fusedMaps;
  /// The statistics results, and the variance the running update needs
  /// (emitBody); rstdAfterUpdate: the rstd result holds the variance until
  /// the update.
  SmallVector<Value> statsAllocs;
  Value meanAlloc, varAlloc;
  bool rstdAfterUpdate = false;
  SmallVector<Value> fusedViews; // prologue then epilogue operands
  unsigned numPrologue = 0;
  Value kept;            // view of the returned prologue value, or null
  bool readKept = false; // the slot being emitted reads h back from `kept`
  /// Pipelined rows: the statistics compute the prologue value without
  /// storing it; the normalizing pass computes it again from the cached
  /// operands and stores it beside the output (non-temporally with it).
  bool streamKept = false;
  /// The element type of `kept`.
  Type keptElem() const {
    return cast<MemRefType>(kept.getType()).getElementType();
  }
  SmallVector<Segment> segments;
  SmallVector<Value> segSizes;
  SmallVector<OpFoldResult> workSizes;
  Value x, y;                // segment views of input and output
  Value gamma, beta;         // parameter views (over param segments)
  Value givenMean, givenVar; // given statistics views
  /// 1/sqrt(var + eps) of the first kGivenInvChannels channels of a row
  /// kernel with given statistics, computed once (precomputeGivenInv).
  Value givenInv;
  /// Whether givenInv holds every channel (a static count up to
  /// kGivenInvChannels): no per-plane fallback then.
  bool givenInvAll = false;
  void precomputeGivenInv();
  /// into[c] = 1 / sqrt(var[c] + eps), in the compute type, stored as f32.
  void storeInverseStd(OpBuilder &nb, Value var, Value into, Value c);
  Value outMean, outVar, outRstd; // statistics views (over kept segments)
  Value count;                    // reduced elements per slot, in ct
  Value outputBytes;              // bytes of the normalized output
  Value rowBytes;                 // bytes of the innermost segment
  Value mayStream; // i1: large output whose rows all align like the first
  Value eps;
  bool rowLike = false;
  /// When set, nestReduced walks only [lo, hi) of segment `segment`: a
  /// chunk of a reduced segment (SplitColumns.cpp), or of the rows of a
  /// column inference kernel, which are not reduced (Build.cpp).
  struct ReducedRange {
    size_t segment;
    Value lo, hi;
  };
  std::optional<ReducedRange> reducedRange;
  /// nestReduced walks the outer segments of a loop without sums backwards
  /// (the normalizing pass: see emitNormalizingPass).
  bool reverseWalk = false;
  /// Whether nextSlotPrefetch may prefetch (off for pipelined rows).
  bool prefetchNextSlot = true;
  /// Rows are known to be shorter than kLongRowBytes (pipelined rows): no
  /// Chan's blocks.
  bool shortRowsOnly = false;
  /// Called, when set, with each whole vector of a row's first pass over
  /// its input (the one-pass sums, or an RMSNorm's squares), after the
  /// prefetch hooks: the pipelined rows' prefetch.
  RowHook firstPass;
  /// Called, when set, with each slice of those vectors (sliceHook): the
  /// pipelined rows' normalization of the row before.
  RowHook firstPassSlice;
  /// Independent chains of additions in nestReduced's innermost walked loop
  /// (set by reduceSlot for column slots).
  int64_t sumChains = 1;
  /// Called with each whole vector of a row in the sums (sumRowRange), and
  /// with each vector of column slots (reduceSlot), when set: a prefetch.
  RowHook rowHook;
  /// Called, when set, before each slice of a whole vector in the row sums
  /// (sumRowRange), after rowHook: pipelined rows' normalization, in
  /// hookSlices slices.
  RowHook sliceHook;
  /// Pipelined rows: the row sums take each whole vector in this many
  /// slices (see hookSlice).
  int64_t hookSlices = 1;
  /// The elements of a slice of a whole vector in the row sums: `width`, or
  /// width / hookSlices (PipelinedRows.cpp).
  int64_t hookSlice() const;
};

} // namespace mlir::norm::vector_detail

#endif // NORM_CONVERSION_NORMTOVECTOR_KERNELBUILDER_H
