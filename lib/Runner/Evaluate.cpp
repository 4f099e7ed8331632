//===- Evaluate.cpp - Float64 evaluation of norm functions ----------------===//

#include "ConcreteShapes.h"
#include "EvaluateElementwise.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Runner/Runner.h"
#include "norm/Transforms/FusedForm.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::norm;

static llvm::Error evalError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error norm::checkInputs(func::FuncOp func,
                              llvm::ArrayRef<HostTensor> inputs) {
  if (inputs.size() != func.getNumArguments())
    return evalError("function '" + func.getSymName() + "' takes " +
                     llvm::Twine(func.getNumArguments()) + " inputs, got " +
                     llvm::Twine(inputs.size()));
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(func.getArgumentTypes(), inputs))) {
    auto [type, input] = pair;
    auto tensor = dyn_cast<RankedTensorType>(type);
    std::string expected;
    llvm::raw_string_ostream os(expected);
    os << type;
    if (!tensor)
      return evalError("input #" + llvm::Twine(i) + ": argument type " +
                       expected + " is not a ranked tensor");
    if (toDType(tensor.getElementType()) != input.dtype())
      return evalError("input #" + llvm::Twine(i) + " is " +
                       input.typeString() + " but the argument is " + expected);
    bool fits = tensor.getRank() == static_cast<int64_t>(input.shape().size());
    for (int64_t d = 0; fits && d < tensor.getRank(); ++d)
      fits = tensor.isDynamicDim(d) || tensor.getDimSize(d) == input.shape()[d];
    if (!fits)
      return evalError("input #" + llvm::Twine(i) + " is " +
                       input.typeString() + " but the argument is " + expected);
  }
  auto shapes = propagateShapes(func, inputs);
  if (!shapes)
    return shapes.takeError();
  return llvm::Error::success();
}

/// Appends the values of a dense_resource constant of type `Attr`; false
/// if `value` is not one.
template <typename Attr>
static bool appendResource(Attribute value, std::vector<double> &data) {
  auto resource = dyn_cast<Attr>(value);
  if (!resource)
    return false;
  if (auto values = resource.tryGetAsArrayRef())
    for (auto x : *values)
      data.push_back(static_cast<double>(x));
  return true;
}

/// The values of a statically shaped tensor constant: dense float or
/// integer elements, or dense_resource ones of f32, f64, i32 or i64 (as
/// torch-mlir writes a module's parameters and its gathers' index tables).
static std::optional<ref::Tensor> constantTensor(arith::ConstantOp constant) {
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  ref::Tensor tensor;
  tensor.shape.assign(type.getShape().begin(), type.getShape().end());
  tensor.data.reserve(type.getNumElements());
  Attribute value = constant.getValue();
  if (auto floats = dyn_cast<DenseFPElementsAttr>(value)) {
    for (const APFloat &v : floats.getValues<APFloat>())
      tensor.data.push_back(FloatAttr::getValueAsDouble(v));
  } else if (auto ints = dyn_cast<DenseIntElementsAttr>(value)) {
    for (const APInt &v : ints.getValues<APInt>())
      tensor.data.push_back(static_cast<double>(v.getSExtValue()));
  } else if (!appendResource<DenseF32ResourceElementsAttr>(value,
                                                           tensor.data) &&
             !appendResource<DenseF64ResourceElementsAttr>(value,
                                                           tensor.data) &&
             !appendResource<DenseI32ResourceElementsAttr>(value,
                                                           tensor.data) &&
             !appendResource<DenseI64ResourceElementsAttr>(value,
                                                           tensor.data)) {
    return std::nullopt;
  }
  if (static_cast<int64_t>(tensor.data.size()) != type.getNumElements())
    return std::nullopt;
  return tensor;
}

/// A tensor of `shape` with every element `value`.
static ref::Tensor filledTensor(const std::vector<int64_t> &shape,
                                double value) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return {shape, std::vector<double>(n, value)};
}

/// Row-major strides of `shape`.
static std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Calls `f(sliceLinear, tensorLinear)` for every element of the slice of
/// `shape` at `offsets`, `sizes` and `strides` (row-major order of the
/// slice); false if the slice leaves the tensor.
static bool forEachInSlice(const std::vector<int64_t> &shape,
                           ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                           ArrayRef<int64_t> strides,
                           llvm::function_ref<void(int64_t, int64_t)> f) {
  size_t rank = shape.size();
  if (offsets.size() != rank || sizes.size() != rank || strides.size() != rank)
    return false;
  int64_t count = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (sizes[d] == 0)
      return true;
    int64_t last = offsets[d] + (sizes[d] - 1) * strides[d];
    if (sizes[d] < 0 || offsets[d] < 0 || offsets[d] >= shape[d] || last < 0 ||
        last >= shape[d])
      return false;
    count *= sizes[d];
  }
  std::vector<int64_t> tensorStrides = stridesOf(shape);
  std::vector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < count; ++linear) {
    int64_t at = 0;
    for (size_t d = 0; d < rank; ++d)
      at += (offsets[d] + index[d] * strides[d]) * tensorStrides[d];
    f(linear, at);
    for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
  }
  return true;
}

