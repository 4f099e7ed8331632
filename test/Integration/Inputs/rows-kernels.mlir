// Kernels with row-range entry points (norm-compile --tile-entry).
func.func @layer_norm(%x: tensor<?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %r = norm.layer_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %r : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
}

// Group norm: a row is an (image, group) pair.
func.func @group_norm(%x: tensor<?x12x5x5xbf16>, %g: tensor<12xbf16>) -> tensor<?x12x5x5xbf16> {
  %y = norm.group_norm %x gamma(%g : tensor<12xbf16>) {num_groups = 3} : tensor<?x12x5x5xbf16> -> tensor<?x12x5x5xbf16>
  return %y : tensor<?x12x5x5xbf16>
}

// Training batch norm over channels-first rows (a channel per row), the
// running statistics updated and the inverse standard deviation returned:
// each call updates and converts its own channels only.
func.func @batch_norm(%x: tensor<6x256xf32>, %rm: tensor<6xf32>, %rv: tensor<6xf32>) -> (tensor<6x256xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) {
  %y, %m, %r, %nm, %nv = norm.batch_norm %x running(%rm, %rv : tensor<6xf32>, tensor<6xf32>) {channel_axis = 0, stats = #norm.stats<mean_rstd>} : tensor<6x256xf32> -> tensor<6x256xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>
  return %y, %m, %r, %nm, %nv : tensor<6x256xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>
}
