/*===- kiln_model_table.h - What kilnc tells the C ABI about a model -----===*
 *
 * Not for users: kilnc generates one `kiln_model_table_` per compiled model
 * (a C file it compiles next to the model's code) and the C ABI
 * (runtime/model/KilnModel.c) answers queries and checks calls from it.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_MODEL_TABLE_H
#define KILN_MODEL_TABLE_H

#include "kiln/kiln_model.h"

/* Calls `_mlir_ciface_<name>` with descriptors[i] as its i-th argument:
 * one MLIR memref descriptor per input, then one per output. */
typedef void (*kiln_entry_thunk)(void **descriptors);

typedef struct kiln_tensor_table {
  const char *name;
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *shape;
  kiln_role role;
  int32_t updated_in_place;
} kiln_tensor_table;

typedef struct kiln_function_table {
  const char *name;
  int32_t num_inputs;
  const kiln_tensor_table *inputs;
  int32_t num_outputs;
  const kiln_tensor_table *outputs;
  kiln_entry_thunk entry;
} kiln_function_table;

typedef struct kiln_model_table {
  const char *name;
  int32_t num_functions;
  const kiln_function_table *functions;
} kiln_model_table;

/* Defined by the generated file. */
extern const kiln_model_table kiln_model_table_;

#endif /* KILN_MODEL_TABLE_H */
