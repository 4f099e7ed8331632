// RUN: norm-opt %s --norm-raise --split-input-file | FileCheck %s

// torch-mlir's broadcast of a dynamically sized statistic: where the size
// compared with 1 is the loop's own extent (and the source's), the select
// gives the loop index either way, and the generic reads the source with a
// broadcast map.
// CHECK-DAG: #[[READ:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// CHECK-LABEL: func.func @broadcast
// CHECK: linalg.generic {indexing_maps = [#[[READ]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[S:.*]] : tensor<?x?x1xf32>)
// CHECK-NOT: tensor.extract
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @broadcast(%x: tensor<?x?x64xf32>, %s: tensor<?x?x1xf32>) -> tensor<?x?x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %x, %c0 : tensor<?x?x64xf32>
  %d1 = tensor.dim %x, %c1 : tensor<?x?x64xf32>
  %se = tensor.empty(%d0, %d1) : tensor<?x?x1xf32>
  %stat = linalg.copy ins(%s : tensor<?x?x1xf32>) outs(%se : tensor<?x?x1xf32>) -> tensor<?x?x1xf32>
  %e = tensor.empty(%d0, %d1) : tensor<?x?x64xf32>
  %b = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel"]} outs(%e : tensor<?x?x64xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c = arith.cmpi eq, %d0, %c1 : index
    %k = arith.select %c, %c0, %i : index
    %c2 = arith.cmpi eq, %d1, %c1 : index
    %l = arith.select %c2, %c0, %j : index
    %v = tensor.extract %stat[%k, %l, %c0] : tensor<?x?x1xf32>
    linalg.yield %v : f32
  } -> tensor<?x?x64xf32>
  return %b : tensor<?x?x64xf32>
}

// -----

// The size compared with 1 is not the loop's (a real broadcast when %n is
// 1 and the loop is longer): left as it is.
// CHECK-LABEL: func.func @other_size
// CHECK: tensor.extract
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @other_size(%x: tensor<?x64xf32>, %s: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %x, %c0 : tensor<?x64xf32>
  %n = tensor.dim %s, %c0 : tensor<?x1xf32>
  %e = tensor.empty(%d0) : tensor<?x64xf32>
  %b = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<?x64xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %c = arith.cmpi eq, %n, %c1 : index
    %k = arith.select %c, %c0, %i : index
    %v = tensor.extract %s[%k, %c0] : tensor<?x1xf32>
    linalg.yield %v : f32
  } -> tensor<?x64xf32>
  return %b : tensor<?x64xf32>
}

// -----

// The loop index read straight, but the source's size is another value:
// not provably a map read, left as it is.
// CHECK-LABEL: func.func @unknown_source_size
// CHECK: tensor.extract
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @unknown_source_size(%x: tensor<?x64xf32>, %s: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %d0 = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%d0) : tensor<?x64xf32>
  %b = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<?x64xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %v = tensor.extract %s[%i, %c0] : tensor<?x1xf32>
    linalg.yield %v : f32
  } -> tensor<?x64xf32>
  return %b : tensor<?x64xf32>
}
