// CUDA kernels with a dynamic leading size (a batch of rows, of images).
func.func @rms(%x: tensor<?x1024xbf16>, %g: tensor<1024xbf16>) -> tensor<?x1024xbf16> {
  %y = norm.rms_norm %x gamma(%g : tensor<1024xbf16>) {axes = array<i64: 1>} : tensor<?x1024xbf16> -> tensor<?x1024xbf16>
  return %y : tensor<?x1024xbf16>
}

func.func @bni(%x: tensor<?x64x32x32xbf16>, %m: tensor<64xf32>, %v: tensor<64xf32>) -> tensor<?x64x32x32xbf16> {
  %y = norm.batch_norm_inference %x, %m, %v : tensor<?x64x32x32xbf16>, tensor<64xf32>, tensor<64xf32> -> tensor<?x64x32x32xbf16>
  return %y : tensor<?x64x32x32xbf16>
}
