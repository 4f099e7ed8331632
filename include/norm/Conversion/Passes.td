//===- Passes.td - Lowerings of the norm dialect -----------*- tablegen -*-===//

#ifndef NORM_CONVERSION_PASSES_TD
#define NORM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormConvertToVectorPass : Pass<"norm-convert-to-vector"> {
  let summary = "Lower norm ops to vectorized, parallel loops on buffers";
  let description = [{
    The CPU code generation path (it does not go through norm-decompose).
    Each norm op becomes, between `bufferization.to_buffer` of its operands
    and `bufferization.to_tensor` of freshly allocated results, an
    `scf.parallel` loop over its statistics slots whose body reduces and
    normalizes with `vector` ops.

    The input is viewed as alternating runs of reduced and kept axes
    (`memref.collapse_shape`). When the innermost run is reduced (LayerNorm
    over trailing axes, RMSNorm, instance and group norm in NCHW), each
    parallel iteration owns one row: two passes over the row from cache
    (mean, then centered squares; one pass of both sums, with the exact
    second pass where its cancellation would cost accuracy, docs/cpu.md)
    and a third that normalizes, vectorized
    along the row with `vector-width` elements and a scalar remainder loop.
    When the innermost run is kept (batch norm, channels-last layouts,
    LayerNorm over a middle axis), the vector lanes are independent
    statistics slots and the reduced axes are walked in order. Every slot is
    computed by one iteration in a fixed order, so results do not depend on
    the number of threads.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"0",
           "Elements per vector operation (0: four native f32 vectors of "
           "the host: 64 with AVX-512, 32 with AVX2, 16 otherwise)">,
    Option<"streamingThreshold", "streaming-threshold", "int64_t",
           /*default=*/"16777216",
           "Outputs of at least this many bytes are written with "
           "non-temporal stores where a row starts on a 64-byte boundary "
           "(they would not stay in cache, and ordinary stores first read "
           "the line they overwrite; default 16 MiB: half a 32 MiB L3, "
           "smaller outputs stay in the last-level cache with their "
           "input)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def NormNarrowF64Pass : Pass<"norm-narrow-f64"> {
  let summary = "Round f64 to 16- and 8-bit floats through f32 rounded to odd";
  let description = [{
    Rewrites each `arith.truncf` from f64 to a type narrower than f32 (the
    results of a `compute_type = f64` kernel) as a rounding to f32 made odd
    where inexact, then a rounding to the narrow type: the correctly rounded
    result, with no library call (LLVM would call `__truncdfbf2`, which the
    JIT and Debian 12's libgcc do not have, and `__truncdfhf2` per element).
    Both CPU pipelines run it before the narrow types are expanded.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def NormExpandF8Pass : Pass<"norm-expand-f8"> {
  let summary = "Write arith.truncf to f8E4M3FN as integer operations";
  let description = [{
    LLVM has no 8-bit float types, so rounding to f8E4M3FN (a quantizing
    epilogue) is written as integer operations on the f32 bits, for scalars
    and vectors: round to nearest even, subnormals below 2^-6, NaN for NaN
    and for values that round above 448 (the format has no infinity), as
    APFloat does. Both CPU pipelines run it before the conversion to LLVM.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def NormExpandBF16Pass : Pass<"norm-expand-bf16"> {
  let summary = "Write arith.truncf from f32 to bf16 as integer operations";
  let description = [{
    For targets without a bf16 conversion instruction (AVX2, the x86-64
    baseline): rounds to nearest even on the f32 bits and keeps NaN NaN
    (sign kept, quiet bit set), as `vcvtneps2bf16` does, with every lane
    operation on 32 bits and the truncation to 16 bits last. Upstream's
    `arith-expand{include-bf16}` selects the NaN result on 16-bit lanes
    with a mask from a 32-bit comparison, which LLVM scalarizes on AVX2.
    The CPU pipeline runs it, before `arith-expand`, when the target has no
    AVX512-BF16; truncations from other types are left to `arith-expand`.
    A `vector.interleave` of two such roundings (a bf16 row normalized as
    even and odd halves) selects the NaN bits only when some lane is NaN
    (an `scf.if` on an or-reduced unordered compare of the two vectors, so
    the pass runs before `convert-scf-to-cf`) and packs the pairs on 32-bit
    lanes.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def NormBF16MemoryAsI16Pass : Pass<"norm-bf16-memory-as-i16"> {
  let summary = "Load and store bf16 in the LLVM dialect as i16";
  let description = [{
    For targets without bf16 registers (AVX2, the x86-64 baseline): every
    `llvm.load` of bf16 (a scalar or a vector) becomes a load of i16 and a
    bitcast, every `llvm.store` of bf16 a bitcast and a store of i16, with
    the same attributes. LLVM's instcombine then folds the bitcasts into
    the integer widening and rounding code, so that no bf16 value is left:
    a bf16 vector that lives across basic blocks (a load shared by the
    statistics and the normalizing pass of a short row) is otherwise
    carried in f32 and rounded back with a call to `__truncsfbf2` per
    lane, a symbol neither the JIT nor Debian 12's libgcc has. The CPU
    pipeline runs it last when the target has no AVX512-BF16.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def NormPackBF16PairsPass : Pass<"norm-pack-bf16-pairs"> {
  let summary = "Round interleaved pairs of f32 vectors to bf16 with "
                "vcvtne2ps2bf16";
  let description = [{
    For targets with AVX512-BF16: `vector.interleave` of two
    `arith.truncf` from f32 to bf16 (the store of bf16 rows normalized as
    even and odd halves) becomes, for each 16 elements of each half, one
    `llvm.x86.avx512bf16.cvtne2ps2bf16.512` (both halves rounded into one
    register, round to nearest even as `vcvtneps2bf16`) and a word shuffle
    that interleaves them: two instructions per 32 elements where two
    roundings, a lane insert and a two-register permutation took four.
    A `arith.truncf` from f32 to bf16 whose only users are `vector.store`s
    takes one such instruction per 32 elements, in order. Halves whose
    length is not a multiple of 16 (32 for in-order vectors) are left as
    they are. The
    CPU pipeline runs it after bufferization when the target has
    AVX512-BF16 (`native-bf16`).
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def NormConvertToGPUPass : Pass<"norm-convert-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Outline norm ops into GPU kernels (static shapes)";
  let description = [{
    The GPU code generation path. For every function with norm ops it adds
    a `gpu.module @<function>_kernels` holding, per op, a kernel that
    accesses rows 16 bytes at a time (`_vector`, when the row length
    allows) and one that accesses single elements (`_scalar`, for buffers
    not aligned for the former). Kernel arguments are the op's operands,
    then its results, each a rank-0 memref (a bare pointer to a dense
    row-major buffer). Each kernel carries its launch shape
    (`known_grid_size`, `known_block_size`) and the alignment in bytes it
    needs of each argument (`norm.arg_alignment`); the op keeps its place
    and names its kernels in `norm.gpu_kernels`. `norm-compile
    --target=cuda` launches them.

    The strategy follows the shapes (docs/gpu.md): rows of up to 1024
    elements take one warp each, several per block; longer rows one block
    each, the row held in registers up to 32768 elements (one read of the
    input) and, without clusters, read once per pass beyond; kept innermost axes (batch norm
    in channels-last layouts) put 32 adjacent statistics slots across a
    block with threads along y splitting each reduction; given statistics
    are an elementwise kernel. Sums are taken in a fixed order, so results
    are the same run to run. Computation is in f32; other dynamic shapes and
    f64 compute types are rejected with an error.

    With `max-cluster-size` above 1 (sm_90 and later), rows longer than one
    block's registers hold (32K elements) are spread over a thread-block
    cluster (`nvvm.cluster_dim`) of up to that many blocks of 512 threads or
    more, each keeping its part of the row in registers; the blocks exchange
    their partial sums through distributed shared memory, so the input is
    still read once, up to 256K elements per row. Leading axes that are not
    reduced may be dynamic: the kernels then take the product of their sizes
    as a last argument and carry a grid formula (`norm.grid_formula`)
    instead of a fixed grid.

    Where one block of 1024 threads or a cluster takes a row (32K elements
    and more), a block's reductions leave the memory bus idle; each block
    therefore first prefetches into L2 (`prefetch.global.L2`) the row the
    next wave of blocks will take: whole if a wave's rows (assuming 132
    SMs) fit in `prefetch-mib` MiB, else the start of each row within half
    of that. Clusters prefetch only whole rows.

    With `packed-rows`, rows of 16-bit inputs without a prologue keep their
    values as loaded, two per 32-bit register, and widen them again for
    each pass over them (64 values per thread instead of 32): with clusters,
    centered rows of more than 64K elements (blocks of 512 threads, two per
    SM, instead of 1024); without, rows of 32K-64K elements (held by one
    block of 1024 threads and read once instead of once per pass).
  }];
  let options = [
    Option<"maxClusterSize", "max-cluster-size", "int64_t", /*default=*/"1",
           "Blocks per thread-block cluster at most (1: no clusters, as on "
           "sm_80; 8 is the portable maximum on sm_90)">,
    Option<"prefetchMiB", "prefetch-mib", "int64_t", /*default=*/"10",
           "Rows of 32K elements and more: MiB of the rows the next wave of "
           "blocks takes that a wave may prefetch into L2 (0: no prefetch)">,
    Option<"packedRows", "packed-rows", "bool", /*default=*/"true",
           "Long rows of 16-bit elements (no prologue) keep their values "
           "packed two per register, 64 per thread">,
    Option<"rowValues", "row-values", "int64_t", /*default=*/"32",
           "Values a thread of a row strategy keeps in registers: 8, 16 or "
           "32 (a tuning knob: fewer values mean more threads per row, and "
           "clusters from shorter rows)">,
    Option<"stagedWeights", "staged-weights", "std::string",
           /*default=*/"\"auto\"",
           "Which row kernels copy their weights into shared memory: auto "
           "(where measured faster), none, all (every block of 1024 "
           "threads and every cluster) or gamma (as all, gamma alone); a "
           "tuning knob">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def NormCheckGPUBinariesPass
    : Pass<"norm-check-gpu-binaries", "::mlir::ModuleOp"> {
  let summary = "Fail on GPU modules that were not serialized correctly";
  let description = [{
    Errors (and a failing pass) for a `gpu.module` left after
    `gpu-module-to-binary`, an empty object, a cubin that is not ELF, and
    PTX that declares `.extern .func` (libdevice functions left unresolved
    when the CUDA toolkit was not found). The end of `norm-lower-to-gpu`.
  }];
}

#endif // NORM_CONVERSION_PASSES_TD
