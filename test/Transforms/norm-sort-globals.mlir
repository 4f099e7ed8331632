// RUN: norm-opt %s --norm-sort-globals | FileCheck %s
// The module's memref.global ops come first, ordered by name; the rest keeps
// its order.
// CHECK: memref.global "private" constant @a
// CHECK-NEXT: memref.global "private" constant @b
// CHECK-NEXT: memref.global "private" constant @c
// CHECK-NEXT: func.func @f
// CHECK: func.func @g
memref.global "private" constant @c : memref<2xf32> = dense<3.0>
func.func @f() { return }
memref.global "private" constant @a : memref<2xf32> = dense<1.0>
func.func @g() { return }
memref.global "private" constant @b : memref<2xf32> = dense<2.0>
