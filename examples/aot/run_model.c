/*===- run_model.c - Run a model compiled by kilnc, from C ---------------===*
 *
 *   kilnc examples/mlp_forward.mlir -o libmlp_forward.so
 *   cc run_model.c -Ibuild/include -L. -lmlp_forward -Wl,-rpath,'$ORIGIN' \
 *      -o run_model
 *   ./run_model [--function NAME] [--output-dir DIR] [--expect OUT.npy]...
 *               [--rtol R] [--repeat N] [--warmup N] input.npy...
 *
 * Reads one .npy file per input of the function (the first, unless named),
 * runs it through the model's C ABI and prints each output; with
 * --output-dir it also writes them as DIR/<output name>.npy. The program
 * knows nothing about the model: it asks the library for its functions,
 * their inputs and outputs, so it needs only the C ABI's header
 * (runtime/include/kiln/kiln_model.h, or the one kilnc generates).
 *
 * --expect FILE (once per output, in order) compares the output with the
 * values in FILE: it prints the largest absolute difference and the error
 * relative to the largest expected magnitude, max|out - expected| /
 * max|expected|, and fails (exit status 3) if that exceeds --rtol
 * (default 1e-4). --repeat N times N calls after --warmup calls (default
 * 3) and prints the median and the fastest, in milliseconds.
 *
 * The .npy reader and writer at the top handle what Kiln models take:
 * little-endian, C order, f4 f8 i4 i8 b1.
 *
 *===----------------------------------------------------------------------===*/

/* clock_gettime and CLOCK_MONOTONIC */
#define _POSIX_C_SOURCE 199309L

#include "kiln/kiln_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*===----------------------------------------------------------------------===*
 * .npy files
 *===----------------------------------------------------------------------===*/

enum { kMaxRank = 16 };

typedef struct Array {
  kiln_dtype dtype;
  int32_t rank;
  int64_t shape[kMaxRank];
  void *data; /* 64-byte aligned, owned */
  size_t size;
} Array;

static const struct {
  const char *descr;
  kiln_dtype dtype;
} kDescrs[] = {{"<f4", KILN_DTYPE_F32},
               {"<f8", KILN_DTYPE_F64},
               {"<i4", KILN_DTYPE_I32},
               {"<i8", KILN_DTYPE_I64},
               {"|b1", KILN_DTYPE_I1}};

/* The value after `'key':` in a .npy header dictionary, or NULL. */
static const char *headerValue(const char *header, const char *key) {
  const char *at = strstr(header, key);
  if (!at)
    return NULL;
  at = strchr(at + strlen(key), ':');
  if (!at)
    return NULL;
  for (++at; *at == ' '; ++at)
    ;
  return at;
}

/* Reads `path` into `array`; prints why and returns 0 on failure. */
static int readNpy(const char *path, Array *array) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "error: cannot open '%s'\n", path);
    return 0;
  }
  unsigned char preamble[12];
  char *header = NULL;
  int ok = 0;
  if (fread(preamble, 1, 10, file) != 10 ||
      memcmp(preamble, "\x93NUMPY", 6) != 0 || preamble[6] < 1 ||
      preamble[6] > 3) {
    fprintf(stderr, "error: '%s' is not a .npy file\n", path);
    goto done;
  }
  size_t headerSize = preamble[8] | (size_t)preamble[9] << 8;
  if (preamble[6] > 1) { /* versions 2 and 3: a 4-byte length */
    if (fread(preamble + 10, 1, 2, file) != 2) {
      fprintf(stderr, "error: '%s' is truncated\n", path);
      goto done;
    }
    headerSize |= (size_t)preamble[10] << 16 | (size_t)preamble[11] << 24;
  }
  header = malloc(headerSize + 1);
  if (!header || fread(header, 1, headerSize, file) != headerSize) {
    fprintf(stderr, "error: '%s' is truncated\n", path);
    goto done;
  }
  header[headerSize] = '\0';
  const char *descr = headerValue(header, "'descr'");
  const char *order = headerValue(header, "'fortran_order'");
  const char *shape = headerValue(header, "'shape'");
  if (!descr || !order || !shape || *shape != '(') {
    fprintf(stderr, "error: '%s' has a malformed header\n", path);
    goto done;
  }
  size_t d = 0, count = sizeof(kDescrs) / sizeof(kDescrs[0]);
  while (d < count && strncmp(descr + 1, kDescrs[d].descr, 3) != 0)
    ++d;
  if (d == count || strncmp(order, "False", 5) != 0) {
    fprintf(stderr, "error: '%s': only C-order f4, f8, i4, i8, b1 arrays\n",
            path);
    goto done;
  }
  array->dtype = kDescrs[d].dtype;
  array->rank = 0;
  size_t elements = 1;
  for (const char *p = shape + 1; *p != ')';) {
    char *end;
    long long dim = strtoll(p, &end, 10);
    if (end == p || dim < 0 || array->rank == kMaxRank) {
      fprintf(stderr, "error: '%s' has a malformed shape\n", path);
      goto done;
    }
    array->shape[array->rank++] = dim;
    elements *= (size_t)dim;
    for (p = end; *p == ',' || *p == ' ';)
      ++p;
  }
  array->size = elements * kiln_dtype_size(array->dtype);
  array->data = aligned_alloc(64, (array->size + 63) / 64 * 64 + 64);
  if (!array->data || fread(array->data, 1, array->size, file) != array->size) {
    fprintf(stderr, "error: '%s' is truncated\n", path);
    free(array->data);
    array->data = NULL;
    goto done;
  }
  ok = 1;
