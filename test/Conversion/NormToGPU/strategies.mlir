// The GPU strategies, chosen from the shapes (docs/gpu.md).
// RUN: norm-opt %s --norm-convert-to-gpu | FileCheck %s
// RUN: norm-opt %s --norm-convert-to-gpu="max-cluster-size=8" | FileCheck %s --check-prefix=CLUSTER
// RUN: norm-opt %s --norm-convert-to-gpu="max-cluster-size=8 prefetch-mib=0" | FileCheck %s --check-prefix=NOPF
// RUN: norm-opt %s --norm-convert-to-gpu="max-cluster-size=8 packed-rows=false" | FileCheck %s --check-prefix=NOPACK
// RUN: norm-opt %s --norm-convert-to-gpu="row-values=16" | FileCheck %s --check-prefix=RV16
// RUN: not norm-opt %s --norm-convert-to-gpu="row-values=12" 2>&1 | FileCheck %s --check-prefix=RVBAD
// RVBAD: error: norm-convert-to-gpu: row-values must be 8, 16 or 32, not 12
// RUN: norm-opt %s --norm-convert-to-gpu="max-cluster-size=8 staged-weights=none" | FileCheck %s --check-prefix=SWNONE
// RUN: norm-opt %s --norm-convert-to-gpu="max-cluster-size=8 staged-weights=all" | FileCheck %s --check-prefix=SWALL
// RUN: norm-opt %s --norm-convert-to-gpu="max-cluster-size=8 staged-weights=gamma" | FileCheck %s --check-prefix=SWGAMMA
// RUN: not norm-opt %s --norm-convert-to-gpu="staged-weights=some" 2>&1 | FileCheck %s --check-prefix=SWBAD
// SWBAD: error: norm-convert-to-gpu: staged-weights must be auto, none, all or gamma, not 'some'

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
// The tuning knob row-values halves the values a thread keeps: twice the
// threads.
// RV16-LABEL: gpu.module @medium_kernels
// RV16: gpu.func @medium_0_scalar
// RV16-SAME: known_block_size = array<i32: 512, 1, 1>
func.func @medium(%x: tensor<5x4099xf32>) -> (tensor<5x4099xf32>, tensor<5xf32>, tensor<5xf32>) {
  %y, %m, %r = norm.layer_norm %x {axes = array<i64: 1>} : tensor<5x4099xf32> -> tensor<5x4099xf32>, tensor<5xf32>, tensor<5xf32>
  return %y, %m, %r : tensor<5x4099xf32>, tensor<5xf32>, tensor<5xf32>
}

// Rows too long for one block's registers: without clusters, 1024 threads
// read the row once per pass; with clusters (sm_90), eight blocks share it.
// Thread 0 initializes the block's mbarriers and the cluster barrier that
// orders that before any push is split (arrived at first, waited on before
// the first push); each reduction then pushes the block's total into every
// block's shared memory (st.async, completing bytes on the receiver's
// mbarrier) and waits on its own mbarrier, and the totals are added in rank
// order: no other cluster barrier, no read of another block's shared
// memory. No prefetch of the next wave's rows: clusters prefetch only whole
// slots within the budget, and the 16 slots of a wave of f32 rows of 256K
// elements take 16 MiB (@whole_wave below).
// CHECK-LABEL: gpu.module @long_kernels
// CHECK: gpu.func @long_0_vector
// CHECK-SAME: known_block_size = array<i32: 1024, 1, 1>, known_grid_size = array<i32: 2, 1, 1>
// CHECK: scf.for {{.*}} iter_args
// CHECK-NOT: mbarrier
// CHECK: gpu.return
// CLUSTER-LABEL: gpu.module @long_kernels
// CLUSTER: gpu.func @long_0_vector
// CLUSTER-SAME: known_block_size = array<i32: 1024, 1, 1>, known_grid_size = array<i32: 16, 1, 1>
// CLUSTER-SAME: nvvm.cluster_dim = array<i32: 8, 1, 1>
// CLUSTER-NOT: scf.for
// CLUSTER-NOT: prefetch
// CLUSTER-COUNT-2: "mbarrier.init.shared::cta.b64 [$0], 1;"
// CLUSTER-NOT: mbarrier.init
// CLUSTER: "fence.mbarrier_init.release.cluster;"
// CLUSTER: "barrier.cluster.arrive.relaxed.aligned;"
// CLUSTER: vector.load
// CLUSTER: gpu.barrier
// CLUSTER: "barrier.cluster.wait.aligned;"
// CLUSTER: "mbarrier.arrive.expect_tx.shared::cta.b64 _, [$0], $1;"
// CLUSTER: "mapa.shared::cluster.u32 $0, $1, $2;"
// CLUSTER: "st.async.shared::cluster.mbarrier::complete_tx::bytes.b32 [$0], $1, [$2];"
// CLUSTER: mbarrier.try_wait.parity.shared::cta.b64
// CLUSTER-COUNT-8: memref.load
// CLUSTER: gpu.barrier
// CLUSTER-NOT: barrier.cluster
// CLUSTER: "mbarrier.arrive.expect_tx.shared::cta.b64 _, [$0], $1;"
// CLUSTER: mbarrier.try_wait.parity.shared::cta.b64
// CLUSTER-NOT: barrier.cluster
// CLUSTER-NOT: nvvm.cluster
// CLUSTER-NOT: mapa
// CLUSTER: vector.store
// CLUSTER: gpu.return
// NOPF-LABEL: gpu.module @long_kernels
// NOPF-NOT: nsmid
// NOPF-NOT: prefetch
// NOPF: gpu.module @columns_kernels
func.func @long(%x: tensor<2x262144xf32>) -> tensor<2x262144xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2x262144xf32> -> tensor<2x262144xf32>
  return %y : tensor<2x262144xf32>
}

