//===- NormOps.td - Operations of the norm dialect ---------*- tablegen -*-===//

#ifndef NORM_OPS_TD
#define NORM_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "norm/Dialect/Norm/IR/NormDialect.td"
include "norm/Dialect/Norm/IR/NormEnums.td"
include "norm/Dialect/Norm/IR/NormInterfaces.td"

//===----------------------------------------------------------------------===//
// Shared pieces
//===----------------------------------------------------------------------===//

def Norm_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Norm_StatsTensor : RankedTensorOf<[F32]>;
// The normalized result: a float, or i8 / f8E4M3FN when an epilogue
// quantizes it.
def Norm_OutputTensor : RankedTensorOf<[F32, F16, BF16, I8, F8E4M3FN]>;

class Norm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Norm_Dialect, mnemonic,
         !listconcat(traits, [Pure, IsolatedFromAbove,
             AttrSizedOperandSegments,
             Norm_NormalizationOpInterface])> {
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  // The fused prologue and epilogue (docs/fusion.md); empty when absent.
  let regions = (region MaxSizedRegion<1>:$prologue,
                        MaxSizedRegion<1>:$epilogue);
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verifyRegions() {
      return ::mlir::norm::verifyFusedRegions(*this);
    }
  }];
}

// Operands of the fused prologue and epilogue, and how they are indexed.
defvar FusionArguments = (ins
    Variadic<AnyRankedTensor>:$prologue_inputs,
    Variadic<AnyRankedTensor>:$epilogue_inputs,
    OptionalAttr<AffineMapArrayAttr>:$prologue_maps,
    OptionalAttr<AffineMapArrayAttr>:$epilogue_maps);
// The value the prologue computed, returned when asked for.
defvar FusionResults = (outs Optional<Norm_FloatTensor>:$prologue_result);
defvar FusionFormat = [{
    `` custom<Prologue>($prologue_inputs, type($prologue_inputs),
                        type($prologue_result), $prologue)
    `` custom<Epilogue>($epilogue_inputs, type($epilogue_inputs), $epilogue)
}];

defvar FusionDoc = [{

    Every norm op can carry fused elementwise work (docs/fusion.md): a
    `prologue` region computes the tensor that is normalized from the input
    and `prologue` operands (a residual, a bias, a cast), optionally returned
    as the last result (`-> type`); an `epilogue` region maps each normalized
    element, with `epilogue` operands, to the output element (bias, scale,
    activation, cast). Extra operands are indexed by `prologue_maps` and
    `epilogue_maps` (identity by default).
}];



defvar AffineOperandsDoc = [{
    `gamma` and `beta` are optional. Their shape is the input's extents on
    `param_axes`, in order, and their element type is the input's or f32. With
    `zero_centered_gamma` the scale is `1 + gamma` (Gemma, TransformerEngine).
}];

