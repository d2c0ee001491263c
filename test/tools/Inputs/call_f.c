/* Calls f of add.mlir through the C ABI of a library kilnc made; the
 * header is the one kilnc generated (add.h). Built by kilnc-library.test. */
#include "add.h"

#include <stdio.h>

int main(void) {
  kiln_context *context;
  if (kiln_abi_version() != KILN_ABI_VERSION ||
      kiln_context_create(&context) != KILN_OK)
    return 1;
  printf("model %s: %d function(s), %s takes %d inputs\n", kiln_model_name(),
         kiln_function_count(), kiln_function_name(ADD_F), ADD_F_NUM_INPUTS);
  float x[ADD_F_IN_X_NUM_ELEMENTS] = {1, 2, 3, 4, 5, 6};
  float y[ADD_F_IN_Y_NUM_ELEMENTS] = {10, 20, 30};
  float sum[ADD_F_OUT_SUM_NUM_ELEMENTS], rowmax[ADD_F_OUT_ROWMAX_NUM_ELEMENTS];
  int64_t x_shape[] = {2, 3}, y_shape[] = {3}, rowmax_shape[] = {2};
  kiln_tensor inputs[ADD_F_NUM_INPUTS] = {{x, KILN_DTYPE_F32, 2, x_shape},
                                          {y, KILN_DTYPE_F32, 1, y_shape}};
  kiln_tensor outputs[ADD_F_NUM_OUTPUTS] = {
      {sum, KILN_DTYPE_F32, 2, x_shape},
      {rowmax, KILN_DTYPE_F32, 1, rowmax_shape}};
  kiln_status status = kiln_run(context, ADD_F, inputs, 2, outputs, 2);
  printf("run: %s\nsum:", kiln_status_string(status));
  for (int i = 0; i < 6; ++i)
    printf(" %g", sum[i]);
  printf("\nrowmax: %g %g\n", rowmax[0], rowmax[1]);
  /* y where x belongs: an error code and a message, not a crash. */
  inputs[ADD_F_IN_X] = inputs[ADD_F_IN_Y];
  status = kiln_run(context, ADD_F, inputs, 2, outputs, 2);
  printf("bad run: %s: %s\n", kiln_status_string(status),
         kiln_context_error(context));
  kiln_context_destroy(context);
  return 0;
}
