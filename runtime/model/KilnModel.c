/*===- KilnModel.c - The C ABI of a model compiled ahead of time ---------===*
 *
 * Implements kiln/kiln_model.h on top of the table kilnc generates for each
 * model (kiln/kiln_model_table.h). Compiled code trusts its signature, so
 * everything the caller passes is checked here first; then the caller's
 * buffers are described as MLIR memref descriptors (in the context's own
 * scratch memory: no allocation per call) and the entry point is called.
 * Plain C, so that a compiled model needs nothing but libc and libm.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/kiln_model_table.h"
#include "runtime/AllocationFailure.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kOwnedAlignment = 64, kMaxMessage = 512 };

struct kiln_context {
  /* Descriptors of the call in flight: words for the largest function's
   * arguments, and a pointer to each argument's descriptor. */
  int64_t *words;
  void **descriptors;
  /* The buffers kiln_context_output describes, one slot per output of
   * every function (function f's start at the sum of the counts before
   * it), allocated on first use. */
  void **owned;
  char error[kMaxMessage];
};

/*===----------------------------------------------------------------------===*
 * Queries
 *===----------------------------------------------------------------------===*/

uint32_t kiln_abi_version(void) { return KILN_ABI_VERSION; }

const char *kiln_status_string(kiln_status status) {
  switch (status) {
  case KILN_OK:
    return "ok";
  case KILN_ERROR_NULL_ARGUMENT:
    return "null argument";
  case KILN_ERROR_UNKNOWN_FUNCTION:
    return "unknown function";
  case KILN_ERROR_INDEX_OUT_OF_RANGE:
    return "index out of range";
  case KILN_ERROR_INPUT_COUNT:
    return "wrong number of inputs";
  case KILN_ERROR_OUTPUT_COUNT:
    return "wrong number of outputs";
  case KILN_ERROR_DTYPE:
    return "wrong dtype";
  case KILN_ERROR_SHAPE:
    return "wrong shape";
  case KILN_ERROR_MISALIGNED:
    return "misaligned data";
  case KILN_ERROR_OVERLAP:
    return "overlapping buffers";
  case KILN_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  }
  return "unknown status";
}

static int isKnownDType(kiln_dtype dtype) {
  return dtype >= KILN_DTYPE_F32 && dtype <= KILN_DTYPE_I1;
}

const char *kiln_dtype_name(kiln_dtype dtype) {
  static const char *const names[] = {"f32", "f64", "i32", "i64", "i1"};
  return isKnownDType(dtype) ? names[dtype] : "unknown dtype";
}

size_t kiln_dtype_size(kiln_dtype dtype) {
  static const size_t sizes[] = {4, 8, 4, 8, 1};
  return isKnownDType(dtype) ? sizes[dtype] : 0;
}

const char *kiln_model_name(void) { return kiln_model_table_.name; }

int32_t kiln_function_count(void) { return kiln_model_table_.num_functions; }

static const kiln_function_table *lookupFunction(int32_t function) {
  if (function < 0 || function >= kiln_model_table_.num_functions)
    return NULL;
  return &kiln_model_table_.functions[function];
}

const char *kiln_function_name(int32_t function) {
  const kiln_function_table *fn = lookupFunction(function);
  return fn ? fn->name : NULL;
}

int32_t kiln_function_index(const char *name) {
  if (!name)
    return -1;
  for (int32_t f = 0; f < kiln_model_table_.num_functions; ++f)
    if (strcmp(kiln_model_table_.functions[f].name, name) == 0)
      return f;
  return -1;
}

int32_t kiln_input_count(int32_t function) {
  const kiln_function_table *fn = lookupFunction(function);
  return fn ? fn->num_inputs : -1;
}

int32_t kiln_output_count(int32_t function) {
  const kiln_function_table *fn = lookupFunction(function);
  return fn ? fn->num_outputs : -1;
}

static int64_t numElements(const kiln_tensor_table *spec) {
  int64_t n = 1;
  for (int32_t d = 0; d < spec->rank; ++d)
    n *= spec->shape[d];
  return n;
}

