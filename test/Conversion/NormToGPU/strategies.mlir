// The GPU strategies, chosen from the shapes (docs/gpu.md).
// RUN: norm-opt %s --norm-convert-to-gpu | FileCheck %s
// RUN: norm-opt %s --norm-convert-to-gpu="max-cluster-size=8" | FileCheck %s --check-prefix=CLUSTER
// RUN: norm-opt %s --norm-convert-to-gpu="max-cluster-size=8 prefetch-mib=0" | FileCheck %s --check-prefix=NOPF

// Short rows: a warp per row, four rows per block, butterfly shuffles and no
// barrier; 16-byte accesses (8 bf16) in the vectorized kernel, each buffer's
// alignment recorded for the launcher.
// CHECK-LABEL: gpu.module @short_kernels
// CHECK: gpu.func @short_0_vector(%{{.*}}: memref<bf16>, %{{.*}}: memref<bf16>, %{{.*}}: memref<bf16>)
// CHECK-SAME: kernel attributes {known_block_size = array<i32: 128, 1, 1>, known_grid_size = array<i32: 16, 1, 1>, norm.arg_alignment = array<i64: 16, 16, 16>}
// CHECK: vector.load {{.*}} {alignment = 16 : i64} : memref<49152xbf16>, vector<8xbf16>
// CHECK: gpu.shuffle xor
// CHECK-NOT: gpu.barrier
// CHECK: vector.store {{.*}} {alignment = 16 : i64} : memref<49152xbf16>, vector<8xbf16>
// CHECK: gpu.return
// CHECK: gpu.func @short_0_scalar
// CHECK-NOT: vector.load
// CHECK: gpu.return
func.func @short(%x: tensor<64x768xbf16>, %g: tensor<768xbf16>) -> tensor<64x768xbf16> {
  %y = norm.rms_norm %x gamma(%g : tensor<768xbf16>) {axes = array<i64: 1>} : tensor<64x768xbf16> -> tensor<64x768xbf16>
  return %y : tensor<64x768xbf16>
}

// Longer rows: a block per row, the row in registers (one read), warp sums
// combined through 16-byte-aligned shared memory; a row whose length is not
// a multiple of the vector has only the scalar kernel. Blocks of 256
// threads share an SM with others: no prefetch.
// CHECK-LABEL: gpu.module @medium_kernels
// CHECK: gpu.func @medium_0_scalar({{.*}}) workgroup({{.*}}: memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>, known_grid_size = array<i32: 5, 1, 1>
// CHECK-NOT: prefetch
// CHECK: gpu.barrier
// CHECK-NOT: scf.for
// CHECK: gpu.return
// CHECK-NOT: gpu.func @medium_0_vector
func.func @medium(%x: tensor<5x4099xf32>) -> (tensor<5x4099xf32>, tensor<5xf32>, tensor<5xf32>) {
  %y, %m, %r = norm.layer_norm %x {axes = array<i64: 1>} : tensor<5x4099xf32> -> tensor<5x4099xf32>, tensor<5xf32>, tensor<5xf32>
  return %y, %m, %r : tensor<5x4099xf32>, tensor<5xf32>, tensor<5xf32>
}

// Rows too long for one block's registers: without clusters, 1024 threads
// read the row once per pass; with clusters (sm_90), eight blocks share it,
// exchanging partial sums through distributed shared memory, and prefetch
// into L2 the row the next wave takes (nsmid / 8 rows ahead; 4097 lines of
// 128 bytes over 8192 threads: one each). A block says
// it is done reading the others' shared memory before it stores, and waits
// for them only at its end.
// CHECK-LABEL: gpu.module @long_kernels
// CHECK: gpu.func @long_0_vector
// CHECK-SAME: known_block_size = array<i32: 1024, 1, 1>, known_grid_size = array<i32: 2, 1, 1>
// CHECK: scf.for {{.*}} iter_args
// CHECK-NOT: nvvm.mapa
// CHECK: gpu.return
// CLUSTER-LABEL: gpu.module @long_kernels
// CLUSTER: gpu.func @long_0_vector
// CLUSTER-SAME: known_block_size = array<i32: 1024, 1, 1>, known_grid_size = array<i32: 16, 1, 1>
// CLUSTER-SAME: nvvm.cluster_dim = array<i32: 8, 1, 1>
// CLUSTER-NOT: scf.for
// CLUSTER: nvvm.read.ptx.sreg.nsmid
// CLUSTER: llvm.inline_asm has_side_effects "prefetch.global.L2 [$0];"
// CLUSTER-NOT: prefetch
// CLUSTER: gpu.barrier
// CLUSTER: nvvm.cluster.arrive
// CLUSTER-NEXT: nvvm.cluster.wait
// CLUSTER: nvvm.mapa
// CLUSTER: nvvm.cluster.arrive
// CLUSTER-NEXT: nvvm.cluster.wait
// CLUSTER: nvvm.mapa
// CLUSTER: nvvm.cluster.arrive
// CLUSTER-NOT: nvvm.mapa
// CLUSTER: vector.store
// CLUSTER: nvvm.cluster.wait
// CLUSTER-NEXT: gpu.return
// NOPF-LABEL: gpu.module @long_kernels
// NOPF-NOT: nsmid
// NOPF-NOT: prefetch
// NOPF: gpu.module @columns_kernels
func.func @long(%x: tensor<2x262144xbf16>) -> tensor<2x262144xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2x262144xbf16> -> tensor<2x262144xbf16>
  return %y : tensor<2x262144xbf16>
}