done:
  free(header);
  fclose(file);
  return ok;
}

/* Writes a version 1.0 .npy file; returns 0 on failure. */
static int writeNpy(const char *path, const kiln_tensor_info *info,
                    const void *data) {
  const char *descr = NULL;
  for (size_t d = 0; d < sizeof(kDescrs) / sizeof(kDescrs[0]); ++d)
    if (kDescrs[d].dtype == info->dtype)
      descr = kDescrs[d].descr;
  char header[512];
  int n = snprintf(header, sizeof(header),
                   "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (int32_t d = 0; d < info->rank; ++d)
    n += snprintf(header + n, sizeof(header) - n, "%lld%s",
                  (long long)info->shape[d],
                  info->rank == 1      ? ","
                  : d + 1 < info->rank ? ", "
                                       : "");
  n += snprintf(header + n, sizeof(header) - n, "), }");
  /* Pad with spaces so that the data starts at a multiple of 64 bytes. */
  while ((10 + n + 1) % 64 != 0)
    header[n++] = ' ';
  header[n++] = '\n';
  FILE *file = fopen(path, "wb");
  if (!file)
    return 0;
  unsigned char preamble[10] = {0x93,
                                'N',
                                'U',
                                'M',
                                'P',
                                'Y',
                                1,
                                0,
                                (unsigned char)(n & 0xff),
                                (unsigned char)(n >> 8)};
  int ok = fwrite(preamble, 1, 10, file) == 10 &&
           fwrite(header, 1, (size_t)n, file) == (size_t)n &&
           fwrite(data, 1, info->size_bytes, file) == info->size_bytes;
  return fclose(file) == 0 && ok;
}

/*===----------------------------------------------------------------------===*
 * Printing
 *===----------------------------------------------------------------------===*/

static void printType(FILE *stream, kiln_dtype dtype, int32_t rank,
                      const int64_t *shape) {
  for (int32_t d = 0; d < rank; ++d)
    fprintf(stream, "%lldx", (long long)shape[d]);
  fprintf(stream, "%s", kiln_dtype_name(dtype));
}

static double element(kiln_dtype dtype, const void *data, int64_t i) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return ((const float *)data)[i];
  case KILN_DTYPE_F64:
    return ((const double *)data)[i];
  case KILN_DTYPE_I32:
    return ((const int32_t *)data)[i];
  case KILN_DTYPE_I64:
    return (double)((const int64_t *)data)[i];
  case KILN_DTYPE_I1:
    return ((const unsigned char *)data)[i];
  }
  return 0;
}

/* One row (the last dimension) per line; at most 20 rows. */
static void printValues(const kiln_tensor_info *info, const void *data) {
  int64_t row = info->rank > 0 ? info->shape[info->rank - 1] : 1;
  for (int64_t i = 0; i < info->num_elements; ++i) {
    if (i / row == 20) {
      printf("  ... (%lld more rows)\n",
             (long long)(info->num_elements / row - 20));
      return;
    }
    printf("%s%.6g%s", i % row == 0 ? "  " : "", element(info->dtype, data, i),
           (i + 1) % row == 0 ? "\n" : " ");
  }
}

/*===----------------------------------------------------------------------===*
 * Checking and timing
 *===----------------------------------------------------------------------===*/

