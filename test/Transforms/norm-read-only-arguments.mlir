// RUN: norm-opt %s --norm-read-only-arguments | FileCheck %s
// Tensor arguments of functions with bodies become read-only for
// bufferization; other arguments and declarations are left as they are.
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = false}
// CHECK-SAME: %{{.*}}: index,
// CHECK-SAME: %{{.*}}: tensor<?xbf16> {bufferization.writable = false}
func.func @f(%x: tensor<4xf32>, %n: index, %y: tensor<?xbf16>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
// CHECK: func.func private @g(tensor<4xf32>)
// CHECK-NOT: writable
func.func private @g(tensor<4xf32>)
