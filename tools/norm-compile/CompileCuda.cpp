//===- CompileCuda.cpp - norm-compile's CUDA target -----------------------===//

#include "CompileCuda.h"

#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Pass/PassManager.h"

#include <limits>

using namespace mlir;
using namespace mlir::norm;

static llvm::Error error(func::FuncOp func, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "@" + func.getSymName() + ": " + message);
}

llvm::Expected<std::vector<CudaKernel>>
norm::lowerToCuda(ModuleOp module, const GPUPipelineOptions &options) {
  std::vector<CudaKernel> kernels;
  std::vector<Operation *> normOps;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || !func.isPublic())
      continue;
    llvm::Expected<CKernel> c = describeKernel(func);
    if (!c)
      return c.takeError();
    CudaKernel kernel;
    kernel.c = *c;
    NormalizationOpInterface normOp;
    for (Operation &op : func.getBody().front()) {
      if (isa<func::ReturnOp>(op))
        continue;
      auto n = dyn_cast<NormalizationOpInterface>(op);
      if (!n || normOp)
        return error(func, "the CUDA target takes functions of one norm op "
                           "and a return (results between kernels would need "
                           "a workspace)");
      normOp = n;
    }
    if (!normOp)
      return error(func, "has no norm op");
    for (Value v : normOp->getOperands()) {
      auto arg = dyn_cast<BlockArgument>(v);
      if (!arg || arg.getOwner()->getParentOp() != func)
        return error(func, "the norm op's operands must be arguments of the "
                           "function");
      kernel.args.push_back({false, arg.getArgNumber(), 1});
    }
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    for (Value r : normOp->getResults()) {
      auto it = llvm::find(ret.getOperands(), r);
      if (it == ret.getOperands().end())
        return error(func, "every result of the norm op must be returned "
                           "(the kernel writes each of them)");
      kernel.args.push_back(
          {true, static_cast<unsigned>(it - ret.getOperands().begin()), 1});
    }
    // The product of the input's dynamic sizes, which the kernels take.
    auto input = cast<BlockArgument>(normOp.getInput());
    const CTensor &x = kernel.c.inputs[input.getArgNumber()];
    std::vector<std::string> dynamic;
    auto shape = cast<RankedTensorType>(input.getType()).getShape();
    for (auto [d, extent] : llvm::enumerate(shape))
      if (ShapedType::isDynamic(extent))
        dynamic.push_back(x.dims[d]);
    kernel.outer = llvm::join(dynamic, " * ");
    int64_t known = 1;
    for (int64_t extent : shape)
      if (!ShapedType::isDynamic(extent))
        known *= std::max<int64_t>(extent, 1);
    // 16: at most 8 bytes per element, with room for index arithmetic.
    kernel.maxOuter = std::numeric_limits<int64_t>::max() / 16 / known;
    kernels.push_back(std::move(kernel));
    normOps.push_back(normOp);
  }

  PassManager convert(module.getContext());
  NormConvertToGPUPassOptions convertOptions;
  convertOptions.maxClusterSize = gpuMaxClusterSize(options);
  convertOptions.prefetchMiB = options.prefetchMiB;
  convertOptions.packedRows = options.packedRows;
  convertOptions.rowValues = options.rowValues;
  convertOptions.stagedWeights = options.stagedWeights;
  convert.addPass(createNormConvertToGPUPass(convertOptions));
  if (failed(convert.run(module)))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "outlining GPU kernels failed");
  std::vector<std::string> binaries;
  for (auto [kernel, op] : llvm::zip(kernels, normOps)) {
    auto names = op->getAttrOfType<ArrayAttr>("norm.gpu_kernels");
    binaries.push_back(cast<SymbolRefAttr>(names[0]).getRootReference().str());
    for (Attribute attr : names) {
      auto ref = cast<SymbolRefAttr>(attr);
      auto func =
          SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(module, ref);
      bool vector = func.getName().ends_with("_vector");
      (vector ? kernel.vectorKernel : kernel.scalarKernel) =
          func.getName().str();
      for (int d = 0; d < 3; ++d) {
        if (auto grid = func.getKnownGridSizeAttr())
          (vector ? kernel.vectorGrid : kernel.grid)[d] = grid[d];
        (vector ? kernel.vectorBlock : kernel.block)[d] =
            func.getKnownBlockSizeAttr()[d];
      }
      if (auto f = func->getAttrOfType<DenseI64ArrayAttr>("norm.grid_formula"))
        for (int d = 0; d < 3; ++d)
          (vector ? kernel.vectorGridFormula : kernel.gridFormula)[d] = f[d];
      if (vector) {
        auto align =
            func->getAttrOfType<DenseI64ArrayAttr>("norm.arg_alignment");
        for (auto [arg, a] : llvm::zip(kernel.args, align.asArrayRef()))
          arg.alignment = a;
      }
    }
  }

  PassManager serialize(module.getContext());
  if (failed(buildGPUSerializationPipeline(serialize, options)))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "bad GPU options: chips sm_80 or later, format cubin, ptx or fatbin");
  if (failed(serialize.run(module)))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "compiling the GPU kernels failed");
  for (auto [kernel, name] : llvm::zip(kernels, binaries)) {
    auto binary = SymbolTable::lookupNearestSymbolFrom<gpu::BinaryOp>(
        module, StringAttr::get(module.getContext(), name));
    for (Attribute attr : binary.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(attr);
      auto target = cast<NVVM::NVVMTargetAttr>(object.getTarget());
      kernel.images.emplace_back(target.getChip().str(),
                                 object.getObject().getValue().str());
    }
  }
  return kernels;
}
