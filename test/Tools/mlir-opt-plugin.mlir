// Debian's stock mlir-opt with norm's plugin: the dialect parses and
// verifies, and norm's passes and pipelines run. A plugin's passes are
// named in --pass-pipeline (their flags are parsed before the plugin loads).
// REQUIRES: plugin
// RUN: mlir-opt --load-dialect-plugin=%norm_plugin --load-pass-plugin=%norm_plugin %s | FileCheck %s --check-prefix=PARSE
// RUN: mlir-opt --load-dialect-plugin=%norm_plugin --load-pass-plugin=%norm_plugin %s --pass-pipeline="builtin.module(norm-fuse-elementwise)" | FileCheck %s --check-prefix=FUSE
// RUN: mlir-opt --load-dialect-plugin=%norm_plugin --load-pass-plugin=%norm_plugin %s --pass-pipeline="builtin.module(norm-lower-to-cpu)" | FileCheck %s --check-prefix=CPU
// RUN: not mlir-opt --load-dialect-plugin=%norm_plugin %S/Inputs/invalid-op.mlir 2>&1 | FileCheck %s --check-prefix=VERIFY

// PARSE: norm.layer_norm %arg0 {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
// FUSE: norm.layer_norm %arg0 epilogue {
// FUSE: math.tanh
// CPU: llvm.func @f(
// CPU-NOT: norm.
// VERIFY: error: 'norm.layer_norm' op axis 3 in 'axes' is out of range for rank-2 input

func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  %t = math.tanh %y : tensor<4x8xf32>
  return %t : tensor<4x8xf32>
}
