// RUN: norm-opt %s --norm-expand-bf16 --split-input-file | FileCheck %s
// RUN: norm-opt %s --norm-lower-to-cpu --split-input-file | FileCheck %s --check-prefix=PIPE

// f32 -> bf16 on 32-bit lanes: round to nearest even by adding 0x7FFF plus
// the lowest kept bit, NaN quieted (bit 22 set) instead of rounded, the
// select on i32 and the truncation to 16 bits last. A vector of 16 lanes
// or more compares its halves once (unordered: some lane NaN) and selects
// only then.
// CHECK-LABEL: func.func @vector
// CHECK-DAG:   %[[QUIET:.*]] = arith.constant dense<4194304> : vector<16xi32>
// CHECK-DAG:   %[[BIAS:.*]] = arith.constant dense<32767> : vector<16xi32>
// CHECK-DAG:   %[[ONE:.*]] = arith.constant dense<1> : vector<16xi32>
// CHECK-DAG:   %[[SIXTEEN:.*]] = arith.constant dense<16> : vector<16xi32>
// CHECK:       %[[U:.*]] = arith.bitcast %[[X:.*]] : vector<16xf32> to vector<16xi32>
// CHECK-NEXT:  %[[HI:.*]] = arith.shrui %[[U]], %[[SIXTEEN]] : vector<16xi32>
// CHECK-NEXT:  %[[LSB:.*]] = arith.andi %[[HI]], %[[ONE]] : vector<16xi32>
// CHECK-NEXT:  %[[B:.*]] = arith.addi %[[LSB]], %[[BIAS]] : vector<16xi32>
// CHECK-NEXT:  %[[R:.*]] = arith.addi %[[U]], %[[B]] : vector<16xi32>
// CHECK-NEXT:  %[[LO8:.*]] = vector.extract_strided_slice %[[X]] {offsets = [0], sizes = [8], strides = [1]}
// CHECK-NEXT:  %[[HI8:.*]] = vector.extract_strided_slice %[[X]] {offsets = [8], sizes = [8], strides = [1]}
// CHECK-NEXT:  %[[PAIRS:.*]] = arith.cmpf uno, %[[LO8]], %[[HI8]] : vector<8xf32>
// CHECK-NEXT:  %[[ANY:.*]] = vector.reduction <or>, %[[PAIRS]] : vector<8xi1> into i1
// CHECK-NEXT:  %[[BITS:.*]] = scf.if %[[ANY]] -> (vector<16xi32>) {
// CHECK-NEXT:    %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : vector<16xf32>
// CHECK-NEXT:    %[[Q:.*]] = arith.ori %[[U]], %[[QUIET]] : vector<16xi32>
// CHECK-NEXT:    %[[S:.*]] = arith.select %[[NAN]], %[[Q]], %[[R]] : vector<16xi1>, vector<16xi32>
// CHECK-NEXT:    scf.yield %[[S]] : vector<16xi32>
// CHECK-NEXT:  } else {
// CHECK-NEXT:    scf.yield %[[R]] : vector<16xi32>
// CHECK-NEXT:  }
// CHECK-NEXT:  %[[H:.*]] = arith.shrui %[[BITS]], %[[SIXTEEN]] : vector<16xi32>
// CHECK-NEXT:  %[[T:.*]] = arith.trunci %[[H]] : vector<16xi32> to vector<16xi16>
// CHECK-NEXT:  arith.bitcast %[[T]] : vector<16xi16> to vector<16xbf16>
func.func @vector(%x: vector<16xf32>) -> vector<16xbf16> {
  %y = arith.truncf %x : vector<16xf32> to vector<16xbf16>
  return %y : vector<16xbf16>
}

