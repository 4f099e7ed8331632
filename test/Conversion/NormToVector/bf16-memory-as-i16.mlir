// RUN: norm-opt %s --norm-bf16-memory-as-i16 | FileCheck %s

// bf16 loads and stores (scalars and vectors) become i16 ones with the same
// attributes, and bitcasts; other loads and stores are left alone.
// CHECK-LABEL: llvm.func @memory
// CHECK:       %[[V:.*]] = llvm.load %arg0 {alignment = 2 : i64} : !llvm.ptr -> vector<8xi16>
// CHECK-NEXT:  %[[VB:.*]] = llvm.bitcast %[[V]] : vector<8xi16> to vector<8xbf16>
// CHECK-NEXT:  %[[S:.*]] = llvm.load %arg0 : !llvm.ptr -> i16
// CHECK-NEXT:  %[[SB:.*]] = llvm.bitcast %[[S]] : i16 to bf16
// CHECK-NEXT:  %[[F:.*]] = llvm.load %arg0 : !llvm.ptr -> f32
// CHECK-NEXT:  %[[VI:.*]] = llvm.bitcast %[[VB]] : vector<8xbf16> to vector<8xi16>
// CHECK-NEXT:  llvm.store %[[VI]], %arg1 {alignment = 16 : i64, nontemporal} : vector<8xi16>, !llvm.ptr
// CHECK-NEXT:  %[[SI:.*]] = llvm.bitcast %[[SB]] : bf16 to i16
// CHECK-NEXT:  llvm.store %[[SI]], %arg1 : i16, !llvm.ptr
// CHECK-NEXT:  llvm.store %[[F]], %arg1 : f32, !llvm.ptr
llvm.func @memory(%p: !llvm.ptr, %q: !llvm.ptr) {
  %v = llvm.load %p {alignment = 2 : i64} : !llvm.ptr -> vector<8xbf16>
  %s = llvm.load %p : !llvm.ptr -> bf16
  %f = llvm.load %p : !llvm.ptr -> f32
  llvm.store %v, %q {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr
  llvm.store %s, %q : bf16, !llvm.ptr
  llvm.store %f, %q : f32, !llvm.ptr
  llvm.return
}
