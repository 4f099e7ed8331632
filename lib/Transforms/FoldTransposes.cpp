//===- FoldTransposes.cpp - Transposes around norm ops into their axes ----===//
//
// Models move a tensor to the layout a normalization expects and back: timm's
// LayerNorm2d permutes NCHW to NHWC, normalizes the last axis and permutes
// back; tf2onnx puts an NHWC <-> NCHW Transpose around every BatchNorm and
// InstanceNorm. Each transpose is a full read and write of the tensor. A norm
// op normalizes any set of axes, so when its input is a transpose of x and
// its output is read through the inverse transpose, the op can take x itself
// with its axis attributes mapped through the permutation, and both
// transposes go.
//
// After --norm-fuse-elementwise's step 1 a transpose is a copy generic read
// through a permutation map; after its step 2 the transpose back is usually
// merged with the elementwise work that follows the norm op (the affine, an
// activation) into one generic that reads the norm op's output through the
// permutation. That generic then reads the new op's output with the
// identity, and the fusion into the epilogue proceeds as for any consumer.
//
//===----------------------------------------------------------------------===//

#include "FoldTransposes.h"

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/FusedForm.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::norm;

/// Whether the generic only copies its one input (same element type).
static bool isCopy(linalg::GenericOp generic) {
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  return generic.getNumDpsInputs() == 1 &&
         yield.getOperand(0) == generic.getBody()->getArgument(0) &&
         getElementTypeOrSelf(generic.getDpsInputOperand(0)->get().getType()) ==
             getElementTypeOrSelf(generic.getResult(0).getType());
}

/// The permutation map of a generic that reads every input through one
/// permutation and writes the transposed layout: a copy (linalg.transpose
/// generalized, x' = x read through the map) or elementwise work merged with
/// it (the transpose of a sum, `permute(x + r)`). The work is then redone in
/// x's layout (materializeUntransposed), so the generic must have no other
/// user than the norm op.
static std::optional<AffineMap> transposeMap(linalg::GenericOp generic) {
  if (!generic || !isElementwiseGeneric(generic) ||
      generic.getNumDpsInputs() == 0)
    return std::nullopt;
  AffineMap map = generic.getMatchingIndexingMap(generic.getDpsInputOperand(0));
  if (!map.isPermutation() || map.isIdentity())
    return std::nullopt;
  for (OpOperand *input : generic.getDpsInputOperands())
    if (generic.getMatchingIndexingMap(input) != map ||
        !isa<RankedTensorType>(input->get().getType()))
      return std::nullopt;
  if (!isCopy(generic) && !generic->hasOneUse())
    return std::nullopt;
  return map;
}

/// The untransposed value of `generic` (see transposeMap): its input for a
/// copy, else the same body over the inputs in their own layout.
static Value materializeUntransposed(RewriterBase &rewriter,
                                     linalg::GenericOp generic) {
  if (isCopy(generic))
    return generic.getDpsInputOperand(0)->get();
  Location loc = generic.getLoc();
  Value first = generic.getDpsInputOperand(0)->get();
  Value init = tensor::EmptyOp::create(
      rewriter, loc, tensor::getMixedSizes(rewriter, loc, first),
      getElementTypeOrSelf(generic.getResult(0).getType()));
  auto rank =
      static_cast<unsigned>(cast<RankedTensorType>(first.getType()).getRank());
  SmallVector<AffineMap> maps(generic.getNumDpsInputs() + 1,
                              rewriter.getMultiDimIdentityMap(rank));
  auto untransposed = linalg::GenericOp::create(
      rewriter, loc, TypeRange{init.getType()}, generic.getDpsInputs(),
      ValueRange{init}, maps, generic.getIteratorTypesArray());
  rewriter.cloneRegionBefore(generic.getRegion(), untransposed.getRegion(),
                             untransposed.getRegion().end());
  return untransposed.getResult(0);
}

/// `axes` (of the transposed tensor) as axes of x: `toX[a]` is the axis of x
/// that axis `a` is. Fails unless the mapped axes keep their order, so that
/// a tensor laid out along them (gamma, statistics) stays as it is.
static FailureOr<SmallVector<int64_t>> mapAxes(ArrayRef<int64_t> axes,
                                               ArrayRef<int64_t> toX) {
  SmallVector<int64_t> mapped;
  for (int64_t a : axes) {
    if (a < 0 || a >= static_cast<int64_t>(toX.size()))
      return failure();
    if (!mapped.empty() && toX[a] <= mapped.back())
      return failure();
    mapped.push_back(toX[a]);
  }
  return mapped;
}

