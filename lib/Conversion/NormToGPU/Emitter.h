//===- Emitter.h - The builder of one GPU kernel ----------------*- C++ -*-===//
//
// Shared by KernelEmitter.cpp (buffers, loads and stores, the fused
// regions, reductions, the kernel's signature), Strategies.cpp (the
// strategies' loops), ClusterExchange.cpp (values across a cluster) and
// Prefetch.cpp. Internal to the GPU lowering.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_CONVERSION_NORMTOGPU_EMITTER_H
#define NORM_CONVERSION_NORMTOGPU_EMITTER_H

#include "KernelEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace mlir::norm::gpu_plan::detail {

/// A kernel argument viewed as a flat buffer, with its strides.
struct Buffer {
  Value mem;
  Strides strides;
  Type elem;
  explicit operator bool() const { return static_cast<bool>(mem); }
  bool alongInner() const { return strides.back() == 1; }
};

/// Partial moments of a slot: the sum of its values (less a pivot), the sum
/// of squares about their own mean, and their count, in f32.
struct Moments {
  Value sum, squares, count;
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
  /// The `width` elements of the flat buffer `mem` from `at`: one vector
  /// load aligned to its size.
  SmallVector<Value> loadUnit(Value mem, Value at);
  /// `width` elements of `buf` at `pos` (one load repeated when the buffer
  /// does not vary along the innermost segment).
  SmallVector<Value> load(const Buffer &buf, const Position &pos);
  void store(const Buffer &buf, const Position &pos, ArrayRef<Value> values);
  Value applyRegion(Region &region, ValueRange args);
  /// The values normalized at `pos` (the prologue applied), in f32; stores
  /// the prologue value when it is returned and `storeKept`.
  SmallVector<Value> loadH(const Position &pos, bool storeKept);
  /// 16-bit values, units of `width`, packed two per i32 in order (the last
  /// word padded with 0).
  SmallVector<Value> packPairs(ArrayRef<SmallVector<Value>> units);
  /// The `count` units of `width` values that packPairs packed, widened to
  /// f32; each word is first xor-ed with `key` when given.
  SmallVector<SmallVector<Value>>
  unpackPairs(ArrayRef<Value> words, int64_t count, int64_t width, Value key);
  /// An i32 zero that the compiler cannot see through (a volatile asm), so
  /// that computations from it are not merged with earlier ones.
  Value opaqueZero();
  /// Normalizes, applies the affine and the epilogue, and stores.
  /// Subtracts `pivot` then `shift` (either may be null) from h, scales by
  /// inv, applies the affine and the epilogue, and stores.
  /// The weights come from `g` and `be` when given (staged), else from
  /// memory.
  void finish(const Position &pos, ArrayRef<Value> h, Value pivot, Value shift,
              Value inv, ArrayRef<Value> g = {}, ArrayRef<Value> be = {});
  /// (v - pivot) - shift, skipping null terms.
  Value centered(Value v, Value pivot, Value shift);
  /// Emits body() under `cond` (unconditionally when `cond` is null).
  void ifThen(Value cond, function_ref<void()> body);
  /// A shared-memory buffer of `n` elements (f32 by default), 16-byte
  /// aligned.
  Value sharedBuffer(int64_t n, Type elem = {});
  Value warpSum(Value v);
  Value blockSum(Value v);
  Value isLane0();
  /// Lane i's element i of a shared buffer of `n` f32 (0 past n).
  Value laneLoad(Value buffer, int64_t n);
  /// The moments of a block (BlockPerRow, with its cluster) from each
  /// thread's sum and count: squaresAbout(m) is the thread's sum of squares
  /// about m, which each warp takes as its own mean.
  Moments blockMoments(Value sum, Value count,
                       function_ref<Value(Value)> squaresAbout);
  /// 1 / count, the constant when `known`, else approximate (an ulp).
  Value reciprocal(Value count, std::optional<double> known);
  /// The moments of the parts lanes hold (0 where none), in every lane;
  /// `total` is their count when known.
  Moments combineMoments(Moments part, std::optional<double> total);
  /// The 64-bit global address of byte `byteOffset` of `buf`.
  Value globalAddress(const Buffer &buf, Value byteOffset);
  /// Prefetches into L2 (or L1) the line of `buf` that holds byte
  /// `byteOffset`.
  void prefetch(const Buffer &buf, Value byteOffset, bool l1 = false);
  /// Thread `t`'s share of the lines of the slot at aheadPos (the next
  /// wave's), if aheadValid, within the plan's budget (Prefetch.cpp).
  void prefetchAhead(Value t);
  /// The prefetches themselves (prefetchAhead guards them).
  void prefetchLines(Value t);
  /// Starts copying into `staged` (a shared buffer) the `buf` elements of
  /// unit `slot`'s position `pos` (cp.async; Prefetch.cpp).
  void stageUnit(const Buffer &buf, const Position &pos, Value staged,
                 Value slot);
  /// Waits for the calling thread's staged copies.
  void waitStaged();
  /// The `width` elements of a staged unit.
  SmallVector<Value> loadStaged(Value staged, Value slot);
  /// inv from the variance (or the sum of squares for an L2 norm).
  Value invFrom(Value varOrSumSq);
  void storeStatistics(const Position &pos, Value mean, Value var, Value inv);

  void emitRows();
  void emitColumns();
  void emitElementwise();
  /// The reductions and the normalization of one slot of a row strategy.
  void emitRowSlot(const Position &slotPos, Value t);
  /// The sum over a cluster of the blocks' totals, added in rank order
  /// (ClusterExchange.cpp); blockTotal() is emitted where the threads that
  /// push it need it.
  Value clusterSum(function_ref<Value()> blockTotal);
  /// Block values across the cluster: lane r of every warp holds block r's
  /// (0 past the cluster).
  SmallVector<Value> clusterGather(ArrayRef<Value> blockValues);
  /// Pushes the block's n values into every block of the cluster and waits
  /// for theirs: a shared buffer holding value k of block r at r * n + k.
  /// blockValues() is emitted in the pushing threads only.
  Value exchange(int64_t n, function_ref<SmallVector<Value>()> blockValues);
  /// The mbarriers of the exchanges, initialized by thread 0; arrives at
  /// the cluster barrier that the first exchange waits on.
  void initClusterExchange();
  /// A side-effecting inline PTX statement (with a memory clobber where
  /// the constraints say so; KernelEmitter.cpp).
  Value inlinePtx(Type result, StringRef ptx, StringRef constraints,
                  ValueRange operands);
  /// The shared address (32 bits) of element `element` of a shared buffer.
  Value sharedAddress(Value buffer, Value element);
  /// The same shared address in block `block` of the cluster.
  Value inBlock(Value address, Value block);

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
  /// The slot the next wave of blocks takes (residentPerSM), and whether it
  /// exists.
  Position aheadPos;
  Value aheadValid;
  /// n times the outer size (n when the shapes are static).
  Value scaled(int64_t n) {
    Value v = index(n);
    return outer ? arith::MulIOp::create(b, loc, outer, v).getResult() : v;
  }
  /// The mbarriers of the cluster exchanges (one per round: a slot takes
  /// at most two reductions, the mean's and the squares') and the next
  /// round's number.
  static constexpr int64_t kMaxExchangeRounds = 2;
  Value exchangeBarriers;
  int64_t exchangeRound = 0;
  /// Bytes each vector access of a flat view needs its base aligned to.
  DenseMap<Value, int64_t> alignment;
};

} // namespace mlir::norm::gpu_plan::detail

#endif // NORM_CONVERSION_NORMTOGPU_EMITTER_H
