//===- Passes.td - Kiln backend passes ----------------------------------===//

#ifndef KILN_BACKEND_PASSES_TD
#define KILN_BACKEND_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnLowerToLinalg : Pass<"kiln-lower-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lower kiln ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every kiln op becomes destination-style tensor IR: named linalg ops
    where they exist (`linalg.matmul`, `linalg.batch_matmul`,
    `linalg.transpose`, `linalg.reduce`, `linalg.fill`), `linalg.generic`
    with identity or broadcasting indexing maps for elementwise ops and
    `kiln.broadcast`, and tensor ops for reshape, slice and concat.
    Convolution and pooling use the named linalg convolution and pooling
    ops; `kiln.scatter_add` becomes an `scf.for` over its indices.
    Composite ops are first expanded as by `kiln-decompose`.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def KilnFuse : Pass<"kiln-fuse", "::mlir::func::FuncOp"> {
  let summary = "Fuse elementwise chains, reductions and matmul epilogues";
  let description = [{
    Runs on linalg on tensors, after `kiln-lower-to-linalg`, so that each
    group of ops below becomes one loop nest:

    1. Reductions and transposes are generalized to `linalg.generic`, so
       that one mechanism sees every elementwise-like op.
    2. Chains of elementwise ops (broadcasts included) are fused into one
       `linalg.generic` (upstream elementwise fusion), and elementwise
       producers into the reductions that read them: `exp(x - max)` and its
       sum in a softmax, the squared deviations and their mean in a layer
       norm. A producer whose value is also used elsewhere stays a loop
       nest of its own for those users and is recomputed in the consumer
       only where that cannot compound: its body is cheap (no
       transcendental function or division, at most 8 ops) and reads no
       result that could itself be fused, or the consumer is a reduction
       (which nothing fuses further; the `exp` of a softmax is computed
       again in the pass that sums it). A consumer takes in each producer
       once, so the fused bodies grow linearly with the graph. A producer
       is fused into a consumer that reads it through a broadcasting map
       (which recomputes it per broadcast element) only when its body is
       cheap.
    3. The elementwise epilogue of a `linalg.matmul` (bias, activation, the
       activation's gradient mask in a backward pass) is fused into the
       product's column tiles of `kiln-contraction-codegen`: the epilogue
       is tiled by the kernel's `NC` columns, the product is computed per
       column tile inside that loop, and the epilogue runs on each tile
       while it is still in cache. The loop is peeled, so every product
       keeps static shapes for the kernel.
    4. The elementwise consumer of a loop that writes its result one slab
       per iteration (a convolution computed a few images at a time) moves
       into the loop: bias and activation join the copy from the product's
       layout to NCHW, and the result is written once.

    The whole training step (forward, the backward ops `kiln-autodiff`
    generates and the optimizer update) is one function, so all of it is
    fused. `kilnc --no-fusion` and `kiln-run --no-fusion` (and
    `CompileOptions::fusion`) leave this pass out of the pipeline.
  }];
  let options = [
    Option<"epilogueColumns", "epilogue-columns", "int64_t", "0",
           "Columns per matmul epilogue tile (0: the contraction kernel's "
           "NC for the host); negative: no epilogue fusion">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::scf::SCFDialect", "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect"
  ];
}

def KilnCopyRepeatedResults
    : Pass<"kiln-copy-repeated-results", "::mlir::func::FuncOp"> {
  let summary = "Give each result of a function its own tensor";
  let description = [{
    A value returned more than once (`return %v, %v`) is copied for each
    further use (`linalg.copy` into a `bufferization.alloc_tensor`, which,
    unlike `tensor.empty`, no later pass merges with another). Each result then gets
    its own buffer, which `buffer-results-to-out-params` turns into the
    caller's out-parameter. Runs on tensors, before bufferization.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::bufferization::BufferizationDialect"
  ];
}

def KilnPrepareInPlaceUpdates
    : Pass<"kiln-prepare-in-place-updates", "::mlir::func::FuncOp"> {
  let summary = "Make results marked kiln.updates materialize in their argument";
  let description = [{
    A result with `{kiln.updates = i : i64}` is the new value of argument
    `i` (a parameter or optimizer state after a training step). This pass
    wraps it in `bufferization.materialize_in_destination` into argument
    `i`, so that, after `eliminate-empty-tensors`, the op computing it
    writes straight into the caller's buffer. One-shot bufferization then
    proves the write safe (the argument's old value is not read later) or
    rejects the function. Runs on tensors, after `kiln-lower-to-linalg`.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def KilnDropInPlaceResults
    : Pass<"kiln-drop-in-place-results", "::mlir::func::FuncOp"> {
  let summary = "Remove results that bufferization placed in their argument";
  let description = [{
    After one-shot bufferization, each result marked `kiln.updates` is the
    argument's own buffer; it is removed from the function's results (the
    caller already holds the buffer), so no out-parameter and no copy is
    left. Fails with the argument's name if bufferization did not place the
    result in the argument.
  }];
}

def KilnDeallocAfterLastUse
    : Pass<"kiln-dealloc-after-last-use", "::mlir::func::FuncOp"> {
  let summary = "Free each intermediate buffer right after its last use";
  let description = [{
    The ownership-based deallocation pipeline frees a buffer at the end of
    the block that allocated it: in a model's function, every intermediate
    lives until the function returns (ResNet-18 held 179 MiB at once), so
    each op writes to memory no other op has touched recently. This pass
    moves each `memref.dealloc` of a buffer allocated by `memref.alloc` in
    the same block to just after the last op of that block that uses the
    buffer or any value derived from it (any memref result of an op using
    it, or of the ops around such a use, counts as derived: views, loop
    results). The runtime's buffer cache then hands the freed buffer, still
    in the cache, to the next allocation of its size. Deallocations of
    buffers used outside their block stay where they are.
  }];
}

def KilnMarkEntryPoints : Pass<"kiln-mark-entry-points", "::mlir::ModuleOp"> {
  let summary = "Give every public function a C interface, safe from clashes";
  let description = [{
    Sets `llvm.emit_c_interface` on each public `func.func`, so that the
    LLVM lowering emits `_mlir_ciface_<name>`, which takes one memref
    descriptor pointer per argument: the ABI the Kiln runtime calls, both
    for JIT-compiled and for ahead-of-time compiled modules.

    Every function defined in the module is renamed `_kiln_<name>`: the code
    calls C library functions (`exp`, `powf`, `malloc`, ...), and a user's
    function of the same name must not replace them.
    `kiln-finalize-entry-points` gives the C interfaces their names back.
    Drops the `kiln.name` argument and result attributes, which only the
    runtime's signature uses.
  }];
}

def KilnFinalizeEntryPoints
    : Pass<"kiln-finalize-entry-points", "::mlir::ModuleOp"> {
  let summary = "Name each C interface after its Kiln function";
  let description = [{
    After the conversion to the LLVM dialect, renames
    `_mlir_ciface__kiln_<name>` (see `kiln-mark-entry-points`) to
    `_mlir_ciface_<name>`, the symbol the runtime and AOT users call, and
    gives the renamed bodies internal linkage: an object exports only the
    C interfaces.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnContractionCodegen
    : Pass<"kiln-contraction-codegen", "::mlir::func::FuncOp"> {
  let summary = "Tile, vectorize and register-block f32/f64 matrix products";
  let description = [{
    Rewrites every `linalg.matmul` and `linalg.batch_matmul` on `f32` or
    `f64` tensors into the loop nest of a BLIS-style CPU kernel, on tensors
    (before bufferization):

    1. A transposed right operand (indexing map `(n, k)`) is materialized
       with `linalg.transpose`, so the kernel reads rows of B; a batched
       product becomes an `scf.for` over the batch of 2-D products.
    2. Cache tiles `MC x NC x KC` (loops i, j, k), then register tiles
       `MR x NR x 1`; the register loops over i and j are peeled, so the
       main tiles have static shapes and only the last row/column of tiles
       is partial.
    3. Each register tile is vectorized into a `vector.contract`
       (`MR x NR` accumulator, masked in partial tiles), and the
       accumulator's read/write pair is hoisted out of the k loop: it stays
       in registers for the whole `KC` panel.

    `NR` is two vectors of the element type, `MR` as many rows as leave
    registers for the operands, `KC` so that a `KC x NR` panel of B stays in
    L1, `MC` so that an `MC x KC` block of A stays in L2. The CPU model comes
    from the options, or from the host where they are 0. Lower the vector
    ops after bufferization with `kiln-lower-vector-ops`.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", "0",
           "Width of a vector register in bits (0: the host's)">,
    Option<"vectorRegisters", "vector-registers", "unsigned", "0",
           "Number of vector registers (0: the host's)">,
    Option<"l1Bytes", "l1-bytes", "uint64_t", "0",
           "Per-core L1 data cache size in bytes (0: the host's)">,
    Option<"l2Bytes", "l2-bytes", "uint64_t", "0",
           "Per-core L2 cache size in bytes (0: the host's)">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect"
  ];
}

def KilnLowerVectorOps : Pass<"kiln-lower-vector-ops", "::mlir::func::FuncOp"> {
  let summary = "Lower vector contractions and transfers to FMAs and 1-D loads";
  let description = [{
    Runs on buffers, after bufferization. `vector.contract` becomes a
    sequence of outer products and then `vector.fma` per accumulator row
    (the register-blocked micro-kernel), transfers become 1-D (masked where
    partial) loads and stores, and transposes, broadcasts, shape casts and
    multi-reductions are lowered to what `convert-vector-to-llvm` accepts.
  }];
  let dependentDialects = [
    "::mlir::vector::VectorDialect", "::mlir::scf::SCFDialect",
    "::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect"
  ];
}

def KilnParallelizeLoops
    : Pass<"kiln-parallelize-loops", "::mlir::func::FuncOp"> {
  let summary = "Make the outer loops of large loop nests parallel";
  let description = [{
    Runs on buffers, after bufferization and deallocation, before
    `convert-linalg-to-loops`. Marks the loops that `convert-scf-to-openmp`
    then runs on a thread pool:

    * every outermost `scf.forall` (the row blocks of the matrix-product
      kernels, `kiln-contraction-codegen`) becomes an `scf.parallel`;
    * a linalg op outside any parallel loop whose iteration space has at
      least `min-parallel-work` points is tiled along one parallel
      dimension (the outermost with at least 16 iterations, else the
      longest) into at most 64 chunks of an `scf.parallel`.

    Only parallel (never reduction) dimensions are split, and the chunks
    depend on the shapes alone, so every element is computed by the same
    operations in the same order whatever the thread count: results are
    bit-identical for any number of threads. Ops whose bodies write memory
    stay serial.
  }];
  let options = [
    Option<"minParallelWork", "min-parallel-work", "int64_t", "65536",
           "Iteration-space size below which a linalg op stays serial "
           "(a fork and join costs a few microseconds)">
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect", "::mlir::memref::MemRefDialect",
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect"
  ];
}

def KilnSetThreadCount : Pass<"kiln-set-thread-count", "::mlir::ModuleOp"> {
  let summary = "Parallel regions take their thread count from the runtime";
  let description = [{
    Runs after `convert-scf-to-openmp`. Every `omp.parallel` without a
    `num_threads` clause gets `num_threads(kiln_num_threads())`, a runtime
    function (`runtime/Threads.c`) that returns the count set by
    `kiln::setNumThreads`, `KILN_NUM_THREADS` or, by default, the available
    cores. The count is read at every region, so a change applies to the
    next call without recompiling. The `memref.alloca_scope` that
    `convert-scf-to-openmp` wraps around each loop body is inlined where it
    holds no `memref.alloca` (its region must remain a single block, so
    the loops inside it could not be lowered to branches otherwise).
  }];
  let dependentDialects = [
    "::mlir::omp::OpenMPDialect", "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def KilnPolynomialMath
    : Pass<"kiln-polynomial-math", "::mlir::func::FuncOp"> {
  let summary = "Replace f32 exp and tanh by vectorizable polynomials";
  let description = [{
    `math.exp` and `math.tanh` on `f32` become upstream's polynomial
    approximations: arithmetic, bit casts and selects only, no call into
    the C library. LLVM's loop vectorizer vectorizes a loop only if
    everything in it vectorizes, so this is what makes the elementwise and
    reduction loops of softmax, sigmoid, tanh or a cross-entropy run at the
    host's vector width. Scalar `exp` is first wrapped in an exact
    rescaling where its result would be subnormal (below `FLT_MIN`:
    exp(x / 2)^2), which the approximation would flush to zero. `log` keeps
    the C library's `logf`: the approximation's few ulp enter every softmax
    of a cross-entropy's gradient (exp of the log-probabilities) and moved
    a 200-step SGD run measurably away from PyTorch's, and training graphs
    take one log per row, not per element. `f64` keeps the C library's
    functions. Accuracy against libm is checked end to end
    (`test/e2e/PolynomialMathTest.cpp`).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def KilnUnrollShortLoops
    : Pass<"kiln-unroll-short-loops", "::mlir::func::FuncOp"> {
  let summary = "Fully unroll innermost loops with short static trip counts";
  let description = [{
    Every innermost `scf.for` (one with no loop inside) whose trip count is
    static and at most `max-trip-count`, and whose unrolled body would be
    at most `max-unrolled-ops` ops, is replaced by that many copies of its
    body, from the inside out: a loop that becomes innermost is considered
    in turn, so a 2 x 2 pooling window becomes straight-line code. The
    copies run in the loop's order (a reduction's `iter_args` are chained,
    not reassociated). These are the loops that gain from straight-line
    code (a convolution's 14-element patch rows, pooling windows), and
    Kiln knows their bounds; LLVM's own loop unrolling, which made
    copies of every loop whose bounds it could see (half of the code and of
    the compile time), is off (`kiln::makeLLVMOptimizer`).
  }];
  let options = [
    Option<"maxTripCount", "max-trip-count", "int64_t", "16",
           "Largest trip count a loop is unrolled at">,
    Option<"maxUnrolledOps", "max-unrolled-ops", "int64_t", "128",
           "Largest number of ops the unrolled body may have">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // KILN_BACKEND_PASSES_TD
