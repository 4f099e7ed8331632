//===- PipelinedRows.cpp - Rows normalized while the next is summed -------===//
//
// A row kernel reads each row twice, its statistics first and then the
// normalizing pass from cache, so its reads from memory come in one pass
// and its (non-temporal) writes in the other. Out of cache that leaves one
// direction of the memory bus idle at a time: LayerNorm f32 16384x4096
// reached 0.74-0.79 of a copy of the same bytes on 2 threads. Pipelined,
// each thread walks a chunk of consecutive rows and normalizes row i in the
// loop that takes the one-pass sums of row i + 1 (each whole vector of the
// sums hands the same position of row i to the normalizer), with row i + 1
// prefetched 4 KiB ahead into L1; reads and writes then
// run together as in a copy (bench/prototypes/row_pipeline.c: 0.90-0.95 of
// copy). A row's sums, check, fallback and normalization are the ones of
// the plain row kernel, so the bits are the same, whatever the chunking.
//
// Taken for rows of one reduced segment (LayerNorm, RMSNorm over trailing
// axes) of 1 KiB to 256 KiB, batch statistics with an f32 compute type,
// whose input and output leave the L3 (the streaming threshold) and whose
// rows are all stored non-temporally. A returned prologue value (residual
// sum) is computed again by the normalization and streamed out with the
// output instead of being stored by the statistics (streamKept). Rows
// whose epilogue is polynomial (GELU, SiLU) with a returned prologue value
// or below AVX-512's width, and rows returning a bf16 prologue value below
// that width, keep the plain kernel (canPipelineRows).
//
// Rows of 512 bytes to 8 KiB whose output stays in cache (under the streaming
// threshold; no returned prologue value) are pipelined too, with ordinary
// stores and no prefetch, except centered f32 rows (and centered 16-bit
// rows below AVX-512's vector width, where the loop spills): there the pipeline
// hides each row's serial chain of statistics (the sums' reduction across
// lanes, the division, the square root) behind the previous row's
// normalization. Same-run A/B of the AOT kernels (bench/norm-bench, 2
// threads, interleaved, AMD EPYC with AVX-512), rows of 768 to 4096:
// LayerNorm bf16 +5-11 %, RMSNorm bf16 +10-17 %, RMSNorm f32 +0-12 %
// (rows of 512 bytes: LayerNorm bf16 +16-24 %, RMSNorm f32 +20 %),
// LayerNorm f32 level, and 18 % slower at 768 (so not pipelined); rows
// of 16-32 KiB lost 5-11 % (two such rows no longer share L1). Problems
// small enough to run on the calling thread pipeline such rows there (8
// rows of 1024: RMSNorm f32 1.48x, bf16 1.15x, LayerNorm bf16 1.10x;
// LayerNorm f32 too, which the thread team's rows in cache do not: 1.17x,
// 16 rows of 512 1.25x, and 1.17-1.19x in AVX2 code).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/Support/SaveAndRestore.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

namespace {
/// Consecutive rows per parallel iteration: the first row of each takes its
/// statistics alone, before the pipeline starts.
constexpr int64_t kPipelineRows = 32;
/// How far ahead of the sums the input is prefetched into L1 (into the
/// rows after the next one for rows shorter than this).
constexpr int64_t kPipelinePrefetchBytes = 4096;
/// Each whole vector of the sums and of the normalization is emitted as
/// this many slices (native vectors at the default width), the sums' and the
/// normalization's work alternating: grouped by operation, four loads of
/// the next row after four non-temporal stores, LayerNorm f32 16384x4096
/// ran 10-15 % slower.
constexpr int64_t kPipelineSlices = 4;
/// Shorter rows keep the plain kernel (rows of 256 bytes measured no
/// faster pipelined).
constexpr int64_t kPipelineMinRowBytes = 1024;
/// Rows whose output stays in cache are pipelined from this many bytes
/// (rows of 256 bytes gained 0-5 %, of 512 bytes 9-24 %) up to the
/// second: the loop then works on two rows at once, which must stay in L1
/// (32 KiB on the smallest cores).
constexpr int64_t kPipelineCachedMinRowBytes = 512;
constexpr int64_t kPipelineCachedMaxRowBytes = 8 * 1024;

/// Whether `region` holds a math op that becomes a polynomial (erf, exp,
/// tanh: GELU, SiLU, sigmoid) rather than one instruction.
bool hasPolynomialMath(Region &region) {
  return region
      .walk([](Operation *op) {
        return isPolynomialMath(op) ? WalkResult::interrupt()
                                    : WalkResult::advance();
      })
      .wasInterrupted();
}
} // namespace

