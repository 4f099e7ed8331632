// RUN: norm-opt %s --norm-convert-to-vector=vector-width=16 --split-input-file | FileCheck %s
// RUN: norm-opt %s --norm-convert-to-vector=vector-width=8 --split-input-file | FileCheck %s --check-prefix=W8

// Row strategy: the reduced axis is innermost. One parallel iteration per
// row; two reductions (mean, centered squares) along the row with whole
// vectors, then the remainder in vectors of halving widths (each summed
// across its lanes), then a normalizing pass (whole vectors, then the
// remainder in the same steps). bf16 is widened
// as 32-bit words: shifted left by 16 (the even elements) and masked (the
// odd ones); the sums take the lanes in that order, the normalizing pass
// rounds each half and interleaves them back.
// CHECK-LABEL: func.func @layer_norm_rows
// CHECK:       %[[X:[a-zA-Z0-9_]+]] = bufferization.to_buffer %{{.*}} read_only : tensor<?x?xbf16> to memref<?x?xbf16>
// CHECK:       %[[Y:[a-zA-Z0-9_]+]] = memref.alloc(%{{.*}}, %{{.*}}) {alignment = 64 : i64} : memref<?x?xbf16>
// The pipelined rows (out of the L3, then rows of 1-8 KiB in cache with
// ordinary stores: PipelinedRows.cpp) come first, then the plain row
// kernel:
// CHECK:       scf.parallel (%{{.*}}) = (%c0) to (%{{.*}}) step (%c1) {
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 iter_args
// CHECK:       scf.parallel (%{{.*}}) = (%c0) to (%{{.*}}) step (%c1) {
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 iter_args
// CHECK:       scf.parallel (%[[ROW:[a-zA-Z0-9_]+]]) =
// CHECK:         scf.for %[[I:[a-zA-Z0-9_]+]] = {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<16xf32>)
// CHECK:           %[[V:.*]] = vector.load %[[X]][%[[ROW]], %[[I]]] : memref<?x?xbf16>, vector<16xbf16>
// CHECK:           %[[W:.*]] = vector.bitcast %[[V]] : vector<16xbf16> to vector<8xi32>
// CHECK:           %[[E:.*]] = arith.shli %[[W]], %{{.*}} : vector<8xi32>
// CHECK:           %[[O:.*]] = arith.andi %[[W]], %{{.*}} : vector<8xi32>
// CHECK:           vector.shuffle {{.*}} : vector<8xf32>, vector<8xf32>
// CHECK:         scf.if %{{.*}} -> (vector<1xf32>) {
// CHECK:           vector.load %[[X]][%[[ROW]], %{{.*}}] : memref<?x?xbf16>, vector<8xbf16>
// CHECK:           vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<8xf32> into f32
// CHECK:         scf.if %{{.*}} -> (vector<1xf32>) {
// CHECK:           vector.load %[[X]][%[[ROW]], %{{.*}}] : memref<?x?xbf16>, vector<4xbf16>
// CHECK:         vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK:         vector.reduction <add>
// CHECK:         arith.subf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK:         math.rsqrt %{{.*}} : f32
// CHECK:         scf.for
// CHECK:           vector.bitcast %{{.*}} : vector<16xbf16> to vector<8xi32>
// CHECK:           %[[YE:.*]] = arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK:           %[[YO:.*]] = arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK:           %[[YI:.*]] = vector.interleave %[[YE]], %[[YO]] : vector<8xbf16> -> vector<16xbf16>
// CHECK:           vector.store %[[YI]], %[[Y]][%[[ROW]], %{{.*}}] : memref<?x?xbf16>, vector<16xbf16>
// The normalizing pass's remainder: vectors of 8, 4, 2 and 1 elements, each
// when its bit of the remainder is set.
// CHECK:         %[[R8:.*]] = arith.andi %[[REM:.*]], %c8 : index
// CHECK:         %[[T8:.*]] = arith.cmpi ne, %[[R8]], %c0 : index
// CHECK:         scf.if %[[T8]] {
// CHECK:           vector.store %{{.*}}, %[[Y]][%[[ROW]], %{{.*}}] : memref<?x?xbf16>, vector<8xbf16>
// CHECK:         arith.andi %[[REM]], %c4 : index
// CHECK:           vector.store {{.*}} vector<4xbf16>
// CHECK:         arith.andi %[[REM]], %c2 : index
// CHECK:           vector.store {{.*}} vector<2xbf16>
// CHECK:         arith.andi %[[REM]], %c1 : index
// CHECK:           vector.store {{.*}} vector<1xbf16>
// CHECK:       bufferization.to_tensor %[[Y]] restrict writable
// CHECK-NOT:   norm.layer_norm
// CHECK-NOT:   linalg.
// W8-LABEL: func.func @layer_norm_rows
// W8: vector.load %{{.*}} : memref<?x?xbf16>, vector<8xbf16>
func.func @layer_norm_rows(%x: tensor<?x?xbf16>, %g: tensor<?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x gamma(%g : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}

// -----

// Column strategy: the channel axis is innermost (NHWC). The lanes of a
// vector are 16 channels; the reduced axes (collapsed into one) are walked
// in order, so there is no horizontal reduction. The channels that do not
// fill a vector (8 of 40) are done as blocks of halving widths (8, 4, 2, 1
// lanes), each when its bit of their count is set. (Larger problems with
// few blocks split the reduced axes: split-columns.mlir.)
// CHECK-LABEL: func.func @batch_norm_channels_last
// CHECK:       %[[X:[a-zA-Z0-9_]+]] = memref.collapse_shape %{{.*}} {{\[}}[0, 1, 2], [3]] : memref<2x7x7x40xf32> into memref<98x40xf32>
// CHECK:       scf.parallel (%{{.*}}) = (%{{.*}}) to (%c3)
// CHECK:         scf.if
// CHECK:           scf.for %[[B:[a-zA-Z0-9_]+]] = %c0 to %{{.*}} step %c256 iter_args
// CHECK:             scf.for %[[R:[a-zA-Z0-9_]+]] = %[[B]] to {{.*}} -> (vector<16xf32>, vector<16xf32>)
// CHECK:               vector.load %[[X]][%[[R]], %{{.*}}] : memref<98x40xf32>, vector<16xf32>
// CHECK-NOT:       vector.reduction <add>
// CHECK:           vector.store %{{.*}} : memref<40xf32>, vector<16xf32>
// Vectors of 16 f32 cover a 64-byte line: non-temporal stores when the
// output is large and the rows and the block are aligned.
// CHECK:           scf.if %{{.*}} {
// CHECK:             scf.for
// CHECK:               vector.store %{{.*}} {alignment = 64 : i64, nontemporal = true} : memref<98x40xf32>, vector<16xf32>
// CHECK:           } else {
// CHECK:             scf.for
// CHECK-NOT:           nontemporal
// CHECK:               vector.store %{{.*}} : memref<98x40xf32>, vector<16xf32>
// CHECK:         } else {
// CHECK-NOT:       scf.for
// CHECK:           scf.if
// CHECK:             scf.for %[[B8:[a-zA-Z0-9_]+]] = %c0 to %{{.*}} step %c256 iter_args
// CHECK:               scf.for %[[R8:[a-zA-Z0-9_]+]] = %[[B8]] to {{.*}} -> (vector<8xf32>, vector<8xf32>)
// CHECK:                 vector.load %[[X]][%[[R8]], %{{.*}}] : memref<98x40xf32>, vector<8xf32>
// CHECK:           scf.if
// CHECK:             vector<4xf32>
// CHECK:           scf.if
// CHECK:             vector<2xf32>
// CHECK:           scf.if
// CHECK:             vector<1xf32>
// CHECK:       scf.for %{{.*}} = %{{.*}} to %{{.*}}
// CHECK:         memref.load
func.func @batch_norm_channels_last(%x: tensor<2x7x7x40xf32>, %m: tensor<40xf32>, %v: tensor<40xf32>) -> (tensor<2x7x7x40xf32>, tensor<40xf32>, tensor<40xf32>, tensor<40xf32>, tensor<40xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<40xf32>, tensor<40xf32>) {channel_axis = 3} : tensor<2x7x7x40xf32> -> tensor<2x7x7x40xf32>, tensor<40xf32>, tensor<40xf32>, tensor<40xf32>, tensor<40xf32>
  return %y, %bm, %bv, %rm, %rv : tensor<2x7x7x40xf32>, tensor<40xf32>, tensor<40xf32>, tensor<40xf32>, tensor<40xf32>
}

