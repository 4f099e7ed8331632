//===- NormVerify.h - Checks shared by the norm op verifiers ----*- C++ -*-===//

#ifndef NORM_LIB_DIALECT_NORM_IR_NORMVERIFY_H
#define NORM_LIB_DIALECT_NORM_IR_NORMVERIFY_H

#include "norm/Dialect/Norm/IR/NormOps.h"

namespace mlir::norm {

/// Prints a double as printf's %g does: 0.1, 1e-05, inf, nan.
std::string formatDouble(double value);

/// Checks that `axes` (the attribute called `name`) is a strictly increasing
/// list of axes of a rank-`rank` input, non-empty unless `allowEmpty`.
LogicalResult verifyAxisList(Operation *op, StringRef name,
                             ArrayRef<int64_t> axes, int64_t rank);

/// Checks that `axis` (the attribute called `name`) names an axis of a
/// rank-`rank` input, and that the input has at least `minRank` axes.
LogicalResult verifyChannelAxis(Operation *op, int64_t axis, int64_t rank,
                                int64_t minRank, StringRef layout);

/// The checks every norm op shares, written once against the op's NormDesc:
/// epsilon, compute type, result type, parameter and statistics shapes.
LogicalResult verifyNormalization(NormalizationOpInterface op, double epsilon);

} // namespace mlir::norm

#endif // NORM_LIB_DIALECT_NORM_IR_NORMVERIFY_H