// Clusters prefetch the next wave's rows into L2 when a wave's worth of
// whole slots fits the budget: 66 rows of 128 KiB (bf16 rows of 65536
// elements over clusters of four blocks of 512 threads, two per SM) are
// 8.25 MiB. The slot ahead is this one plus 2 * nsmid / 4. (With
// prefetch-mib=0, none: the NOPF checks above run up to @columns.)
// CLUSTER-LABEL: gpu.module @whole_wave_kernels
// CLUSTER: gpu.func @whole_wave_0_vector
// CLUSTER-SAME: known_block_size = array<i32: 512, 1, 1>
// CLUSTER-SAME: nvvm.cluster_dim = array<i32: 4, 1, 1>
// CLUSTER: nvvm.read.ptx.sreg.nsmid
// CLUSTER: "prefetch.global.L2 [$0];"
// CLUSTER: gpu.return
// CLUSTER: gpu.func @whole_wave_0_scalar
// CLUSTER-NOT: prefetch
// CLUSTER: gpu.return
func.func @whole_wave(%x: tensor<300x65536xbf16>, %g: tensor<65536xbf16>, %b: tensor<65536xbf16>) -> tensor<300x65536xbf16> {
  %y = norm.layer_norm %x gamma(%g : tensor<65536xbf16>) beta(%b : tensor<65536xbf16>) {axes = array<i64: 1>} : tensor<300x65536xbf16> -> tensor<300x65536xbf16>
  return %y : tensor<300x65536xbf16>
}

// A row over four blocks (65536 f32 elements, 512 threads each): the
// LayerNorm's moments in one round, one block barrier and one exchange
// (each warp's sum, squares about its own mean and count, combined by
// Chan's formula; the block's three values pushed into every block, lane r
// reading block r's); eight blocks keep two rounds (above).
// CHECK-LABEL: gpu.module @quarter_kernels
// CHECK-NOT: mbarrier
// CHECK: gpu.return
// CLUSTER-LABEL: gpu.module @quarter_kernels
// CLUSTER: gpu.func @quarter_0_vector
// CLUSTER-SAME: known_block_size = array<i32: 512, 1, 1>, known_grid_size = array<i32: 8, 1, 1>
// CLUSTER-SAME: nvvm.cluster_dim = array<i32: 4, 1, 1>
// CLUSTER: gpu.shuffle xor
// CLUSTER: gpu.barrier
// CLUSTER-NOT: gpu.barrier
// CLUSTER: "barrier.cluster.wait.aligned;"
// CLUSTER-COUNT-3: "st.async.shared::cluster.mbarrier::complete_tx::bytes.b32 [$0], $1, [$2];"
// CLUSTER: mbarrier.try_wait.parity.shared::cta.b64
// CLUSTER-NOT: gpu.barrier
// CLUSTER-NOT: mbarrier.try_wait
// CLUSTER-NOT: barrier.cluster
// CLUSTER: vector.store
// CLUSTER: gpu.return
func.func @quarter(%x: tensor<2x65536xf32>) -> tensor<2x65536xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2x65536xf32> -> tensor<2x65536xf32>
  return %y : tensor<2x65536xf32>
}