// -----

// Batch norm in NCHW: reduced, kept, reduced. One parallel iteration per
// channel, walking the batch and reducing along the contiguous H*W rows;
// the normalizing pass walks the batch backwards (the last rows summed are
// the likeliest still in cache).
// CHECK-LABEL: func.func @batch_norm_nchw
// CHECK:       memref.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : memref<8x16x7x7xf32> into memref<8x16x49xf32>
// CHECK:       scf.parallel (%[[C:[a-zA-Z0-9_]+]]) = (%{{.*}}) to (%{{.*}})
// CHECK:         scf.for %[[B:[a-zA-Z0-9_]+]] = %c0 to %{{.*}} step %c256 iter_args
// CHECK:           scf.for %[[N:[a-zA-Z0-9_]+]] = %[[B]] to
// CHECK:             scf.for %[[I:[a-zA-Z0-9_]+]] = {{.*}} -> (vector<16xf32>
// CHECK:             vector.load %{{.*}}[%[[N]], %[[C]], %[[I]]] : memref<8x16x49xf32>, vector<16xf32>
// CHECK:         scf.for %[[K:[a-zA-Z0-9_]+]] = %c0 to %c8 step %c1 {
// CHECK-NEXT:      %[[BACK:.*]] = arith.subi %c7, %[[K]] : index
// CHECK:           vector.store %{{.*}}, %{{.*}}[%[[BACK]], %[[C]], %{{.*}}] {alignment = 64 : i64, nontemporal = true} : memref<8x16x49xf32>, vector<16xf32>
func.func @batch_norm_nchw(%x: tensor<8x16x7x7xf32>) -> (tensor<8x16x7x7xf32>, tensor<16xf32>, tensor<16xf32>) {
  %y, %m, %v = norm.batch_norm %x : tensor<8x16x7x7xf32> -> tensor<8x16x7x7xf32>, tensor<16xf32>, tensor<16xf32>
  return %y, %m, %v : tensor<8x16x7x7xf32>, tensor<16xf32>, tensor<16xf32>
}

