// Results are bit-identical whatever the thread count: every statistic is
// computed by one thread in a fixed order.
// RUN: env NORM_NUM_THREADS=1 norm-run %s --function=rows --input=37x1031xf32=random --output=@%t.rows1.npy --output=@%t.rstd1.npy
// RUN: env NORM_NUM_THREADS=3 norm-run %s --function=rows --input=37x1031xf32=random --output=@%t.rows3.npy --output=@%t.rstd3.npy
// RUN: cmp %t.rows1.npy %t.rows3.npy
// RUN: cmp %t.rstd1.npy %t.rstd3.npy
// RUN: env NORM_NUM_THREADS=1 norm-run %s --function=channels --input=4x7x7x40xbf16=random --input=40xf32=0 --input=40xf32=1 --output=@%t.bn1.npy --output=@%t.m1.npy --output=@%t.v1.npy
// RUN: env NORM_NUM_THREADS=4 norm-run %s --function=channels --input=4x7x7x40xbf16=random --input=40xf32=0 --input=40xf32=1 --output=@%t.bn4.npy --output=@%t.m4.npy --output=@%t.v4.npy
// RUN: cmp %t.bn1.npy %t.bn4.npy
// RUN: cmp %t.m1.npy %t.m4.npy
// RUN: cmp %t.v1.npy %t.v4.npy
func.func @rows(%x: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>) {
  %y, %r = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>
  return %y, %r : tensor<?x?xf32>, tensor<?xf32>
}
func.func @channels(%x: tensor<4x7x7x40xbf16>, %m: tensor<40xf32>, %v: tensor<40xf32>) -> (tensor<4x7x7x40xbf16>, tensor<40xf32>, tensor<40xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<40xf32>, tensor<40xf32>) {channel_axis = 3} : tensor<4x7x7x40xbf16> -> tensor<4x7x7x40xbf16>, tensor<40xf32>, tensor<40xf32>, tensor<40xf32>, tensor<40xf32>
  return %y, %rm, %rv : tensor<4x7x7x40xbf16>, tensor<40xf32>, tensor<40xf32>
}
