//===- FuzzTargets.h - Entry points of norm's fuzz targets ------*- C++ -*-===//
//
// Each target takes arbitrary bytes and must neither crash, hang nor trip a
// sanitizer. The libFuzzer binaries (make fuzz) call one target each;
// norm-fuzz-replay (make check) runs every target over its regression
// corpus in test/Fuzz/.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_FUZZ_FUZZTARGETS_H
#define NORM_FUZZ_FUZZTARGETS_H

#include <cstddef>
#include <cstdint>

namespace mlir::norm::fuzz {

/// The .npy reader.
void npyReader(const uint8_t *data, size_t size);
/// norm-run's --input values.
void inputSpec(const uint8_t *data, size_t size);
/// norm-opt's and norm-compile's path: parse, verify, then the
/// decomposition and the CPU lowering to the LLVM dialect on what verifies,
/// and the C ABI (header, caller-provided outputs) where it applies.
void normOpt(const uint8_t *data, size_t size);
/// norm-run's command line: one argument per line, run in a scratch
/// directory holding k.mlir and x.npy.
void normRunArgs(const uint8_t *data, size_t size);

} // namespace mlir::norm::fuzz

#endif // NORM_FUZZ_FUZZTARGETS_H
