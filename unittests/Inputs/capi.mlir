// Kernels of unittests/CApiTest.cpp, compiled by norm-compile --embedded.
func.func @layer_norm(%x: tensor<?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>)
    -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %mean, %rstd = norm.layer_norm %x gamma(%g : tensor<?xf32>)
      beta(%b : tensor<?xf32>) {axes = array<i64: 1>}
      : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %mean, %rstd : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
}

func.func @rms_bf16(%x: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x64xbf16> -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}

func.func @batch_norm(%x: tensor<?x8x5x5xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>)
    -> (tensor<?x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<8xf32>, tensor<8xf32>)
      {channel_axis = 1} : tensor<?x8x5x5xf32> -> tensor<?x8x5x5xf32>, tensor<8xf32>,
      tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
  return %y, %bm, %bv, %rm, %rv : tensor<?x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// Two ops: no output may be in place of an input.
func.func @two(%x: tensor<?x16xf32>, %z: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %a = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x16xf32> -> tensor<?x16xf32>
  %c = norm.rms_norm %z {axes = array<i64: 1>} : tensor<?x16xf32> -> tensor<?x16xf32>
  return %a, %c : tensor<?x16xf32>, tensor<?x16xf32>
}

// NHWC batch norm with few channels: its batch axes split into chunks
// (docs/cpu.md, "Few channels").
func.func @batch_norm_nhwc(%x: tensor<?x16x16x24xf32>, %g: tensor<24xf32>, %b: tensor<24xf32>)
    -> (tensor<?x16x16x24xf32>, tensor<24xf32>, tensor<24xf32>) {
  %y, %bm, %bv = norm.batch_norm %x gamma(%g : tensor<24xf32>) beta(%b : tensor<24xf32>)
      {channel_axis = 3} : tensor<?x16x16x24xf32> -> tensor<?x16x16x24xf32>, tensor<24xf32>, tensor<24xf32>
  return %y, %bm, %bv : tensor<?x16x16x24xf32>, tensor<24xf32>, tensor<24xf32>
}