/// The reduced axes of x, sorted (their order does not matter).
static SmallVector<int64_t> mapReduced(ArrayRef<int64_t> axes,
                                       ArrayRef<int64_t> toX) {
  SmallVector<int64_t> mapped;
  for (int64_t a : axes)
    mapped.push_back(toX[a]);
  llvm::sort(mapped);
  return mapped;
}

/// Whether `after` (of x) is `before` (of the transposed tensor) with its
/// axes mapped through `toX`.
static bool sameDescription(const NormDesc &before, const NormDesc &after,
                            ArrayRef<int64_t> toX) {
  auto mapped = [&](const std::vector<int64_t> &axes, bool sort) {
    std::vector<int64_t> result;
    for (int64_t a : axes)
      result.push_back(toX[a]);
    if (sort)
      llvm::sort(result);
    return result;
  };
  bool weights = before.hasGamma || before.hasBeta;
  return after.axes == mapped(before.axes, true) &&
         (!weights || after.paramAxes == mapped(before.paramAxes, false)) &&
         after.statsAxes == mapped(before.statsAxes, false) &&
         after.groupAxis ==
             (before.groupAxis < 0 ? -1 : toX[before.groupAxis]) &&
         after.numGroups == before.numGroups && after.center == before.center &&
         after.scaling == before.scaling;
}