// -----

// Group norm splits the channel axis; each (example, group) is one slot of
// (channels per group) rows of H * W elements; gamma is split alike. The
// slots (two kept segments) go in chunks of consecutive slots (16 KiB: 56
// slots of 8 rows of 9 f32, here all eight in one), the first slot's
// indices from the chunk's start, the next ones advanced slot by slot (the
// group wrapping into the example).
// CHECK-LABEL: func.func @group_norm
// CHECK:       memref.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3]] output_shape [2, 4, 8, 9] : memref<2x32x9xf32> into memref<2x4x8x9xf32>
// CHECK:       memref.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [4, 8] : memref<32xf32> into memref<4x8xf32>
// CHECK:       scf.parallel (%[[CHUNK:.*]]) = (%c0) to (%c1) step (%c1) {
// CHECK:         %[[FIRST:.*]] = arith.muli %[[CHUNK]], %c56 : index
// CHECK:         %[[G0:.*]] = arith.remui %[[FIRST]], %c4 : index
// CHECK:         %[[N0:.*]] = arith.divui %[[FIRST]], %c4 : index
// CHECK:         scf.for %{{.*}} = %[[FIRST]] to %{{.*}} step %c1 iter_args(%[[N:.*]] = %[[N0]], %[[G:.*]] = %[[G0]]) -> (index, index) {
// CHECK:           vector.load %{{.*}}[%[[N]], %[[G]], %c0, %{{.*}}] : memref<2x4x8x9xf32>
// CHECK:           %[[BUMPED:.*]] = arith.addi %[[G]], %c1 : index
// CHECK:           %[[WRAPS:.*]] = arith.cmpi eq, %[[BUMPED]], %c4 : index
// CHECK:           %[[NEXTG:.*]] = arith.select %[[WRAPS]], %c0, %[[BUMPED]] : index
// CHECK:           %[[CARRY:.*]] = arith.select %[[WRAPS]], %c1, %c0 : index
// CHECK:           %[[NEXTN:.*]] = arith.addi %[[N]], %[[CARRY]] : index
// CHECK:           scf.yield %[[NEXTN]], %[[NEXTG]] : index, index
func.func @group_norm(%x: tensor<2x32x9xf32>, %g: tensor<32xf32>) -> tensor<2x32x9xf32> {
  %y = norm.group_norm %x gamma(%g : tensor<32xf32>) {num_groups = 4} : tensor<2x32x9xf32> -> tensor<2x32x9xf32>
  return %y : tensor<2x32x9xf32>
}

// -----

// Group norm over NHWC computed in f64 (no channel groups: an f32 compute
// type only) keeps the row kernel: each (example, group) slot is a row of
// its group's 10 channels at each of 64x64 pixels (160 KiB), so every slot
// is a chunk of its own: 64 parallel iterations. (Counted as one 40-byte
// row, all 64 slots went into one chunk, and the kernel ran on one thread.)
// RUN: norm-opt %s --norm-convert-to-vector=vector-width=16 --canonicalize --split-input-file | FileCheck %s --check-prefix=CANON
// CANON-LABEL: func.func @group_norm_nhwc_f64
// CANON:       scf.parallel (%{{.*}}) = (%c0) to (%c64) step (%c1) {
func.func @group_norm_nhwc_f64(%x: tensor<2x64x64x320xf32>) -> tensor<2x64x64x320xf32> {
  %y = norm.group_norm %x {channel_axis = 3, num_groups = 32, compute_type = f64} : tensor<2x64x64x320xf32> -> tensor<2x64x64x320xf32>
  return %y : tensor<2x64x64x320xf32>
}

// -----

// Channels-last group norm (f32 compute type, static channels): column
// slots as for instance norm. The examples go in rounds of at most 8 MiB of
// input (here one example, 5 MiB: phase C finds it in the L3): per round,
// each channel's sums over H x W in eight chunks and two parts of the 20
// whole vectors of channels (16 parallel iterations); then each channel's
// statistics, merged per group of 10 channels (one rsqrt per group); then
// phase C normalizes with each channel's group statistics.
// CANON-LABEL: func.func @group_norm_nhwc
// CANON:       memref.alloca() : memref<8192xf32>
// CANON:       scf.for %[[R:.*]] = %c0 to %c2 step %c1 {
// CANON:         scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%c0, %c0, %[[R]]) to (%c8, %c2, %{{.*}}) step (%c1, %c1, %c1) {
// CANON:         scf.parallel (%{{.*}}) = (%[[R]]) to (%{{.*}}) step (%c1) {
// CANON:           scf.for %{{.*}} = %c0 to %c20 step %c1 {
// CANON:           scf.for %{{.*}} = %c0 to %c320 step %c10 {
// CANON-COUNT-1:     math.rsqrt %{{.*}} : f32
// CANON:         scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%c0, %c0, %[[R]]) to (%c8, %c2, %{{.*}}) step (%c1, %c1, %c1) {
// CANON-NOT:   scf.parallel
func.func @group_norm_nhwc(%x: tensor<2x64x64x320xf32>) -> tensor<2x64x64x320xf32> {
  %y = norm.group_norm %x {channel_axis = 3, num_groups = 32} : tensor<2x64x64x320xf32> -> tensor<2x64x64x320xf32>
  return %y : tensor<2x64x64x320xf32>
}

