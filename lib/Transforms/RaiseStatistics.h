//===- RaiseStatistics.h - Statistics a graph also returns ------*- C++ -*-===//

#ifndef NORM_LIB_TRANSFORMS_RAISESTATISTICS_H
#define NORM_LIB_TRANSFORMS_RAISESTATISTICS_H

namespace mlir {
class Operation;
class RewriterBase;
namespace norm {

/// Gives raised LayerNorms and RMSNorms the statistics results that the
/// program still computes and uses after them (ONNX LayerNormalization's
/// Mean and InvStdDev) and hands those to their users
/// (RaiseStatistics.cpp). Returns whether anything changed.
bool reuseRaisedStatistics(RewriterBase &rewriter, Operation *root);

} // namespace norm
} // namespace mlir

#endif // NORM_LIB_TRANSFORMS_RAISESTATISTICS_H
