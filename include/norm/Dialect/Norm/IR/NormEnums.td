//===- NormEnums.td - Enums of the norm dialect ------------*- tablegen -*-===//

#ifndef NORM_ENUMS_TD
#define NORM_ENUMS_TD

include "mlir/IR/EnumAttr.td"
include "norm/Dialect/Norm/IR/NormDialect.td"

def Norm_Stats_MeanVar : I32EnumAttrCase<"mean_var", 0>;
def Norm_Stats_MeanRstd : I32EnumAttrCase<"mean_rstd", 1>;
def Norm_StatsKind : I32EnumAttr<"StatsKind",
    "which statistics an op returns: mean and biased variance, or mean and "
    "inverse standard deviation",
    [Norm_Stats_MeanVar, Norm_Stats_MeanRstd]> {
  let cppNamespace = "::mlir::norm";
  let genSpecializedAttr = 0;
}
def Norm_StatsKindAttr : EnumAttr<Norm_Dialect, Norm_StatsKind, "stats"> {
  let assemblyFormat = "`<` $value `>`";
}

def Norm_Momentum_Torch : I32EnumAttrCase<"torch", 0>;
def Norm_Momentum_Onnx : I32EnumAttrCase<"onnx", 1>;
def Norm_MomentumConvention : I32EnumAttr<"MomentumConvention",
    "torch: running = (1 - m) * running + m * batch; "
    "onnx: running = m * running + (1 - m) * batch",
    [Norm_Momentum_Torch, Norm_Momentum_Onnx]> {
  let cppNamespace = "::mlir::norm";
  let genSpecializedAttr = 0;
}
def Norm_MomentumConventionAttr
    : EnumAttr<Norm_Dialect, Norm_MomentumConvention, "momentum"> {
  let assemblyFormat = "`<` $value `>`";
}

def Norm_RunningVar_Unbiased : I32EnumAttrCase<"unbiased", 0>;
def Norm_RunningVar_Biased : I32EnumAttrCase<"biased", 1>;
def Norm_RunningVarEstimator : I32EnumAttr<"RunningVarEstimator",
    "variance estimator folded into the running variance",
    [Norm_RunningVar_Unbiased, Norm_RunningVar_Biased]> {
  let cppNamespace = "::mlir::norm";
  let genSpecializedAttr = 0;
}
def Norm_RunningVarEstimatorAttr
    : EnumAttr<Norm_Dialect, Norm_RunningVarEstimator, "running_var"> {
  let assemblyFormat = "`<` $value `>`";
}

def Norm_Epsilon_Variance : I32EnumAttrCase<"variance", 0>;
def Norm_Epsilon_Std : I32EnumAttrCase<"std", 1>;
def Norm_EpsilonPlacement : I32EnumAttr<"EpsilonPlacement",
    "where epsilon is added: variance: rsqrt(var + eps); "
    "std: 1 / (sqrt(var) + eps)",
    [Norm_Epsilon_Variance, Norm_Epsilon_Std]> {
  let cppNamespace = "::mlir::norm";
  let genSpecializedAttr = 0;
}
def Norm_EpsilonPlacementAttr
    : EnumAttr<Norm_Dialect, Norm_EpsilonPlacement, "epsilon"> {
  let assemblyFormat = "`<` $value `>`";
}

def Norm_Variance_Biased : I32EnumAttrCase<"biased", 0>;
def Norm_Variance_Unbiased : I32EnumAttrCase<"unbiased", 1>;
def Norm_VarianceEstimator : I32EnumAttr<"VarianceEstimator",
    "the variance a LayerNorm normalizes with: biased (divided by n) or "
    "unbiased (divided by n - 1)",
    [Norm_Variance_Biased, Norm_Variance_Unbiased]> {
  let cppNamespace = "::mlir::norm";
  let genSpecializedAttr = 0;
}
def Norm_VarianceEstimatorAttr
    : EnumAttr<Norm_Dialect, Norm_VarianceEstimator, "variance"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // NORM_ENUMS_TD
