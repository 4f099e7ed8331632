// RUN: norm-opt %s --norm-convert-to-vector=vector-width=16 --canonicalize --split-input-file | FileCheck %s

// Rows of 16 KiB whose input and output (64 MiB) leave the L3, when the
// output starts on a 64-byte line (every row is then streamed): chunks of
// 32 rows; the first row's statistics alone, then a loop over the rows
// that carries the statistics (pivot, shift, rstd) of the row it
// normalizes, in the loop that sums the next row: each vector of the next
// row prefetches its input 1024 elements (4 KiB) further on into L1,
// normalizes and streams out the same position of this row, then adds the
// next row's x - pivot and its square. The chunk's last row is normalized
// after the loop. Otherwise, the plain row kernel.
// CHECK-LABEL: func.func @pipelined
// CHECK:       %[[ALIGNED:.*]] = arith.cmpi eq, %{{.*}}, %c0 : index
// CHECK:       scf.if %[[ALIGNED]] {
// CHECK:         scf.parallel (%[[CHUNK:.*]]) = (%c0) to (%c64) step (%c1) {
// CHECK:           %[[LO:.*]] = arith.muli %[[CHUNK]], %c32 : index
// CHECK:           %[[LAST:.*]] = arith.subi %{{.*}}, %c1 : index
// CHECK:           %[[STATS:.*]]:3 = scf.for %[[ROW:.*]] = %[[LO]] to %[[LAST]] step %c1 iter_args({{.*}}) -> (f32, f32, f32) {
// CHECK:             %[[NEXT:.*]] = arith.addi %[[ROW]], %c1 : index
// CHECK:             scf.for %[[J:.*]] = %c0 to %c4096 step %c16 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>) {
// CHECK:               %[[AHEAD:.*]] = arith.addi %[[J]], %c1024 : index
// CHECK:               memref.prefetch %{{.*}}, read, locality<3>, data : memref<2048x4096xf32>
// CHECK:               vector.load %{{.*}}[%[[ROW]], %[[J]]] : memref<2048x4096xf32>, vector<16xf32>
// CHECK:               vector.store %{{.*}}, %{{.*}}[%[[ROW]], %[[J]]] {alignment = 64 : i64, nontemporal = true} : memref<2048x4096xf32>, vector<16xf32>
// CHECK:               vector.load %{{.*}}[%[[NEXT]], %[[J]]] : memref<2048x4096xf32>, vector<16xf32>
// CHECK:             scf.yield %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32
// CHECK:           vector.store %{{.*}}, %{{.*}}[%[[LAST]], %{{.*}}] {alignment = 64 : i64, nontemporal = true}
// CHECK:       } else {
// CHECK:         scf.parallel (%{{.*}}) = (%c0) to (%c2048) step (%c1) {
func.func @pipelined(%x: tensor<2048x4096xf32>) -> tensor<2048x4096xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2048x4096xf32> -> tensor<2048x4096xf32>
  return %y : tensor<2048x4096xf32>
}

// -----

// Rows of 512 bytes (under 1 KiB), or an output under the streaming
// threshold (8 MiB, not streamed): the plain row kernel only.
// CHECK-LABEL: func.func @short_rows
// CHECK-NOT:   locality<3>
// CHECK:       return
func.func @short_rows(%x: tensor<65536x128xf32>) -> tensor<65536x128xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<65536x128xf32> -> tensor<65536x128xf32>
  return %y : tensor<65536x128xf32>
}
// CHECK-LABEL: func.func @in_cache
// CHECK-NOT:   locality<3>
// CHECK:       return
func.func @in_cache(%x: tensor<512x4096xf32>) -> tensor<512x4096xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<512x4096xf32> -> tensor<512x4096xf32>
  return %y : tensor<512x4096xf32>
}