/* Compares an output with the expected values of `path` and prints the
 * errors; clears `*matches` if they exceed `rtol`. Returns 0 (after saying
 * why) if the file cannot be read or holds another shape. */
static int checkOutput(const kiln_tensor_info *info, const void *data,
                       const char *path, double rtol, int *matches) {
  Array expected;
  if (!readNpy(path, &expected))
    return 0;
  int ok = expected.rank == info->rank;
  for (int32_t d = 0; ok && d < info->rank; ++d)
    ok = expected.shape[d] == info->shape[d];
  if (!ok) {
    fprintf(stderr, "error: '%s' holds ", path);
    printType(stderr, expected.dtype, expected.rank, expected.shape);
    fprintf(stderr, ", output '%s' is ", info->name);
    printType(stderr, info->dtype, info->rank, info->shape);
    fprintf(stderr, "\n");
    free(expected.data);
    return 0;
  }
  double maxError = 0, maxExpected = 0;
  for (int64_t i = 0; i < info->num_elements; ++i) {
    double want = element(expected.dtype, expected.data, i);
    double error = element(info->dtype, data, i) - want;
    /* Written so that a NaN on either side counts as failing. */
    if (!(error <= maxError && -error <= maxError))
      maxError = error == error ? (error < 0 ? -error : error) : 1.0 / 0.0;
    if ((want < 0 ? -want : want) > maxExpected)
      maxExpected = want < 0 ? -want : want;
  }
  double relative = maxError == 0 ? 0 : maxError / maxExpected;
  ok = relative <= rtol;
  *matches &= ok;
  printf("%s vs %s: max abs error %.3g, max |expected| %.3g, relative error "
         "%.3g (tolerance %.3g): %s\n",
         info->name, path, maxError, maxExpected, relative, rtol,
         ok ? "ok" : "MISMATCH");
  free(expected.data);
  return 1;
}

static double nowMs(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * 1e3 + now.tv_nsec * 1e-6;
}

