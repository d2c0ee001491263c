/*===- run_model.c - Run a model compiled by kilnc, from C ---------------===*
 *
 *   kilnc examples/mlp_forward.mlir -o libmlp_forward.so --header mlp_forward.h
 *   cc run_model.c -I. -L. -lmlp_forward -Wl,-rpath,'$ORIGIN' -o run_model
 *   ./run_model [--function NAME] [--output-dir DIR] input.npy...
 *
 * Reads one .npy file per input of the function (the first, unless named),
 * runs it through the model's C ABI and prints each output; with
 * --output-dir it also writes them as DIR/<output name>.npy. The program
 * knows nothing about the model: it asks the library for its functions,
 * their inputs and outputs. The .npy reader and writer at the top handle
 * what Kiln models take: little-endian, C order, f4 f8 i4 i8 b1.
 *
 *===----------------------------------------------------------------------===*/

#include "mlp_forward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void printType(kiln_dtype dtype, int32_t rank, const int64_t *shape) {
  for (int32_t d = 0; d < rank; ++d)
    printf("%lldx", (long long)shape[d]);
  printf("%s", kiln_dtype_name(dtype));
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
 * main
 *===----------------------------------------------------------------------===*/

int main(int argc, char **argv) {
  const char *functionName = NULL, *outputDir = NULL;
  int first = 1;
  for (; first + 1 < argc && argv[first][0] == '-'; first += 2) {
    if (strcmp(argv[first], "--function") == 0)
      functionName = argv[first + 1];
    else if (strcmp(argv[first], "--output-dir") == 0)
      outputDir = argv[first + 1];
    else
      break;
  }
  if (kiln_abi_version() != KILN_ABI_VERSION) {
    fprintf(stderr,
            "error: the model library has C ABI version %u, this "
            "program was built for %d\n",
            kiln_abi_version(), KILN_ABI_VERSION);
    return 1;
  }
  int32_t function = functionName ? kiln_function_index(functionName) : 0;
  if (function < 0 || function >= kiln_function_count()) {
    fprintf(stderr, "error: model '%s' has no function '%s'\n",
            kiln_model_name(), functionName ? functionName : "#0");
    return 1;
  }
  int32_t numInputs = kiln_input_count(function);
  if (argc - first != numInputs || (first < argc && argv[first][0] == '-')) {
    fprintf(stderr,
            "usage: %s [--function NAME] [--output-dir DIR] input.npy...\n"
            "'%s' takes %d inputs:",
            argv[0], kiln_function_name(function), numInputs);
    for (int32_t i = 0; i < numInputs; ++i) {
      kiln_tensor_info info;
      kiln_input_info(function, i, &info);
      fprintf(stderr, " %s", info.name);
    }
    fprintf(stderr, "\n");
    return 2;
  }

  int status = 1;
  Array *arrays = calloc((size_t)numInputs + 1, sizeof(Array));
  kiln_tensor *inputs = calloc((size_t)numInputs + 1, sizeof(kiln_tensor));
  kiln_context *context = NULL;
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
  for (int32_t i = 0; i < kiln_output_count(function); ++i) {
    kiln_tensor_info info;
    kiln_tensor output;
    kiln_output_info(function, i, &info);
    kiln_context_output(context, function, i, &output);
    printf("%s: ", info.name);
    printType(info.dtype, info.rank, info.shape);
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
  }
  status = 0;
done:
  for (int32_t i = 0; arrays && i < numInputs; ++i)
    free(arrays[i].data);
  free(arrays);
  free(inputs);
  kiln_context_destroy(context);
  return status;
}