// -----

// 1280 channels: two examples' sums fill the scratch buffer (32 KiB), so
// the examples go in rounds of two (an scf.for around the three phases),
// in one chunk split into 8 parts of the 80 whole vectors.
// CANON-LABEL: func.func @group_norm_nhwc_rounds
// CANON:       scf.for %[[R:.*]] = %c0 to %c4 step %c2 {
// CANON:         scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %[[R]]) to (%c8, %{{.*}}) step (%c1, %c1) {
// CANON:         scf.parallel (%{{.*}}) = (%[[R]]) to (%{{.*}}) step (%c1) {
// CANON:           scf.for %{{.*}} = %c0 to %c1280 step %c40 {
// CANON:         scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %[[R]]) to (%c8, %{{.*}}) step (%c1, %c1) {
func.func @group_norm_nhwc_rounds(%x: tensor<4x8x8x1280xbf16>, %g: tensor<1280xbf16>) -> tensor<4x8x8x1280xbf16> {
  %y = norm.group_norm %x gamma(%g : tensor<1280xbf16>) {channel_axis = 3, num_groups = 32} : tensor<4x8x8x1280xbf16> -> tensor<4x8x8x1280xbf16>
  return %y : tensor<4x8x8x1280xbf16>
}

// -----

// A dynamic channel count chooses at run time: column slots merged per
// group where it is at most 2730 (the scratch buffer holds three floats per
// channel), the row kernel over the same buffers otherwise; one scratch
// buffer for the kernel.
// CANON-LABEL: func.func @group_norm_nhwc_dynamic
// CANON:       memref.alloca() : memref<8192xf32>
// CANON-NOT:   memref.alloca
// CANON:       %[[C:.*]] = tensor.dim %{{.*}}, %c3
// CANON:       %[[FITS:.*]] = arith.cmpi ule, %[[C]], %c2730 : index
// CANON:       scf.if %[[FITS]] {
// CANON:         memref.load %alloca
// CANON:       } else {
// CANON:       bufferization.to_tensor
func.func @group_norm_nhwc_dynamic(%x: tensor<2x64x64x?xf32>) -> tensor<2x64x64x?xf32> {
  %y = norm.group_norm %x {channel_axis = 3, num_groups = 32} : tensor<2x64x64x?xf32> -> tensor<2x64x64x?xf32>
  return %y : tensor<2x64x64x?xf32>
}

// -----

// LayerNorm over the channel axis of NCHW (ConvNeXt): kept, reduced, kept.
// Lanes run along H*W; the channels are walked in order (the kernel
// without split columns: one parallel iteration per image and block of
// 16 pixels; the split form is emitted too, under a condition false for
// this shape).
// CHECK-LABEL: func.func @layer_norm_channels_first
// CHECK:       scf.parallel (%[[N:[a-zA-Z0-9_]+]], %[[B:[a-zA-Z0-9_]+]]) = (%c0, %c0) to (%c2, %c196)
// CHECK:         scf.for %[[C:[a-zA-Z0-9_]+]] = {{.*}} -> (vector<16xf32>)
// CHECK:           vector.load %{{.*}}[%[[N]], %[[C]], %{{.*}}] : memref<2x96x3136xf32>, vector<16xf32>
func.func @layer_norm_channels_first(%x: tensor<2x96x56x56xf32>) -> tensor<2x96x56x56xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2x96x56x56xf32> -> tensor<2x96x56x56xf32>
  return %y : tensor<2x96x56x56xf32>
}

// -----

