//===- norm-opt.cpp - The norm optimizer driver ---------------------------===//
//
// mlir-opt for the norm dialect: the dialects and passes norm's pipelines use,
// nothing more.
//
//===----------------------------------------------------------------------===//

#include "norm/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::norm::registerNormDialects(registry);
  mlir::norm::registerNormPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "norm optimizer driver\n", registry));
}