// Centered 16-bit rows longer than 64K elements keep their values packed,
// two per 32-bit register, 64 per thread: a LayerNorm row of 131072 bf16
// takes a cluster of four blocks of 512 threads instead of eight, two
// blocks per SM (nvvm.minctasm: 64 registers). Each pass after the first
// widens the words again after xor-ing them with an opaque zero (a
// volatile asm), so that LLVM cannot keep the first pass's f32 values
// instead; the statistics take two rounds (one round would let ptxas merge
// the widenings of the sum and the squares). The scalar kernel keeps the
// plan without packing (one element per load: ptxas would spill).
// CLUSTER-LABEL: gpu.module @packed_kernels
// CLUSTER: gpu.func @packed_0_vector
// CLUSTER-SAME: known_block_size = array<i32: 512, 1, 1>, known_grid_size = array<i32: 8, 1, 1>
// CLUSTER-SAME: nvvm.cluster_dim = array<i32: 4, 1, 1>, nvvm.minctasm = 2 : i32
// CLUSTER-COUNT-9: vector.load {{.*}} vector<8xbf16>
// CLUSTER: vector.bitcast {{.*}} : vector<2xbf16> to vector<1xi32>
// CLUSTER-NOT: arith.xori
// CLUSTER: vector.bitcast {{.*}} : vector<1xi32> to vector<2xbf16>
// CLUSTER: mbarrier.try_wait.parity
// CLUSTER: %[[ZERO:.*]] = llvm.inline_asm has_side_effects "mov.u32 $0, 0;", "=r"
// CLUSTER: arith.xori %{{.*}}, %[[ZERO]] : i32
// CLUSTER: mbarrier.try_wait.parity
// CLUSTER: %[[ZERO2:.*]] = llvm.inline_asm has_side_effects "mov.u32 $0, 0;", "=r"
// CLUSTER: arith.xori %{{.*}}, %[[ZERO2]] : i32
// CLUSTER: vector.store
// CLUSTER: gpu.return
// CLUSTER: gpu.func @packed_0_scalar
// CLUSTER-SAME: known_block_size = array<i32: 512, 1, 1>, known_grid_size = array<i32: 16, 1, 1>
// CLUSTER-SAME: nvvm.cluster_dim = array<i32: 8, 1, 1>
// CLUSTER-NOT: minctasm
// CLUSTER-NOT: arith.xori
// CLUSTER: gpu.return
// NOPACK-LABEL: gpu.module @packed_kernels
// NOPACK: gpu.func @packed_0_vector
// NOPACK-SAME: known_block_size = array<i32: 512, 1, 1>, known_grid_size = array<i32: 16, 1, 1>
// NOPACK-SAME: nvvm.cluster_dim = array<i32: 8, 1, 1>
// NOPACK-NOT: arith.xori
// NOPACK: gpu.module
func.func @packed(%x: tensor<2x131072xbf16>) -> tensor<2x131072xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2x131072xbf16> -> tensor<2x131072xbf16>
  return %y : tensor<2x131072xbf16>
}

// Not packed: RMSNorm (one reduction round: measured slower packed), and
// any row with a prologue (here a residual add computed in f32).
// CLUSTER-LABEL: gpu.module @unpacked_kernels
// CLUSTER: gpu.func @unpacked_0_vector
// CLUSTER-SAME: known_block_size = array<i32: 1024, 1, 1>
// CLUSTER-NOT: minctasm
// CLUSTER-NOT: arith.xori
// CLUSTER: gpu.func @unpacked_1_vector
// CLUSTER-SAME: known_block_size = array<i32: 1024, 1, 1>
// CLUSTER-NOT: minctasm
// CLUSTER-NOT: arith.xori
// CLUSTER: gpu.return
func.func @unpacked(%x: tensor<2x262144xf16>, %r: tensor<2x262144xf16>) -> (tensor<2x262144xf16>, tensor<2x262144xf32>) {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<2x262144xf16> -> tensor<2x262144xf16>
  %z = norm.layer_norm %x
      prologue(%r : tensor<2x262144xf16>) {
      ^bb0(%a: f16, %b: f16):
        %ae = arith.extf %a : f16 to f32
        %be = arith.extf %b : f16 to f32
        %s = arith.addf %ae, %be : f32
        norm.yield %s : f32
      } {axes = array<i64: 1>} : tensor<2x262144xf16> -> tensor<2x262144xf32>
  return %y, %z : tensor<2x262144xf16>, tensor<2x262144xf32>
}

