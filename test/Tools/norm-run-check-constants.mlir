// norm-run --check evaluates the constants that importers write: integer
// index tensors (dense or dense_resource), which torch-mlir's gathers read
// (PyTorch's group norm decomposition), and f32 dense_resource tensors (a
// module's parameters).

// The gather reads C at rows from a dense_resource i64 tensor and columns
// from a dense one: C reversed, plus the f32 dense_resource B, plus x.
// RUN: norm-run %s --input=2x3xf32=0 --check | FileCheck %s
// CHECK: result[0]: tensor<2x3xf32> [16, 25, 34, 43, 52, 61]
// CHECK: check result[0]: {{.*}}: ok
// RUN: norm-run %s --input=2x3xf32=random --check | FileCheck %s --check-prefix=RANDOM
// RANDOM: check result[0]: {{.*}}: ok
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @gather(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %c = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %rows = arith.constant dense_resource<rows> : tensor<2x3xi64>
  %cols = arith.constant dense<[[2, 1, 0], [2, 1, 0]]> : tensor<2x3xi64>
  %b = arith.constant dense_resource<bias> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [#map, #map, #map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%rows, %cols, %b, %x : tensor<2x3xi64>, tensor<2x3xi64>, tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%r: i64, %k: i64, %bias: f32, %in: f32, %o: f32):
    %ri = arith.index_cast %r : i64 to index
    %ki = arith.index_cast %k : i64 to index
    %v = tensor.extract %c[%ri, %ki] : tensor<2x3xf32>
    %s = arith.addf %v, %bias : f32
    %t = arith.addf %s, %in : f32
    linalg.yield %t : f32
  } -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      rows: "0x08000000010000000000000001000000000000000100000000000000000000000000000000000000000000000000000000000000",
      bias: "0x04000000000020410000A0410000F041000020420000484200007042"
    }
  }
#-}