LogicalResult norm::foldTransposes(RewriterBase &rewriter,
                                   NormalizationOpInterface op) {
  Operation *old = op.getOperation();
  auto transpose = op.getInput().getDefiningOp<linalg::GenericOp>();
  std::optional<AffineMap> fromX = transposeMap(transpose);
  if (!fromX || op.getPrologueResult())
    return failure();
  // Only the attributes that name axes change; an op with other annotations
  // (from later passes) is left alone.
  for (NamedAttribute attr : old->getAttrs())
    if (attr.getName().strref().contains('.'))
      return failure();

  // x' = transpose(x): axis a of x' is axis toX[a] of x.
  AffineMap toXMap = inversePermutation(*fromX);
  SmallVector<int64_t> toX;
  for (unsigned a = 0; a < toXMap.getNumResults(); ++a)
    toX.push_back(toXMap.getDimPosition(a));
  // x's type: the inputs' shape (x's layout), the generic's element type.
  auto xType =
      cast<RankedTensorType>(transpose.getDpsInputOperand(0)->get().getType())
          .clone(getElementTypeOrSelf(transpose.getResult(0).getType()));

  // The output's only user reads it through the inverse: its loops are x's.
  Value output = op.getOutput();
  if (!output.hasOneUse())
    return failure();
  auto consumer = dyn_cast<linalg::GenericOp>(*output.getUsers().begin());
  if (!consumer || !isElementwiseGeneric(consumer) ||
      consumer.getNumLoops() != toX.size() ||
      cast<RankedTensorType>(consumer.getResult(0).getType()).getShape() !=
          xType.getShape())
    return failure();
  for (OpOperand &use : consumer->getOpOperands())
    if (use.get() == output &&
        (!consumer.isDpsInput(&use) ||
         consumer.getMatchingIndexingMap(&use) != toXMap))
      return failure();

  // Tensors laid out along some axes keep their layout.
  NormDesc desc = op.getDesc();
  if ((desc.hasGamma || desc.hasBeta) && failed(mapAxes(desc.paramAxes, toX)))
    return failure();
  if (desc.givenStats && failed(mapAxes(desc.statsAxes, toX)))
    return failure();
  if (old->getNumResults() > 1) {
    SmallVector<int64_t> kept;
    for (int64_t a = 0; a < desc.rank; ++a)
      if (!desc.isReduced(a))
        kept.push_back(a);
    if (failed(mapAxes(kept, toX)))
      return failure();
  }
  // Fused operands are read through the same permutation; their maps must
  // stay broadcasts.
  auto remap = [&](SmallVector<AffineMap> maps) -> FailureOr<decltype(maps)> {
    for (AffineMap &map : maps) {
      map = map.compose(toXMap);
      if (!isBroadcastMap(map))
        return failure();
    }
    return maps;
  };
  FailureOr<SmallVector<AffineMap>> prologueMaps =
      remap(op.getPrologueIndexing());
  FailureOr<SmallVector<AffineMap>> epilogueMaps =
      remap(op.getEpilogueIndexing());
  if (failed(prologueMaps) || failed(epilogueMaps))
    return failure();

  // The axis attributes, mapped to x.
  SmallVector<NamedAttribute> axisAttrs;
  for (StringRef name : {"axes", "param_axes"}) {
    auto attr = old->getAttrOfType<DenseI64ArrayAttr>(name);
    if (!attr)
      continue;
    FailureOr<SmallVector<int64_t>> mapped =
        name == "axes" ? FailureOr<SmallVector<int64_t>>(
                             mapReduced(attr.asArrayRef(), toX))
                       : mapAxes(attr.asArrayRef(), toX);
    if (failed(mapped))
      return failure();
    axisAttrs.push_back(
        rewriter.getNamedAttr(name, rewriter.getDenseI64ArrayAttr(*mapped)));
  }
  // Instance and group norm keep axis 0 as the batch (never reduced): it
  // must stay axis 0.
  if (isa<InstanceNormOp, GroupNormOp>(old) && toX[0] != 0)
    return failure();
  // The channel axis, stored even where it was the default (1).
  if (isa<BatchNormOp, BatchNormInferenceOp, InstanceNormOp, GroupNormOp>(
          old)) {
    auto channel = old->getAttrOfType<IntegerAttr>("channel_axis");
    int64_t axis = channel ? channel.getInt() : 1;
    if (axis < 0 || axis >= static_cast<int64_t>(toX.size()))
      return failure();
    axisAttrs.push_back(rewriter.getNamedAttr(
        "channel_axis", rewriter.getI64IntegerAttr(toX[axis])));
  }

  // The new op must compute the old one's normalization, axis for axis:
  // compared on a probe without the fused parts (which the real op takes
  // from the old one), before anything changes.
  rewriter.setInsertionPoint(old);
  Type outputElement = getElementTypeOrSelf(output.getType());
  {
    FusedParts probeParts;
    probeParts.input = transpose.getDpsInputOperand(0)->get();
    probeParts.outputType =
        RankedTensorType::get(xType.getShape(), outputElement);
    NormalizationOpInterface probe = rebuildNormOp(rewriter, op, probeParts);
    for (NamedAttribute attr : axisAttrs)
      probe->setAttr(attr.getName(), attr.getValue());
    bool same = sameDescription(desc, probe.getDesc(), toX);
    rewriter.eraseOp(probe);
    if (!same)
      return failure();
  }

  Value x = materializeUntransposed(rewriter, transpose);
  FusedParts parts;
  parts.input = x;
  parts.prologueInputs = llvm::to_vector(op.getPrologueInputs());
  parts.prologueMaps = *prologueMaps;
  parts.prologue = &op.getPrologue();
  parts.epilogueInputs = llvm::to_vector(op.getEpilogueInputs());
  parts.epilogueMaps = *epilogueMaps;
  parts.epilogue = &op.getEpilogue();
  parts.outputType = RankedTensorType::get(xType.getShape(), outputElement);
  NormalizationOpInterface folded = rebuildNormOp(rewriter, op, parts);
  for (NamedAttribute attr : axisAttrs)
    folded->setAttr(attr.getName(), attr.getValue());

  // The consumer reads the new output as it is.
  Value newOutput = folded.getOutput();
  auto yield = cast<linalg::YieldOp>(consumer.getBody()->getTerminator());
  if (consumer.getNumDpsInputs() == 1 &&
      yield.getOperand(0) == consumer.getBody()->getArgument(0) &&
      consumer.getResult(0).getType() == newOutput.getType()) {
    rewriter.replaceOp(consumer, newOutput); // the transpose back itself
  } else {
    SmallVector<AffineMap> maps = consumer.getIndexingMapsArray();
    AffineMap identity = rewriter.getMultiDimIdentityMap(toX.size());
    rewriter.modifyOpInPlace(consumer, [&] {
      for (OpOperand *input : consumer.getDpsInputOperands()) {
        if (input->get() != output)
          continue;
        maps[input->getOperandNumber()] = identity;
        input->set(newOutput);
      }
      consumer.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
  }
  SmallVector<Value> rest(folded->getResults().drop_front());
  rest.insert(rest.begin(), newOutput);
  rewriter.replaceOp(old, rest);
  if (transpose->use_empty())
    rewriter.eraseOp(transpose);
  return success();
}
