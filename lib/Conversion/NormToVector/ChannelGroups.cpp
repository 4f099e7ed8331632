//===- ChannelGroups.cpp - Channels-last group norm as column slots -------===//
//
// Group norm over NHWC tensors (the channel axis innermost and grouped) in
// work coordinates is a row kernel whose rows are one group's channels at
// one pixel: a loop and a remainder per few channels. Viewed without
// groups it is instance norm's column kernel (examples, reduced axes,
// channels): the split columns' phase A takes each channel's sums, phase B
// merges them per group (mergeChannelGroups) and phase C normalizes each
// channel with its group's statistics (SplitColumns.cpp, docs/cpu.md).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

std::optional<NormDesc> KernelBuilder::channelGroupsView() {
  if (desc.groupAxis < 0 || desc.groupAxis != desc.rank - 1 ||
      desc.givenStats || !desc.center || desc.scaling != Scaling::Variance ||
      desc.updateRunning || desc.stats != ReturnedStats::None || !ct.isF32() ||
      desc.numGroups < 1 || op->hasAttr("norm.slot_range") ||
      op->hasAttr("norm.row_kernel") ||
      !op->getParentOfType<FunctionOpInterface>())
    return std::nullopt;
  int64_t channels = cast<RankedTensorType>(op.getInput().getType())
                         .getDimSize(desc.groupAxis);
  if (!ShapedType::isDynamic(channels) && channels > kMaxGroupChannels)
    return std::nullopt;
  NormDesc view = desc;
  llvm::erase(view.axes, desc.groupAxis);
  view.groupAxis = -1;
  view.numGroups = 1;
  // The segments must be (examples, reduced axes, channels).
  FailureOr<SmallVector<AxisRole>> roles = workAxisRoles(op, view);
  if (failed(roles))
    return std::nullopt;
  SmallVector<bool> reduced;
  for (auto [a, role] : llvm::enumerate(*roles))
    if (a == 0 || !role.sameRole((*roles)[a - 1]))
      reduced.push_back(role.reduced);
  if (reduced != SmallVector<bool>{false, true, false})
    return std::nullopt;
  return view;
}

void KernelBuilder::useChannelGroups(const NormDesc &view, Value channels) {
  int64_t groups = desc.numGroups;
  desc = view;
  channelGroups = ChannelGroups{
      channels, b.createOrFold<arith::DivUIOp>(loc, channels, index(groups))};
}

// Each group's statistics from its channels' (Chan's formula), about the
// pivot p of the group's first channel: each channel's mean as d = (its
// pivot - p) + its shift (the pivots are values of the input: their
// difference is exact when they are within a factor of 2, the shifts are
// small), the group's shift the mean of the d, its centered sum of squares
// the channels' plus count * sum (d - shift)^2. Then in every channel of the
// group the pivot p, the shift and inv (scratch rows 0 to 2), and what
// phase C applies from them.
void KernelBuilder::mergeChannelGroups(
    OpBuilder &pb, const Indices &idx, Value scratch,
    function_ref<Value(OpBuilder &, const Indices &, Value)> scratchAt,
    function_ref<void(OpBuilder &, const Indices &, const SlotStatistics &)>
        storeAffine) {
  auto loadScratch = [&](OpBuilder &ib, const Indices &at, int64_t row,
                         int64_t lanes) -> Value {
    return vector::LoadOp::create(ib, loc, vec(lanes, ib.getF32Type()), scratch,
                                  scratchAt(ib, at, index(row)));
  };
  Value perGroup = channelGroups->perGroup;
  Value perGroupCt = arith::UIToFPOp::create(
      pb, loc, ct,
      arith::IndexCastOp::create(pb, loc, pb.getI64Type(), perGroup));
  Value groupCount = arith::MulFOp::create(pb, loc, count, perGroupCt);
  auto channelAt = [&](OpBuilder &ib, Value c, int64_t row) {
    Indices at = idx;
    at.back() = c;
    return scratchAt(ib, at, index(row));
  };
  auto load = [&](OpBuilder &ib, Value c, int64_t row) -> Value {
    return memref::LoadOp::create(ib, loc, scratch, channelAt(ib, c, row));
  };
  auto overGroup =
      [&](OpBuilder &ib, Value first, ValueRange inits,
          function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)>
              body) {
        return scf::ForOp::create(
                   ib, loc, first,
                   arith::AddIOp::create(ib, loc, first, perGroup), index(1),
                   inits,
                   [&](OpBuilder &fb, Location, Value c, ValueRange acc) {
                     scf::YieldOp::create(fb, loc, body(fb, c, acc));
                   })
            .getResults();
      };
  scf::ForOp::create(
      pb, loc, index(0), channelGroups->channels,
      arith::MaxUIOp::create(pb, loc, perGroup, index(1)), ValueRange{},
      [&](OpBuilder &gb, Location, Value first, ValueRange) {
        Value p = load(gb, first, 2);
        auto moved = [&](OpBuilder &fb, Value c) -> Value {
          return arith::AddFOp::create(
              fb, loc, arith::SubFOp::create(fb, loc, load(fb, c, 2), p),
              load(fb, c, 0));
        };
        Value zero = constant(gb, 0.0);
        Value sumD = overGroup(
            gb, first, zero,
            [&](OpBuilder &fb, Value c, ValueRange acc) -> SmallVector<Value> {
              return {arith::AddFOp::create(fb, loc, acc[0], moved(fb, c))};
            })[0];
        Value shift = arith::DivFOp::create(gb, loc, sumD, perGroupCt);
        ValueRange sums = overGroup(
            gb, first, {zero, zero},
            [&](OpBuilder &fb, Value c, ValueRange acc) -> SmallVector<Value> {
              Value d = arith::SubFOp::create(fb, loc, moved(fb, c), shift);
              return {
                  arith::AddFOp::create(fb, loc, acc[0], load(fb, c, 1)),
                  arith::AddFOp::create(fb, loc, acc[1],
                                        arith::MulFOp::create(fb, loc, d, d))};
            });
        Value sumSq = arith::AddFOp::create(
            gb, loc, sums[0], arith::MulFOp::create(gb, loc, count, sums[1]));
        Value var = arith::DivFOp::create(gb, loc, sumSq, groupCount);
        Value inv = math::RsqrtOp::create(
            gb, loc, arith::AddFOp::create(gb, loc, var, eps));
        overGroup(gb, first, {}, [&](OpBuilder &fb, Value c, ValueRange) {
          std::array<Value, 3> rows = {p, shift, inv};
          for (auto [row, v] : llvm::enumerate(rows))
            memref::StoreOp::create(fb, loc, v, scratch, channelAt(fb, c, row));
          return SmallVector<Value>();
        });
        scf::YieldOp::create(gb, loc);
      });
  forEachColumnBlock(
      pb, idx, [&](OpBuilder &ib, const Indices &at, int64_t lanes) {
        Value pivot = loadScratch(ib, at, 0, lanes);
        Value shift = loadScratch(ib, at, 1, lanes);
        Value inv = loadScratch(ib, at, 2, lanes);
        storeAffine(ib, at,
                    SlotStatistics{lanes, pivot, shift,
                                   arith::AddFOp::create(ib, loc, pivot, shift),
                                   inv});
      });
}
