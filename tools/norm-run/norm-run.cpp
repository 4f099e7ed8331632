//===- norm-run.cpp - Run a norm function on the CPU ----------------------===//
//
// norm-run model.mlir --function=ln --input=4x768xf32=random --check
//
// The options and the work are in NormRunMain.cpp (docs/norm-run.md).
//
//===----------------------------------------------------------------------===//

#include "NormRunMain.h"

#include "llvm/Support/InitLLVM.h"

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  return mlir::norm::normRunMain(argc, argv);
}
