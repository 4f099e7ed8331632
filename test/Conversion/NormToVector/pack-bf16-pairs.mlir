// RUN: norm-opt %s --norm-pack-bf16-pairs --split-input-file | FileCheck %s

// Two halves of 32 f32 (a row's whole vector of 64 bf16): two
// vcvtne2ps2bf16 per pair of halves, 16 elements of each (odd halves first:
// the second operand fills the lower words), each followed by the shuffle
// that interleaves its words, the two chunks concatenated.
// CHECK-LABEL: func.func @halves_of_32
// CHECK-NOT:   arith.truncf
// CHECK:       %[[O0:.*]] = vector.extract_strided_slice %arg1 {offsets = [0], sizes = [16], strides = [1]}
// CHECK:       %[[E0:.*]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [16], strides = [1]}
// CHECK:       %[[B0:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.cvtne2ps2bf16.512"(%[[O0]], %[[E0]]) : (vector<16xf32>, vector<16xf32>) -> vector<32xbf16>
// CHECK:       %[[C0:.*]] = vector.shuffle %[[B0]], %[[B0]] [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31]
// CHECK:       %[[O1:.*]] = vector.extract_strided_slice %arg1 {offsets = [16], sizes = [16], strides = [1]}
// CHECK:       %[[E1:.*]] = vector.extract_strided_slice %arg0 {offsets = [16], sizes = [16], strides = [1]}
// CHECK:       %[[B1:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.cvtne2ps2bf16.512"(%[[O1]], %[[E1]])
// CHECK:       %[[C1:.*]] = vector.shuffle %[[B1]], %[[B1]] [0, 16, 1, 17
// CHECK:       %[[Y:.*]] = vector.shuffle %[[C0]], %[[C1]] [0, 1, 2, {{.*}}, 62, 63] : vector<32xbf16>, vector<32xbf16>
// CHECK:       return %[[Y]] : vector<64xbf16>
func.func @halves_of_32(%e: vector<32xf32>, %o: vector<32xf32>) -> vector<64xbf16> {
  %te = arith.truncf %e : vector<32xf32> to vector<32xbf16>
  %to = arith.truncf %o : vector<32xf32> to vector<32xbf16>
  %y = vector.interleave %te, %to : vector<32xbf16> -> vector<64xbf16>
  return %y : vector<64xbf16>
}

// -----

// Left alone: halves of 8 (not a multiple of 16), a truncf with a rounding
// mode attribute, f16, and an interleave of values that are not
// rounded from f32.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:   llvm.call_intrinsic
// CHECK-COUNT-4: vector.interleave
// CHECK-NOT:   llvm.call_intrinsic
func.func @left_alone(%a: vector<8xf32>, %b: vector<16xf32>, %c: vector<16xbf16>) -> (vector<16xbf16>, vector<32xbf16>, vector<32xf16>, vector<32xbf16>) {
  %ta = arith.truncf %a : vector<8xf32> to vector<8xbf16>
  %y0 = vector.interleave %ta, %ta : vector<8xbf16> -> vector<16xbf16>
  %tz = arith.truncf %b toward_zero : vector<16xf32> to vector<16xbf16>
  %tb = arith.truncf %b : vector<16xf32> to vector<16xbf16>
  %y1 = vector.interleave %tz, %tb : vector<16xbf16> -> vector<32xbf16>
  %th = arith.truncf %b : vector<16xf32> to vector<16xf16>
  %y2 = vector.interleave %th, %th : vector<16xf16> -> vector<32xf16>
  %y3 = vector.interleave %c, %tb : vector<16xbf16> -> vector<32xbf16>
  return %y0, %y1, %y2, %y3 : vector<16xbf16>, vector<32xbf16>, vector<32xf16>, vector<32xbf16>
}

// -----

// A vector rounded in order only to be stored: one vcvtne2ps2bf16 per 32
// elements, the upper 16 as its first operand, the chunks concatenated in
// order. A rounding with another user (an extf: the bf16 rounding of a
// normalized value before its epilogue) stays.
// CHECK-LABEL: func.func @stored
// CHECK:       %[[H0:.*]] = vector.extract_strided_slice %arg0 {offsets = [16], sizes = [16], strides = [1]}
// CHECK:       %[[L0:.*]] = vector.extract_strided_slice %arg0 {offsets = [0], sizes = [16], strides = [1]}
// CHECK:       %[[C0:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.cvtne2ps2bf16.512"(%[[H0]], %[[L0]])
// CHECK:       %[[H1:.*]] = vector.extract_strided_slice %arg0 {offsets = [48], sizes = [16], strides = [1]}
// CHECK:       %[[L1:.*]] = vector.extract_strided_slice %arg0 {offsets = [32], sizes = [16], strides = [1]}
// CHECK:       %[[C1:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.cvtne2ps2bf16.512"(%[[H1]], %[[L1]])
// CHECK:       %[[Y:.*]] = vector.shuffle %[[C0]], %[[C1]] [0, 1, {{.*}}, 63] : vector<32xbf16>, vector<32xbf16>
// CHECK:       vector.store %[[Y]], %arg1[%{{.*}}] : memref<64xbf16>, vector<64xbf16>
// CHECK:       %[[T:.*]] = arith.truncf %arg0 : vector<64xf32> to vector<64xbf16>
// CHECK:       arith.extf %[[T]]
func.func @stored(%v: vector<64xf32>, %m: memref<64xbf16>) -> vector<64xf32> {
  %c0 = arith.constant 0 : index
  %t = arith.truncf %v : vector<64xf32> to vector<64xbf16>
  vector.store %t, %m[%c0] : memref<64xbf16>, vector<64xbf16>
  %u = arith.truncf %v : vector<64xf32> to vector<64xbf16>
  %w = arith.extf %u : vector<64xbf16> to vector<64xf32>
  return %w : vector<64xf32>
}
