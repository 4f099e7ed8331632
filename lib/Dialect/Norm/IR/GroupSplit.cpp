//===- GroupSplit.cpp - Splitting a channel axis into groups --------------===//

#include "norm/Dialect/Norm/IR/GroupSplit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::norm;

GroupSplit mlir::norm::splitGroupAxis(OpBuilder &b, Location loc,
                                      ArrayRef<int64_t> staticShape,
                                      ArrayRef<OpFoldResult> sizes,
                                      int64_t position, int64_t groups) {
  GroupSplit split;
  for (auto [a, extent] : llvm::enumerate(staticShape)) {
    int64_t next = static_cast<int64_t>(split.shape.size());
    if (static_cast<int64_t>(a) != position) {
      split.reassociation.push_back({next});
      split.shape.push_back(extent);
      split.outputShape.push_back(sizes[a]);
      continue;
    }
    split.reassociation.push_back({next, next + 1});
    split.shape.push_back(groups);
    split.outputShape.push_back(b.getIndexAttr(groups));
    if (ShapedType::isDynamic(extent)) {
      split.shape.push_back(ShapedType::kDynamic);
      Value dim = getValueOrCreateConstantIndexOp(b, loc, sizes[a]);
      Value g = arith::ConstantIndexOp::create(b, loc, groups);
      split.outputShape.push_back(
          arith::DivUIOp::create(b, loc, dim, g).getResult());
    } else {
      split.shape.push_back(extent / groups);
      split.outputShape.push_back(b.getIndexAttr(extent / groups));
    }
  }
  return split;
}
