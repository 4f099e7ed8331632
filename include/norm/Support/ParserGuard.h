//===- ParserGuard.h - Inputs upstream MLIR's parser crashes on -*- C++ -*-===//
//
// The custom parsers of linalg.broadcast, linalg.transpose and linalg.reduce
// in LLVM/MLIR 22 store their `dimensions` / `permutation` array without
// checking that it parsed: an array that is not a list of 64-bit integers
// (`dimensions = [&]`, `= y`, `[1,]`, a value past 2^63) leaves a null
// attribute and the parser dereferences it (SEGV in Attribute::getContext).
// Stock mlir-opt crashes the same way. norm's tools scan their input for such
// arrays first and reject it with an error instead (docs/robustness.md).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_SUPPORT_PARSERGUARD_H
#define NORM_SUPPORT_PARSERGUARD_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mlir::norm {

/// An array the upstream parser would crash on.
struct ParserHazard {
  size_t offset; // of the array in the source
  std::string message;
};

/// The first such array in `source` (custom-form linalg.broadcast,
/// linalg.transpose or linalg.reduce; quoted generic forms are safe), if any.
std::optional<ParserHazard> findParserHazard(llvm::StringRef source);

/// Prints the first hazard of the main buffer of `sourceMgr` as an error at
/// its location to stderr; true if there was one.
bool reportParserHazard(llvm::SourceMgr &sourceMgr);

} // namespace mlir::norm

#endif // NORM_SUPPORT_PARSERGUARD_H
