// RUN: norm-opt %s --norm-strided-copies | FileCheck %s

// A copy into a strided subview becomes linalg.copy (lowered to loops later:
// finalize-memref-to-llvm would call memrefCopy, which no link provides).
// CHECK-LABEL: func.func @strided(
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%arg0 : memref<2x3xf32>) outs(%{{.*}} : memref<2x3xf32, strided<[5, 1], offset: 1>>)
func.func @strided(%x: memref<2x3xf32>, %y: memref<4x5xf32>) {
  %s = memref.subview %y[0, 1] [2, 3] [1, 1] : memref<4x5xf32> to memref<2x3xf32, strided<[5, 1], offset: 1>>
  memref.copy %x, %s : memref<2x3xf32> to memref<2x3xf32, strided<[5, 1], offset: 1>>
  return
}

// A copy between contiguous buffers stays (a memcpy).
// CHECK-LABEL: func.func @contiguous(
// CHECK: memref.copy %arg0, %arg1 : memref<2x3xf32> to memref<2x3xf32>
func.func @contiguous(%x: memref<2x3xf32>, %y: memref<2x3xf32>) {
  memref.copy %x, %y : memref<2x3xf32> to memref<2x3xf32>
  return
}