int64_t KernelBuilder::hookSlice() const {
  // Slices keep each accumulator lane's elements (not with the even/odd
  // order of bf16 loads, loadInputAnyOrder) and store at least 32 bytes of
  // the output and of `kept` at a time, non-temporally (an AVX2 vector).
  bool anyOrder = normElem.isBF16() && ct.isF32();
  if (hookSlices <= 1 || anyOrder || width % hookSlices != 0)
    return width;
  int64_t slice = width / hookSlices;
  auto wide = [&](Type elem) {
    return slice * elem.getIntOrFloatBitWidth() / 8 % 32 == 0;
  };
  if (!wide(outElem) || (kept && !wide(keptElem())))
    return width;
  return slice;
}

bool KernelBuilder::canPipelineRows() {
  auto reduced = [](const Segment &s) { return s.reduced; };
  // A returned prologue value is stored non-temporally beside the output:
  // whole vectors of it must cover whole 64-byte lines.
  if (kept && width * keptElem().getIntOrFloatBitWidth() / 8 % 64 != 0)
    return false;
  // The pipelined loop holds the next row's sums beside the row's
  // normalization, and computes a returned prologue value twice (in the
  // sums, then beside the output) where the plain kernel stores it once
  // and reads it back. Kept plain, measured (AOT kernels, 2 threads, best
  // of 15 calls, 16384x1024 and 8192x4096; docs/cpu.md):
  // - a polynomial epilogue with a returned prologue value: the bf16
  //   pre-norm block (residual sum kept, LayerNorm, bias, GELU) 3.85 ->
  //   3.47 ms with AVX-512 and AVX512-BF16 at 16384x1024, 4.7 -> 3.5 ms
  //   with AVX-512 alone, 9.5 -> 6.6 ms in AVX2 code;
  // - a polynomial epilogue below AVX-512's width (16 vector registers):
  //   LayerNorm f32 with SiLU in AVX2 code 5.0 -> 3.9 ms;
  // - a bf16 prologue value there, whose rounding is integer code: the
  //   LLM block (RMSNorm of a kept residual sum) 3.3 -> 2.6 ms, LayerNorm
  //   of one 6.6 -> 3.4 ms with a ReLU, 5.1 -> 2.7 ms without.
  // An f32 prologue value keeps the pipeline (RMSNorm f32 of a kept
  // residual sum 4.5 against 5.4 ms plain in AVX2 code, 4.5 against 5.7
  // with AVX-512), as do polynomial epilogues alone at AVX-512's width.
  bool narrow = width < kWideVectorWidth;
  if (!op.getEpilogue().empty() && hasPolynomialMath(op.getEpilogue()) &&
      (kept || narrow))
    return false;
  if (kept && narrow && keptElem().isBF16())
    return false;
  return rowLike && !desc.givenStats && ct.isF32() &&
         !op->hasAttr("norm.slot_range") && segments.size() == 2 &&
         !segments[0].reduced && segments[1].reduced &&
         llvm::count_if(segments, reduced) == 1;
}

Value KernelBuilder::pipelineRowsCondition(OpBuilder &nb) {
  // Every row streamed: the output at least the streaming threshold (so
  // input and output leave the L3), rows and the first row on 64-byte lines.
  Indices first(segments.size(), index(0));
  Value stream = streamingCondition(nb, first, 0);
  if (!stream)
    return arith::ConstantIntOp::create(nb, loc, 0, 1);
  auto cmp = [&](arith::CmpIPredicate p, Value a, int64_t b) {
    return arith::CmpIOp::create(nb, loc, p, a, index(b));
  };
  Value c = arith::AndIOp::create(
      nb, loc, stream,
      cmp(arith::CmpIPredicate::uge, rowBytes, kPipelineMinRowBytes));
  c = arith::AndIOp::create(
      nb, loc, c, cmp(arith::CmpIPredicate::ult, rowBytes, kLongRowBytes));
  c = arith::AndIOp::create(nb, loc, c,
                            cmp(arith::CmpIPredicate::uge, segSizes[0], 2));
  if (!kept)
    return c;
  // The returned prologue value's rows on 64-byte lines too.
  int64_t keptBytes = keptElem().getIntOrFloatBitWidth() / 8;
  Value keptRowBytes =
      arith::MulIOp::create(nb, loc, segSizes[1], index(keptBytes));
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(nb, loc, kept);
  Value lines = arith::OrIOp::create(nb, loc, base, keptRowBytes);
  return arith::AndIOp::create(
      nb, loc, c,
      cmp(arith::CmpIPredicate::eq,
          arith::RemUIOp::create(nb, loc, lines, index(64)), 0));
}

