//===- Decompose.cpp - Rewrite norm ops into linalg on tensors ------------===//
//
// The reference lowering. One pattern serves every norm op: it reads the op's
// NormDesc and emits the documented formula with linalg.generic reductions and
// elementwise ops, two passes over the input, in the op's compute type.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/GroupSplit.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/FusedForm.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMDECOMPOSEPASS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

/// Converts a float between element types, through f32 where neither type
/// holds the other (f16 and bf16).
static Value convertFloat(OpBuilder &b, Location loc, Value value, Type to) {
  Type from = value.getType();
  if (from == to)
    return value;
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth) {
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (fromWidth < toWidth)
    return arith::ExtFOp::create(b, loc, to, value);
  return arith::TruncFOp::create(b, loc, to, value);
}

static Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

namespace {

/// Builds the decomposition of one op. Coordinates are those of the "work"
/// tensor: the input, with a grouped axis split into (groups, per-group).
class Decomposer {
public:
  Decomposer(PatternRewriter &rewriter, NormalizationOpInterface op)
      : b(rewriter), loc(op.getLoc()), op(op), desc(op.getDesc()),
        ct(op.getComputeElementType()) {}

  LogicalResult run();

private:
  /// Splits the grouped axis of `value` (whose axis `position` is the input's
  /// channel axis) into (groups, per-group).
  Value splitGroups(Value value, int64_t position);
  AffineMap projection(ArrayRef<int64_t> axes) const {
    SmallVector<AffineExpr> exprs;
    for (int64_t a : axes)
      exprs.push_back(b.getAffineDimExpr(a));
    return AffineMap::get(workRank, 0, exprs, b.getContext());
  }
  Value emptyOn(ArrayRef<int64_t> axes, Type elem) {
    SmallVector<OpFoldResult> sizes;
    for (int64_t a : axes)
      sizes.push_back(workSizes[a]);
    return tensor::EmptyOp::create(b, loc, sizes, elem);
  }
  /// Sums `term(x, extra...)` over the reduced axes into a kept-shaped tensor.
  Value reduce(ValueRange extra,
               function_ref<Value(OpBuilder &, Location, ValueRange)> term);
  /// Applies `fn` elementwise to kept- or channel-shaped tensors.
  Value elementwise(ValueRange inputs, int64_t rank, Type elem,
                    function_ref<Value(OpBuilder &, Location, ValueRange)> fn);
  Value toStatsType(Value value, Type resultType);

  PatternRewriter &b;
  Location loc;
  NormalizationOpInterface op;
  NormDesc desc;
  Type ct;

  Value work;
  int64_t workRank = 0;
  SmallVector<OpFoldResult> workSizes;
  SmallVector<int64_t> reduced, kept;
  Value count; // number of reduced elements, in ct
};

} // namespace

Value Decomposer::splitGroups(Value value, int64_t position) {
  auto type = cast<RankedTensorType>(value.getType());
  GroupSplit split = splitGroupAxis(b, loc, type.getShape(),
                                    tensor::getMixedSizes(b, loc, value),
                                    position, desc.numGroups);
  auto resultType = RankedTensorType::get(split.shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, value,
                                       split.reassociation, split.outputShape);
}

Value Decomposer::reduce(
    ValueRange extra,
    function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
  Value init = emptyOn(kept, ct);
  Value zero = floatConst(b, loc, ct, 0.0);
  init = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  SmallVector<Value> inputs{work};
  llvm::append_range(inputs, extra);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(workRank)};
  for (size_t i = 0; i < extra.size(); ++i)
    maps.push_back(projection(kept));
  maps.push_back(projection(kept));
  SmallVector<utils::IteratorType> iterators(workRank,
                                             utils::IteratorType::parallel);
  for (int64_t a : reduced)
    iterators[a] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value value = term(nb, nloc, args.drop_back());
        Value sum = arith::AddFOp::create(nb, nloc, args.back(), value);
        linalg::YieldOp::create(nb, nloc, sum);
      });
  return generic.getResult(0);
}

