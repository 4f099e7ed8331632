// A template for norm-compile-errors.mlir: NAME is replaced by a name that
// cannot be the C function of a header. @NAME_rows is a second function,
// whose name --tile-entry would give NAME's row entry.
func.func @NAME(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
func.func @NAME_rows(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
