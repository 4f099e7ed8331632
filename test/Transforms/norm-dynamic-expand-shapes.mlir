// RUN: norm-opt %s --norm-dynamic-expand-shapes --split-input-file | FileCheck %s

// Two dynamic sizes in one group (torch-mlir's [batch * seq, n] back to
// [batch, seq, n]): a reinterpret_cast of the source's buffer, strides from
// output_shape.
// CHECK-LABEL: func.func @two_dynamic
// CHECK-SAME: (%[[X:.*]]: memref<?x8xf32>, %[[B:.*]]: index, %[[S:.*]]: index)
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %[[X]]
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: %[[STRIDE:.*]] = arith.muli %[[C8]], %[[S]] : index
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[B]], %[[S]], 8], strides: [%[[STRIDE]], 8, 1] : memref<f32> to memref<?x?x8xf32>
// CHECK-NOT: memref.expand_shape
func.func @two_dynamic(%x: memref<?x8xf32>, %b: index, %s: index) -> memref<?x?x8xf32> {
  %e = memref.expand_shape %x [[0, 1], [2]] output_shape [%b, %s, 8] : memref<?x8xf32> into memref<?x?x8xf32>
  return %e : memref<?x?x8xf32>
}

// -----

// A strided source: the offset and the strides of the source dimensions
// carry over.
// CHECK-LABEL: func.func @strided
// CHECK-SAME: (%[[X:.*]]: memref<?x4xf32, strided<[?, ?], offset: ?>>, %[[A:.*]]: index, %[[B:.*]]: index)
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %{{.*}}:2, %[[STR:.*]]:2 = memref.extract_strided_metadata %[[X]]
// CHECK: %[[OUTER:.*]] = arith.muli %[[STR]]#0, %[[B]] : index
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%[[A]], %[[B]], 4], strides: [%[[OUTER]], %[[STR]]#0, %[[STR]]#1]
func.func @strided(%x: memref<?x4xf32, strided<[?, ?], offset: ?>>, %a: index, %b: index) -> memref<?x?x4xf32, strided<[?, ?, ?], offset: ?>> {
  %e = memref.expand_shape %x [[0, 1], [2]] output_shape [%a, %b, 4] : memref<?x4xf32, strided<[?, ?], offset: ?>> into memref<?x?x4xf32, strided<[?, ?, ?], offset: ?>>
  return %e : memref<?x?x4xf32, strided<[?, ?, ?], offset: ?>>
}

// -----

// One dynamic size per group is left to expand-strided-metadata.
// CHECK-LABEL: func.func @one_dynamic
// CHECK: memref.expand_shape
// CHECK-NOT: memref.reinterpret_cast
func.func @one_dynamic(%x: memref<?x8xf32>, %b: index) -> memref<?x2x8xf32> {
  %e = memref.expand_shape %x [[0, 1], [2]] output_shape [%b, 2, 8] : memref<?x8xf32> into memref<?x2x8xf32>
  return %e : memref<?x2x8xf32>
}
