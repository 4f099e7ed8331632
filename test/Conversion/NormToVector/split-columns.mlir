// RUN: norm-opt %s --norm-convert-to-vector=vector-width=16 --canonicalize --split-input-file | FileCheck %s
// RUN: norm-opt %s --norm-convert-to-vector="vector-width=16 streaming-threshold=1048576" --canonicalize --split-input-file | FileCheck %s --check-prefix=PF

// NHWC batch norm with 24 channels (one block of 16 lanes and one of 8),
// 1.5 MiB in and out: under the streaming threshold, so no prefetch (with a
// threshold of 1 MiB, PF, phase A prefetches each lane block of the row a
// tile further on into L2);
// 8192 rows of 96 bytes: 16 chunks of 512 rows, in tiles of 170 rows (16
// KiB). The sums of each tile, from zero, are added to its chunk's in a
// 24 KiB scratch buffer on the stack;
// the statistics then take the chunks' sums in chunk order; the
// normalizing pass reads the pivot, shift and scale back from the buffer.
// CHECK-LABEL: func.func @split
// CHECK:       %[[S:.*]] = memref.alloca() : memref<6144xf32>
// CHECK:       %[[X:.*]] = memref.collapse_shape %{{.*}} : memref<8x32x32x24xf32> into memref<8192x24xf32>
// Phase A: (chunk) parallel; per block, once per chunk, the pivot of each
// lane (the mean of its first 8 values) into the chunk's third scratch row;
// then tiles, per block the pivot loaded back and the sums carried in %[[S]].
// CHECK:       scf.parallel (%[[K:.*]]) = (%c0) to (%c16) step (%c1) {
// CHECK:         %[[P8:.*]] = scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args(%{{.*}}) -> (vector<16xf32>) {
// CHECK:         %[[PIVOT:.*]] = arith.divf %[[P8]], %{{.*}} : vector<16xf32>
// CHECK:         vector.store %[[PIVOT]], %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:         scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %c170 {
// CHECK-NOT:       %c8 step %c1
// CHECK:           vector.load %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:           %[[T0:.*]]:2 = scf.for %[[B:.*]] = %[[T]] to %{{.*}} step %c256 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>) {
// CHECK:             scf.for %[[R:.*]] = %[[B]] to %{{.*}} step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>) {
// CHECK-NOT:           memref.prefetch
// CHECK:               vector.load %[[X]][%[[R]], %c0] : memref<8192x24xf32>, vector<16xf32>
// CHECK:           %[[A0:.*]] = vector.load %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:           %[[N0:.*]] = arith.addf %[[A0]], %[[T0]]#0 : vector<16xf32>
// CHECK:           vector.store %[[N0]], %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:           %[[A1:.*]] = vector.load %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:           %[[N1:.*]] = arith.addf %[[A1]], %[[T0]]#1 : vector<16xf32>
// CHECK:           vector.store %[[N1]], %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:           scf.for %{{.*}} -> (vector<8xf32>, vector<8xf32>) {
// CHECK:             vector.load %[[X]][%{{.*}}, %c16] : memref<8192x24xf32>, vector<8xf32>
// PF-LABEL: func.func @split
// PF:         scf.parallel
// PF:           scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>) {
// PF:             memref.prefetch %{{.*}}[%{{.*}}, %c0], read, locality<2>, data
// PF:             vector.load %{{.*}}[%[[R]], %c0] : memref<8192x24xf32>, vector<16xf32>
// Phase B: the chunks' sums in order, the one-pass check and its fallback.
// CHECK:       scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>) {
// CHECK:         vector.load %[[S]]
// CHECK:       vector.reduction <and>
// CHECK:       scf.for %{{.*}} = %c0 to %c8192 step %c256
// CHECK:       vector.store %{{.*}}, %[[S]][%c0] : memref<6144xf32>, vector<16xf32>
// CHECK:       vector.store %{{.*}}, %[[S]][%c24] : memref<6144xf32>, vector<16xf32>
// CHECK:       vector.store %{{.*}}, %[[S]][%c48] : memref<6144xf32>, vector<16xf32>
// Phase C: (chunk) parallel; the statistics from %[[S]]; the chunk's rows.
// CHECK:       scf.parallel (%{{.*}}) = (%c0) to (%c16) step (%c1) {
// CHECK:         scf.for %[[T2:.*]] = %{{.*}} to %{{.*}} step %c170 {
// CHECK:           vector.load %[[S]][%c0] : memref<6144xf32>, vector<16xf32>
// CHECK:           vector.load %[[S]][%c24] : memref<6144xf32>, vector<16xf32>
// CHECK:           vector.load %[[S]][%c48] : memref<6144xf32>, vector<16xf32>
// CHECK:           scf.for %[[R2:.*]] = %[[T2]] to %{{.*}} step %c1 {
// CHECK:             vector.load %[[X]][%[[R2]], %c0] : memref<8192x24xf32>, vector<16xf32>
// CHECK:             vector.store %{{.*}}[%[[R2]], %c0] : memref<8192x24xf32>, vector<16xf32>
func.func @split(%x: tensor<8x32x32x24xf32>) -> (tensor<8x32x32x24xf32>, tensor<24xf32>, tensor<24xf32>) {
  %y, %bm, %bv = norm.batch_norm %x {channel_axis = 3} : tensor<8x32x32x24xf32> -> tensor<8x32x32x24xf32>, tensor<24xf32>, tensor<24xf32>
  return %y, %bm, %bv : tensor<8x32x32x24xf32>, tensor<24xf32>, tensor<24xf32>
}