static uint64_t sizeInBytes(const kiln_tensor_table *spec) {
  return (uint64_t)numElements(spec) * kiln_dtype_size(spec->dtype);
}

static kiln_status describeTensor(const kiln_tensor_table *spec,
                                  kiln_tensor_info *info) {
  if (!info)
    return KILN_ERROR_NULL_ARGUMENT;
  info->name = spec->name;
  info->dtype = spec->dtype;
  info->rank = spec->rank;
  info->shape = spec->shape;
  info->num_elements = numElements(spec);
  info->size_bytes = sizeInBytes(spec);
  info->role = spec->role;
  info->updated_in_place = spec->updated_in_place;
  return KILN_OK;
}

/* What kiln_input_info and kiln_output_info share: tensor `index` of
 * `function`'s outputs if `output`, else of its inputs. */
static kiln_status tensorInfo(int32_t function, int output, int32_t index,
                              kiln_tensor_info *info) {
  const kiln_function_table *fn = lookupFunction(function);
  if (!fn)
    return KILN_ERROR_UNKNOWN_FUNCTION;
  int32_t count = output ? fn->num_outputs : fn->num_inputs;
  if (index < 0 || index >= count)
    return KILN_ERROR_INDEX_OUT_OF_RANGE;
  return describeTensor(output ? &fn->outputs[index] : &fn->inputs[index],
                        info);
}

kiln_status kiln_input_info(int32_t function, int32_t input,
                            kiln_tensor_info *info) {
  return tensorInfo(function, /*output=*/0, input, info);
}

kiln_status kiln_output_info(int32_t function, int32_t output,
                             kiln_tensor_info *info) {
  return tensorInfo(function, /*output=*/1, output, info);
}

/*===----------------------------------------------------------------------===*
 * Contexts
 *===----------------------------------------------------------------------===*/

static int32_t totalOutputs(void) {
  int32_t total = 0;
  for (int32_t f = 0; f < kiln_model_table_.num_functions; ++f)
    total += kiln_model_table_.functions[f].num_outputs;
  return total;
}

static int32_t firstOutputSlot(int32_t function) {
  int32_t slot = 0;
  for (int32_t f = 0; f < function; ++f)
    slot += kiln_model_table_.functions[f].num_outputs;
  return slot;
}

static size_t descriptorWords(const kiln_tensor_table *specs, int32_t count) {
  size_t words = 0;
  for (int32_t i = 0; i < count; ++i)
    words += 3 + 2 * (size_t)specs[i].rank;
  return words;
}

kiln_status kiln_context_create(kiln_context **context) {
  if (!context)
    return KILN_ERROR_NULL_ARGUMENT;
  *context = NULL;
  size_t maxWords = 0, maxArgs = 0;
  for (int32_t f = 0; f < kiln_model_table_.num_functions; ++f) {
    const kiln_function_table *fn = &kiln_model_table_.functions[f];
    size_t words = descriptorWords(fn->inputs, fn->num_inputs) +
                   descriptorWords(fn->outputs, fn->num_outputs);
    size_t args = (size_t)fn->num_inputs + (size_t)fn->num_outputs;
    if (words > maxWords)
      maxWords = words;
    if (args > maxArgs)
      maxArgs = args;
  }
  kiln_context *c = calloc(1, sizeof(kiln_context));
  if (!c)
    return KILN_ERROR_OUT_OF_MEMORY;
  /* One extra element each: calloc(0) may return NULL. */
  c->words = calloc(maxWords + 1, sizeof(int64_t));
  c->descriptors = calloc(maxArgs + 1, sizeof(void *));
  c->owned = calloc((size_t)totalOutputs() + 1, sizeof(void *));
  if (!c->words || !c->descriptors || !c->owned) {
    kiln_context_destroy(c);
    return KILN_ERROR_OUT_OF_MEMORY;
  }
  *context = c;
  return KILN_OK;
}

void kiln_context_destroy(kiln_context *context) {
  if (!context)
    return;
  if (context->owned)
    for (int32_t i = 0, e = totalOutputs(); i < e; ++i)
      free(context->owned[i]);
  free(context->owned);
  free(context->descriptors);
  free(context->words);
  free(context);
}

