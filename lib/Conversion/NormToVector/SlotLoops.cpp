//===- SlotLoops.cpp - Linear positions in the slot loops -----------------===//
//
// The slot loops run over the kept segments outside the innermost one. A
// row kernel with two or more of them (the (n, c) planes of an NCHW batch
// or instance norm with per-channel parameters, group norm's (n, g) rows)
// runs one parallel iteration per chunk of about kRowChunkBytes of
// consecutive slots (each slot a row per position of its outer reduced
// segments): the chunk's first row's indices are divided out of its
// linear position, the next ones advance by one with a wrap. The thread
// team's loop over several segments divided every row's linear index
// instead (an integer division per 98-byte plane of a 7x7 batch norm):
// inference batch norm bf16 32x512x7x7 single-threaded 105 -> 90-94 us,
// 32x256x14x14 89-96 -> 73-76 us (docs/cpu.md).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

KernelBuilder::Indices KernelBuilder::delinearize(OpBuilder &nb, Value linear,
                                                  ArrayRef<Value> extents) {
  Indices split(extents.size());
  Value rest = linear;
  for (size_t d = extents.size(); d-- > 1;) {
    split[d] = arith::RemUIOp::create(nb, loc, rest, extents[d]);
    rest = arith::DivUIOp::create(nb, loc, rest, extents[d]);
  }
  split[0] = rest;
  return split;
}

KernelBuilder::LoopBody KernelBuilder::chunkRowSlots(SmallVector<Value> &lbs,
                                                     SmallVector<Value> &ubs,
                                                     SmallVector<Value> &steps,
                                                     LoopBody slotBody) {
  SmallVector<Value> extents = ubs; // the lower bounds are 0
  Value total = index(1);
  for (Value e : extents)
    total = arith::MulIOp::create(b, loc, total, e);
  // A slot holds a row for each position of its outer reduced segments
  // (group norm over NHWC: its group's channels at every pixel). Counted as
  // one row, a slot of 160 KiB went with 409 others into one chunk, and the
  // whole kernel into one parallel iteration.
  Value slotBytes = rowSlotBytes(b);
  Value perChunk = arith::MaxUIOp::create(
      b, loc, index(1),
      arith::DivUIOp::create(
          b, loc, index(kRowChunkBytes),
          arith::MaxUIOp::create(b, loc, slotBytes, index(1))));
  lbs = {index(0)};
  ubs = {arith::CeilDivUIOp::create(b, loc, total, perChunk)};
  steps = {index(1)};
  return [this, extents, total, perChunk, slotBody](OpBuilder &pb, Location,
                                                    ValueRange ivs) {
    Value first = arith::MulIOp::create(pb, loc, ivs[0], perChunk);
    Value last = arith::MinUIOp::create(
        pb, loc, arith::AddIOp::create(pb, loc, first, perChunk), total);
    scf::ForOp::create(
        pb, loc, first, last, index(1), delinearize(pb, first, extents),
        [&](OpBuilder &fb, Location, Value, ValueRange at) {
          slotBody(fb, loc, at);
          // The next row's indices: the last one advances, wrapping into the
          // ones before it.
          SmallVector<Value> next(at);
          Value carry = arith::ConstantIntOp::create(fb, loc, 1, 1);
          for (size_t d = extents.size(); d-- > 0;) {
            Value bumped = arith::AddIOp::create(
                fb, loc, at[d],
                arith::SelectOp::create(fb, loc, carry, index(1), index(0)));
            Value wraps = arith::CmpIOp::create(
                fb, loc, arith::CmpIPredicate::eq, bumped, extents[d]);
            next[d] = d == 0 ? bumped
                             : arith::SelectOp::create(fb, loc, wraps, index(0),
                                                       bumped)
                                   .getResult();
            carry = arith::AndIOp::create(fb, loc, carry, wraps);
          }
          scf::YieldOp::create(fb, loc, next);
        });
  };
}