// A row over four blocks (65536 bf16 elements, 512 threads each): the
// LayerNorm's moments in one round, one block barrier and one cluster
// barrier (each warp's sum, squares about its own mean and count, combined
// by Chan's formula), every lane reading one block's through distributed
// shared memory; eight blocks keep two rounds (above).
// CHECK-LABEL: gpu.module @quarter_kernels
// CHECK-NOT: nvvm.mapa
// CHECK: gpu.return
// CLUSTER-LABEL: gpu.module @quarter_kernels
// CLUSTER: gpu.func @quarter_0_vector
// CLUSTER-SAME: known_block_size = array<i32: 512, 1, 1>, known_grid_size = array<i32: 8, 1, 1>
// CLUSTER-SAME: nvvm.cluster_dim = array<i32: 4, 1, 1>
// CLUSTER: gpu.shuffle xor
// CLUSTER-NOT: nvvm.cluster
// CLUSTER: gpu.barrier
// CLUSTER-NOT: gpu.barrier
// CLUSTER: nvvm.cluster.arrive
// CLUSTER-NEXT: nvvm.cluster.wait
// CLUSTER: nvvm.mapa
// CLUSTER-NOT: gpu.barrier
// CLUSTER-NOT: nvvm.cluster.wait
// CLUSTER: nvvm.cluster.arrive
// CLUSTER-NOT: nvvm.mapa
// CLUSTER: vector.store
// CLUSTER: nvvm.cluster.wait
// CLUSTER-NEXT: gpu.return
func.func @quarter(%x: tensor<2x65536xbf16>) -> tensor<2x65536xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2x65536xbf16> -> tensor<2x65536xbf16>
  return %y : tensor<2x65536xbf16>
}

// A kept innermost axis (batch norm, channels last): 32 adjacent channels
// across x, threads along y splitting each channel's reduction.
// CHECK-LABEL: gpu.module @columns_kernels
// CHECK: gpu.func @columns_0_scalar
// CHECK-SAME: known_block_size = array<i32: 32, 4, 1>, known_grid_size = array<i32: 1, 1, 1>
// CHECK: gpu.thread_id y
// CHECK: gpu.barrier
// CHECK: gpu.return
func.func @columns(%x: tensor<2x7x7x32xf16>, %m: tensor<32xf32>, %v: tensor<32xf32>) -> (tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<32xf32>, tensor<32xf32>) {channel_axis = 3} : tensor<2x7x7x32xf16> -> tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>
  return %y, %bm, %bv, %rm, %rv : tensor<2x7x7x32xf16>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>
}

// Given statistics: a grid-stride loop over vectors of elements; the two
// kernels have their own grids.
// CHECK-LABEL: gpu.module @given_kernels
// CHECK: gpu.func @given_0_vector
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>, known_grid_size = array<i32: 512, 1, 1>
// CHECK: scf.for
// CHECK: gpu.func @given_0_scalar
// CHECK-SAME: known_grid_size = array<i32: 4096, 1, 1>
func.func @given(%x: tensor<16x64x32x32xbf16>, %m: tensor<64xf32>, %v: tensor<64xf32>) -> tensor<16x64x32x32xbf16> {
  %y = norm.batch_norm_inference %x, %m, %v : tensor<16x64x32x32xbf16>, tensor<64xf32>, tensor<64xf32> -> tensor<16x64x32x32xbf16>
  return %y : tensor<16x64x32x32xbf16>
}

// A dynamic batch of rows: the kernels take the product of the dynamic
// sizes as their last argument and have no fixed grid; the launcher
// computes it (norm.grid_formula: ceil(n * 1 / 4) blocks).
// CHECK-LABEL: gpu.module @batch_kernels
// CHECK: gpu.func @batch_0_vector(%{{.*}}: memref<bf16>, %{{.*}}: memref<bf16>, %[[N:.*]]: index)
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>, norm.arg_alignment = array<i64: 16, 16>, norm.grid_formula = array<i64: 1, 4, 0>
// CHECK: %[[SIZE:.*]] = arith.muli %[[N]], %{{.*}} : index
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [%[[SIZE]]], strides: [1] : memref<bf16> to memref<?xbf16>
// CHECK: arith.cmpi ult
// CHECK: gpu.return
func.func @batch(%x: tensor<?x1024xbf16>) -> tensor<?x1024xbf16> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x1024xbf16> -> tensor<?x1024xbf16>
  return %y : tensor<?x1024xbf16>
}
