// RUN: norm-opt %S/Inputs/raise_statistics.mlir --norm-raise | FileCheck %s --check-prefix=POS
// RUN: norm-opt %s --norm-raise --split-input-file | FileCheck %s
// RUN: norm-opt %S/Inputs/raise_statistics.mlir --norm-raise -o %t.mlir
// RUN: norm-run %t.mlir --function=mean_rstd --input=4x8xf32=random --input=8xf32=random --check | FileCheck %s --check-prefix=RUN3
// RUN: norm-run %S/Inputs/raise_statistics.mlir --function=mean_rstd --input=4x8xf32=random --input=8xf32=random --output=@%t.y.npy --output=@%t.m.npy --output=@%t.r.npy
// RUN: norm-run %t.mlir --function=mean_rstd --input=4x8xf32=random --input=8xf32=random --expect=@%t.y.npy --expect=@%t.m.npy --expect=@%t.r.npy | FileCheck %s --check-prefix=RUN3
// RUN: norm-run %t.mlir --function=mean_var --input=4x8xf32=random --check | FileCheck %s --check-prefix=RUN3
// RUN: norm-run %t.mlir --function=rms_rstd --input=4x8xf32=random --check | FileCheck %s --check-prefix=RUN2
// RUN3: result[0]{{.*}}: ok
// RUN3: result[1]{{.*}}: ok
// RUN3: result[2]{{.*}}: ok
// RUN2: result[0]{{.*}}: ok
// RUN2: result[1]{{.*}}: ok

// A raised LayerNorm or RMSNorm whose statistics the program also uses
// (ONNX LayerNormalization's Mean and InvStdDev, norm-raise-onnx.test)
// returns them, and their own reductions are erased
// (lib/Transforms/RaiseStatistics.cpp). The positive cases are in
// Inputs/raise_statistics.mlir (one module, so that norm-run can run
// them); the negative ones below.

// The mean and rsqrt(var + eps), as the formula reads them: the default
// statistics of norm.layer_norm, returned in their place.
// POS-LABEL: func.func @mean_rstd(
// POS-NOT: "reduction"
// POS: %[[Y:.*]], %[[S:.*]]:2 = norm.layer_norm %arg0 {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>
// POS-NOT: "reduction"
// POS: linalg.generic {{.*}} ins(%arg1, %[[Y]] : tensor<8xf32>, tensor<4x8xf32>)
// POS: return %{{.*}}, %[[S]]#0, %[[S]]#1

// The biased variance returned (and no inverse standard deviation):
// stats = mean_var.
// POS-LABEL: func.func @mean_var(
// POS-NOT: "reduction"
// POS: %[[Y:.*]], %[[S:.*]]:2 = norm.layer_norm %arg0 {axes = array<i64: 1>, epsilon = {{.*}}, stats = #norm.stats<mean_var>}
// POS-NOT: "reduction"
// POS: return %[[Y]], %[[S]]#0, %[[S]]#1

// RMSNorm returning rsqrt(mean(x^2) + eps), kept as [4, 1].
// POS-LABEL: func.func @rms_rstd(
// POS-NOT: "reduction"
// POS: %[[Y:.*]], %[[R:.*]] = norm.rms_norm %arg0 {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>
// POS: %[[E:.*]] = tensor.expand_shape %[[R]] {{\[\[}}0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
// POS-NOT: "reduction"
// POS: return %[[Y]], %[[E]]


// Negative: the returned rsqrt(var + eps) has another epsilon than the
// formula's; it keeps its reductions and the op returns no statistics.
// CHECK-LABEL: func.func @other_eps(
// CHECK: "reduction"
// CHECK: "reduction"
// CHECK: norm.layer_norm %arg0 {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<4x8xf32> -> tensor<4x8xf32>{{$}}
func.func @other_eps(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.125 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : tensor<4x8xf32>, tensor<4xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %d2, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %rstd = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %eps = arith.constant 1.0e-5 : f32
    %v = arith.mulf %a, %inv : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %rstd3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %eps = arith.constant 1.0e-3 : f32
    %v = arith.mulf %a, %inv : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean, %rstd : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %r: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %n = arith.mulf %c, %r : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  return %y, %rstd3 : tensor<4x8xf32>, tensor<4xf32>
}

