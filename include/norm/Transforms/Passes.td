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

def NormUnfusePass : Pass<"norm-unfuse"> {
  let summary = "Split fused norm ops into linalg.generic ops and plain norm ops";
  let description = [{
    The inverse of `norm-fuse-elementwise`: a norm op with a prologue becomes
    a linalg.generic that computes the prologue's tensor, the plain norm op
    on it, and a linalg.generic for the epilogue. The reference pipeline and
    the float64 reference of `norm-run --check` read fused ops this way.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def NormFuseElementwisePass : Pass<"norm-fuse-elementwise"> {
  let summary = "Fold elementwise producers and consumers into norm ops";
  let description = [{
    Folds the elementwise work around each norm op into its prologue and
    epilogue (docs/fusion.md): elementwise linalg.generic ops (all loops
    parallel, one result), named elementwise linalg ops and elementwise
    arith/math ops on tensors, with broadcasts written as indexing maps or
    linalg.broadcast. A producer whose value has other users is fused only
    when the norm op can return it (its prologue result) and those users come
    after the norm op; an operand whose indexing is not a broadcast along the
    input's dimensions (a transpose, a reshape) is never fused, and the
    result types of the function never change. A norm op whose input is a
    transpose of x and whose output is read through the inverse transpose
    takes x itself, its axes mapped through the permutation (NHWC batch and
    group norms written through NCHW, timm's LayerNorm2d).
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def NormRaisePass : Pass<"norm-raise"> {
  let summary = "Recognize normalizations written out in linalg";
  let description = [{
    Finds normalizations that importers write as several linalg ops
    (torch-mlir, ONNX decompositions): `(x - mean) * rsqrt(var + eps)`,
    `(x - mean) / sqrt(var + eps)` and `x * rsqrt(mean(x^2) + eps)`, with the
    mean and the biased variance (centered, or `mean(x^2) - mean(x)^2`) as
    sum reductions divided by the reduced element count, over any set of
    axes; `x / max(sqrt(sum(x^2)), eps)`
    (F.normalize); and batch norm with given
    statistics, `(x - m[c]) * rsqrt(v[c] + eps)` with per-channel f32
    vectors. The elementwise op that applies the
    formula reads a new `norm.layer_norm` or `norm.rms_norm` instead; the
    statistics ops go away when nothing else uses them, and what follows
    (gamma, beta, activations) stays for `--norm-fuse-elementwise`. Only the
    exact formula is matched, or its exact variant: epsilon added to the
    standard deviation, `sqrt(var) + eps`, gives a LayerNorm or RMSNorm with
    `epsilon_placement = #norm.epsilon<std>`, and a centered sum of squares
    divided by n - 1 (torch.var) a LayerNorm with `variance_estimator =
    #norm.variance<unbiased>`; another count leaves the IR as it is. A
    weight applied before the division, `(w * (x - mean)) / std`, is applied
    to the normalized value instead. The
    statistics may be computed in a wider type than the input (torch-mlir
    takes the variance in f64); the norm op computes them in f32. Named
    elementwise ops, linalg.reduce and arith ops on tensors are generalized
    first; other named ops (convolutions, matmuls) are left as they are. A
    LayerNorm over every axis after the second of an `[N, G, ...]` reshape
    of an `[N, C, ...]` tensor whose result is reshaped back (ONNX's
    GroupNormalization, PyTorch's group norm without weights) becomes a
    `norm.group_norm` of that tensor, and so does PyTorch's group norm with
    weights as torch-mlir imports it (`x * S[n, c] + T[n, c]`, S and T
    gathered from the group statistics and the weights with constant index
    tensors, each checked). A LayerNorm of a `[1, N * C, ...]` reshape over
    every axis but the second, reshaped back (PyTorch's instance norm
    without weights), becomes a `norm.instance_norm`. A statistic that the
    program still uses after a raised LayerNorm or RMSNorm (the mean,
    `rsqrt(var + eps)` or the variance of the same x over the same axes,
    such as ONNX LayerNormalization's Mean and InvStdDev outputs) is taken
    from the op's statistics results instead, and its reductions go away.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::norm::NormDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def NormOutlinePass : Pass<"norm-outline", "::mlir::ModuleOp"> {
  let summary = "Move each norm op into a private function of its own";
  let description = [{
    Every norm op of a function `@f` becomes a `func.call` of a new private
    function `@f_norm<k>` (k counts the function's norm ops) whose body is
    that op alone, marked `norm.outlined`. The callees are what
    `norm-compile` compiles (one norm op per function), and with
    `--norm-decompose` after this pass the module is plain upstream MLIR
    that other compilers take in, with one named call per normalization to
    substitute with norm's kernel: the IREE sample (examples/iree) does that
    with a transform spec.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def NormSortGlobalsPass : Pass<"norm-sort-globals", "::mlir::ModuleOp"> {
  let summary = "Put the module's memref.global ops first, ordered by name";
  let description = [{
    `one-shot-bufferize` creates a global per constant tensor in an order
    that varies from run to run (it walks functions in an order kept in a
    hash map), so the same input could give different objects. The CPU
    pipelines run this pass after bufferization: the output, and the object
    `norm-compile` writes, are the same on every run.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def NormStridedCopiesPass : Pass<"norm-strided-copies"> {
  let summary = "Copy between strided memrefs with linalg.copy";
  let description = [{
    `finalize-memref-to-llvm` turns a `memref.copy` between buffers that are
    not both contiguous (a padded tensor inserted into a larger one, a
    strided slice) into a call to `memrefCopy` from MLIR's C runner
    utilities, which neither norm-run's JIT nor an embedder's link has.
    This pass, run by both CPU pipelines after bufferization, rewrites such
    copies as `linalg.copy`, which `convert-linalg-to-loops` lowers to
    loops; copies between contiguous buffers stay `memref.copy` (a memcpy).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def NormDynamicExpandShapesPass : Pass<"norm-dynamic-expand-shapes"> {
  let summary = "Lower memref.expand_shape with several dynamic sizes in a "
                "group";
  let description = [{
    LLVM 22's `expand-strided-metadata` crashes on a `memref.expand_shape`
    with more than one dynamic size in one reassociation group
    (llvm-project#186830, fixed in LLVM 23). torch-mlir emits such reshapes
    for models imported with dynamic dimensions: a Linear flattens
    `[batch, seq, hidden]` to `[batch * seq, hidden]` and expands the result
    back with `output_shape [%batch, %seq, ...]`. This pass, run by both CPU
    pipelines before `expand-strided-metadata`, rewrites each such op as a
    `memref.reinterpret_cast` of its source's buffer: the innermost size of
    each group keeps the stride of the source dimension it splits, and each
    outer one the next inner stride times the next inner size of
    `output_shape`. Other expand_shape ops are left to upstream.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def NormReadOnlyArgumentsPass
    : Pass<"norm-read-only-arguments", "::mlir::ModuleOp"> {
  let summary = "Keep bufferization from writing into functions' tensor "
                "arguments";
  let description = [{
    Marks every tensor argument of a function with a body
    `bufferization.writable = false`. Without it, `one-shot-bufferize` with
    `bufferize-function-boundaries` takes arguments to be writable and may
    compute an elementwise op in place in the caller's input buffer
    (`linalg.generic ... outs(%arg0)`, as `convert-elementwise-to-linalg`
    writes `math.exp %arg0`): the caller's input would be overwritten. The
    CPU pipelines run this pass before bufferization; where a function
    would write into an argument, bufferization allocates a new buffer.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

#endif // NORM_TRANSFORMS_PASSES_TD
