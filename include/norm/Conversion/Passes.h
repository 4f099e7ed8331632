//===- Passes.h - Lowerings of the norm dialect -----------------*- C++ -*-===//

#ifndef NORM_CONVERSION_PASSES_H
#define NORM_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace norm {

#define GEN_PASS_DECL
#include "norm/Conversion/Passes.h.inc"

/// Adds the patterns lowering norm ops to vector loops on buffers, with
/// `vectorWidth` elements per vector operation and non-temporal stores for
/// outputs of at least `streamingThreshold` bytes.
void populateNormToVectorPatterns(RewritePatternSet &patterns,
                                  int64_t vectorWidth,
                                  int64_t streamingThreshold);

/// Adds the pattern writing arith.truncf to f8E4M3FN as integer operations.
void populateExpandF8Patterns(RewritePatternSet &patterns);
/// Adds the pattern writing arith.truncf from f32 to bf16 as integer
/// operations on 32-bit lanes (targets without a bf16 conversion).
void populateExpandBF16Patterns(RewritePatternSet &patterns);

/// Adds the rational approximation of math.erf on f32 scalars and vectors
/// (at most 5 ulp from the exact value; docs/cpu.md), with a benefit above
/// upstream's polynomial approximation patterns.
void populateErfApproximationPatterns(RewritePatternSet &patterns);

/// Four native f32 vectors of a target with (or without) AVX-512 and AVX:
/// 64, 32 or 16 elements.
int64_t vectorWidthFor(bool avx512, bool avx);
/// vectorWidthFor the host.
int64_t hostVectorWidth();

#define GEN_PASS_REGISTRATION
#include "norm/Conversion/Passes.h.inc"

} // namespace norm
} // namespace mlir

#endif // NORM_CONVERSION_PASSES_H
