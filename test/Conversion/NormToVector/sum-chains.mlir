// RUN: norm-opt %s --norm-convert-to-vector=vector-width=64 --canonicalize | FileCheck %s

// Column slots of one native vector (16 f32 lanes; width 64 is four native
// vectors) sum along their rows in four independent chains: iteration i
// adds into chain i % 4, the chains are added pairwise, ((c0 + c1) +
// (c2 + c3)), and the last 102 % 4 rows go into the combined sums. The
// exact squares pass of the fallback is chained the same way.
// CHECK-LABEL: func.func @four_chains
// CHECK:       %[[S:.*]]:8 = scf.for %{{.*}} = %c0 to %c100 step %c4 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-COUNT-4: vector.load %{{.*}} : memref<64x102x16xf32>, vector<16xf32>
// CHECK:       }
// CHECK-NEXT:  %[[A:.*]] = arith.addf %[[S]]#0, %[[S]]#2 : vector<16xf32>
// CHECK-NEXT:  %[[B:.*]] = arith.addf %[[S]]#1, %[[S]]#3 : vector<16xf32>
// CHECK-NEXT:  %[[C:.*]] = arith.addf %[[S]]#4, %[[S]]#6 : vector<16xf32>
// CHECK-NEXT:  %[[D:.*]] = arith.addf %[[S]]#5, %[[S]]#7 : vector<16xf32>
// CHECK-NEXT:  %[[AC:.*]] = arith.addf %[[A]], %[[C]] : vector<16xf32>
// CHECK-NEXT:  %[[BD:.*]] = arith.addf %[[B]], %[[D]] : vector<16xf32>
// CHECK-NEXT:  scf.for %{{.*}} = %c100 to %c102 step %c1 iter_args(%{{.*}} = %[[AC]], %{{.*}} = %[[BD]])
// CHECK:       scf.for %{{.*}} = %c0 to %c100 step %c4 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
func.func @four_chains(%x: tensor<64x102x16xf32>) -> tensor<64x102x16xf32> {
  %y = norm.instance_norm %x {channel_axis = 2} : tensor<64x102x16xf32> -> tensor<64x102x16xf32>
  return %y : tensor<64x102x16xf32>
}

// Two native vectors per row: two chains.
// CHECK-LABEL: func.func @two_chains
// CHECK:       %[[S:.*]]:4 = scf.for %{{.*}} = %c0 to %c100 step %c2 iter_args({{.*}}) -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>) {
// CHECK:       arith.addf %[[S]]#0, %[[S]]#2 : vector<32xf32>
// CHECK-NEXT:  arith.addf %[[S]]#1, %[[S]]#3 : vector<32xf32>
func.func @two_chains(%x: tensor<64x100x32xf32>) -> tensor<64x100x32xf32> {
  %y = norm.instance_norm %x {channel_axis = 2} : tensor<64x100x32xf32> -> tensor<64x100x32xf32>
  return %y : tensor<64x100x32xf32>
}

// A whole block of four native vectors has four chains already: one
// chain per lane.
// CHECK-LABEL: func.func @one_chain
// CHECK:       scf.for %{{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<64xf32>, vector<64xf32>) {
// CHECK-NOT:   step %c2
// CHECK-NOT:   step %c4
// CHECK:       return
func.func @one_chain(%x: tensor<64x100x64xf32>) -> tensor<64x100x64xf32> {
  %y = norm.instance_norm %x {channel_axis = 2} : tensor<64x100x64xf32> -> tensor<64x100x64xf32>
  return %y : tensor<64x100x64xf32>
}
