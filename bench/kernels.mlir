// The kernels of the CPU benchmark (bench/run.py), compiled by norm-compile.
// Forward inference forms, as the peer libraries run them.
func.func @layer_norm_f32(%x: tensor<?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @layer_norm_bf16(%x: tensor<?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
func.func @rms_norm_f32(%x: tensor<?x?xf32>, %g: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = norm.rms_norm %x gamma(%g : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @rms_norm_bf16(%x: tensor<?x?xbf16>, %g: tensor<?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.rms_norm %x gamma(%g : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
func.func @bn_infer_f32(%x: tensor<?x?x?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @bn_infer_bf16(%x: tensor<?x?x?x?xbf16>, %m: tensor<?xf32>, %v: tensor<?xf32>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?x?x?xbf16> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) : tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?x?xbf16>
  return %y : tensor<?x?x?x?xbf16>
}
func.func @bn_train_f32(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>, %rm: tensor<?xf32>, %rv: tensor<?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %v, %nrm, %nrv = norm.batch_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) running(%rm, %rv : tensor<?xf32>, tensor<?xf32>) : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %v, %nrm, %nrv : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @bn_train_bf16(%x: tensor<?x?x?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>, %rm: tensor<?xf32>, %rv: tensor<?xf32>) -> (tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %v, %nrm, %nrv = norm.batch_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) running(%rm, %rv : tensor<?xf32>, tensor<?xf32>) : tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %v, %nrm, %nrv : tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
// The same batch norms over NHWC images (channels innermost).
func.func @bn_infer_nhwc_f32(%x: tensor<?x?x?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {channel_axis = 3} : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @bn_infer_nhwc_bf16(%x: tensor<?x?x?x?xbf16>, %m: tensor<?xf32>, %v: tensor<?xf32>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?x?x?xbf16> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) {channel_axis = 3} : tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?x?xbf16>
  return %y : tensor<?x?x?x?xbf16>
}
func.func @bn_train_nhwc_f32(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>, %rm: tensor<?xf32>, %rv: tensor<?xf32>) -> (tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %v, %nrm, %nrv = norm.batch_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) running(%rm, %rv : tensor<?xf32>, tensor<?xf32>) {channel_axis = 3} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %v, %nrm, %nrv : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @bn_train_nhwc_bf16(%x: tensor<?x?x?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>, %rm: tensor<?xf32>, %rv: tensor<?xf32>) -> (tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %v, %nrm, %nrv = norm.batch_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) running(%rm, %rv : tensor<?xf32>, tensor<?xf32>) {channel_axis = 3} : tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %v, %nrm, %nrv : tensor<?x?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
// Group norm (32 groups, the Stable Diffusion UNet's) over NCHW and NHWC.
func.func @group_norm_f32(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.group_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {num_groups = 32} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @group_norm_bf16(%x: tensor<?x?x?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?x?x?xbf16> {
  %y = norm.group_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) {num_groups = 32} : tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>
  return %y : tensor<?x?x?x?xbf16>
}
func.func @group_norm_nhwc_f32(%x: tensor<?x?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.group_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {num_groups = 32, channel_axis = 3} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @group_norm_nhwc_bf16(%x: tensor<?x?x?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?x?x?xbf16> {
  %y = norm.group_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) {num_groups = 32, channel_axis = 3} : tensor<?x?x?x?xbf16> -> tensor<?x?x?x?xbf16>
  return %y : tensor<?x?x?x?xbf16>
}
