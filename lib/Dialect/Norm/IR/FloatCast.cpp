//===- FloatCast.cpp - Converting between float types ---------------------===//

#include "norm/Dialect/Norm/IR/FloatCast.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

Value norm::castFloat(OpBuilder &b, Location loc, Value v, Type elem) {
  Type from = getElementTypeOrSelf(v.getType());
  if (from == elem)
    return v;
  auto retype = [&](Type e) -> Type {
    if (auto vt = dyn_cast<VectorType>(v.getType()))
      return VectorType::get(vt.getShape(), e);
    return e;
  };
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = elem.getIntOrFloatBitWidth();
  if (fromWidth == toWidth) { // f16 <-> bf16
    v = arith::ExtFOp::create(b, loc, retype(b.getF32Type()), v);
    return arith::TruncFOp::create(b, loc, retype(elem), v);
  }
  if (fromWidth < toWidth)
    return arith::ExtFOp::create(b, loc, retype(elem), v);
  return arith::TruncFOp::create(b, loc, retype(elem), v);
}
