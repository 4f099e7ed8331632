// Work outside norm ops that bufferizes to a copy into a strided buffer
// (tensor.pad, as a convolution's padding imported by torch-mlir) runs on
// both pipelines: the copy becomes loops, not a call to MLIR's C runner
// utilities (memrefCopy), which the JIT does not provide.
// RUN: norm-run %s --input=2x3xf32=1 | FileCheck %s
// RUN: norm-run %s --input=2x3xf32=1 --pipeline=reference | FileCheck %s
// CHECK: result[0]: tensor<4x5xf32> [0, 1, 1, 1, 0, 0, ...]
func.func @pad(%x: tensor<2x3xf32>) -> tensor<4x5xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1] high[2, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x3xf32> to tensor<4x5xf32>
  return %p : tensor<4x5xf32>
}
