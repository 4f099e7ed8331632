// norm-run --check evaluates named linalg ops through their generic form,
// operands read at linear combinations of loops (a convolution's window,
// strided or not) included, and tensor.pad with a constant: a CNN block as
// torch-mlir imports it can be checked against float64.

// A 3x3 box filter over a 3x3 image of ones padded with zeros.
// RUN: norm-run %s --function=box --input=1x1x3x3xf32=1.0 --check | FileCheck %s --check-prefix=BOX
// BOX: result[0]: tensor<1x1x3x3xf32> [4, 6, 4, 6, 9, 6, ...]
// BOX: check result[0]: {{.*}}: ok
func.func @box(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %z = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %z : f32
  } : tensor<1x1x3x3xf32> to tensor<1x1x5x5xf32>
  %w = arith.constant dense<1.0> : tensor<1x1x3x3xf32>
  %e = tensor.empty() : tensor<1x1x3x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %w : tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>) outs(%f : tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// Strided, on random data, then a group norm.
// RUN: norm-run %s --function=strided --input=2x4x9x9xf32=random --input=4x4x3x3xf32=random --input=4xf32=random --input=4xf32=random --check | FileCheck %s --check-prefix=OK
// OK: check result[0]: {{.*}}: ok
func.func @strided(%x: tensor<2x4x9x9xf32>, %w: tensor<4x4x3x3xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x4x4x4xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%x, %w : tensor<2x4x9x9xf32>, tensor<4x4x3x3xf32>) outs(%f : tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %y = norm.group_norm %c gamma(%g : tensor<4xf32>) beta(%b : tensor<4xf32>) {num_groups = 2} : tensor<2x4x4x4xf32> -> tensor<2x4x4x4xf32>
  return %y : tensor<2x4x4x4xf32>
}

// Padding with a value computed from the position is not evaluated.
// RUN: not norm-run %s --function=ramp --input=2x2xf32=1.0 --check 2>&1 | FileCheck %s --check-prefix=RAMP
// RAMP: norm-run: error: --check evaluates only tensor.pad ops with static low padding and a constant float padding value
func.func @ramp(%x: tensor<2x2xf32>) -> tensor<3x3xf32> {
  %padded = tensor.pad %x low[1, 1] high[0, 0] {
  ^bb0(%i: index, %j: index):
    %ii = arith.index_cast %i : index to i32
    %v = arith.sitofp %ii : i32 to f32
    tensor.yield %v : f32
  } : tensor<2x2xf32> to tensor<3x3xf32>
  return %padded : tensor<3x3xf32>
}

// Slices (a projection split three ways, a part written back) and a
// generic with two results (PyTorch's max with its index, before a
// softmax).
// RUN: norm-run %s --function=slices --input=2x6xf32=random --check | FileCheck %s --check-prefix=OK
func.func @slices(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {
  %a = tensor.extract_slice %x[0, 0] [2, 2] [1, 1] : tensor<2x6xf32> to tensor<2x2xf32>
  %b = tensor.extract_slice %x[0, 4] [2, 2] [1, 1] : tensor<2x6xf32> to tensor<2x2xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %d = linalg.sub ins(%a, %b : tensor<2x2xf32>, tensor<2x2xf32>) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %row = tensor.extract_slice %x[1, 0] [1, 6] [1, 1] : tensor<2x6xf32> to tensor<6xf32>
  %y = tensor.insert_slice %d into %x[0, 2] [2, 2] [1, 1] : tensor<2x2xf32> into tensor<2x6xf32>
  %z = tensor.insert_slice %row into %y[0, 0] [1, 6] [1, 1] : tensor<6xf32> into tensor<2x6xf32>
  return %z : tensor<2x6xf32>
}
// RUN: norm-run %s --function=argmax --check | FileCheck %s --check-prefix=ARGMAX
// ARGMAX: result[0]: tensor<2xf32> [2, 3]
// ARGMAX: result[1]: tensor<2xf32> [3, 0]
// ARGMAX: check result[0]: {{.*}}: ok
// ARGMAX: check result[1]: {{.*}}: ok
func.func @argmax() -> (tensor<2xf32>, tensor<2xf32>) {
  %x = arith.constant dense<[[0.5, -1.0, 1.5, 2.0], [3.0, 1.0, -2.0, 0.0]]> : tensor<2x4xf32>
  %lowest = arith.constant 0xFF800000 : f32
  %c0 = arith.constant 0 : i64
  %ef = tensor.empty() : tensor<2xf32>
  %ei = tensor.empty() : tensor<2xi64>
  %m0 = linalg.fill ins(%lowest : f32) outs(%ef : tensor<2xf32>) -> tensor<2xf32>
  %i0 = linalg.fill ins(%c0 : i64) outs(%ei : tensor<2xi64>) -> tensor<2xi64>
  %m, %i = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<2x4xf32>) outs(%m0, %i0 : tensor<2xf32>, tensor<2xi64>) {
  ^bb0(%in: f32, %best: f32, %at: i64):
    %k = linalg.index 1 : index
    %ki = arith.index_cast %k : index to i64
    %larger = arith.cmpf ogt, %in, %best : f32
    %nb = arith.select %larger, %in, %best : f32
    %na = arith.select %larger, %ki, %at : i64
    linalg.yield %nb, %na : f32, i64
  } -> (tensor<2xf32>, tensor<2xi64>)
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%i : tensor<2xi64>) outs(%ef : tensor<2xf32>) {
  ^bb0(%in: i64, %o: f32):
    %v = arith.sitofp %in : i64 to f32
    linalg.yield %v : f32
  } -> tensor<2xf32>
  return %m, %f : tensor<2xf32>, tensor<2xf32>
}

// Concatenation: rotary embeddings' rotate_half, cat(-x2, x1).
// RUN: norm-run %s --function=rotate_half --check | FileCheck %s --check-prefix=ROT
// ROT: result[0]: tensor<2x8xf32> [-5, -6, -7, -8, 1, 2, ...]
// ROT: check result[0]: {{.*}}: ok
func.func @rotate_half() -> tensor<2x8xf32> {
  %x = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]]> : tensor<2x8xf32>
  %x1 = tensor.extract_slice %x[0, 0] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  %x2 = tensor.extract_slice %x[0, 4] [2, 4] [1, 1] : tensor<2x8xf32> to tensor<2x4xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %n = linalg.negf ins(%x2 : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %y = tensor.concat dim(1) %n, %x1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
