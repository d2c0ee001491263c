/*===- kiln_model.h - The C ABI of a model compiled ahead of time --------===*
 *
 * `kilnc model.mlir -o libmodel.so` (or `-c -o model.o`) compiles a model
 * into native code that exports exactly this interface. It is plain C99,
 * usable from C and C++, and needs nothing at run time but the C library
 * and libm: no Kiln, LLVM or MLIR library.
 *
 * A model has one or more functions (its public func.func ops). Each takes
 * a fixed number of input tensors and produces a fixed number of output
 * tensors, every one with a static shape and an element type (dtype).
 *
 *   kiln_context *ctx;
 *   if (kiln_context_create(&ctx) != KILN_OK) ...;
 *   kiln_tensor in[1] = {{x_data, KILN_DTYPE_F32, 2, x_shape}};
 *   kiln_tensor out[1] = {{y_data, KILN_DTYPE_F32, 2, y_shape}};
 *   if (kiln_run(ctx, 0, in, 1, out, 1) != KILN_OK)
 *     fprintf(stderr, "%s\n", kiln_context_error(ctx));
 *   kiln_context_destroy(ctx);
 *
 * Every call checks its arguments: a wrong count, dtype, shape, a null
 * pointer or an unknown index is an error code (plus a message on the
 * context), never a crash. The query functions are pure and may be called
 * from any thread. A context holds the scratch memory of a call, the
 * outputs it owns and its last error message; calls on different contexts
 * may run concurrently, calls on one context must not.
 *
 * Versioning: KILN_ABI_VERSION is the version this header describes and
 * kiln_abi_version() the one the library implements. It changes only when
 * an existing declaration changes meaning or layout; additions keep it.
 * A program should check that the two are equal before any other call.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_MODEL_H
#define KILN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_ABI_VERSION 1

#if defined(__GNUC__)
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif

/* The result of every call that can fail. */
typedef enum kiln_status {
  KILN_OK = 0,
  KILN_ERROR_NULL_ARGUMENT = 1,      /* a required pointer is null */
  KILN_ERROR_UNKNOWN_FUNCTION = 2,   /* function index out of range */
  KILN_ERROR_INDEX_OUT_OF_RANGE = 3, /* input or output index out of range */
  KILN_ERROR_INPUT_COUNT = 4,        /* wrong number of inputs */
  KILN_ERROR_OUTPUT_COUNT = 5,       /* wrong number of outputs */
  KILN_ERROR_DTYPE = 6,              /* a tensor has the wrong element type */
  KILN_ERROR_SHAPE = 7,              /* a tensor has the wrong rank or shape */
  KILN_ERROR_MISALIGNED = 8,         /* data not aligned to its element size */
  KILN_ERROR_OVERLAP = 9, /* a written buffer overlaps another tensor */
  KILN_ERROR_OUT_OF_MEMORY = 10
} kiln_status;

/* Element types. KILN_DTYPE_I1 is one byte holding 0 or 1 (C's bool). */
typedef enum kiln_dtype {
  KILN_DTYPE_F32 = 0,
  KILN_DTYPE_F64 = 1,
  KILN_DTYPE_I32 = 2,
  KILN_DTYPE_I64 = 3,
  KILN_DTYPE_I1 = 4
} kiln_dtype;

/* What an input is to the model (kiln.parameter and kiln.buffer in IR). */
typedef enum kiln_role {
  KILN_ROLE_DATA = 0,      /* an input; every output */
  KILN_ROLE_PARAMETER = 1, /* a trainable parameter */
  KILN_ROLE_BUFFER = 2     /* non-trainable state */
} kiln_role;

/* Describes one input or output of a function. The pointers stay valid for
 * as long as the library is loaded. */
typedef struct kiln_tensor_info {
  const char *name; /* kiln.name, or "arg<i>" / "result<i>" */
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *shape; /* rank dimensions, C order */
  int64_t num_elements;
  uint64_t size_bytes;
  kiln_role role;
  /* Inputs only: the function writes this input's new value into the
   * caller's buffer (a parameter updated by a training step). */
  int32_t updated_in_place;
} kiln_tensor_info;

/* A caller's buffer: contiguous, C order, aligned to its element size.
 * dtype, rank and shape say what the caller believes it holds; kiln_run
 * checks them against the function. */
typedef struct kiln_tensor {
  void *data;
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *shape;
} kiln_tensor;

typedef struct kiln_context kiln_context;

/* Versions and names. */
KILN_API uint32_t kiln_abi_version(void);
/* "ok", "null argument", ...; "unknown status" for other values. */
KILN_API const char *kiln_status_string(kiln_status status);
/* "f32", "f64", "i32", "i64", "i1"; "unknown dtype" for other values. */
KILN_API const char *kiln_dtype_name(kiln_dtype dtype);
/* Bytes per element; 0 for an unknown dtype. */
KILN_API size_t kiln_dtype_size(kiln_dtype dtype);

/* The model: its name (the stem of the compiled file) and functions. */
KILN_API const char *kiln_model_name(void);
KILN_API int32_t kiln_function_count(void);
/* NULL when `function` is out of range. */
KILN_API const char *kiln_function_name(int32_t function);
/* The index of the function called `name`; -1 if none (or name is NULL). */
KILN_API int32_t kiln_function_index(const char *name);
/* -1 when `function` is out of range. */
KILN_API int32_t kiln_input_count(int32_t function);
KILN_API int32_t kiln_output_count(int32_t function);
KILN_API kiln_status kiln_input_info(int32_t function, int32_t input,
                                     kiln_tensor_info *info);
KILN_API kiln_status kiln_output_info(int32_t function, int32_t output,
                                      kiln_tensor_info *info);

/* Contexts. kiln_context_destroy(NULL) does nothing. */
KILN_API kiln_status kiln_context_create(kiln_context **context);
KILN_API void kiln_context_destroy(kiln_context *context);
/* The message of the last failed call on `context` ("" if none yet; a
 * successful call leaves it unchanged; "null context" for NULL). Valid
 * until the next call on it. */
KILN_API const char *kiln_context_error(const kiln_context *context);

/* Runs `function` on `num_inputs` inputs, writing its outputs into the
 * caller's `num_outputs` buffers, which must not overlap the inputs or
 * each other. With outputs == NULL and num_outputs == 0 it writes them into
 * buffers the context owns instead (see kiln_context_output). The inputs
 * are only read, except those whose info says updated_in_place. */
KILN_API kiln_status kiln_run(kiln_context *context, int32_t function,
                              const kiln_tensor *inputs, int32_t num_inputs,
                              const kiln_tensor *outputs, int32_t num_outputs);

/* Describes the context's own buffer for output `output` of `function`,
 * which the last kiln_run with outputs == NULL filled (zeros before any).
 * It stays valid until the context is destroyed. */
KILN_API kiln_status kiln_context_output(kiln_context *context,
                                         int32_t function, int32_t output,
                                         kiln_tensor *tensor);

#ifdef __cplusplus
}
#endif

#endif /* KILN_MODEL_H */