defvar ComputeTypeDoc = [{
    Arithmetic is done in `compute_type` (default f32; ONNX's `stash_type`),
    which is f32 or f64 (16-bit types are rejected: the statistics are sums
    over whole rows, which 16 bits cannot accumulate); the result is rounded
    once to the output element type. Statistics results are f32.
}];

//===----------------------------------------------------------------------===//
// layer_norm
//===----------------------------------------------------------------------===//

def Norm_LayerNormOp : Norm_Op<"layer_norm", [AttrSizedResultSegments]> {
  let summary = "layer normalization over any set of axes";
  let description = !strconcat([{
    Normalizes `input` by the mean and variance taken over `axes`, any
    non-empty set of axes (trailing as in PyTorch and ONNX, or e.g. the
    channel axis of an NCHW tensor as in ConvNeXt):

    ```
    mean = sum(x over axes) / n
    var  = sum((x - mean)^2 over axes) / n
    y    = (x - mean) * rsqrt(var + epsilon) * g + beta
    ```

    with n the number of reduced elements and g = gamma, or 1 + gamma with
    `zero_centered_gamma`. Training and inference compute the same thing, at
    any batch size.

    `param_axes` (default: `axes`) are the axes gamma and beta vary along;
    adding the batch axis gives per-example scale and shift (adaptive
    LayerNorm as in DiT).
  }], AffineOperandsDoc, ComputeTypeDoc, FusionDoc, [{

    With `epsilon_placement = #norm.epsilon<std>` epsilon is added to the
    standard deviation instead: `(x - mean) / (sqrt(var) + epsilon)`, as
    some models write it by hand (the default, `#norm.epsilon<variance>`, is
    every framework's LayerNorm). With `variance_estimator =
    #norm.variance<unbiased>` the variance is `sum((x - mean)^2) / (n - 1)`,
    as a LayerNorm written with `torch.std` or `torch.var` (whose default
    is unbiased) computes it; n = 1 then gives NaN, as there, and a static
    n = 1 is rejected.

    With two extra results the op also returns the statistics, shaped as the
    input without the reduced axes: the mean and, per `stats`, the inverse
    standard deviation `rsqrt(var + epsilon)` (default, like ONNX's
    InvStdDev; `1 / (sqrt(var) + epsilon)` with epsilon on the standard
    deviation) or the biased variance.

    Example:

    ```mlir
    %y = norm.layer_norm %x gamma(%g : tensor<768xf32>)
           beta(%b : tensor<768xf32>) {axes = array<i64: 1>}
           : tensor<4x768xf32> -> tensor<4x768xf32>
    ```
  }]);

  let arguments = !con((ins
    Norm_FloatTensor:$input,
    Optional<Norm_FloatTensor>:$gamma,
    Optional<Norm_FloatTensor>:$beta,
    DenseI64ArrayAttr:$axes,
    OptionalAttr<DenseI64ArrayAttr>:$param_axes,
    DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
    DefaultValuedAttr<Norm_EpsilonPlacementAttr, "::mlir::norm::EpsilonPlacement::variance">:$epsilon_placement,
    DefaultValuedAttr<Norm_VarianceEstimatorAttr, "::mlir::norm::VarianceEstimator::biased">:$variance_estimator,
    UnitAttr:$zero_centered_gamma,
    DefaultValuedAttr<Norm_StatsKindAttr, "::mlir::norm::StatsKind::mean_rstd">:$stats,
    OptionalAttr<TypeAttrOf<AnyFloat>>:$compute_type
  ), FusionArguments);
  let results = !con((outs Norm_OutputTensor:$output,
                      Variadic<Norm_StatsTensor>:$statistics), FusionResults);
  let assemblyFormat = !strconcat([{
    $input (`gamma` `(` $gamma^ `:` type($gamma) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
  }], FusionFormat, [{
    attr-dict `:` type($input) `->` type($output) (`,` type($statistics)^)?
  }]);
  let extraClassDeclaration = [{
    ::mlir::norm::NormDesc getDesc();
    ::mlir::Value getScaleOperand() { return getGamma(); }
    ::mlir::Value getShiftOperand() { return getBeta(); }
    ::mlir::ValueRange getStatsResults() { return getStatistics(); }
  }];
}

//===----------------------------------------------------------------------===//
// rms_norm
//===----------------------------------------------------------------------===//

def Norm_RMSNormOp : Norm_Op<"rms_norm", [AttrSizedResultSegments]> {
  let summary = "root-mean-square normalization over any set of axes";
  let description = !strconcat([{
    LayerNorm without centering:

    ```
    y = x * rsqrt(sum(x^2 over axes) / n + epsilon) * g + beta
    ```
  }], AffineOperandsDoc, ComputeTypeDoc, FusionDoc, [{

    With `epsilon_placement = #norm.epsilon<std>` epsilon is added to the
    root instead: `x / (sqrt(mean(x^2)) + epsilon)`.

    With one extra result the op also returns `rsqrt(mean(x^2) + epsilon)`
    (`1 / (sqrt(mean(x^2)) + epsilon)` with epsilon on the root), shaped as
    the input without the reduced axes.

    Example:

    ```mlir
    %y = norm.rms_norm %x gamma(%g : tensor<4096xbf16>)
           {axes = array<i64: 2>, epsilon = 1.0e-6}
           : tensor<1x7x4096xbf16> -> tensor<1x7x4096xbf16>
    ```
  }]);

  let arguments = !con((ins
    Norm_FloatTensor:$input,
    Optional<Norm_FloatTensor>:$gamma,
    Optional<Norm_FloatTensor>:$beta,
    DenseI64ArrayAttr:$axes,
    OptionalAttr<DenseI64ArrayAttr>:$param_axes,
    DefaultValuedAttr<F64Attr, "1.0e-6">:$epsilon,
    DefaultValuedAttr<Norm_EpsilonPlacementAttr, "::mlir::norm::EpsilonPlacement::variance">:$epsilon_placement,
    UnitAttr:$zero_centered_gamma,
    OptionalAttr<TypeAttrOf<AnyFloat>>:$compute_type
  ), FusionArguments);
  let results = !con((outs Norm_OutputTensor:$output,
                      Variadic<Norm_StatsTensor>:$statistics), FusionResults);
  let assemblyFormat = !strconcat([{
    $input (`gamma` `(` $gamma^ `:` type($gamma) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
  }], FusionFormat, [{
    attr-dict `:` type($input) `->` type($output) (`,` type($statistics)^)?
  }]);
  let extraClassDeclaration = [{
    ::mlir::norm::NormDesc getDesc();
    ::mlir::Value getScaleOperand() { return getGamma(); }
    ::mlir::Value getShiftOperand() { return getBeta(); }
    ::mlir::ValueRange getStatsResults() { return getStatistics(); }
  }];
}

//===----------------------------------------------------------------------===//
// batch_norm (training)
//===----------------------------------------------------------------------===//

def Norm_BatchNormOp : Norm_Op<"batch_norm", [AttrSizedResultSegments]> {
  let summary = "batch normalization with mini-batch statistics (training)";
  let description = !strconcat([{
    Normalizes each channel by the mean and biased variance taken over every
    axis but `channel_axis` (default 1; the last axis for channels-last):

    ```
    y = (x - mean_c) * rsqrt(var_c + epsilon) * g_c + beta_c
    ```

    The op returns y, the batch mean and, per `stats`, the biased variance
    (default) or the inverse standard deviation. Given `running(%m, %v)`, it
    also returns the updated running statistics:

    ```
    momentum<torch>: new = (1 - momentum) * running + momentum * batch
    momentum<onnx>:  new = momentum * running + (1 - momentum) * batch
    ```

    `momentum` defaults to 0.1 under the torch convention and 0.9 under the
    onnx one, which is the same update. As PyTorch does, the running variance
    takes the unbiased batch variance `var * n / (n - 1)` by default
    (`running_var = #norm.running_var<unbiased>`); `biased` folds in `var`
    itself. With one value per channel the unbiased estimate is undefined:
    the verifier rejects it when n is static, and at run time n / (n - 1) is
    replaced by 1, so the running variance never becomes NaN or infinite.
  }], AffineOperandsDoc, ComputeTypeDoc, FusionDoc, [{

    Example:

    ```mlir
    %y, %mean, %var, %rm, %rv = norm.batch_norm %x
        running(%m, %v : tensor<16xf32>, tensor<16xf32>)
        : tensor<8x16x7x7xf32> -> tensor<8x16x7x7xf32>, tensor<16xf32>,
          tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
    ```
  }]);

  let arguments = !con((ins
    Norm_FloatTensor:$input,
    Optional<Norm_FloatTensor>:$gamma,
    Optional<Norm_FloatTensor>:$beta,
    Optional<Norm_StatsTensor>:$running_mean,
    Optional<Norm_StatsTensor>:$running_var,
    DefaultValuedAttr<I64Attr, "1">:$channel_axis,
    DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
    OptionalAttr<F64Attr>:$momentum,
    DefaultValuedAttr<Norm_MomentumConventionAttr,
        "::mlir::norm::MomentumConvention::torch">:$momentum_convention,
    DefaultValuedAttr<Norm_RunningVarEstimatorAttr,
        "::mlir::norm::RunningVarEstimator::unbiased">:$running_var_estimator,
    UnitAttr:$zero_centered_gamma,
    DefaultValuedAttr<Norm_StatsKindAttr, "::mlir::norm::StatsKind::mean_var">:$stats,
    OptionalAttr<TypeAttrOf<AnyFloat>>:$compute_type
  ), FusionArguments);
  let results = !con((outs Norm_OutputTensor:$output,
                      Norm_StatsTensor:$batch_mean,
                      Norm_StatsTensor:$batch_var_or_rstd,
                      Variadic<Norm_StatsTensor>:$running), FusionResults);
  let assemblyFormat = !strconcat([{
    $input (`gamma` `(` $gamma^ `:` type($gamma) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`running` `(` $running_mean^ `,` $running_var `:` type($running_mean)
       `,` type($running_var) `)`)?
  }], FusionFormat, [{
    attr-dict `:` type($input) `->` type($output) `,` type($batch_mean) `,`
    type($batch_var_or_rstd) (`,` type($running)^)?
  }]);
  let extraClassDeclaration = [{
    ::mlir::norm::NormDesc getDesc();
    ::mlir::Value getScaleOperand() { return getGamma(); }
    ::mlir::Value getShiftOperand() { return getBeta(); }
    ::mlir::Value getMeanOperand() { return getRunningMean(); }
    ::mlir::Value getVarOperand() { return getRunningVar(); }
    ::mlir::ValueRange getStatsResults() {
      return getOperation()->getResults().slice(1, 2);
    }
    ::mlir::ValueRange getRunningResults() { return getRunning(); }
    /// The momentum in effect, with the convention's default.
    double getEffectiveMomentum();
  }];
}

//===----------------------------------------------------------------------===//
// batch_norm_inference
//===----------------------------------------------------------------------===//

def Norm_BatchNormInferenceOp
    : Norm_Op<"batch_norm_inference"> {
  let summary = "batch normalization with given running statistics";
  let description = !strconcat([{
    Normalizes each channel with the given per-channel `mean` and `var`:

    ```
    y = (x - mean_c) * rsqrt(var_c + epsilon) * g_c + beta_c
    ```
  }], AffineOperandsDoc, ComputeTypeDoc, FusionDoc, [{

    Example:

    ```mlir
    %y = norm.batch_norm_inference %x, %mean, %var
           : tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32>
           -> tensor<2x7x7x32xf16>
    ```
    (with `{channel_axis = 3}` for that channels-last tensor).
  }]);

  let arguments = !con((ins
    Norm_FloatTensor:$input,
    Norm_StatsTensor:$mean,
    Norm_StatsTensor:$var,
    Optional<Norm_FloatTensor>:$gamma,
    Optional<Norm_FloatTensor>:$beta,
    DefaultValuedAttr<I64Attr, "1">:$channel_axis,
    DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
    UnitAttr:$zero_centered_gamma,
    OptionalAttr<TypeAttrOf<AnyFloat>>:$compute_type
  ), FusionArguments);
  let results = !con((outs Norm_OutputTensor:$output), FusionResults);
  let assemblyFormat = !strconcat([{
    $input `,` $mean `,` $var (`gamma` `(` $gamma^ `:` type($gamma) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
  }], FusionFormat, [{
    attr-dict `:` type($input) `,` type($mean) `,` type($var) `->`
    type($output)
  }]);
  let extraClassDeclaration = [{
    ::mlir::norm::NormDesc getDesc();
    ::mlir::Value getScaleOperand() { return getGamma(); }
    ::mlir::Value getShiftOperand() { return getBeta(); }
    ::mlir::Value getMeanOperand() { return getMean(); }
    ::mlir::Value getVarOperand() { return getVar(); }
  }];
}

//===----------------------------------------------------------------------===//
// instance_norm
//===----------------------------------------------------------------------===//

def Norm_InstanceNormOp
    : Norm_Op<"instance_norm"> {
  let summary = "per-example, per-channel normalization over spatial axes";
  let description = !strconcat([{
    The input is (N, C, spatial...) with the batch on axis 0 and the channel
    on `channel_axis` (default 1). Statistics are taken per example and
    channel over every other axis:

    ```
    y = (x - mean_nc) * rsqrt(var_nc + epsilon) * g_c + beta_c
    ```

    gamma and beta have one value per channel.
  }], ComputeTypeDoc, FusionDoc, [{

    Example:

    ```mlir
    %y = norm.instance_norm %x : tensor<2x3x5x5xf32> -> tensor<2x3x5x5xf32>
    ```
  }]);

  let arguments = !con((ins
    Norm_FloatTensor:$input,
    Optional<Norm_FloatTensor>:$gamma,
    Optional<Norm_FloatTensor>:$beta,
    DefaultValuedAttr<I64Attr, "1">:$channel_axis,
    DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
    UnitAttr:$zero_centered_gamma,
    OptionalAttr<TypeAttrOf<AnyFloat>>:$compute_type
  ), FusionArguments);
  let results = !con((outs Norm_OutputTensor:$output), FusionResults);
  let assemblyFormat = !strconcat([{
    $input (`gamma` `(` $gamma^ `:` type($gamma) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
  }], FusionFormat, [{
    attr-dict `:` type($input) `->` type($output)
  }]);
  let extraClassDeclaration = [{
    ::mlir::norm::NormDesc getDesc();
    ::mlir::Value getScaleOperand() { return getGamma(); }
    ::mlir::Value getShiftOperand() { return getBeta(); }
  }];
}

//===----------------------------------------------------------------------===//
// group_norm
//===----------------------------------------------------------------------===//

def Norm_GroupNormOp : Norm_Op<"group_norm"> {
  let summary = "per-example normalization over groups of channels";
  let description = !strconcat([{
    The input is (N, C, spatial...) with the channel on `channel_axis`
    (default 1). The C channels are split into `num_groups` contiguous groups
    of C / num_groups channels; statistics are taken per example and group
    over the group's channels and all spatial axes:

    ```
    y = (x - mean_ng) * rsqrt(var_ng + epsilon) * g_c + beta_c
    ```

    gamma and beta have one value per channel. `num_groups` must divide C.
  }], ComputeTypeDoc, FusionDoc, [{

    Example:

    ```mlir
    %y = norm.group_norm %x {num_groups = 8}
           : tensor<2x32x7x7xf32> -> tensor<2x32x7x7xf32>
    ```
  }]);

  let arguments = !con((ins
    Norm_FloatTensor:$input,
    Optional<Norm_FloatTensor>:$gamma,
    Optional<Norm_FloatTensor>:$beta,
    I64Attr:$num_groups,
    DefaultValuedAttr<I64Attr, "1">:$channel_axis,
    DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon,
    UnitAttr:$zero_centered_gamma,
    OptionalAttr<TypeAttrOf<AnyFloat>>:$compute_type
  ), FusionArguments);
  let results = !con((outs Norm_OutputTensor:$output), FusionResults);
  let assemblyFormat = !strconcat([{
    $input (`gamma` `(` $gamma^ `:` type($gamma) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
  }], FusionFormat, [{
    attr-dict `:` type($input) `->` type($output)
  }]);
  let extraClassDeclaration = [{
    ::mlir::norm::NormDesc getDesc();
    ::mlir::Value getScaleOperand() { return getGamma(); }
    ::mlir::Value getShiftOperand() { return getBeta(); }
  }];
}

//===----------------------------------------------------------------------===//
// l2_normalize
//===----------------------------------------------------------------------===//

def Norm_L2NormalizeOp : Norm_Op<"l2_normalize"> {
  let summary = "division by the L2 norm over a set of axes";
  let description = !strconcat([{
    ```
    y = x / max(sqrt(sum(x^2 over axes)), epsilon) * scale
    ```

    as PyTorch's `F.normalize(x, p=2)`, ONNX's `LpNormalization` with p = 2
    and the direction part of weight normalization. `epsilon` defaults to
    1e-12 as in PyTorch. The optional `scale` has the input's extents on
    `param_axes` (default: `axes`).
  }], ComputeTypeDoc, FusionDoc, [{

    Example:

    ```mlir
    %y = norm.l2_normalize %x {axes = array<i64: 1>}
           : tensor<8x128xf32> -> tensor<8x128xf32>
    ```
  }]);

  let arguments = !con((ins
    Norm_FloatTensor:$input,
    Optional<Norm_FloatTensor>:$scale,
    DenseI64ArrayAttr:$axes,
    OptionalAttr<DenseI64ArrayAttr>:$param_axes,
    DefaultValuedAttr<F64Attr, "1.0e-12">:$epsilon,
    OptionalAttr<TypeAttrOf<AnyFloat>>:$compute_type
  ), FusionArguments);
  let results = !con((outs Norm_OutputTensor:$output), FusionResults);
  let assemblyFormat = !strconcat([{
    $input (`scale` `(` $scale^ `:` type($scale) `)`)?
  }], FusionFormat, [{
    attr-dict `:` type($input) `->` type($output)
  }]);
  let extraClassDeclaration = [{
    ::mlir::norm::NormDesc getDesc();
    ::mlir::Value getScaleOperand() { return getScale(); }
    ::mlir::Value getShiftOperand() { return {}; }
  }];
}

//===----------------------------------------------------------------------===//
// yield
//===----------------------------------------------------------------------===//

def Norm_YieldOp : Op<Norm_Dialect, "yield", [Pure, Terminator, ReturnLike]> {
  let summary = "ends a prologue or epilogue region";
  let description = [{
    Yields the one scalar a fused `prologue` or `epilogue` region computes.
  }];
  let arguments = (ins AnyType:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

#endif // NORM_OPS_TD