// Shorter vectors select in every lane.
// CHECK-LABEL: func.func @short_vector
// CHECK-NOT:   scf.if
// CHECK:       %[[NAN:.*]] = arith.cmpf uno, %[[X:.*]], %[[X]] : vector<8xf32>
// CHECK:       arith.select %[[NAN]], %{{.*}}, %{{.*}} : vector<8xi1>, vector<8xi32>
// CHECK:       arith.trunci %{{.*}} : vector<8xi32> to vector<8xi16>
func.func @short_vector(%x: vector<8xf32>) -> vector<8xbf16> {
  %y = arith.truncf %x : vector<8xf32> to vector<8xbf16>
  return %y : vector<8xbf16>
}

// Two roundings interleaved (even and odd elements of a row): one
// unordered compare of the even vector with the odd one decides whether
// both take the NaN select; the pairs are packed on 32-bit lanes, the even
// element's bf16 (its upper half shifted down) in the lower 16 bits, the
// odd one's (its upper half, masked) in the upper.
// CHECK-LABEL: func.func @interleaved
// CHECK-SAME:  (%[[E:.*]]: vector<8xf32>, %[[O:.*]]: vector<8xf32>)
// CHECK-DAG:   %[[SIXTEEN:.*]] = arith.constant dense<16> : vector<8xi32>
// CHECK-DAG:   %[[UPPER:.*]] = arith.constant dense<-65536> : vector<8xi32>
// CHECK:       %[[ANY:.*]] = vector.reduction <or>, %{{.*}} : vector<8xi1> into i1
// CHECK:       %[[BITS:.*]]:2 = scf.if %[[ANY]] -> (vector<8xi32>, vector<8xi32>) {
// CHECK:         arith.cmpf uno, %[[E]], %[[E]] : vector<8xf32>
// CHECK:         arith.cmpf uno, %[[O]], %[[O]] : vector<8xf32>
// CHECK:       } else {
// CHECK:       %[[LOW:.*]] = arith.shrui %[[BITS]]#0, %[[SIXTEEN]] : vector<8xi32>
// CHECK:       %[[HIGH:.*]] = arith.andi %[[BITS]]#1, %[[UPPER]] : vector<8xi32>
// CHECK:       %[[PACKED:.*]] = arith.ori %[[LOW]], %[[HIGH]] : vector<8xi32>
// CHECK:       vector.bitcast %[[PACKED]] : vector<8xi32> to vector<16xbf16>
// CHECK-NOT:   arith.truncf
// CHECK-NOT:   vector.interleave
func.func @interleaved(%e: vector<8xf32>, %o: vector<8xf32>) -> vector<16xbf16> {
  %te = arith.truncf %e : vector<8xf32> to vector<8xbf16>
  %to = arith.truncf %o : vector<8xf32> to vector<8xbf16>
  %y = vector.interleave %te, %to : vector<8xbf16> -> vector<16xbf16>
  return %y : vector<16xbf16>
}

// CHECK-LABEL: func.func @scalar
// CHECK:       arith.select %{{.*}}, %{{.*}}, %{{.*}} : i32
// CHECK:       arith.trunci %{{.*}} : i32 to i16
func.func @scalar(%x: f32) -> bf16 {
  %y = arith.truncf %x : f32 to bf16
  return %y : bf16
}

// Other sources are left to arith-expand.
// CHECK-LABEL: func.func @from_f64
// CHECK:       arith.truncf %{{.*}} : f64 to bf16
func.func @from_f64(%x: f64) -> bf16 {
  %y = arith.truncf %x : f64 to bf16
  return %y : bf16
}

// -----

// In the CPU pipeline without native bf16 (the default of
// norm-lower-to-cpu), a bf16 LayerNorm's stores select on 32-bit lanes:
// no select on 16-bit lanes (which LLVM scalarizes on AVX2).
// PIPE-LABEL: llvm.func @layer_norm_bf16
// PIPE:       llvm.select %{{.*}}, %{{.*}}, %{{.*}} : vector<{{[0-9]+}}xi1>, vector<{{[0-9]+}}xi32>
// PIPE-NOT:   llvm.select {{.*}} vector<{{[0-9]+}}xi16>
// PIPE:       llvm.return
func.func @layer_norm_bf16(%x: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