// -----

// 64 channels: four blocks of 16 lanes, fewer than 16 parallel
// iterations, so the 32768 rows are split too (16 chunks); rows of two or
// more whole blocks are normalized eight rows at a time, block after
// block, each block's constants (pivot, shift, scale) loaded once for the
// eight rows.
// CHECK-LABEL: func.func @split_rows
// CHECK:       memref.alloca() : memref<6144xf32>
// CHECK:       scf.parallel (%{{.*}}) = (%c0) to (%c16) step (%c1) {
// CHECK:       scf.parallel (%{{.*}}) = (%c0) to (%c16) step (%c1) {
// CHECK:         scf.for %[[R:.*]] = %{{.*}} to %[[HI:.*]] step %c8 {
// CHECK:           %[[NEXT:.*]] = arith.minui %{{.*}}, %[[HI]] : index
// CHECK-NEXT:      scf.for %[[C:.*]] = %c0 to %c4 step %c1 {
// CHECK-COUNT-3:     vector.load %{{.*}} : memref<6144xf32>, vector<16xf32>
// CHECK-NEXT:        scf.for %[[ROW:.*]] = %[[R]] to %[[NEXT]] step %c1 {
// CHECK-NEXT:          vector.load %{{.*}}[%[[ROW]], %{{.*}}] : memref<32768x64xf32>, vector<16xf32>
func.func @split_rows(%x: tensor<8x64x64x64xf32>) -> (tensor<8x64x64x64xf32>, tensor<64xf32>, tensor<64xf32>) {
  %y, %bm, %bv = norm.batch_norm %x {channel_axis = 3} : tensor<8x64x64x64xf32> -> tensor<8x64x64x64xf32>, tensor<64xf32>, tensor<64xf32>
  return %y, %bm, %bv : tensor<8x64x64x64xf32>, tensor<64xf32>, tensor<64xf32>
}

// -----