const char *kiln_context_error(const kiln_context *context) {
  return context ? context->error : "null context";
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static kiln_status
fail(kiln_context *context, kiln_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(context->error, sizeof(context->error), format, args);
  va_end(args);
  return status;
}

/* The context's buffer for `slot`, zero-filled on first use; NULL when
 * memory runs out. */
static void *ownedBuffer(kiln_context *context, int32_t slot,
                         const kiln_tensor_table *spec) {
  if (!context->owned[slot]) {
    uint64_t size = sizeInBytes(spec);
    uint64_t rounded =
        (size + kOwnedAlignment - 1) / kOwnedAlignment * kOwnedAlignment;
    void *buffer = aligned_alloc(kOwnedAlignment,
                                 rounded == 0 ? kOwnedAlignment : rounded);
    if (!buffer)
      return NULL;
    memset(buffer, 0, rounded == 0 ? kOwnedAlignment : rounded);
    context->owned[slot] = buffer;
  }
  return context->owned[slot];
}

/* Points `tensor` at the context's buffer for output `output` of
 * `function` (whose table is `fn`). */
static kiln_status describeOwnedOutput(kiln_context *context, int32_t function,
                                       const kiln_function_table *fn,
                                       int32_t output, kiln_tensor *tensor) {
  const kiln_tensor_table *spec = &fn->outputs[output];
  void *data = ownedBuffer(context, firstOutputSlot(function) + output, spec);
  if (!data)
    return fail(context, KILN_ERROR_OUT_OF_MEMORY,
                "output '%s' of '%s': cannot allocate %llu bytes", spec->name,
                fn->name, (unsigned long long)sizeInBytes(spec));
  tensor->data = data;
  tensor->dtype = spec->dtype;
  tensor->rank = spec->rank;
  tensor->shape = spec->shape;
  return KILN_OK;
}

/* Sets `*fn` to the table of `function`, or says in the context's error
 * that there is no such function. */
static kiln_status findFunction(kiln_context *context, int32_t function,
                                const kiln_function_table **fn) {
  *fn = lookupFunction(function);
  if (!*fn)
    return fail(context, KILN_ERROR_UNKNOWN_FUNCTION,
                "function #%d does not exist: model '%s' has %d", function,
                kiln_model_table_.name, kiln_model_table_.num_functions);
  return KILN_OK;
}

kiln_status kiln_context_output(kiln_context *context, int32_t function,
                                int32_t output, kiln_tensor *tensor) {
  if (!context)
    return KILN_ERROR_NULL_ARGUMENT;
  const kiln_function_table *fn;
  kiln_status found = findFunction(context, function, &fn);
  if (found != KILN_OK)
    return found;
  if (output < 0 || output >= fn->num_outputs)
    return fail(context, KILN_ERROR_INDEX_OUT_OF_RANGE,
                "output #%d of '%s' does not exist: it has %d", output,
                fn->name, fn->num_outputs);
  if (!tensor)
    return fail(context, KILN_ERROR_NULL_ARGUMENT,
                "kiln_context_output: tensor is null");
  return describeOwnedOutput(context, function, fn, output, tensor);
}

/*===----------------------------------------------------------------------===*
 * Running
 *===----------------------------------------------------------------------===*/

/* "8x784xf32"; "f32" for rank 0. Truncated to `size` bytes. */
static void formatType(char *out, size_t size, kiln_dtype dtype, int32_t rank,
                       const int64_t *shape) {
  size_t used = 0;
  out[0] = '\0';
  for (int32_t d = 0; d < rank && used < size; ++d) {
    int n = snprintf(out + used, size - used, "%lldx", (long long)shape[d]);
    if (n < 0)
      return;
    used += (size_t)n;
  }
  if (used < size)
    snprintf(out + used, size - used, "%s", kiln_dtype_name(dtype));
}

static int sameShape(const kiln_tensor_table *spec, const kiln_tensor *t) {
  if (t->rank != spec->rank)
    return 0;
  for (int32_t d = 0; d < spec->rank; ++d)
    if (t->shape[d] != spec->shape[d])
      return 0;
  return 1;
}

/* Checks one caller tensor against its spec; `kind` is "input" or
 * "output". */
static kiln_status checkTensor(kiln_context *context,
                               const kiln_function_table *fn, const char *kind,
                               int32_t index, const kiln_tensor_table *spec,
                               const kiln_tensor *t) {
  const char *name = spec->name;
  if (t->rank < 0)
    return fail(context, KILN_ERROR_SHAPE,
                "%s '%s' (#%d) of '%s': rank %d is negative", kind, name, index,
                fn->name, t->rank);
  if (t->rank > 0 && !t->shape)
    return fail(context, KILN_ERROR_NULL_ARGUMENT,
                "%s '%s' (#%d) of '%s': shape is null for rank %d", kind, name,
                index, fn->name, t->rank);
  if (t->dtype != spec->dtype || !sameShape(spec, t)) {
    char expected[128], got[128];
    formatType(expected, sizeof(expected), spec->dtype, spec->rank,
               spec->shape);
    formatType(got, sizeof(got), t->dtype, t->rank, t->shape);
    return fail(context,
                t->dtype != spec->dtype ? KILN_ERROR_DTYPE : KILN_ERROR_SHAPE,
                "%s '%s' (#%d) of '%s': expected %s, got %s", kind, name, index,
                fn->name, expected, got);
  }
  if (!t->data && numElements(spec) > 0)
    return fail(context, KILN_ERROR_NULL_ARGUMENT,
                "%s '%s' (#%d) of '%s': data is null", kind, name, index,
                fn->name);
  if ((uintptr_t)t->data % kiln_dtype_size(spec->dtype) != 0)
    return fail(context, KILN_ERROR_MISALIGNED,
                "%s '%s' (#%d) of '%s': data %p is not aligned to its %zu-byte "
                "elements",
                kind, name, index, fn->name, t->data,
                kiln_dtype_size(spec->dtype));
  return KILN_OK;
}

static int overlaps(const void *a, uint64_t aSize, const void *b,
                    uint64_t bSize) {
  uintptr_t aBegin = (uintptr_t)a, bBegin = (uintptr_t)b;
  return aSize > 0 && bSize > 0 && aBegin < bBegin + bSize &&
         bBegin < aBegin + aSize;
}

/* What the call writes (outputs, inputs updated in place) must not share
 * memory with anything else it reads or writes. Argument i < num_inputs is
 * input i, the rest are outputs. */
static kiln_status checkOverlap(kiln_context *context,
                                const kiln_function_table *fn,
                                const kiln_tensor *inputs,
                                const kiln_tensor *outputs) {
  int32_t total = fn->num_inputs + fn->num_outputs;
  for (int32_t i = 0; i < total; ++i) {
    int isOutput = i >= fn->num_inputs;
    int32_t index = isOutput ? i - fn->num_inputs : i;
    const kiln_tensor_table *spec =
        isOutput ? &fn->outputs[index] : &fn->inputs[index];
    if (!isOutput && !spec->updated_in_place)
      continue;
    const void *data = isOutput ? outputs[index].data : inputs[index].data;
    for (int32_t j = 0; j < total; ++j) {
      int otherIsOutput = j >= fn->num_inputs;
      int32_t other = otherIsOutput ? j - fn->num_inputs : j;
      const kiln_tensor_table *otherSpec =
          otherIsOutput ? &fn->outputs[other] : &fn->inputs[other];
      const void *otherData =
          otherIsOutput ? outputs[other].data : inputs[other].data;
      if (j != i &&
          overlaps(data, sizeInBytes(spec), otherData, sizeInBytes(otherSpec)))
        return fail(context, KILN_ERROR_OVERLAP,
                    "%s '%s' (#%d) of '%s' is written but shares memory with "
                    "%s '%s' (#%d)",
                    isOutput ? "output" : "input", spec->name, index, fn->name,
                    otherIsOutput ? "output" : "input", otherSpec->name, other);
    }
  }
  return KILN_OK;
}

/* Writes an identity-layout descriptor of `spec` over `data` at `words`;
 * returns the next free word. */
static int64_t *describeBuffer(int64_t *words, const kiln_tensor_table *spec,
                               void *data) {
  words[0] = (int64_t)(intptr_t)data; /* allocated */
  words[1] = (int64_t)(intptr_t)data; /* aligned */
  words[2] = 0;                       /* offset */
  int64_t stride = 1;
  for (int32_t d = spec->rank - 1; d >= 0; --d) {
    words[3 + d] = spec->shape[d];
    words[3 + spec->rank + d] = stride;
    stride *= spec->shape[d];
  }
  return words + 3 + 2 * spec->rank;
}

kiln_status kiln_run(kiln_context *context, int32_t function,
                     const kiln_tensor *inputs, int32_t num_inputs,
                     const kiln_tensor *outputs, int32_t num_outputs) {
  if (!context)
    return KILN_ERROR_NULL_ARGUMENT;
  const kiln_function_table *fn;
  kiln_status found = findFunction(context, function, &fn);
  if (found != KILN_OK)
    return found;
  if (num_inputs != fn->num_inputs)
    return fail(context, KILN_ERROR_INPUT_COUNT,
                "'%s' expects %d input%s, got %d", fn->name, fn->num_inputs,
                fn->num_inputs == 1 ? "" : "s", num_inputs);
  if (!inputs && num_inputs > 0)
    return fail(context, KILN_ERROR_NULL_ARGUMENT, "'%s': inputs is null",
                fn->name);
  int ownOutputs = !outputs && num_outputs == 0;
  if (!ownOutputs && num_outputs != fn->num_outputs)
    return fail(context, KILN_ERROR_OUTPUT_COUNT,
                "'%s' expects %d output%s, got %d", fn->name, fn->num_outputs,
                fn->num_outputs == 1 ? "" : "s", num_outputs);
  if (!outputs && num_outputs > 0)
    return fail(context, KILN_ERROR_NULL_ARGUMENT, "'%s': outputs is null",
                fn->name);
  for (int32_t i = 0; i < fn->num_inputs; ++i) {
    kiln_status s =
        checkTensor(context, fn, "input", i, &fn->inputs[i], &inputs[i]);
    if (s != KILN_OK)
      return s;
  }

  /* The context's own buffers, described as a caller's would be. */
  kiln_tensor owned[fn->num_outputs > 0 ? fn->num_outputs : 1];
  if (ownOutputs) {
    for (int32_t i = 0; i < fn->num_outputs; ++i) {
      kiln_status s = describeOwnedOutput(context, function, fn, i, &owned[i]);
      if (s != KILN_OK)
        return s;
    }
    outputs = owned;
  } else {
    for (int32_t i = 0; i < fn->num_outputs; ++i) {
      kiln_status s =
          checkTensor(context, fn, "output", i, &fn->outputs[i], &outputs[i]);
      if (s != KILN_OK)
        return s;
    }
  }
  kiln_status s = checkOverlap(context, fn, inputs, outputs);
  if (s != KILN_OK)
    return s;

  int64_t *words = context->words;
  for (int32_t i = 0; i < fn->num_inputs; ++i) {
    context->descriptors[i] = words;
    words = describeBuffer(words, &fn->inputs[i], inputs[i].data);
  }
  for (int32_t i = 0; i < fn->num_outputs; ++i) {
    context->descriptors[fn->num_inputs + i] = words;
    words = describeBuffer(words, &fn->outputs[i], outputs[i].data);
  }

  jmp_buf target;
  jmp_buf *saved = kiln_allocation_failure_target;
  if (setjmp(target)) {
    kiln_allocation_failure_target = saved;
    return fail(context, KILN_ERROR_OUT_OF_MEMORY,
                "'%s' ran out of memory for an intermediate tensor", fn->name);
  }
  kiln_allocation_failure_target = &target;
  fn->entry(context->descriptors);
  kiln_allocation_failure_target = saved;
  return KILN_OK;
}