static int compareMs(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Runs the function `warmup` times, then times `repeat` calls and prints
 * the median and the fastest; returns the status of the first failure. */
static kiln_status timeRuns(kiln_context *context, int32_t function,
                            const kiln_tensor *inputs, int32_t numInputs,
                            long warmup, long repeat) {
  double *times = malloc((size_t)repeat * sizeof(double));
  if (!times)
    return KILN_ERROR_OUT_OF_MEMORY;
  kiln_status s = KILN_OK;
  for (long i = 0; s == KILN_OK && i < warmup + repeat; ++i) {
    double start = nowMs();
    s = kiln_run(context, function, inputs, numInputs, NULL, 0);
    if (i >= warmup)
      times[i - warmup] = nowMs() - start;
  }
  if (s == KILN_OK) {
    qsort(times, (size_t)repeat, sizeof(double), compareMs);
    double median = repeat % 2
                        ? times[repeat / 2]
                        : (times[repeat / 2 - 1] + times[repeat / 2]) / 2;
    printf("time: median %.3f ms, min %.3f ms over %ld runs (%ld warm-up)\n",
           median, times[0], repeat, warmup);
  }
  free(times);
  return s;
}

/*===----------------------------------------------------------------------===*
 * main
 *===----------------------------------------------------------------------===*/

static int usage(const char *program, int32_t function) {
  fprintf(stderr,
          "usage: %s [--function NAME] [--output-dir DIR] [--expect OUT.npy]"
          "... [--rtol R] [--repeat N] [--warmup N] input.npy...\n",
          program);
  if (function >= 0) {
    fprintf(stderr, "'%s' takes %d inputs:", kiln_function_name(function),
            kiln_input_count(function));
    for (int32_t i = 0; i < kiln_input_count(function); ++i) {
      kiln_tensor_info info;
      kiln_input_info(function, i, &info);
      fprintf(stderr, " %s", info.name);
    }
    fprintf(stderr, "\n");
  }
  return 2;
}

/* Parses a positive (or, with `allowZero`, non-negative) count. */
static int parseCount(const char *text, int allowZero, long *count) {
  char *end;
  *count = strtol(text, &end, 10);
  return end != text && *end == '\0' && *count >= (allowZero ? 0 : 1);
}

int main(int argc, char **argv) {
  const char *functionName = NULL, *outputDir = NULL;
  const char **expected = calloc((size_t)argc, sizeof(char *));
  int numExpected = 0;
  double rtol = 1e-4;
  long repeat = 0, warmup = 3;
  int first = 1;
  if (!expected) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  for (; first + 1 < argc && argv[first][0] == '-'; first += 2) {
    const char *option = argv[first], *value = argv[first + 1];
    char *end = NULL;
    if (strcmp(option, "--function") == 0)
      functionName = value;
    else if (strcmp(option, "--output-dir") == 0)
      outputDir = value;
    else if (strcmp(option, "--expect") == 0)
      expected[numExpected++] = value;
    else if (strcmp(option, "--rtol") == 0 &&
             ((rtol = strtod(value, &end)), end != value && *end == '\0') &&
             rtol >= 0)
      ;
    else if (strcmp(option, "--repeat") == 0 && parseCount(value, 0, &repeat))
      ;
    else if (strcmp(option, "--warmup") == 0 && parseCount(value, 1, &warmup))
      ;
    else {
      fprintf(stderr, "error: bad option '%s %s'\n", option, value);
      free(expected);
      return usage(argv[0], -1);
    }
  }
  int status = 1;
  Array *arrays = NULL;
  kiln_tensor *inputs = NULL;
  kiln_context *context = NULL;
  int32_t numInputs = 0;
  if (kiln_abi_version() != KILN_ABI_VERSION) {
    fprintf(stderr,
            "error: the model library has C ABI version %u, this "
            "program was built for %d\n",
            kiln_abi_version(), KILN_ABI_VERSION);
    goto done;
  }
  int32_t function = functionName ? kiln_function_index(functionName) : 0;
  if (function < 0 || function >= kiln_function_count()) {
    fprintf(stderr, "error: model '%s' has no function '%s'\n",
            kiln_model_name(), functionName ? functionName : "#0");
    goto done;
  }
  if (argc - first != kiln_input_count(function) ||
      (first < argc && argv[first][0] == '-')) {
    status = usage(argv[0], function);
    goto done;
  }
  int32_t numOutputs = kiln_output_count(function);
  if (numExpected > numOutputs) {
    fprintf(stderr, "error: %d --expect files for %d outputs of '%s'\n",
            numExpected, numOutputs, kiln_function_name(function));
    status = 2;
    goto done;
  }

  numInputs = kiln_input_count(function);
  arrays = calloc((size_t)numInputs + 1, sizeof(Array));
  inputs = calloc((size_t)numInputs + 1, sizeof(kiln_tensor));
  if (!arrays || !inputs || kiln_context_create(&context) != KILN_OK) {
    fprintf(stderr, "error: out of memory\n");
    goto done;
  }
  for (int32_t i = 0; i < numInputs; ++i) {
    if (!readNpy(argv[first + i], &arrays[i]))
      goto done;
    kiln_tensor input = {arrays[i].data, arrays[i].dtype, arrays[i].rank,
                         arrays[i].shape};
    inputs[i] = input;
  }
  /* The library checks every input against the function and says which
   * one does not fit; the outputs go into the context's own buffers. */
  kiln_status s = kiln_run(context, function, inputs, numInputs, NULL, 0);
  if (s != KILN_OK) {
    fprintf(stderr, "error: %s (%s)\n", kiln_context_error(context),
            kiln_status_string(s));
    goto done;
  }
  int matches = 1;
  for (int32_t i = 0; i < numOutputs; ++i) {
    kiln_tensor_info info;
    kiln_tensor output;
    kiln_output_info(function, i, &info);
    kiln_context_output(context, function, i, &output);
    printf("%s: ", info.name);
    printType(stdout, info.dtype, info.rank, info.shape);
    printf("\n");
    printValues(&info, output.data);
    if (outputDir) {
      char path[4096];
      snprintf(path, sizeof(path), "%s/%s.npy", outputDir, info.name);
      if (!writeNpy(path, &info, output.data)) {
        fprintf(stderr, "error: cannot write '%s'\n", path);
        goto done;
      }
    }
    if (i < numExpected &&
        !checkOutput(&info, output.data, expected[i], rtol, &matches))
      goto done;
  }
  if (repeat > 0) {
    s = timeRuns(context, function, inputs, numInputs, warmup, repeat);
    if (s != KILN_OK) {
      fprintf(stderr, "error: %s (%s)\n", kiln_context_error(context),
              kiln_status_string(s));
      goto done;
    }
  }
  status = matches ? 0 : 3;
done:
  for (int32_t i = 0; arrays && i < numInputs; ++i)
    free(arrays[i].data);
  free(arrays);
  free(inputs);
  free(expected);
  kiln_context_destroy(context);
  return status;
}
