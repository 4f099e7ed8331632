//===- NormDialect.td - The norm dialect -------------------*- tablegen -*-===//

#ifndef NORM_DIALECT_TD
#define NORM_DIALECT_TD

include "mlir/IR/OpBase.td"

def Norm_Dialect : Dialect {
  let name = "norm";
  let cppNamespace = "::mlir::norm";
  let summary = "Normalization layers described by the axes they reduce";
  let description = [{
    The norm dialect expresses LayerNorm, RMSNorm, BatchNorm (training and
    inference), InstanceNorm, GroupNorm and L2 normalization as ops on ranked
    tensors. Each op names the axes its statistics are taken over and the axes
    its learned scale and shift vary along; every convention on which
    frameworks disagree is an explicit attribute.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

#endif // NORM_DIALECT_TD