Value KernelBuilder::pipelineCachedRowsCondition(OpBuilder &nb, bool negate,
                                                 bool callingThread) {
  // An output under the streaming threshold, rows of 512 B to 8 KiB, at least
  // two rows; no returned prologue value (the pipeline would store it
  // beside the output, which only the streamed form does). Centered f32
  // rows (LayerNorm f32) measured no faster pipelined over the thread team,
  // and 18 % slower at 768 elements: they keep the plain kernel there, but
  // not on the calling thread (small problems, where each row's serial
  // chain of statistics is a larger share: see the top). Centered 16-bit
  // rows below AVX-512's vector width keep the plain kernel on both.
  bool centered16 = desc.center && inElem.getIntOrFloatBitWidth() < 32;
  bool centered32 = desc.center && !centered16;
  if (kept || (centered32 && !callingThread) ||
      (centered16 && width < kWideVectorWidth))
    return arith::ConstantIntOp::create(nb, loc, negate ? 1 : 0, 1);
  using P = arith::CmpIPredicate;
  // Each term, or its negation (the condition negated as a disjunction).
  auto cmp = [&](P p, P negated, Value a, int64_t b) -> Value {
    return arith::CmpIOp::create(nb, loc, negate ? negated : p, a, index(b));
  };
  Value c = cmp(P::ult, P::uge, outputBytes, streamingThreshold);
  for (Value more : {cmp(P::uge, P::ult, rowBytes, kPipelineCachedMinRowBytes),
                     cmp(P::ule, P::ugt, rowBytes, kPipelineCachedMaxRowBytes),
                     cmp(P::uge, P::ult, segSizes[0], 2)})
    c = negate ? arith::OrIOp::create(nb, loc, c, more).getResult()
               : arith::AndIOp::create(nb, loc, c, more).getResult();
  return c;
}

