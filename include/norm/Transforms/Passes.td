//===- Passes.td - Transformations of the norm dialect -----*- tablegen -*-===//

#ifndef NORM_TRANSFORMS_PASSES_TD
#define NORM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormDecomposePass : Pass<"norm-decompose"> {
  let summary = "Rewrite norm ops into linalg, arith and math on tensors";
  let description = [{
    The reference lowering: every norm op becomes linalg.generic reductions
    and elementwise ops on tensors that follow the op's documented formula
    literally (two passes over the input: the mean, then the centered sum of
    squares), in the op's compute type. It is the semantic oracle the
    optimized pipelines are tested against, not a fast path.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // NORM_TRANSFORMS_PASSES_TD