// Without clusters (sm_80), 16-bit rows of 32K-64K elements are packed in
// one block of 1024 threads, read once; f32 rows of that length are read
// once per pass.
// CHECK-LABEL: gpu.module @packed_one_block_kernels
// CHECK: gpu.func @packed_one_block_0_vector
// CHECK-SAME: known_block_size = array<i32: 1024, 1, 1>, known_grid_size = array<i32: 2, 1, 1>
// CHECK-NOT: scf.for
// CHECK: arith.xori
// CHECK: gpu.return
// CHECK: gpu.func @packed_one_block_0_scalar
// CHECK: scf.for
// CHECK: gpu.func @packed_one_block_1_vector
// CHECK: scf.for
// CHECK: gpu.return
func.func @packed_one_block(%x: tensor<2x65536xbf16>, %w: tensor<2x65536xf32>) -> (tensor<2x65536xbf16>, tensor<2x65536xf32>) {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<2x65536xbf16> -> tensor<2x65536xbf16>
  %z = norm.rms_norm %w {axes = array<i64: 1>} : tensor<2x65536xf32> -> tensor<2x65536xf32>
  return %y, %z : tensor<2x65536xbf16>, tensor<2x65536xf32>
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

// A row of 32K elements takes a block of 1024 threads, alone on its SM:
// each thread prefetches into L1 the gamma and beta of its units (one line
// per 16-byte unit) while its row comes from memory, before the next
// wave's row into L2; the scalar kernel does not (one prefetch per element
// would cost more than it saves). Blocks of 512 threads (16K) do not.
// CHECK-LABEL: gpu.module @weights_kernels
// CHECK: gpu.func @weights_0_vector
// CHECK-SAME: known_block_size = array<i32: 1024, 1, 1>
// CHECK-NOT: cp.async
// CHECK-COUNT-16: llvm.inline_asm has_side_effects "prefetch.global.L1 [$0];"
// CHECK-NOT: prefetch.global.L1
// CHECK: prefetch.global.L2
// CHECK-NOT: prefetch.global.L1
// CHECK: gpu.func @weights_0_scalar
// CHECK-NOT: prefetch.global.L1
// CHECK: gpu.func @half_0_vector
// CHECK-SAME: known_block_size = array<i32: 512, 1, 1>
// CHECK-NOT: prefetch.global.L1
// CHECK: gpu.return
func.func @weights(%x: tensor<2x32768xf32>, %g: tensor<32768xf32>, %b: tensor<32768xf32>) -> tensor<2x32768xf32> {
  %y = norm.layer_norm %x gamma(%g : tensor<32768xf32>) beta(%b : tensor<32768xf32>) {axes = array<i64: 1>} : tensor<2x32768xf32> -> tensor<2x32768xf32>
  return %y : tensor<2x32768xf32>
}
func.func @half(%x: tensor<2x16384xf32>, %g: tensor<16384xf32>) -> tensor<2x16384xf32> {
  %y = norm.rms_norm %x gamma(%g : tensor<16384xf32>) {axes = array<i64: 1>} : tensor<2x16384xf32> -> tensor<2x16384xf32>
  return %y : tensor<2x16384xf32>
}

// The same row with 16-bit weights: the first units' gamma and beta are
// copied into shared memory (cp.async, 16 bytes, bypassing L1) while the
// row comes from memory, as many as 40 KB hold (here one unit of each per
// thread: 1024 threads x 8 bf16 x 2 weights = 32 KB), instead of the L1
// prefetch; the normalizing pass waits for the thread's own copies and
// reads them back. The scalar kernel does not stage.
// CHECK-LABEL: gpu.module @staged_kernels
// CHECK: gpu.func @staged_0_vector
// CHECK-SAME: workgroup(%[[G:.*]] : memref<8192xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[B:.*]] : memref<8192xbf16, #gpu.address_space<workgroup>>
// CHECK-SAME: known_block_size = array<i32: 1024, 1, 1>
// CHECK-NOT: prefetch.global.L1
// CHECK-COUNT-2: "cp.async.cg.shared.global [$0], [$1], 16;"
// CHECK-NOT: cp.async.cg
// CHECK: "cp.async.wait_all;"
// CHECK: vector.load %[[G]]
// CHECK: vector.load %[[B]]
// CHECK-NOT: vector.load %[[G]]
// CHECK: gpu.func @staged_0_scalar
// CHECK-NOT: cp.async
// CHECK: gpu.return
func.func @staged(%x: tensor<2x32768xbf16>, %g: tensor<32768xbf16>, %b: tensor<32768xbf16>) -> tensor<2x32768xbf16> {
  %y = norm.layer_norm %x gamma(%g : tensor<32768xbf16>) beta(%b : tensor<32768xbf16>) {axes = array<i64: 1>} : tensor<2x32768xbf16> -> tensor<2x32768xbf16>
  return %y : tensor<2x32768xbf16>
}

// On a cluster, RMSNorm stages its gamma (here all four units of each
// thread: 512 threads x 4 x 8 bf16 = 32 KB); LayerNorm, with gamma and
// beta, does not (measured slower). gamma is then read only by the 16-byte
// copies, which need it 16-byte aligned: the C wrapper checks it
// (norm.arg_alignment), as for a buffer loaded by 16-byte loads.
// CLUSTER-LABEL: gpu.module @staged_rms_kernels
// CLUSTER: gpu.func @staged_rms_0_vector
// CLUSTER-SAME: memref<16384xbf16, #gpu.address_space<workgroup>>
// CLUSTER-SAME: norm.arg_alignment = array<i64: 16, 16, 16>
// CLUSTER-SAME: nvvm.cluster_dim = array<i32: 4, 1, 1>
// CLUSTER-COUNT-4: "cp.async.cg.shared.global [$0], [$1], 16;"
// CLUSTER-NOT: cp.async.cg
// CLUSTER: "cp.async.wait_all;"
// CLUSTER: gpu.func @staged_rms_0_scalar
// CLUSTER-NOT: cp.async
// CLUSTER-LABEL: gpu.module @unstaged_ln_kernels
// CLUSTER: nvvm.cluster_dim = array<i32: 4, 1, 1>
// CLUSTER-NOT: cp.async
// CLUSTER: gpu.func @unstaged_ln_0_scalar
// CLUSTER-NOT: cp.async
// The tuning knob staged-weights: none stages nothing; all stages the
// LayerNorm's gamma and beta too (two units of each per thread: 512 x 2 x 8
// bf16 x 2 = 32 KB); gamma stages its gamma alone (all four units).
// SWNONE-LABEL: gpu.module @staged_rms_kernels
// SWNONE-NOT: cp.async
// SWNONE: gpu.module @unstaged_ln_kernels
// SWNONE-NOT: cp.async
// SWNONE: gpu.return
// SWALL-LABEL: gpu.module @unstaged_ln_kernels
// SWALL: gpu.func @unstaged_ln_0_vector
// SWALL-SAME: memref<8192xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<8192xbf16, #gpu.address_space<workgroup>>
// SWALL-COUNT-4: "cp.async.cg.shared.global [$0], [$1], 16;"
// SWALL-NOT: cp.async.cg
// SWALL: "cp.async.wait_all;"
// SWGAMMA-LABEL: gpu.module @unstaged_ln_kernels
// SWGAMMA: gpu.func @unstaged_ln_0_vector
// SWGAMMA-SAME: memref<16384xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<16xf32
// SWGAMMA-COUNT-4: "cp.async.cg.shared.global [$0], [$1], 16;"
// SWGAMMA-NOT: cp.async.cg
// SWGAMMA: "cp.async.wait_all;"
func.func @staged_rms(%x: tensor<2x65536xbf16>, %g: tensor<65536xbf16>) -> tensor<2x65536xbf16> {
  %y = norm.rms_norm %x gamma(%g : tensor<65536xbf16>) {axes = array<i64: 1>} : tensor<2x65536xbf16> -> tensor<2x65536xbf16>
  return %y : tensor<2x65536xbf16>
}
func.func @unstaged_ln(%x: tensor<2x65536xbf16>, %g: tensor<65536xbf16>, %b: tensor<65536xbf16>) -> tensor<2x65536xbf16> {
  %y = norm.layer_norm %x gamma(%g : tensor<65536xbf16>) beta(%b : tensor<65536xbf16>) {axes = array<i64: 1>} : tensor<2x65536xbf16> -> tensor<2x65536xbf16>
  return %y : tensor<2x65536xbf16>
}
