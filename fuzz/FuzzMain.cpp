//===- FuzzMain.cpp - One libFuzzer binary per target ---------------------===//
//
// Compiled once per target with NORM_FUZZ_TARGET naming the entry point.
//
//===----------------------------------------------------------------------===//

#include "FuzzTargets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::norm::fuzz::NORM_FUZZ_TARGET(data, size);
  return 0;
}
