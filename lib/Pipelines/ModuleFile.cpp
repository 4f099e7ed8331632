//===- ModuleFile.cpp - Reading a .mlir file in the norm tools ------------===//

#include "norm/Pipelines/ModuleFile.h"
#include "norm/Support/ParserGuard.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

using namespace mlir;

llvm::Error norm::readModuleFile(llvm::StringRef path, MLIRContext &context,
                                 ModuleFile &file) {
  std::string error;
  auto buffer = openInputFile(path, &error);
  if (!buffer)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  file.sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  file.diagnostics =
      std::make_unique<SourceMgrDiagnosticHandler>(file.sourceMgr, &context);
  if (reportParserHazard(file.sourceMgr))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot parse '" + path + "'");
  file.module = parseSourceFile<ModuleOp>(file.sourceMgr, &context);
  if (!file.module)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot parse '" + path + "'");
  return llvm::Error::success();
}
