//===- ModuleFile.h - Reading a .mlir file in the norm tools ----*- C++ -*-===//

#ifndef NORM_PIPELINES_MODULEFILE_H
#define NORM_PIPELINES_MODULEFILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>

namespace mlir::norm {

/// A parsed .mlir file. Diagnostics, during parsing and later (passes), are
/// printed against its source for as long as it lives.
struct ModuleFile {
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<SourceMgrDiagnosticHandler> diagnostics;
  OwningOpRef<ModuleOp> module;
};

/// Reads and parses `path` ("-" for standard input) into `file`; the error
/// is a one-line reason (the parser's own diagnostics are printed).
llvm::Error readModuleFile(llvm::StringRef path, MLIRContext &context,
                           ModuleFile &file);

} // namespace mlir::norm

#endif // NORM_PIPELINES_MODULEFILE_H