void KernelBuilder::emitPipelinedRows(OpBuilder &nb, bool streamed,
                                      bool parallel) {
  llvm::SaveAndRestore noNextSlot(prefetchNextSlot, false);
  llvm::SaveAndRestore keptWithOutput(streamKept, streamed);
  llvm::SaveAndRestore slices(hookSlices, kPipelineSlices);
  // pipelineRowsCondition holds: rows under kLongRowBytes.
  llvm::SaveAndRestore shortRows(shortRowsOnly, true);
  Value rows = segSizes[0];
  Value n = segSizes[1];
  Value lastRow = arith::SubIOp::create(nb, loc, rows, index(1));
  Value chunks =
      arith::CeilDivUIOp::create(nb, loc, rows, index(kPipelineRows));
  Value rem = arith::RemUIOp::create(nb, loc, n, index(width));
  Value main = arith::SubIOp::create(nb, loc, n, rem);
  Value ahead =
      index(kPipelinePrefetchBytes / (inElem.getIntOrFloatBitWidth() / 8));
  SmallVector<Value> views = inputLikeViews();
  // The input is prefetched through one-dimensional views, at a position
  // each row computes once, (row + 1) * n + ahead, clamped so that the
  // row's last prefetch stays inside the input: in the loop, the address
  // is the load's plus a constant. (The two-dimensional form, the row and
  // column of that position with the column wrapped and the row clamped,
  // cost about ten scalar instructions per whole vector: LayerNorm f32
  // 16384x4096 2-6 % slower.) The views are buffers of the op's tensors,
  // contiguous; any other layout would go without the prefetch.
  SmallVector<Value> flatViews;
  Value flatLimit;
  if (streamed && llvm::all_of(views, [](Value v) {
        return cast<MemRefType>(v.getType()).getLayout().isIdentity();
      })) {
    SmallVector<ReassociationIndices> all{{0, 1}};
    for (Value v : views)
      flatViews.push_back(memref::CollapseShapeOp::create(nb, loc, v, all));
    flatLimit = arith::MulIOp::create(nb, loc, lastRow, n);
  }

  // The statistics the loop carries from one row to the next.
  auto pack = [&](const SlotStatistics &s) {
    SmallVector<Value> v;
    for (Value x : {s.pivot, s.shift, s.mean, s.inv})
      if (x)
        v.push_back(x);
    return v;
  };
  auto unpack = [&](ValueRange v) {
    SlotStatistics s{0, {}, {}, {}, {}};
    size_t k = 0;
    if (desc.center) {
      s.pivot = v[k++];
      s.shift = v[k++];
      s.mean = v[k++];
    }
    s.inv = v[k];
    return s;
  };

  auto chunkBody = [&](OpBuilder &pb, Value chunk) {
    Value lo = arith::MulIOp::create(pb, loc, chunk, index(kPipelineRows));
    Value hi = arith::MinUIOp::create(
        pb, loc, arith::AddIOp::create(pb, loc, lo, index(kPipelineRows)),
        rows);
    Value last = arith::SubIOp::create(pb, loc, hi, index(1));
    Indices first{lo, index(0)};
    SlotWork head = emitSlotStatistics(pb, first, 0);
    auto loop = scf::ForOp::create(
        pb, loc, lo, last, index(1), pack(head.stats),
        [&](OpBuilder &lb, Location, Value row, ValueRange carried) {
          Value next = arith::AddIOp::create(lb, loc, row, index(1));
          Indices at{row, index(0)}, nextAt{next, index(0)};
          VectorNormalizer normalize =
              prepareNormalizing(lb, at, unpack(carried));
          Value flatBase;
          if (flatLimit)
            flatBase = arith::MinUIOp::create(
                lb, loc,
                arith::AddIOp::create(
                    lb, loc, arith::MulIOp::create(lb, loc, next, n), ahead),
                flatLimit);
          // Each whole vector of the next row's first pass: streamed, the
          // input 4 KiB further on prefetched into L1 (in the rows after
          // it, for short rows or near its end; rows in cache take no
          // prefetch); each slice of it: the same position of this row
          // normalized and stored (streamed out).
          if (flatBase)
            firstPass = [&](OpBuilder &hb, const Indices &pos, int64_t w) {
              Indices fetch{arith::AddIOp::create(hb, loc, flatBase, pos[1])};
              prefetchLines(hb, flatViews, fetch, w, /*locality=*/3);
            };
          firstPassSlice = [&](OpBuilder &hb, const Indices &pos, int64_t w) {
            normalize(hb, Indices{row, pos[1]}, w,
                      /*nontemporal=*/streamed);
          };
          SlotWork work = emitSlotStatistics(lb, nextAt, 0);
          firstPass = firstPassSlice = nullptr;
          // The rest of this row: the remainder, in ordinary stores as
          // in the plain kernel.
          forEachRemainderStep(
              lb, at, main, rem, ValueRange(),
              [&](OpBuilder &sb, const Indices &pos, int64_t k, ValueRange) {
                normalize(sb, pos, k,
                          /*nontemporal=*/false);
                return SmallVector<Value>();
              });
          scf::YieldOp::create(lb, loc, pack(work.stats));
        });
    Indices tail{last, index(0)};
    emitSlotNormalize(pb, tail,
                      SlotWork{unpack(loop.getResults()), nullptr, false});
  };
  if (!parallel) {
    scf::ForOp::create(nb, loc, index(0), chunks, index(1), ValueRange{},
                       [&](OpBuilder &fb, Location, Value chunk, ValueRange) {
                         chunkBody(fb, chunk);
                         scf::YieldOp::create(fb, loc);
                       });
    return;
  }
  scf::ParallelOp::create(
      nb, loc, ValueRange{index(0)}, ValueRange{chunks}, ValueRange{index(1)},
      [&](OpBuilder &pb, Location, ValueRange ivs) { chunkBody(pb, ivs[0]); });
}