static ref::Tensor toRef(const HostTensor &tensor) {
  return {std::vector<int64_t>(tensor.shape().begin(), tensor.shape().end()),
          tensor.toDoubles()};
}

static llvm::Expected<std::vector<ref::Tensor>>
evaluateBlock(func::FuncOp func, llvm::ArrayRef<HostTensor> inputs) {
  if (!func.getBody().hasOneBlock())
    return evalError("--check needs a function with a single block");
  auto shapes = propagateShapes(func, inputs);
  if (!shapes)
    return shapes.takeError();
  llvm::DenseMap<Value, ref::Tensor> values;
  for (auto [arg, input] : llvm::zip(func.getArguments(), inputs))
    values[arg] = toRef(input);

  auto lookup = [&](Value v) -> const ref::Tensor * {
    if (!v)
      return nullptr;
    auto it = values.find(v);
    return it == values.end() ? nullptr : &it->second;
  };
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<ref::Tensor> results;
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        const ref::Tensor *t = lookup(v);
        if (!t) {
          Operation *def = v.getDefiningOp();
          return evalError(
              "--check has no float64 reference for result #" + llvm::Twine(i) +
              (def ? " (made by '" + def->getName().getStringRef() + "')"
                   : llvm::Twine()));
        }
        results.push_back(*t);
      }
      return results;
    }
    // Shapes and scalars only feed the ops below; the assertions were
    // checked with the shapes.
    auto integer = [](Value v) {
      return getElementTypeOrSelf(v.getType()).isIntOrIndex();
    };
    // Integer tensor constants a body reads (torch-mlir's gathers index
    // with them); those that do not fit are left to the shape checks.
    if (auto constant = dyn_cast<arith::ConstantOp>(op);
        constant && integer(constant.getResult())) {
      if (std::optional<ref::Tensor> t = constantTensor(constant)) {
        values[constant.getResult()] = std::move(*t);
        continue;
      }
      // An integer scalar a generic reads (the fill of an argmax's index).
      if (auto i = dyn_cast<IntegerAttr>(constant.getValue())) {
        values[constant.getResult()] =
            ref::Tensor{{}, {static_cast<double>(i.getValue().getSExtValue())}};
        continue;
      }
    }
    auto shapeGeneric = dyn_cast<linalg::GenericOp>(op);
    if (isa<tensor::EmptyOp, cf::AssertOp>(op) ||
        (isa<tensor::FromElementsOp, tensor::ExtractOp, tensor::ExtractSliceOp,
             arith::ConstantOp>(op) &&
         integer(op.getResult(0))) ||
        // ONNX shape arithmetic on rank-0 integer tensors.
        (shapeGeneric && shapeGeneric.getNumLoops() == 0 &&
         llvm::all_of(op.getResults(), integer)) ||
        (isa<arith::ConstantOp>(op) &&
         !isa<TensorType, FloatType>(op.getResult(0).getType())) ||
        (op.getNumResults() > 0 &&
         llvm::all_of(op.getResultTypes(),
                      [](Type t) { return t.isIntOrIndex(); })))
      continue;
    if (auto constant = dyn_cast<arith::ConstantOp>(op);
        constant && isa<FloatAttr>(constant.getValue())) {
      // A scalar a generic reads: a rank-0 tensor.
      values[constant.getResult()] = ref::Tensor{
          {}, {cast<FloatAttr>(constant.getValue()).getValueAsDouble()}};
      continue;
    }
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      std::optional<ref::Tensor> tensor = constantTensor(constant);
      if (!tensor)
        return evalError("--check evaluates only statically shaped dense "
                         "constants and f32/f64 dense_resource ones");
      values[constant.getResult()] = std::move(*tensor);
      continue;
    }
    // Row-major reshapes and casts keep the data as it is.
    if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::ReshapeOp,
            tensor::CastOp>(op)) {
      const ref::Tensor *source = lookup(op.getOperand(0));
      const std::vector<int64_t> *shape = shapes->shapeOf(op.getResult(0));
      if (!source || !shape)
        return evalError("--check cannot evaluate a '" +
                         op.getName().getStringRef() +
                         "' of an unevaluated tensor or an unknown shape");
      ref::Tensor tensor = *source;
      tensor.shape = *shape;
      values[op.getResult(0)] = std::move(tensor);
      continue;
    }
    // Slices (torch-mlir's split of a fused projection, its updates of a
    // part of a tensor), at offsets, sizes and strides that are constants
    // or sizes the shape propagation knows.
    struct Slice {
      SmallVector<int64_t> offsets, sizes, strides;
    };
    auto sliceOf =
        [&](OffsetSizeAndStrideOpInterface sliced) -> std::optional<Slice> {
      auto known = [&](ArrayRef<OpFoldResult> in, SmallVector<int64_t> &out) {
        for (OpFoldResult v : in) {
          if (std::optional<int64_t> c = getConstantIntValue(v)) {
            out.push_back(*c);
            continue;
          }
          auto it = shapes->integers.find(cast<Value>(v));
          if (it == shapes->integers.end())
            return false;
          out.push_back(it->second);
        }
        return true;
      };
      Slice slice;
      if (!known(sliced.getMixedOffsets(), slice.offsets) ||
          !known(sliced.getMixedSizes(), slice.sizes) ||
          !known(sliced.getMixedStrides(), slice.strides))
        return std::nullopt;
      return slice;
    };
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
      const ref::Tensor *source = lookup(slice.getSource());
      const std::vector<int64_t> *shape = shapes->shapeOf(slice.getResult());
      std::optional<Slice> where = sliceOf(slice);
      if (!source || !shape || !where)
        return evalError("--check cannot evaluate a 'tensor.extract_slice' "
                         "of an unevaluated tensor or at unknown positions");
      // The sizes, less the dropped unit dimensions.
      ref::Tensor result = filledTensor(*shape, 0.0);
      if (!forEachInSlice(source->shape, where->offsets, where->sizes,
                          where->strides, [&](int64_t i, int64_t at) {
                            result.data[i] = source->data[at];
                          }))
        return evalError("tensor.extract_slice: the slice leaves its source");
      values[slice.getResult()] = std::move(result);
      continue;
    }
    // Concatenation (torch.cat: rotary embeddings' rotate_half): each
    // input is the slice of the result at its running offset.
    if (auto concat = dyn_cast<tensor::ConcatOp>(op)) {
      const std::vector<int64_t> *shape = shapes->shapeOf(concat.getResult());
      if (!shape)
        return evalError("--check cannot tell the shape of a 'tensor.concat'");
      ref::Tensor result = filledTensor(*shape, 0.0);
      int64_t dim = static_cast<int64_t>(concat.getDim());
      SmallVector<int64_t> offsets(shape->size(), 0);
      SmallVector<int64_t> unit(shape->size(), 1);
      for (Value input : concat.getInputs()) {
        const ref::Tensor *part = lookup(input);
        if (!part || part->shape.size() != shape->size())
          return evalError("--check cannot evaluate an input of a "
                           "'tensor.concat'");
        if (!forEachInSlice(*shape, offsets, part->shape, unit,
                            [&](int64_t i, int64_t at) {
                              result.data[at] = part->data[i];
                            }))
          return evalError("tensor.concat: an input does not fit the result");
        offsets[dim] += part->shape[dim];
      }
      values[concat.getResult()] = std::move(result);
      continue;
    }
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
      const ref::Tensor *source = lookup(insert.getSource());
      const ref::Tensor *dest = lookup(insert.getDest());
      std::optional<Slice> where = sliceOf(insert);
      if (!source || !dest || !where)
        return evalError("--check cannot evaluate a 'tensor.insert_slice' "
                         "of an unevaluated tensor or at unknown positions");
      ref::Tensor result = *dest;
      if (!forEachInSlice(dest->shape, where->offsets, where->sizes,
                          where->strides, [&](int64_t i, int64_t at) {
                            result.data[at] = source->data[i];
                          }))
        return evalError("tensor.insert_slice: the slice leaves its "
                         "destination");
      values[insert.getResult()] = std::move(result);
      continue;
    }
    // Padding with a constant (a convolution's border, as torch-mlir
    // writes it): the source placed at the low padding.
    if (auto pad = dyn_cast<tensor::PadOp>(op)) {
      const ref::Tensor *source = lookup(pad.getSource());
      const std::vector<int64_t> *shape = shapes->shapeOf(pad.getResult());
      Value padValue = pad.getConstantPaddingValue();
      FloatAttr fill;
      if (!source || !shape || !padValue ||
          !matchPattern(padValue, m_Constant(&fill)) ||
          llvm::any_of(pad.getStaticLow(), ShapedType::isDynamic))
        return evalError("--check evaluates only tensor.pad ops with static "
                         "low padding and a constant float padding value");
      ref::Tensor padded = filledTensor(*shape, fill.getValueAsDouble());
      SmallVector<int64_t> unit(shape->size(), 1);
      if (!forEachInSlice(*shape, pad.getStaticLow(), source->shape, unit,
                          [&](int64_t i, int64_t at) {
                            padded.data[at] = source->data[i];
                          }))
        return evalError("tensor.pad: the source does not fit the result");
      values[pad.getResult()] = std::move(padded);
      continue;
    }
    if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
      auto loops = shapes->loops.find(generic);
      std::vector<std::vector<int64_t>> outs;
      for (Value init : generic.getDpsInits()) {
        const std::vector<int64_t> *out =
            lookup(init) ? &lookup(init)->shape : shapes->shapeOf(init);
        if (!out)
          break;
        outs.push_back(*out);
      }
      if (loops == shapes->loops.end() ||
          outs.size() != static_cast<size_t>(generic.getNumDpsInits()))
        return evalError("--check cannot tell the shape of a linalg.generic");
      auto size = [&](Value v) -> std::optional<int64_t> {
        auto it = shapes->integers.find(v);
        if (it == shapes->integers.end())
          return std::nullopt;
        return it->second;
      };
      // About four million iterations a second: say so before a long one
      // (a full-size convolution takes minutes).
      double iterations = 1;
      for (int64_t d : loops->second)
        iterations *= static_cast<double>(d);
      if (iterations > 1e9)
        llvm::errs() << "norm-run: note: --check evaluates "
                     << llvm::format("%.2g", iterations) << " iterations of "
                     << describeOp(generic)
                     << " in float64; this takes minutes\n";
      llvm::Expected<std::vector<ref::Tensor>> results =
          evaluateGeneric(generic, {lookup, size}, loops->second, outs);
      if (!results)
        return evalError(describeOp(generic) + ": " +
                         llvm::toString(results.takeError()));
      // Each tensor holds values of its element type.
      for (auto [v, t] : llvm::zip(generic.getResults(), *results)) {
        Type elem = getElementTypeOrSelf(v.getType());
        for (double &x : t.data)
          x = roundToType(elem, x);
        values[v] = std::move(t);
      }
      continue;
    }
    auto norm = dyn_cast<NormalizationOpInterface>(op);
    if (!norm)
      return evalError("--check has no float64 reference for '" +
                       op.getName().getStringRef() +
                       "'; only norm ops, linalg ops, constants, reshapes, "
                       "slices, concatenation and constant padding are "
                       "supported");
    ref::Operands operands;
    operands.input = lookup(norm.getInput());
    operands.gamma = lookup(norm.getScaleOperand());
    operands.beta = lookup(norm.getShiftOperand());
    operands.mean = lookup(norm.getMeanOperand());
    operands.var = lookup(norm.getVarOperand());
    if (!operands.input)
      return evalError("--check cannot evaluate the input of '" +
                       op.getName().getStringRef() + "'");
    ref::Results results;
    std::string error;
    if (!ref::evaluate(norm.getDesc(), operands, results, error))
      return evalError("reference evaluation of '" +
                       op.getName().getStringRef() + "' failed: " + error);
    values[norm.getOutput()] = std::move(results.output);
    for (auto [v, t] : llvm::zip(norm.getStatsResults(), results.stats))
      values[v] = std::move(t);
    for (auto [v, t] : llvm::zip(norm.getRunningResults(), results.running))
      values[v] = std::move(t);
  }
  return evalError("function has no return");
}