// bf16 with gamma and beta: phase B stores the pivot, the folded offset
// beta - shift * inv * gamma and the scale inv * gamma; phase C takes one
// subtraction and one multiply-add per vector, with no load of gamma or
// beta, on the even and odd channels apart: the constants split into
// halves once per visit of a block, each position's bf16 channels widened
// as halves (a shift and a mask of their 32-bit words) and the halves
// interleaved back before the store.
// Phase A sums the even and odd channels apart too: the pivot put in that
// order, each position widened as halves, the sums put back in channel
// order after each tile.
// CHECK-LABEL: func.func @split_affine
// CHECK:       %[[S:.*]] = memref.alloca() : memref<6144xf32>
// CHECK:       vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15] : vector<16xf32>, vector<16xf32>
// CHECK:       vector.bitcast %{{.*}} : vector<16xbf16> to vector<8xi32>
// CHECK:       vector.shuffle %{{.*}}, %{{.*}} [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15] : vector<16xf32>, vector<16xf32>
// CHECK:       %[[INV:.*]] = math.rsqrt %{{.*}} : vector<16xf32>
// CHECK:       %[[G:.*]] = arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK:       %[[SCALE:.*]] = arith.mulf %[[INV]], %[[G]] : vector<16xf32>
// CHECK:       %[[SS:.*]] = arith.mulf %{{.*}}, %[[SCALE]] : vector<16xf32>
// CHECK:       %[[NEG:.*]] = arith.negf %[[SS]] : vector<16xf32>
// CHECK:       %[[B:.*]] = arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK:       %[[OFF:.*]] = arith.addf %[[B]], %[[NEG]] : vector<16xf32>
// CHECK:       vector.store %[[OFF]], %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:       vector.store %[[SCALE]], %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:       scf.parallel
// CHECK:         %[[P:.*]] = vector.load %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:         %[[O:.*]] = vector.load %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK:         %[[K:.*]] = vector.load %[[S]][%{{.*}}] : memref<6144xf32>, vector<16xf32>
// CHECK-NOT:     memref<64xbf16>
// CHECK-DAG:     %[[PE:.*]] = vector.shuffle %[[P]], %[[P]] [0, 2, 4, 6, 8, 10, 12, 14]
// CHECK-DAG:     %[[KE:.*]] = vector.shuffle %[[K]], %[[K]] [0, 2, 4, 6, 8, 10, 12, 14]
// CHECK-DAG:     %[[OE:.*]] = vector.shuffle %[[O]], %[[O]] [0, 2, 4, 6, 8, 10, 12, 14]
// CHECK-DAG:     %[[PO:.*]] = vector.shuffle %[[P]], %[[P]] [1, 3, 5, 7, 9, 11, 13, 15]
// CHECK:         scf.for
// CHECK:           %[[W:.*]] = vector.bitcast %{{.*}} : vector<16xbf16> to vector<8xi32>
// CHECK:           %[[EW:.*]] = arith.shli %[[W]], %{{.*}} : vector<8xi32>
// CHECK:           %[[OW:.*]] = arith.andi %[[W]], %{{.*}} : vector<8xi32>
// CHECK:           %[[XE:.*]] = vector.bitcast %[[EW]] : vector<8xi32> to vector<8xf32>
// CHECK:           %[[XO:.*]] = vector.bitcast %[[OW]] : vector<8xi32> to vector<8xf32>
// CHECK:           %[[D:.*]] = arith.subf %[[XE]], %[[PE]] : vector<8xf32>
// CHECK:           %[[M:.*]] = arith.mulf %[[D]], %[[KE]] fastmath<contract> : vector<8xf32>
// CHECK:           %[[YE:.*]] = arith.addf %[[M]], %[[OE]] fastmath<contract> : vector<8xf32>
// CHECK:           arith.subf %[[XO]], %[[PO]] : vector<8xf32>
// CHECK:           %[[RE:.*]] = arith.truncf %[[YE]] : vector<8xf32> to vector<8xbf16>
// CHECK:           %[[RO:.*]] = arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK:           %[[PAIRS:.*]] = vector.interleave %[[RE]], %[[RO]] : vector<8xbf16> -> vector<16xbf16>
// CHECK:           vector.store %[[PAIRS]], %{{.*}} : memref<32768x64xbf16>, vector<16xbf16>
func.func @split_affine(%x: tensor<8x64x64x64xbf16>, %g: tensor<64xbf16>, %b: tensor<64xbf16>) -> (tensor<8x64x64x64xbf16>, tensor<64xf32>, tensor<64xf32>) {
  %y, %m, %v = norm.batch_norm %x gamma(%g : tensor<64xbf16>) beta(%b : tensor<64xbf16>) {channel_axis = 3} : tensor<8x64x64x64xbf16> -> tensor<8x64x64x64xbf16>, tensor<64xf32>, tensor<64xf32>
  return %y, %m, %v : tensor<8x64x64x64xbf16>, tensor<64xf32>, tensor<64xf32>
}

// -----

// Enough slots (an instance norm of 32 examples): no split.
// CHECK-LABEL: func.func @no_split
// CHECK-NOT:   memref.alloca
// CHECK:       scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %c0) to (%c32, %c2) step (%c1, %c1) {
func.func @no_split(%x: tensor<32x32x32x32xf32>) -> tensor<32x32x32x32xf32> {
  %y = norm.instance_norm %x {channel_axis = 3} : tensor<32x32x32x32xf32> -> tensor<32x32x32x32xf32>
  return %y : tensor<32x32x32x32xf32>
}

// -----

// Inference over NHWC has no reduced axis: one parallel iteration per chunk
// of 170 rows (16 KiB), each block of channels (16, then 8) taking its
// scale once and then walking the chunk's rows. No scratch buffer.
// CHECK-LABEL: func.func @inference_rows
// CHECK-NOT:   memref.alloca
// CHECK:       scf.parallel (%{{.*}}) = (%c0) to (%c49) step (%c1) {
// CHECK:         vector.load %{{.*}}[%c0] : memref<24xf32>, vector<16xf32>
// CHECK:         math.rsqrt %{{.*}} : vector<16xf32>
// CHECK:         scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %c1 {
// CHECK:           vector.load %{{.*}}[%[[R]], %c0] : memref<8192x24xf32>, vector<16xf32>
// CHECK:         math.rsqrt %{{.*}} : vector<8xf32>
// CHECK:         scf.for %[[R8:.*]] = %{{.*}} to %{{.*}} step %c1 {
// CHECK:           vector.load %{{.*}}[%[[R8]], %c16] : memref<8192x24xf32>, vector<8xf32>
func.func @inference_rows(%x: tensor<8x32x32x24xf32>, %m: tensor<24xf32>, %v: tensor<24xf32>) -> tensor<8x32x32x24xf32> {
  %y = norm.batch_norm_inference %x, %m, %v {channel_axis = 3} : tensor<8x32x32x24xf32>, tensor<24xf32>, tensor<24xf32> -> tensor<8x32x32x24xf32>
  return %y : tensor<8x32x32x24xf32>
}
