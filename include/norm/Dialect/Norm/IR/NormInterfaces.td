//===- NormInterfaces.td - Interfaces of the norm dialect --*- tablegen -*-===//

#ifndef NORM_INTERFACES_TD
#define NORM_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Norm_NormalizationOpInterface : OpInterface<"NormalizationOpInterface"> {
  let cppNamespace = "::mlir::norm";
  let description = [{
    Implemented by every norm op. Passes work on this interface, never on a
    particular op: getDesc() says what is reduced, centered and scaled, the
    accessors name the operands and results in a fixed role.
  }];
  let methods = [
    InterfaceMethod<"Returns the description of the computation.",
      "::mlir::norm::NormDesc", "getDesc">,
    InterfaceMethod<"Returns the tensor being normalized.",
      "::mlir::Value", "getInput">,
    InterfaceMethod<"Returns the scale operand, or null.",
      "::mlir::Value", "getScaleOperand">,
    InterfaceMethod<"Returns the shift operand, or null.",
      "::mlir::Value", "getShiftOperand">,
    InterfaceMethod<"Returns the given or running mean operand, or null.",
      "::mlir::Value", "getMeanOperand", (ins), "", [{ return {}; }]>,
    InterfaceMethod<"Returns the given or running variance operand, or null.",
      "::mlir::Value", "getVarOperand", (ins), "", [{ return {}; }]>,
    InterfaceMethod<"Returns the normalized result.",
      "::mlir::Value", "getOutput">,
    InterfaceMethod<[{Returns the statistics results, in the order
      getDesc().stats names them.}],
      "::mlir::ValueRange", "getStatsResults", (ins), "",
      [{ return ::mlir::ValueRange(); }]>,
    InterfaceMethod<[{Returns the updated running mean and variance, or an
      empty range.}],
      "::mlir::ValueRange", "getRunningResults", (ins), "",
      [{ return ::mlir::ValueRange(); }]>,
    InterfaceMethod<"Returns the operands of the fused prologue.",
      "::mlir::OperandRange", "getPrologueInputs", (ins), [{
        return $_op.getPrologueInputs();
      }]>,
    InterfaceMethod<"Returns the operands of the fused epilogue.",
      "::mlir::OperandRange", "getEpilogueInputs", (ins), [{
        return $_op.getEpilogueInputs();
      }]>,
    InterfaceMethod<"Returns the prologue region (empty when absent).",
      "::mlir::Region &", "getPrologue", (ins), [{
        return $_op.getPrologue();
      }]>,
    InterfaceMethod<"Returns the epilogue region (empty when absent).",
      "::mlir::Region &", "getEpilogue", (ins), [{
        return $_op.getEpilogue();
      }]>,
    InterfaceMethod<"Returns the prologue_maps attribute, or null.",
      "::mlir::ArrayAttr", "getPrologueMapsAttr", (ins), [{
        return $_op.getPrologueMapsAttr();
      }]>,
    InterfaceMethod<"Returns the epilogue_maps attribute, or null.",
      "::mlir::ArrayAttr", "getEpilogueMapsAttr", (ins), [{
        return $_op.getEpilogueMapsAttr();
      }]>,
    InterfaceMethod<"Returns the returned prologue value, or null.",
      "::mlir::Value", "getPrologueResult", (ins), [{
        return $_op.getPrologueResult();
      }]>,
    InterfaceMethod<"Returns the element type arithmetic is done in.",
      "::mlir::Type", "getComputeElementType", (ins), [{
        if (auto type = $_op.getComputeType())
          return *type;
        return ::mlir::Float32Type::get($_op.getContext());
      }]>,
  ];
  let extraClassDeclaration = [{
    /// Whether the op carries a prologue or an epilogue.
    bool isFused() { return !getPrologue().empty() || !getEpilogue().empty(); }
    /// The element type of the tensor that is normalized: the prologue's
    /// result type, or the input's.
    ::mlir::Type getNormalizedElementType();
    /// The indexing of each prologue (epilogue) operand: a map from the
    /// input's dimensions to the operand's (identity when not given).
    ::llvm::SmallVector<::mlir::AffineMap> getPrologueIndexing();
    ::llvm::SmallVector<::mlir::AffineMap> getEpilogueIndexing();
  }];
}

#endif // NORM_INTERFACES_TD
