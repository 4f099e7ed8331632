//===- Manifest.cpp - The machine-readable description of kernels ---------===//

#include "norm/AOT/Manifest.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::norm;

static llvm::json::Array strings(const std::vector<std::string> &values) {
  llvm::json::Array array;
  for (const std::string &v : values)
    array.push_back(v);
  return array;
}

static llvm::json::Object tensor(const CTensor &t) {
  return llvm::json::Object{{"name", t.name},
                            {"dtype", t.elementType},
                            {"shape", strings(t.dims)},
                            {"size_args", strings(t.sizeArgs)}};
}

std::string norm::emitManifest(llvm::ArrayRef<CKernel> kernels,
                               const ManifestTarget &target) {
  llvm::json::Array list;
  for (const CKernel &k : kernels) {
    llvm::json::Array inputs, outputs, requirements, ops;
    for (const CTensor &t : k.inputs)
      inputs.push_back(tensor(t));
    for (const CTensor &t : k.outputs)
      outputs.push_back(tensor(t));
    for (const auto &[condition, why] : k.requirements)
      requirements.push_back(
          llvm::json::Object{{"condition", condition}, {"reason", why}});
    for (const CKernelOp &op : k.ops) {
      llvm::json::Object attributes;
      for (const auto &[name, value] : op.attributes)
        attributes[name] = value;
      ops.push_back(llvm::json::Object{{"op", op.name},
                                       {"attributes", std::move(attributes)},
                                       {"prologue", op.prologue},
                                       {"epilogue", op.epilogue}});
    }
    llvm::json::Object launch;
    if (!k.gpuLaunch.empty()) {
      auto dims = [](const std::array<int64_t, 3> &a) {
        return llvm::json::Array{a[0], a[1], a[2]};
      };
      launch = llvm::json::Object{{"vector_kernel", k.gpuLaunch[0]},
                                  {"scalar_kernel", k.gpuLaunch[1]},
                                  {"grid", dims(k.gpuGrid)},
                                  {"vector_grid", dims(k.gpuVectorGrid)},
                                  {"block", dims(k.gpuBlock)},
                                  {"vector_block", dims(k.gpuVectorBlock)},
                                  {"shared_memory_bytes", "static"}};
    }
    llvm::json::Object rows;
    if (!k.tileRows.empty())
      rows = llvm::json::Object{
          {"c_function", k.name + "_rows"},
          {"symbol", "_mlir_ciface_" + k.name + "_rows"},
          {"rows", k.tileRows},
          {"arguments", "the C function's, then int64_t row_begin, row_end: "
                        "rows [row_begin, row_end) of `rows`"}};
    list.push_back(llvm::json::Object{
        {"name", k.name},
        {"c_function", k.name},
        {"symbol", k.gpuLaunch.empty() ? "_mlir_ciface_" + k.name
                                       : k.name + "_cuda_module"},
        {"inputs", std::move(inputs)},
        {"outputs", std::move(outputs)},
        {"requirements", std::move(requirements)},
        {"layout", "dense row-major; outputs allocated by the caller"},
        {"ops", std::move(ops)},
        {"launch", std::move(launch)},
        {"row_entry", std::move(rows)}});
  }
  llvm::json::Object root{
      {"format", "norm-kernels-1"},
      {"abi", "docs/aot.md: destination-passing; the plain C function "
              "returns norm_status; the symbol takes memref descriptors"},
      {"target", llvm::json::Object{{"triple", target.triple},
                                    {"cpu", target.cpu},
                                    {"features", target.features},
                                    {"vector_width", target.vectorWidth},
                                    {"native_bf16", target.nativeBF16}}},
      {"runtime", target.cuda
                      ? "libnorm_cuda.a: the driver through dlopen; the C "
                        "function takes device pointers and a stream"
                  : target.sequential
                      ? "none: the calling thread runs each kernel"
                      : "libnorm_runtime and LLVM's OpenMP runtime (-lomp)"},
      {"kernels", std::move(list)}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return text;
}