Value Decomposer::elementwise(
    ValueRange inputs, int64_t rank, Type elem,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(b, loc, inputs.front());
  Value init = tensor::EmptyOp::create(b, loc, sizes, elem);
  SmallVector<AffineMap> maps(inputs.size() + 1,
                              b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, fn(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

Value Decomposer::toStatsType(Value value, Type resultType) {
  auto type = cast<RankedTensorType>(value.getType());
  auto target = cast<RankedTensorType>(resultType);
  if (type.getElementType() != target.getElementType())
    value = elementwise(value, type.getRank(), target.getElementType(),
                        [&](OpBuilder &nb, Location nloc, ValueRange args) {
                          return convertFloat(nb, nloc, args[0],
                                              target.getElementType());
                        });
  if (value.getType() != target)
    value = tensor::CastOp::create(b, loc, target, value);
  return value;
}

LogicalResult Decomposer::run() {
  Value input = op.getInput();
  auto inputType = cast<RankedTensorType>(input.getType());
  Type inElem = inputType.getElementType();

  work = desc.groupAxis >= 0 ? splitGroups(input, desc.groupAxis) : input;
  workRank = cast<RankedTensorType>(work.getType()).getRank();
  workSizes = tensor::getMixedSizes(b, loc, work);

  llvm::append_range(reduced, desc.reducedWorkAxes());
  for (int64_t a = 0; a < workRank; ++a)
    if (!llvm::is_contained(reduced, a))
      kept.push_back(a);

  // Parameters follow the input's axes; a grouped channel axis in them is
  // split the same way as the input.
  SmallVector<int64_t> paramWork = llvm::to_vector(desc.toWork(desc.paramAxes));
  int64_t groupParamPos = -1;
  for (auto [i, a] : llvm::enumerate(desc.paramAxes))
    if (a == desc.groupAxis)
      groupParamPos = static_cast<int64_t>(i);
  auto prepareParam = [&](Value param) -> Value {
    if (!param || groupParamPos < 0)
      return param;
    return splitGroups(param, groupParamPos);
  };
  Value gamma = prepareParam(op.getScaleOperand());
  Value beta = prepareParam(op.getShiftOperand());

  // Count of reduced elements, in the compute type.
  Value n = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t a : reduced)
    n = arith::MulIOp::create(
        b, loc, n, getValueOrCreateConstantIndexOp(b, loc, workSizes[a]));
  Value n64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
  count = arith::UIToFPOp::create(b, loc, ct, n64);

  Value eps = floatConst(b, loc, ct, desc.epsilon);
  Value mean, var, inv;
  AffineMap statsMap = projection(kept);
  if (desc.givenStats) {
    statsMap = projection(llvm::to_vector(desc.toWork(desc.statsAxes)));
    auto toCt = [&](Value v) {
      return elementwise(v, 1, ct,
                         [&](OpBuilder &nb, Location nloc, ValueRange args) {
                           return convertFloat(nb, nloc, args[0], ct);
                         });
    };
    mean = toCt(op.getMeanOperand());
    var = toCt(op.getVarOperand());
  } else {
    auto load = [&](OpBuilder &nb, Location nloc, Value x) {
      return convertFloat(nb, nloc, x, ct);
    };
    int64_t keptRank = static_cast<int64_t>(kept.size());
    auto divideBy = [&](Value sum, Value n) {
      return elementwise(sum, keptRank, ct,
                         [&](OpBuilder &nb, Location nloc, ValueRange args) {
                           return arith::DivFOp::create(nb, nloc, args[0], n);
                         });
    };
    auto divideByCount = [&](Value sum) { return divideBy(sum, count); };
    if (desc.center) {
      mean = divideByCount(
          reduce({}, [&](OpBuilder &nb, Location nloc, ValueRange args) {
            return load(nb, nloc, args[0]);
          }));
    }
    Value sumSq = reduce(mean ? ValueRange(mean) : ValueRange(),
                         [&](OpBuilder &nb, Location nloc, ValueRange args) {
                           Value x = load(nb, nloc, args[0]);
                           if (args.size() > 1)
                             x = arith::SubFOp::create(nb, nloc, x, args[1]);
                           return arith::MulFOp::create(nb, nloc, x, x);
                         });
    if (desc.scaling == Scaling::L2Norm) {
      inv = elementwise(sumSq, keptRank, ct,
                        [&](OpBuilder &nb, Location nloc, ValueRange args) {
                          Value norm = math::SqrtOp::create(nb, nloc, args[0]);
                          Value clamped =
                              arith::MaximumFOp::create(nb, nloc, norm, eps);
                          Value one = floatConst(nb, nloc, ct, 1.0);
                          return arith::DivFOp::create(nb, nloc, one, clamped);
                        });
    } else {
      // The unbiased variance divides by n - 1.
      Value n = count;
      if (desc.unbiasedVar)
        n = arith::SubFOp::create(b, loc, count, floatConst(b, loc, ct, 1.0));
      var = divideBy(sumSq, n);
    }
  }
  if (!inv) {
    int64_t rank = cast<RankedTensorType>(var.getType()).getRank();
    inv = elementwise(
        var, rank, ct, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          if (desc.scaling == Scaling::StdPlusEpsilon) {
            Value root = math::SqrtOp::create(nb, nloc, args[0]);
            Value sum = arith::AddFOp::create(nb, nloc, root, eps);
            return arith::DivFOp::create(nb, nloc,
                                         floatConst(nb, nloc, ct, 1.0), sum)
                .getResult();
          }
          Value sum = arith::AddFOp::create(nb, nloc, args[0], eps);
          return math::RsqrtOp::create(nb, nloc, sum).getResult();
        });
  }

  // y = (x - mean) * inv * g + beta, rounded once to the input type.
  SmallVector<Value> inputs{work};
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(workRank)};
  auto addInput = [&](Value v, AffineMap map) {
    inputs.push_back(v);
    maps.push_back(map);
    return static_cast<int64_t>(inputs.size()) - 1;
  };
  int64_t meanIdx = desc.center ? addInput(mean, statsMap) : -1;
  int64_t invIdx = addInput(inv, statsMap);
  int64_t gammaIdx = gamma ? addInput(gamma, projection(paramWork)) : -1;
  int64_t betaIdx = beta ? addInput(beta, projection(paramWork)) : -1;
  Value init =
      emptyOn(llvm::to_vector(llvm::seq<int64_t>(0, workRank)), inElem);
  maps.push_back(b.getMultiDimIdentityMap(workRank));
  SmallVector<utils::IteratorType> iterators(workRank,
                                             utils::IteratorType::parallel);
  auto normalize = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, init, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value y = convertFloat(nb, nloc, args[0], ct);
        if (meanIdx >= 0)
          y = arith::SubFOp::create(nb, nloc, y, args[meanIdx]);
        y = arith::MulFOp::create(nb, nloc, y, args[invIdx]);
        if (gammaIdx >= 0) {
          Value g = convertFloat(nb, nloc, args[gammaIdx], ct);
          if (desc.zeroCenteredGamma)
            g = arith::AddFOp::create(nb, nloc, g, floatConst(nb, nloc, ct, 1));
          y = arith::MulFOp::create(nb, nloc, y, g);
        }
        if (betaIdx >= 0)
          y = arith::AddFOp::create(nb, nloc, y,
                                    convertFloat(nb, nloc, args[betaIdx], ct));
        linalg::YieldOp::create(nb, nloc, convertFloat(nb, nloc, y, inElem));
      });
  Value output = normalize.getResult(0);
  if (desc.groupAxis >= 0) {
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t a = 0; a < inputType.getRank(); ++a) {
      if (a == desc.groupAxis)
        reassociation.push_back({a, a + 1});
      else
        reassociation.push_back({a < desc.groupAxis ? a : a + 1});
    }
    output = tensor::CollapseShapeOp::create(b, loc, inputType, output,
                                             reassociation);
  }

  SmallVector<Value> results{output};
  ValueRange statsResults = op.getStatsResults();
  switch (desc.stats) {
  case ReturnedStats::None:
    break;
  case ReturnedStats::Rstd:
    results.push_back(toStatsType(inv, statsResults[0].getType()));
    break;
  case ReturnedStats::MeanVar:
  case ReturnedStats::MeanRstd:
    results.push_back(toStatsType(mean, statsResults[0].getType()));
    results.push_back(
        toStatsType(desc.stats == ReturnedStats::MeanVar ? var : inv,
                    statsResults[1].getType()));
    break;
  }

  if (desc.updateRunning) {
    // new = (1 - w) * running + w * batch, with the unbiased variance
    // var * n / max(n - 1, 1) when asked for.
    Type st = ct.isF64() ? ct : b.getF32Type();
    Value one = floatConst(b, loc, st, 1.0);
    Value w = floatConst(b, loc, st, desc.batchWeight);
    Value keep = floatConst(b, loc, st, 1.0 - desc.batchWeight);
    Value factor = one;
    if (desc.unbiasedRunningVar) {
      Value nSt = convertFloat(b, loc, count, st);
      Value nm1 = arith::SubFOp::create(b, loc, nSt, one);
      Value denom = arith::MaximumFOp::create(b, loc, nm1, one);
      factor = arith::DivFOp::create(b, loc, nSt, denom);
    }
    ValueRange running = op.getRunningResults();
    auto update = [&](Value old, Value batch, Value scale, Type resultType) {
      Value updated =
          elementwise(ValueRange{old, batch}, 1, st,
                      [&](OpBuilder &nb, Location nloc, ValueRange args) {
                        Value o = convertFloat(nb, nloc, args[0], st);
                        Value v = convertFloat(nb, nloc, args[1], st);
                        v = arith::MulFOp::create(nb, nloc, v, scale);
                        Value a = arith::MulFOp::create(nb, nloc, keep, o);
                        Value c = arith::MulFOp::create(nb, nloc, w, v);
                        return arith::AddFOp::create(nb, nloc, a, c);
                      });
      return toStatsType(updated, resultType);
    };
    results.push_back(
        update(op.getMeanOperand(), mean, one, running[0].getType()));
    results.push_back(
        update(op.getVarOperand(), var, factor, running[1].getType()));
  }
  b.replaceOp(op, results);
  return success();
}

namespace {

struct DecomposeNormalization
    : OpInterfaceRewritePattern<NormalizationOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(NormalizationOpInterface op,
                                PatternRewriter &rewriter) const override {
    if (op.isFused())
      return failure(); // split first (populateUnfusePatterns)
    return Decomposer(rewriter, op).run();
  }
};

struct NormDecomposePass
    : norm::impl::NormDecomposePassBase<NormDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    if (failed(verifyNoNormOpsLeft(getOperation(), "could not be decomposed")))
      signalPassFailure();
  }
};

} // namespace

void mlir::norm::populateDecomposePatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeNormalization>(patterns.getContext());
  populateUnfusePatterns(patterns);
}