// Rows of an output larger than the streaming threshold that start on a
// 64-byte boundary are stored with aligned non-temporal stores; the others,
// and the scalar remainder, with ordinary ones.
// CHECK-LABEL: func.func @streaming
// CHECK:       %[[BASE:.*]] = memref.extract_aligned_pointer_as_index
// CHECK:       arith.remui %{{.*}}, %c64
// CHECK:       arith.remui %{{.*}}, %c64
// CHECK:       scf.if
// CHECK:         vector.store %{{.*}} {alignment = 64 : i64, nontemporal = true} : memref<?x?xf32>, vector<16xf32>
// CHECK:       } else {
// CHECK:         vector.store %{{.*}} : memref<?x?xf32>, vector<16xf32>
// CHECK:       vector.store %{{.*}} : memref<?x?xf32>, vector<1xf32>
func.func @streaming(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// Problems of less than 64 KiB run on the calling thread (no thread team to
// wake for batch-size-1 latency); larger ones in the parallel loop.
// CHECK-LABEL: func.func @small_or_parallel
// CHECK:       %[[SMALL:.*]] = arith.cmpi ult, %{{.*}}, %c65536 : index
// CHECK:       scf.if %[[SMALL]] {
// CHECK:         scf.for
// CHECK-NOT:     scf.parallel
// CHECK:       } else {
// CHECK:         scf.parallel
func.func @small_or_parallel(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// A centered row of 256 KiB or more is reduced in blocks of 2048 elements,
// each exact from L1, merged with Chan's formula: the row is read from
// memory once for its statistics.
// CHECK-LABEL: func.func @long_rows
// CHECK:       %[[LONG:.*]] = arith.cmpi uge, %{{.*}}, %c262144 : index
// CHECK:       scf.if %[[LONG]] -> (f32, f32) {
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c2048 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32, f32)
// CHECK:       } else {
func.func @long_rows(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// Rows of 16 KiB to 256 KiB of tensors that do not fit in the L3: while a
// row is worked on from cache, the next row's input (and a residual shaped
// like it) is prefetched into L2, spread
// over the passes over the row, each pass taking an equal share of the next
// row: with p prefetching passes, the vector at position j of the i-th pass
// prefetches from position n i / p + j / p. f32 prefetches in every pass
// (an RMSNorm's two: the squares' share starts at 0, the normalizing
// pass's at n / 2).
// CHECK-LABEL: func.func @prefetch_next_row
// CHECK:       %[[LAST:.*]] = arith.subi %{{.*}}, %c1 : index
// CHECK:       %[[NEXT:.*]] = arith.minui %{{.*}}, %[[LAST]] : index
// CHECK:       %[[BIG:.*]] = arith.cmpi uge, %{{.*}}, %c16384 : index
// CHECK:       %[[FITS:.*]] = arith.cmpi ult, %{{.*}}, %c262144 : index
// CHECK:       %[[SIZED:.*]] = arith.andi %[[BIG]], %[[FITS]] : i1
// The input and output together (8 bytes an element here) at least 16 MiB:
// out of the L3.
// CHECK:       %[[WS:.*]] = arith.muli %{{.*}}, %c8 : index
// CHECK:       %[[OUT:.*]] = arith.cmpi uge, %[[WS]], %c16777216 : index
// CHECK:       %[[ON:.*]] = arith.andi %[[SIZED]], %[[OUT]] : i1
// CHECK:       %[[HALF:.*]] = arith.divui %[[N:.*]], %c2 : index
// CHECK:       scf.for %[[J:.*]] = %c0 to %{{.*}} step %c16 iter_args
// CHECK-NEXT:    scf.if %[[ON]] {
// CHECK-NEXT:      %[[P:.*]] = arith.divui %[[J]], %c2 : index
// CHECK-NEXT:      memref.prefetch %{{.*}}[%[[NEXT]], %[[P]]], read, locality<2>, data : memref<?x?xf32>
// CHECK-NEXT:      memref.prefetch %{{.*}}[%[[NEXT]], %[[P]]], read, locality<2>, data : memref<?x?xf32>
// CHECK-NEXT:    }
// CHECK:         arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK:       scf.for %[[J2:.*]] = %c0 to %{{.*}} step %c16 {
// CHECK-NEXT:    scf.if %[[ON]] {
// CHECK-NEXT:      %[[P2:.*]] = arith.divui %[[J2]], %c2 : index
// CHECK-NEXT:      %[[Q2:.*]] = arith.addi %[[HALF]], %[[P2]] : index
// CHECK-NEXT:      memref.prefetch %{{.*}}[%[[NEXT]], %[[Q2]]], read, locality<2>, data : memref<?x?xf32>
// CHECK-NEXT:      memref.prefetch %{{.*}}[%[[NEXT]], %[[Q2]]], read, locality<2>, data : memref<?x?xf32>
// CHECK-NEXT:    }
// CHECK:         vector.store
// A centered row has three passes' worth of prefetches (the mean's, the
// squares', the normalizing): shares from 0, n / 3 and 2 n / 3. Its
// statistics take one pass (the sums of x - pivot and of its square),
// which prefetches the first two shares; the exact squares pass that runs
// only when the one pass would cancel prefetches none.
// CHECK-LABEL: func.func @prefetch_centered
// CHECK:       %[[THIRD:.*]] = arith.divui %[[N:.*]], %c3 : index
// CHECK:       %[[TWICE:.*]] = arith.muli %[[N]], %c2 : index
// CHECK:       %[[TWOTHIRDS:.*]] = arith.divui %[[TWICE]], %c3 : index
// CHECK:       scf.for %[[J:.*]] = %c0 to %{{.*}} step %c16 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>) {
// CHECK-NEXT:    scf.if %{{.*}} {
// CHECK-NEXT:      %[[P:.*]] = arith.divui %[[J]], %c3 : index
// CHECK-NEXT:      memref.prefetch %{{.*}}[%{{.*}}, %[[P]]], read, locality<2>, data : memref<?x?xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.if %{{.*}} {
// CHECK-NEXT:      %[[P2:.*]] = arith.divui %[[J]], %c3 : index
// CHECK-NEXT:      %[[Q2:.*]] = arith.addi %[[THIRD]], %[[P2]] : index
// CHECK-NEXT:      memref.prefetch %{{.*}}[%{{.*}}, %[[Q2]]], read, locality<2>, data : memref<?x?xf32>
// CHECK:         arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK:       scf.if %{{.*}} -> (f32) {
// CHECK:         scf.for {{.*}} -> (vector<16xf32>) {
// CHECK-NOT:       memref.prefetch
// CHECK:         arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : vector<16xf32>
// CHECK:       scf.for %[[J3:.*]] = %c0 to %{{.*}} step %c16 {
// CHECK-NEXT:    scf.if %{{.*}} {
// CHECK-NEXT:      %[[P3:.*]] = arith.divui %[[J3]], %c3 : index
// CHECK-NEXT:      %[[Q3:.*]] = arith.addi %[[TWOTHIRDS]], %[[P3]] : index
// CHECK-NEXT:      memref.prefetch %{{.*}}[%{{.*}}, %[[Q3]]], read, locality<2>, data : memref<?x?xf32>
// CHECK:         vector.store
// A channel of an NCHW batch norm (its planes, 16 KiB to 512 KiB in all)
// prefetches the next channel's planes, which follow its own in memory, the
// same way: the same share of each plane.
// CHECK-LABEL: func.func @prefetch_next_channel
// CHECK:       %[[NEXTC:.*]] = arith.minui %{{[0-9]+}}, %{{[0-9]+}} : index
// CHECK-NEXT:  arith.cmpi uge
// CHECK-NEXT:  arith.cmpi ult, %{{.*}}, %c524288 : index
// CHECK:       scf.for %[[B:.*]] = %c0 to %{{.*}} step %c256 iter_args
// CHECK:         scf.for %[[N:.*]] = %[[B]] to
// CHECK:         scf.for %[[J:.*]] = %c0 to %{{.*}} step %c16 iter_args
// CHECK-NEXT:      scf.if %{{.*}} {
// CHECK-NEXT:        %[[P:.*]] = arith.divui %[[J]], %c3 : index
// CHECK-NEXT:        memref.prefetch %{{.*}}[%[[N]], %[[NEXTC]], %[[P]]], read, locality<2>, data : memref<?x?x?xf32>
// bf16 prefetches in every pass but the first: an RMSNorm only in its
// normalizing pass, the whole next row there.
// CHECK-LABEL: func.func @prefetch_bf16
// CHECK:       scf.for %{{.*}} iter_args
// CHECK-NOT:     memref.prefetch
// CHECK:       vector.reduction
// CHECK:       scf.for %[[J:.*]] = %c0 to %{{.*}} step %c16 {
// CHECK-NEXT:    scf.if %{{.*}} {
// CHECK-NEXT:      memref.prefetch %{{.*}}[%{{.*}}, %[[J]]], read, locality<2>, data : memref<?x?xbf16>
func.func @prefetch_next_row(%x: tensor<?x?xf32>, %r: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.rms_norm %x prologue(%r : tensor<?x?xf32>) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      norm.yield %s : f32
    } {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @prefetch_centered(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @prefetch_next_channel(%x: tensor<?x?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> (tensor<?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<?xf32>, tensor<?xf32>) : tensor<?x?x?xf32> -> tensor<?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %bv, %rm, %rv : tensor<?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @prefetch_bf16(%x: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}

// -----

// gamma constant over a slot (the channel of a batch norm): rstd * gamma
// once per slot, then one multiply-add per vector. The rstd of the first
// 4096 channels is computed once per channel, before the slot loops, into
// a frame buffer; each (example, channel) plane loads it.
// CHECK-LABEL: func.func @batch_norm_slot_scale
// CHECK:       %[[INV:.*]] = memref.alloca() : memref<4096xf32>
// CHECK:       scf.for %[[CH:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:         %[[R:.*]] = math.rsqrt %{{.*}} : f32
// CHECK:         memref.store %[[R]], %[[INV]][%[[CH]]] : memref<4096xf32>
// CHECK:       %[[RSTD:.*]] = scf.if %{{.*}} -> (f32) {
// CHECK:         memref.load %[[INV]][%{{.*}}] : memref<4096xf32>
// CHECK:       } else {
// CHECK:         math.rsqrt %{{.*}} : f32
// CHECK:       %[[G:.*]] = memref.load
// CHECK:       %[[SCALE:.*]] = arith.mulf %[[RSTD]], %[[G]] : f32
// CHECK:       scf.for
// CHECK:         %[[C:.*]] = arith.subf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NEXT:    %[[S:.*]] = vector.broadcast %[[SCALE]] : f32 to vector<16xf32>
// CHECK-NEXT:    %[[M:.*]] = arith.mulf %[[C]], %[[S]] fastmath<contract> : vector<16xf32>
// CHECK-NOT:     arith.mulf
// CHECK:         arith.addf %[[M]], %{{.*}} fastmath<contract> : vector<16xf32>
func.func @batch_norm_slot_scale(%x: tensor<?x?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> tensor<?x?x?xf32> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) : tensor<?x?x?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// -----

// A static channel count (up to 4096): the frame buffer holds exactly the
// channels, and every plane loads its rstd with no per-plane fallback.
// CHECK-LABEL: func.func @batch_norm_static_channels
// CHECK:       %[[INV:.*]] = memref.alloca() : memref<64xf32>
// CHECK:       scf.for %[[CH:.*]] = %c0 to %c64 step %c1 {
// CHECK:         memref.store %{{.*}}, %[[INV]][%[[CH]]] : memref<64xf32>
// CHECK-NOT:   scf.if {{.*}} -> (f32)
// CHECK:       memref.load %[[INV]][%{{.*}}] : memref<64xf32>
// CHECK-NOT:   math.rsqrt
// CHECK:       return
func.func @batch_norm_static_channels(%x: tensor<8x64x7x7xf32>, %m: tensor<64xf32>, %v: tensor<64xf32>) -> tensor<8x64x7x7xf32> {
  %y = norm.batch_norm_inference %x, %m, %v : tensor<8x64x7x7xf32>, tensor<64xf32>, tensor<64xf32> -> tensor<8x64x7x7xf32>
  return %y : tensor<8x64x7x7xf32>
}

// -----

// A slot of several rows (a training batch norm's planes, here of any
// length): each remainder step (8, 4, 2, 1 lanes at width 16) adds to its
// own accumulator, carried over the planes with the wide one; nothing is
// reduced across lanes inside the loop over the planes, and after it only
// the steps the remainder has are. The planes are summed in blocks of 256,
// each from zero, and each block's sums added to the totals.
// CHECK-LABEL: func.func @batch_norm_planes
// CHECK:       scf.for %{{.*}} step %c256 iter_args({{.*}}) -> (vector<16xf32>, vector<8xf32>, vector<4xf32>, vector<2xf32>, vector<1xf32>) {
// CHECK:         scf.for %{{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<8xf32>, vector<4xf32>, vector<2xf32>, vector<1xf32>) {
// CHECK-NOT:       vector.reduction
// CHECK:           scf.if %{{.*}} -> (vector<8xf32>, vector<4xf32>, vector<2xf32>, vector<1xf32>) {
// CHECK-NOT:       vector.reduction
// CHECK:           scf.yield %{{.*}} : vector<16xf32>, vector<8xf32>, vector<4xf32>, vector<2xf32>, vector<1xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    arith.addf %{{.*}} : vector<16xf32>
// CHECK-NEXT:    arith.addf %{{.*}} : vector<8xf32>
// CHECK-NEXT:    arith.addf %{{.*}} : vector<4xf32>
// CHECK-NEXT:    arith.addf %{{.*}} : vector<2xf32>
// CHECK-NEXT:    arith.addf %{{.*}} : vector<1xf32>
// CHECK-NEXT:    scf.yield
// CHECK-NEXT:  }
// CHECK-NEXT:  vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK:       scf.if %{{.*}} -> (f32) {
// CHECK-NEXT:    vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<8xf32> into f32
func.func @batch_norm_planes(%x: tensor<?x?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> (tensor<?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %bm, %bv, %rm, %rv = norm.batch_norm %x running(%m, %v : tensor<?xf32>, tensor<?xf32>) : tensor<?x?x?xf32> -> tensor<?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %bm, %bv, %rm, %rv : tensor<?x?x?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}

// -----

// 16-bit results of batch statistics: (x - pivot - shift) * rstd as
// fma(x - pivot, rstd, -(shift * rstd)), the product computed once per row.
// CHECK-LABEL: func.func @layer_norm_bf16_fma
// CHECK:       %[[RSTD:.*]] = math.rsqrt %{{.*}} : f32
// CHECK-NEXT:  %[[SR:.*]] = arith.mulf %[[SHIFT:.*]], %[[RSTD]] : f32
// CHECK-NEXT:  %[[NEG:.*]] = arith.negf %[[SR]] : f32
// CHECK:       %[[C:.*]] = arith.subf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NEXT:  %[[R:.*]] = vector.broadcast %[[RSTD]] : f32 to vector<8xf32>
// CHECK-NEXT:  %[[P:.*]] = arith.mulf %[[C]], %[[R]] fastmath<contract> : vector<8xf32>
// CHECK-NEXT:  %[[N:.*]] = vector.broadcast %[[NEG]] : f32 to vector<8xf32>
// CHECK-NEXT:  arith.addf %[[P]], %[[N]] fastmath<contract> : vector<8xf32>
// gamma and beta constant over the slot (a batch norm's channel): beta
// joins the constant, fma(x - pivot, rstd * gamma, beta - shift * rstd *
// gamma).
// CHECK-LABEL: func.func @batch_norm_bf16_offset
// CHECK:       %[[RSTD:.*]] = math.rsqrt %{{.*}} : f32
// CHECK:       %[[SCALE:.*]] = arith.mulf %[[RSTD]], %{{.*}} : f32
// CHECK-NEXT:  %[[SS:.*]] = arith.mulf %[[SHIFT:.*]], %[[SCALE]] : f32
// CHECK-NEXT:  %[[NEG:.*]] = arith.negf %[[SS]] : f32
// CHECK:       %[[OFF:.*]] = arith.addf %[[BETA:.*]], %[[NEG]] : f32
// The planes' whole vectors are paired (even and odd halves: docs/cpu.md).
// CHECK:         %[[C:.*]] = arith.subf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NEXT:    %[[S:.*]] = vector.broadcast %[[SCALE]] : f32 to vector<8xf32>
// CHECK-NEXT:    %[[P:.*]] = arith.mulf %[[C]], %[[S]] fastmath<contract> : vector<8xf32>
// CHECK-NEXT:    %[[O:.*]] = vector.broadcast %[[OFF]] : f32 to vector<8xf32>
// CHECK-NEXT:    %[[R:.*]] = arith.addf %[[P]], %[[O]] fastmath<contract> : vector<8xf32>
// CHECK:         arith.truncf %[[R]] : vector<8xf32> to vector<8xbf16>
// Given statistics of 16-bit inputs: x * scale + (beta - mean * scale).
// CHECK-LABEL: func.func @batch_norm_inference_bf16
// CHECK:       %[[SCALE:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:  %[[MS:.*]] = arith.mulf %[[MEAN:.*]], %[[SCALE]] : f32
// CHECK-NEXT:  %[[NEG:.*]] = arith.negf %[[MS]] : f32
// CHECK:       %[[OFF:.*]] = arith.addf %{{.*}}, %[[NEG]] : f32
// CHECK:         %[[X:.*]] = vector.bitcast %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK-NEXT:    vector.bitcast %{{.*}} : vector<8xi32> to vector<8xf32>
// CHECK-NEXT:    %[[S:.*]] = vector.broadcast %[[SCALE]] : f32 to vector<8xf32>
// CHECK-NEXT:    %[[P:.*]] = arith.mulf %[[X]], %[[S]] fastmath<contract> : vector<8xf32>
// CHECK-NEXT:    %[[O:.*]] = vector.broadcast %[[OFF]] : f32 to vector<8xf32>
// CHECK-NEXT:    arith.addf %[[P]], %[[O]] fastmath<contract> : vector<8xf32>
// f32 results keep both subtractions.
// CHECK-LABEL: func.func @layer_norm_f32_two_subs
// CHECK-NOT:   arith.negf
// CHECK:       return
func.func @layer_norm_bf16_fma(%x: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
func.func @batch_norm_bf16_offset(%x: tensor<?x?x?xbf16>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?x?xbf16> {
  %y, %bm, %bv = norm.batch_norm %x gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) : tensor<?x?x?xbf16> -> tensor<?x?x?xbf16>, tensor<?xf32>, tensor<?xf32>
  return %y : tensor<?x?x?xbf16>
}
func.func @batch_norm_inference_bf16(%x: tensor<?x?x?xbf16>, %m: tensor<?xf32>, %v: tensor<?xf32>, %g: tensor<?xbf16>, %b: tensor<?xbf16>) -> tensor<?x?x?xbf16> {
  %y = norm.batch_norm_inference %x, %m, %v gamma(%g : tensor<?xbf16>) beta(%b : tensor<?xbf16>) : tensor<?x?x?xbf16>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?xbf16>
  return %y : tensor<?x?x?xbf16>
}
func.func @layer_norm_f32_two_subs(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// Centered statistics take the sums of d = x - pivot and d^2 in one pass
// (two accumulators, one load), the centered squares as S2 - S1 * shift,
// kept when S2 <= 4 (S2 - S1 * shift) and S2 is finite; otherwise (a NaN
// too) the exact squares pass runs. An f64 compute type keeps two passes.
// CHECK-LABEL: func.func @layer_norm_bf16_one_pass
// CHECK:       scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (vector<16xf32>, vector<16xf32>)
// CHECK:       %[[S1:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// CHECK:       %[[S2:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:  %[[SHIFT:.*]] = arith.divf %[[S1]], %{{.*}} : f32
// CHECK-NEXT:  %[[P:.*]] = arith.mulf %[[S1]], %[[SHIFT]] : f32
// CHECK-NEXT:  %[[M2:.*]] = arith.subf %[[S2]], %[[P]] : f32
// CHECK-NEXT:  %[[Q:.*]] = arith.mulf %[[S2]], %{{.*}} : f32
// CHECK-NEXT:  %[[GE:.*]] = arith.cmpf oge, %[[M2]], %[[Q]] : f32
// CHECK-NEXT:  %[[FIN:.*]] = arith.cmpf olt, %[[S2]], %{{.*}} : f32
// CHECK-NEXT:  %[[OK:.*]] = arith.andi %[[GE]], %[[FIN]] : i1
// CHECK-NEXT:  scf.if %[[OK]] -> (f32) {
// CHECK-NEXT:    scf.yield %[[M2]] : f32
// CHECK-NEXT:  } else {
// CHECK:         scf.for {{.*}} -> (vector<16xf32>)
// CHECK:       math.rsqrt
// CHECK-LABEL: func.func @layer_norm_f64_two_pass
// CHECK-NOT:   arith.cmpf oge
// CHECK:       return
func.func @layer_norm_bf16_one_pass(%x: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
func.func @layer_norm_f64_two_pass(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>, compute_type = f64} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
