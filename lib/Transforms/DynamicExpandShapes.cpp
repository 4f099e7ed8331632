//===- DynamicExpandShapes.cpp - Several dynamic sizes in an expand_shape -===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMDYNAMICEXPANDSHAPESPASS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

/// Whether a reassociation group of `expand` has more than one dynamic size.
static bool hasSeveralDynamicSizes(memref::ExpandShapeOp expand) {
  MemRefType type = expand.getResultType();
  return llvm::any_of(expand.getReassociationIndices(),
                      [&](const ReassociationIndices &g) {
                        return llvm::count_if(g, [&](int64_t d) {
                                 return type.isDynamicDim(d);
                               }) > 1;
                      });
}

/// `ofr` as an attribute where `dynamic` is false and as a value otherwise,
/// as memref.reinterpret_cast wants them to match its result type.
static OpFoldResult asTyped(OpBuilder &b, Location loc, OpFoldResult ofr,
                            bool dynamic) {
  if (!dynamic || isa<Value>(ofr))
    return ofr;
  return arith::ConstantIndexOp::create(b, loc, *getConstantIntValue(ofr))
      .getResult();
}

static OpFoldResult multiply(OpBuilder &b, Location loc, OpFoldResult x,
                             OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x);
  std::optional<int64_t> cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  auto value = [&](OpFoldResult v) -> Value {
    if (auto c = getConstantIntValue(v))
      return arith::ConstantIndexOp::create(b, loc, *c);
    return cast<Value>(v);
  };
  return arith::MulIOp::create(b, loc, value(x), value(y)).getResult();
}

/// The expand_shape as a reinterpret_cast of its source's buffer: each
/// group's innermost size keeps the stride of the source dimension it
/// splits, and each outer one the next inner stride times the next inner
/// size of `output_shape`.
static void rewrite(IRRewriter &rewriter, memref::ExpandShapeOp expand) {
  Location loc = expand.getLoc();
  rewriter.setInsertionPoint(expand);
  auto meta =
      memref::ExtractStridedMetadataOp::create(rewriter, loc, expand.getSrc());
  MemRefType type = expand.getResultType();
  auto [typeStrides, typeOffset] = type.getStridesAndOffset();
  SmallVector<OpFoldResult> sourceStrides = meta.getConstifiedMixedStrides();
  SmallVector<OpFoldResult> sizes = expand.getMixedOutputShape();
  SmallVector<OpFoldResult> strides(type.getRank());
  for (auto [source, group] :
       llvm::enumerate(expand.getReassociationIndices())) {
    OpFoldResult stride = sourceStrides[source];
    for (int64_t d : llvm::reverse(group)) {
      strides[d] = stride;
      if (d != group.front())
        stride = multiply(rewriter, loc, stride, sizes[d]);
    }
  }
  for (int64_t d = 0; d < type.getRank(); ++d) {
    sizes[d] = asTyped(rewriter, loc, sizes[d], type.isDynamicDim(d));
    strides[d] = asTyped(rewriter, loc, strides[d],
                         ShapedType::isDynamic(typeStrides[d]));
  }
  OpFoldResult offset = asTyped(rewriter, loc, meta.getConstifiedMixedOffset(),
                                ShapedType::isDynamic(typeOffset));
  rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
      expand, type, meta.getBaseBuffer(), offset, sizes, strides);
}

namespace {
struct NormDynamicExpandShapesPass
    : norm::impl::NormDynamicExpandShapesPassBase<NormDynamicExpandShapesPass> {
  void runOnOperation() override {
    SmallVector<memref::ExpandShapeOp> expands;
    getOperation()->walk([&](memref::ExpandShapeOp expand) {
      if (hasSeveralDynamicSizes(expand))
        expands.push_back(expand);
    });
    IRRewriter rewriter(&getContext());
    for (memref::ExpandShapeOp expand : expands)
      rewrite(rewriter, expand);
  }
};
} // namespace