llvm::Expected<std::vector<ref::Tensor>>
norm::evaluateReference(func::FuncOp func, llvm::ArrayRef<HostTensor> inputs) {
  if (llvm::Error err = checkInputs(func, inputs))
    return std::move(err);
  func::FuncOp plain = func.clone();
  // Fused norm ops are read as what they mean, and named or arith ops on
  // tensors as linalg.generic ops.
  RewritePatternSet patterns(func.getContext());
  populateUnfusePatterns(patterns);
  linalg::populateLinalgNamedOpsGeneralizationPatterns(patterns);
  linalg::populateElementwiseToLinalgConversionPatterns(patterns);
  (void)applyPatternsGreedily(plain, std::move(patterns));
  auto results = evaluateBlock(plain, inputs);
  plain.erase();
  return results;
}

/// Orders element types from finest to coarsest.
static int coarseness(DType type) {
  switch (type) {
  case DType::F64:
    return 0;
  case DType::F32:
    return 1;
  case DType::F16:
    return 2;
  case DType::BF16:
    return 3;
  case DType::F8E4M3FN:
    return 4;
  case DType::I8:
    return 5;
  }
  return 1;
}

std::vector<DType> norm::resultPrecisions(func::FuncOp func) {
  std::vector<DType> precisions;
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (Value v : ret.getOperands()) {
    DType type =
        toDType(getElementTypeOrSelf(v.getType())).value_or(DType::F32);
    if (auto norm = v.getDefiningOp<NormalizationOpInterface>()) {
      DType compute = toDType(norm.getComputeElementType()).value_or(type);
      if (coarseness(compute) > coarseness(type))
        type = compute;
    }
    precisions.push_back(type);
  }
  return precisions;
}