// -----

// Negative: the mean is used only before the normalization (by an op that
// the norm op, created where the formula was, cannot feed).
// CHECK-LABEL: func.func @used_before(
// CHECK: "reduction"
// CHECK: norm.layer_norm %arg0 {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<4x8xf32> -> tensor<4x8xf32>{{$}}
func.func @used_before(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.125 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : tensor<4x8xf32>, tensor<4xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %d2, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %rstd = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %eps = arith.constant 1.0e-5 : f32
    %v = arith.mulf %a, %inv : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %twice = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%mean : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean, %rstd : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %r: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %n = arith.mulf %c, %r : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  return %y, %twice : tensor<4x8xf32>, tensor<4xf32>
}

// -----

// Negative: a norm op whose prologue adds a residual normalizes x + r, so
// a mean of x is not its mean.
// CHECK-LABEL: func.func @prologue(
// CHECK: "reduction"
// CHECK: norm.layer_norm %arg0 prologue
// CHECK-NOT: norm.stats
// CHECK: -> tensor<4x8xf32>{{$}}
func.func @prologue(%x: tensor<4x8xf32>, %res: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.125 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %y = norm.layer_norm %x prologue(%res : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %h = arith.addf %a, %b : f32
    norm.yield %h : f32
  } {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y, %mean : tensor<4x8xf32>, tensor<4xf32>
}

// -----

// Negative: the formula adds epsilon to the standard deviation (a LayerNorm
// with epsilon_placement std), the returned rsqrt(var + eps) to the
// variance: not the op's statistic.
// CHECK-LABEL: func.func @other_placement(
// CHECK: "reduction"
// CHECK: norm.layer_norm %arg0 {axes = array<i64: 1>, epsilon = {{.*}}, epsilon_placement = #norm.epsilon<std>} : tensor<4x8xf32> -> tensor<4x8xf32>{{$}}
func.func @other_placement(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.125 : f32
  %one = arith.constant 1.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : tensor<4x8xf32>, tensor<4xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %d2, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %std = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.mulf %a, %inv : f32
    %r = math.sqrt %v : f32
    %re = arith.addf %r, %eps : f32
    linalg.yield %re : f32
  } -> tensor<4xf32>
  %rstd = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.mulf %a, %inv : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean, %std : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %s: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %n = arith.divf %c, %s : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  return %y, %rstd : tensor<4x8xf32>, tensor<4xf32>
}

// -----

// Negative: the formula's variance is unbiased (divided by n - 1: a
// LayerNorm with variance_estimator unbiased), the returned one biased: not
// the op's statistic.
// CHECK-LABEL: func.func @other_estimator(
// CHECK: "reduction"
// CHECK: norm.layer_norm %arg0 {axes = array<i64: 1>, epsilon = {{.*}}, variance_estimator = #norm.variance<unbiased>} : tensor<4x8xf32> -> tensor<4x8xf32>{{$}}
func.func @other_estimator(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %inv = arith.constant 0.125 : f32
  %seven = arith.constant 7.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %inv : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x, %mean : tensor<4x8xf32>, tensor<4xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %s = arith.addf %d2, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %rstd = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.divf %a, %seven : f32
    %ve = arith.addf %v, %eps : f32
    %r = math.rsqrt %ve : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %var = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sq : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.mulf %a, %inv : f32
    linalg.yield %v : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean, %rstd : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %r: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %n = arith.mulf %c, %r : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  return %y, %var : tensor<4x8xf32>, tensor<4xf32>
}
