// RUN: kiln-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

func.func @dynamic_shape(%x: tensor<?xf32>) {
  // expected-error @+1 {{'kiln.exp' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<?xf32>'}}
  %0 = kiln.exp %x : tensor<?xf32>
  return
}

// -----

func.func @dynamic_shape_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op result #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values, but got 'tensor<?xf32>'}}
  %0 = kiln.reshape %x : tensor<2x3xf32> -> tensor<?xf32>
  return
}

// -----

func.func @unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'kiln.relu' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<*xf32>'}}
  %0 = "kiln.relu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @exp_of_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.exp' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = kiln.exp %x : tensor<4xi32>
  return
}

// -----

func.func @unsupported_element_type(%x: tensor<4xf16>) {
  // expected-error @+1 {{'kiln.neg' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xf16>'}}
  %0 = kiln.neg %x : tensor<4xf16>
  return
}

// -----

func.func @bool_arithmetic(%x: tensor<4xi1>) {
  // expected-error @+1 {{'kiln.add' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = kiln.add %x, %x : tensor<4xi1>
  return
}

// -----

func.func @bool_matmul(%x: tensor<2x2xi1>) {
  // expected-error @+1 {{'kiln.matmul' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2x2xi1>'}}
  %0 = kiln.matmul %x, %x : tensor<2x2xi1>, tensor<2x2xi1> -> tensor<2x2xi1>
  return
}

// -----

func.func @reduce_mean_of_integer(%x: tensor<2x3xi64>) {
  // expected-error @+1 {{'kiln.reduce_mean' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<2x3xi64>'}}
  %0 = kiln.reduce_mean %x axes [1] : tensor<2x3xi64> -> tensor<2xi64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.constant
//===----------------------------------------------------------------------===//

func.func @constant_vector() {
  // expected-error @+1 {{'kiln.constant' op result #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values, but got 'vector<4xf32>'}}
  %0 = kiln.constant dense<1.0> : vector<4xf32>
  return
}

// -----

func.func @constant_i8() {
  // expected-error @+1 {{'kiln.constant' op result #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values, but got 'tensor<2xi8>'}}
  %0 = kiln.constant dense<[1, 2]> : tensor<2xi8>
  return
}

// -----

func.func @constant_result_type_mismatch() {
  // expected-error @+2 {{'kiln.constant' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<2xf64>'}}
  // expected-error @+1 {{'kiln.constant' op failed to infer returned types}}
  %0 = "kiln.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<2xf64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

func.func @add_shape_mismatch(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.add' op operands must have the same type, got lhs 'tensor<2x3xf32>' and rhs 'tensor<3xf32>'; insert kiln.broadcast to combine different shapes}}
  %0 = kiln.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @mul_element_type_mismatch(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.mul' op operands must have the same type, got lhs 'tensor<4xf32>' and rhs 'tensor<4xi32>'; insert kiln.cast to convert one element type}}
  %0 = kiln.mul %a, %b : tensor<4xf32>, tensor<4xi32>
  return
}

// -----

func.func @sub_generic_mismatch(%a: tensor<8x1xf32>, %b: tensor<8x4xf32>) {
  // expected-error @+1 {{'kiln.sub' op operands must have the same type, got lhs 'tensor<8x1xf32>' and rhs 'tensor<8x4xf32>'}}
  %0 = "kiln.sub"(%a, %b) : (tensor<8x1xf32>, tensor<8x4xf32>) -> tensor<8x1xf32>
  return
}

// -----

func.func @pow_generic_mismatch(%a: tensor<4xf64>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.pow' op operands must have the same type, got lhs 'tensor<4xf64>' and rhs 'tensor<4xf32>'}}
  %0 = "kiln.pow"(%a, %b) : (tensor<4xf64>, tensor<4xf32>) -> tensor<4xf64>
  return
}

// -----

func.func @div_wrong_result_type(%a: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.div' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<4xf64>'}}
  // expected-error @+1 {{'kiln.div' op failed to infer returned types}}
  %0 = "kiln.div"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf64>
  return
}

// -----

func.func @max_three_types(%a: tensor<4xf32>) {
  // expected-error @+1 {{expected 1 or 2 types}}
  %0 = kiln.max %a, %a : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  return
}

// -----

func.func @min_three_operands(%a: tensor<4xf32>) {
  // expected-error @+1 {{expected 2 operands}}
  %0 = kiln.min %a, %a, %a : tensor<4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.compare
//===----------------------------------------------------------------------===//

func.func @compare_unknown_predicate(%a: tensor<4xf32>) {
  // expected-error @+1 {{unknown comparison predicate 'below' (expected eq, ne, lt, le, gt or ge)}}
  %0 = kiln.compare below, %a, %a : tensor<4xf32>
  return
}

// -----

func.func @compare_mismatch(%a: tensor<4xf32>, %b: tensor<2x2xf32>) {
  // expected-error @+1 {{'kiln.compare' op operands must have the same type, got lhs 'tensor<4xf32>' and rhs 'tensor<2x2xf32>'}}
  %0 = kiln.compare lt, %a, %b : tensor<4xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @compare_generic_mismatch(%a: tensor<4xi32>, %b: tensor<4xi64>) {
  // expected-error @+1 {{'kiln.compare' op operands must have the same type, got lhs 'tensor<4xi32>' and rhs 'tensor<4xi64>'}}
  %0 = "kiln.compare"(%a, %b) <{predicate = 0 : i64}> : (tensor<4xi32>, tensor<4xi64>) -> tensor<4xi1>
  return
}

// -----

func.func @compare_result_not_bool(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.compare' op result #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = "kiln.compare"(%a, %a) <{predicate = 0 : i64}> : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_bad_predicate_value(%a: tensor<4xf32>) {
  // expected-error @+1 {{invalid properties {predicate = 6 : i64} for op kiln.compare}}
  %0 = "kiln.compare"(%a, %a) <{predicate = 6 : i64}> : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.select
//===----------------------------------------------------------------------===//

func.func @select_shape_mismatch(%c: tensor<3xi1>, %a: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.select' op condition 'tensor<3xi1>' must have the shape of the selected values 'tensor<2x3xf32>'}}
  %0 = kiln.select %c, %a, %a : tensor<3xi1>, tensor<2x3xf32>
  return
}

// -----

func.func @select_value_mismatch(%c: tensor<4xi1>, %a: tensor<4xf32>,
                                 %b: tensor<4xf64>) {
  // expected-error @+1 {{'kiln.select' op selected values must have the same type, got 'tensor<4xf32>' and 'tensor<4xf64>'}}
  %0 = kiln.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<4xf64>
  return
}

// -----

func.func @select_generic_value_mismatch(%c: tensor<4xi1>, %a: tensor<4xi32>,
                                         %b: tensor<2x2xi32>) {
  // expected-error @+1 {{'kiln.select' op selected values must have the same type, got 'tensor<4xi32>' and 'tensor<2x2xi32>'}}
  %0 = "kiln.select"(%c, %a, %b) : (tensor<4xi1>, tensor<4xi32>, tensor<2x2xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @select_condition_not_bool(%c: tensor<4xi32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.select' op operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = kiln.select %c, %a, %a : tensor<4xi32>, tensor<4xf32>
  return
}

// -----

func.func @select_one_type(%c: tensor<4xi1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{expected 2 or 3 types}}
  %0 = kiln.select %c, %a, %a : tensor<4xi1>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.cast
//===----------------------------------------------------------------------===//

func.func @cast_shape_change(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.cast' op changes the element type only, but input 'tensor<2x3xf32>' and result 'tensor<6xi32>' differ in shape}}
  %0 = kiln.cast %x : tensor<2x3xf32> -> tensor<6xi32>
  return
}

// -----

func.func @cast_to_f16(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.cast' op result #0 must be statically shaped tensor of 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer or 1-bit signless integer values, but got 'tensor<4xf16>'}}
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<4xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.broadcast
//===----------------------------------------------------------------------===//

func.func @broadcast_incompatible_dim(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.broadcast' op cannot broadcast 'tensor<2x3xf32>' to 'tensor<4x3xf32>': input dimension 0 has size 2 but result dimension 0 has size 4 (sizes must match or be 1)}}
  %0 = kiln.broadcast %x : tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @broadcast_trailing_alignment(%x: tensor<3xf32>) {
  // Shapes align at the last dimension: 3 does not match 4.
  // expected-error @+1 {{'kiln.broadcast' op cannot broadcast 'tensor<3xf32>' to 'tensor<3x4xf32>': input dimension 0 has size 3 but result dimension 1 has size 4 (sizes must match or be 1)}}
  %0 = kiln.broadcast %x : tensor<3xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @broadcast_lower_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.broadcast' op cannot broadcast 'tensor<2x3xf32>' to lower rank 'tensor<3xf32>'}}
  %0 = kiln.broadcast %x : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @broadcast_element_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.broadcast' op cannot change the element type: 'tensor<3xf32>' -> 'tensor<2x3xf64>'}}
  %0 = kiln.broadcast %x : tensor<3xf32> -> tensor<2x3xf64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.reshape
//===----------------------------------------------------------------------===//

func.func @reshape_element_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape 'tensor<2x3xf32>' (6 elements) to 'tensor<5xf32>' (5 elements)}}
  %0 = kiln.reshape %x : tensor<2x3xf32> -> tensor<5xf32>
  return
}

// -----

func.func @reshape_to_rank0(%x: tensor<2xi32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape 'tensor<2xi32>' (2 elements) to 'tensor<i32>' (1 elements)}}
  %0 = kiln.reshape %x : tensor<2xi32> -> tensor<i32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot change the element type: 'tensor<2x3xf32>' -> 'tensor<6xi32>'}}
  %0 = kiln.reshape %x : tensor<2x3xf32> -> tensor<6xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.transpose
//===----------------------------------------------------------------------===//

func.func @transpose_repeated_dim(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.transpose' op permutation [0, 0] is not a permutation of the 2 dimensions of tensor<2x3xf32>}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x [0, 0] : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @transpose_wrong_length(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.transpose' op permutation [1, 0, 2] is not a permutation of the 2 dimensions of tensor<2x3xf32>}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x [1, 0, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.transpose' op permutation [0, 2] is not a permutation of the 2 dimensions of tensor<2x3xf32>}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x [0, 2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_wrong_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.transpose' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{'kiln.transpose' op failed to infer returned types}}
  %0 = kiln.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.concat
//===----------------------------------------------------------------------===//

func.func @concat_dim_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+2 {{'kiln.concat' op input #1 tensor<3x3xf32> differs from input #0 tensor<2x3xf32> in dimension 0, which is not the concatenation axis 1}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %b axis 1 : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xi32>) {
  // expected-error @+2 {{'kiln.concat' op input #1 tensor<2x3xi32> must have the element type and rank of input #0 tensor<2x3xf32>}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %b axis 0 : tensor<2x3xf32>, tensor<2x3xi32> -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<2x3x1xf32>,
                       %c: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.concat' op input #2 tensor<2x3x1xf32> must have the element type and rank of input #0 tensor<2x3xf32>}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %c, %b axis 0 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3x1xf32> -> tensor<6x3xf32>
  return
}

// -----

func.func @concat_bad_axis(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.concat' op axis 2 is out of range for tensor<2x3xf32> (rank 2)}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %a axis 2 : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_negative_axis(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.concat' op axis -1 is out of range for tensor<2x3xf32> (rank 2)}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %a axis -1 : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank0(%a: tensor<f32>) {
  // expected-error @+2 {{'kiln.concat' op axis 0 is out of range for tensor<f32> (rank 0)}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %a axis 0 : tensor<f32>, tensor<f32> -> tensor<2xf32>
  return
}

// -----

func.func @concat_wrong_result(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.concat' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<2x6xf32>'}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = kiln.concat %a, %a axis 0 : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_no_inputs() {
  // expected-error @+2 {{'kiln.concat' op requires at least one input and an axis}}
  // expected-error @+1 {{'kiln.concat' op failed to infer returned types}}
  %0 = "kiln.concat"() <{axis = 0 : i64}> : () -> tensor<2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.slice
//===----------------------------------------------------------------------===//

func.func @slice_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.slice' op dimension 1 of tensor<4x8xf32>: need 0 <= start <= limit <= 8 and stride >= 1, got start 2, limit 9, stride 1}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start [0, 2] limit [4, 9] stride [1, 1] : tensor<4x8xf32> -> tensor<4x7xf32>
  return
}

// -----

func.func @slice_start_after_limit(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.slice' op dimension 0 of tensor<4x8xf32>: need 0 <= start <= limit <= 4 and stride >= 1, got start 3, limit 2, stride 1}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start [3, 0] limit [2, 8] stride [1, 1] : tensor<4x8xf32> -> tensor<0x8xf32>
  return
}

// -----

func.func @slice_negative_start(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.slice' op dimension 0 of tensor<4x8xf32>: need 0 <= start <= limit <= 4 and stride >= 1, got start -1, limit 4, stride 1}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start [-1, 0] limit [4, 8] stride [1, 1] : tensor<4x8xf32> -> tensor<5x8xf32>
  return
}

// -----

func.func @slice_zero_stride(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.slice' op dimension 1 of tensor<4x8xf32>: need 0 <= start <= limit <= 8 and stride >= 1, got start 0, limit 8, stride 0}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start [0, 0] limit [4, 8] stride [1, 0] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_wrong_entry_count(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.slice' op start [0], limit [4, 8] and stride [1, 1] must each have 2 entries, one per dimension of tensor<4x8xf32>}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start [0] limit [4, 8] stride [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_wrong_result(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'kiln.slice' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<4x4xf32>'}}
  // expected-error @+1 {{'kiln.slice' op failed to infer returned types}}
  %0 = kiln.slice %x start [0, 2] limit [4, 8] stride [1, 2] : tensor<4x8xf32> -> tensor<4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_k_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op contraction dimensions differ: lhs tensor<2x3xf32> has K = 3 but rhs tensor<4x5xf32> has K = 4}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_k_mismatch_transposed(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op contraction dimensions differ: lhs tensor<2x3xf32> (transposed) has K = 2 but rhs tensor<2x5xf32> (transposed) has K = 5}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b {transpose_lhs, transpose_rhs} : tensor<2x3xf32>, tensor<2x5xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_rank_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x3x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op operands must both be 2-D, or batched with the same rank; got lhs tensor<2x3xf32> and rhs tensor<4x3x5xf32>}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<4x3x5xf32> -> tensor<4x2x5xf32>
  return
}

// -----

func.func @matmul_vector(%a: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.matmul' op operands must both be 2-D, or batched with the same rank; got lhs tensor<3xf32> and rhs tensor<3xf32>}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %a : tensor<3xf32>, tensor<3xf32> -> tensor<f32>
  return
}

// -----

func.func @matmul_batch_mismatch(%a: tensor<2x2x3xf32>, %b: tensor<4x3x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op batch dimensions differ: lhs tensor<2x2x3xf32> vs rhs tensor<4x3x5xf32>; insert kiln.broadcast to share an operand across a batch}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : tensor<2x2x3xf32>, tensor<4x3x5xf32> -> tensor<2x2x5xf32>
  return
}

// -----

func.func @matmul_element_type(%a: tensor<2x3xf32>, %b: tensor<3x5xf64>) {
  // expected-error @+2 {{'kiln.matmul' op operands must have one element type, got lhs tensor<2x3xf32> and rhs tensor<3x5xf64>}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf64> -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op inferred type(s) 'tensor<2x5xf32>' are incompatible with return type(s) of operation 'tensor<5x2xf32>'}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = kiln.matmul %a, %b : tensor<2x3xf32>, tensor<3x5xf32> -> tensor<5x2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

func.func @reduce_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.reduce_sum' op axis 2 is out of range for tensor<2x3xf32> (rank 2)}}
  // expected-error @+1 {{'kiln.reduce_sum' op failed to infer returned types}}
  %0 = kiln.reduce_sum %x axes [2] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @reduce_negative_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.reduce_mean' op axis -1 is out of range for tensor<2x3xf32> (rank 2)}}
  // expected-error @+1 {{'kiln.reduce_mean' op failed to infer returned types}}
  %0 = kiln.reduce_mean %x axes [-1] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @reduce_duplicate_axis(%x: tensor<2x3xi32>) {
  // expected-error @+2 {{'kiln.reduce_max' op axis 1 is listed twice in [1, 0, 1]}}
  // expected-error @+1 {{'kiln.reduce_max' op failed to infer returned types}}
  %0 = kiln.reduce_max %x axes [1, 0, 1] : tensor<2x3xi32> -> tensor<i32>
  return
}

// -----

func.func @reduce_keepdims_mismatch(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.reduce_sum' op inferred type(s) 'tensor<2x1xf32>' are incompatible with return type(s) of operation 'tensor<2xf32>'}}
  // expected-error @+1 {{'kiln.reduce_sum' op failed to infer returned types}}
  %0 = kiln.reduce_sum %x axes [1] keepdims : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

func.func @softmax_bad_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.softmax' op axis 2 is out of range for tensor<2x3xf32> (rank 2)}}
  %0 = kiln.softmax %x axis 2 : tensor<2x3xf32>
  return
}

// -----

func.func @log_softmax_negative_axis(%x: tensor<2x3xf64>) {
  // expected-error @+1 {{'kiln.log_softmax' op axis -1 is out of range for tensor<2x3xf64> (rank 2)}}
  %0 = kiln.log_softmax %x axis -1 : tensor<2x3xf64>
  return
}

// -----

func.func @softmax_of_integer(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{'kiln.softmax' op operand #0 must be statically shaped tensor of 32-bit float or 64-bit float values, but got 'tensor<2x3xi32>'}}
  %0 = kiln.softmax %x axis 1 : tensor<2x3xi32>
  return
}

// -----

func.func @softmax_generic_type_change(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.softmax' op requires the same type for all operands and results}}
  %0 = "kiln.softmax"(%x) <{axis = 1 : i64}> : (tensor<2x3xf32>) -> tensor<2x3xf64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.pad
//===----------------------------------------------------------------------===//

func.func @pad_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.pad' op dimension 1 of tensor<2x3xf32>: padding must be non-negative, got low -1, high 0, interior 0}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x low [0, -1] high [0, 0] interior [0, 0] : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @pad_wrong_rank(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.pad' op low [1], high [1, 1] and interior [0, 0] must each have 2 entries, one per dimension of tensor<2x3xf32>}}
  // expected-error @+1 {{'kiln.pad' op failed to infer returned types}}
  %0 = kiln.pad %x low [1] high [1, 1] interior [0, 0] : tensor<2x3xf32> -> tensor<4x5xf32>
  return
}

// -----

func.func @pad_wrong_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'kiln.pad' op failed to infer returned types}}
  // expected-error @+1 {{'kiln.pad' op inferred type(s) 'tensor<4x5xf32>' are incompatible with return type(s) of operation 'tensor<4x6xf32>'}}
  %0 = "kiln.pad"(%x) <{low = array<i64: 1, 1>, high = array<i64: 1, 1>, interior = array<i64: 0, 0>}> : (tensor<2x3xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @pad_fractional_integer_value(%x: tensor<2xi32>) {
  // expected-error @+1 {{'kiln.pad' op padding value 5.000000e-01 is not representable in 'i32'}}
  %0 = kiln.pad %x low [1] high [0] interior [0] {value = 0.5} : tensor<2xi32> -> tensor<3xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// kiln.grad
//===----------------------------------------------------------------------===//

func.func @loss(%w: tensor<3xf32>, %n: tensor<3xi32>) -> tensor<f32> {
  %l = kiln.reduce_sum %w axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

func.func @grad_unknown_callee(%w: tensor<3xf32>, %n: tensor<3xi32>) {
  // expected-error @+1 {{'kiln.grad' op callee @nowhere is not a function in this module}}
  %0:2 = kiln.grad @nowhere(%w, %n) wrt [0] : (tensor<3xf32>, tensor<3xi32>) -> (tensor<f32>, tensor<3xf32>)
  return
}

// -----

func.func @loss(%w: tensor<3xf32>, %n: tensor<3xi32>) -> tensor<f32> {
  %l = kiln.reduce_sum %w axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

func.func @grad_of_integer(%w: tensor<3xf32>, %n: tensor<3xi32>) {
  // expected-error @+1 {{'kiln.grad' op cannot differentiate with respect to operand #1 of type 'tensor<3xi32>': only floating-point tensors have gradients}}
  %0:2 = kiln.grad @loss(%w, %n) wrt [1] : (tensor<3xf32>, tensor<3xi32>) -> (tensor<f32>, tensor<3xi32>)
  return
}

// -----

func.func @loss(%w: tensor<3xf32>) -> tensor<f32> {
  %l = kiln.reduce_sum %w axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

func.func @grad_wrt_out_of_range(%w: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.grad' op wrt index 1 is out of range for 1 operands}}
  %0:2 = kiln.grad @loss(%w) wrt [1] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return
}

// -----

func.func @loss(%w: tensor<3xf32>, %x: tensor<3xf32>) -> tensor<f32> {
  %l = kiln.reduce_sum %w axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

func.func @grad_wrt_unordered(%w: tensor<3xf32>, %x: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.grad' op wrt indices must be increasing, got [1, 0]}}
  %0:3 = kiln.grad @loss(%w, %x) wrt [1, 0] : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @grad_wrt_empty(%w: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.grad' op lists no arguments to differentiate (wrt [])}}
  %0 = kiln.grad @loss(%w) wrt [] : (tensor<3xf32>) -> (tensor<f32>)
  return
}

// -----

// A loss on a non-scalar.
func.func @not_a_loss(%w: tensor<3xf32>) -> tensor<3xf32> {
  %e = kiln.exp %w : tensor<3xf32>
  return %e : tensor<3xf32>
}

func.func @grad_of_vector(%w: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.grad' op the first result of @not_a_loss is the loss and must be a floating-point tensor of one element, got tensor<3xf32>}}
  %0:2 = kiln.grad @not_a_loss(%w) wrt [0] : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @loss(%w: tensor<3xf32>) -> tensor<f32> {
  %l = kiln.reduce_sum %w axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

func.func @grad_operand_mismatch(%w: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.grad' op operand types 'tensor<4xf32>' do not match the arguments of @loss: 'tensor<3xf32>'}}
  %0:2 = kiln.grad @loss(%w) wrt [0] : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return
}

// -----

func.func @loss(%w: tensor<3xf32>) -> tensor<f32> {
  %l = kiln.reduce_sum %w axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

func.func @grad_result_mismatch(%w: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.grad' op result types 'tensor<f32>', 'tensor<3xf64>' must be the results of @loss followed by the types of the wrt operands: 'tensor<f32>', 'tensor<3xf32>'}}
  %0:2 = kiln.grad @loss(%w) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf64>)
  return
}

// -----

func.func private @external(%w: tensor<3xf32>) -> tensor<f32>

func.func @grad_of_declaration(%w: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.grad' op callee @external has no body to differentiate}}
  %0:2 = kiln.grad @external(%w) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// Argument and result attributes
//===----------------------------------------------------------------------===//

// expected-error @+1 {{unknown kiln attribute 'kiln.weight' on result #0 (kiln.name and kiln.updates are defined)}}
func.func @unknown_result_attr(%w: tensor<3xf32>) -> (tensor<3xf32> {kiln.weight}) {
  return %w : tensor<3xf32>
}

// -----

// expected-error @+1 {{'kiln.updates' on result #0 names argument #2, but there are 1 arguments}}
func.func @updates_out_of_range(%w: tensor<3xf32>) -> (tensor<3xf32> {kiln.updates = 2 : i64}) {
  return %w : tensor<3xf32>
}

// -----

// expected-error @+1 {{result #0 of type 'tensor<4xf32>' cannot update argument #0 of type 'tensor<3xf32>'}}
func.func @updates_type_mismatch(%w: tensor<3xf32>, %v: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 0 : i64}) {
  return %v : tensor<4xf32>
}

// -----

// expected-error @+1 {{results #0 and #1 both update argument #0}}
func.func @updates_twice(%w: tensor<3xf32>) -> (tensor<3xf32> {kiln.updates = 0 : i64}, tensor<3xf32> {kiln.updates = 0 : i64}) {
  return %w, %w : tensor<3xf32>, tensor<3xf32>
}

// -----

// expected-error @+1 {{'kiln.updates' on result #0 must be an integer argument index of a function, got "w"}}
func.func @updates_not_an_index(%w: tensor<3xf32>) -> (tensor<3xf32> {kiln.updates = "w"}) {
  return %w : tensor<3xf32>
}

// -----

// Argument attributes: kiln.name, kiln.parameter, kiln.buffer.

// expected-error @+1 {{unknown kiln attribute 'kiln.weight' on argument #0 (kiln.name, kiln.parameter and kiln.buffer are defined)}}
func.func @unknown_arg_attr(%x: tensor<2xf32> {kiln.weight}) {
  return
}

// -----

// expected-error @+1 {{'kiln.name' on argument #1 must be a string, got 3 : i64}}
func.func @name_not_string(%x: tensor<2xf32>, %y: tensor<2xf32> {kiln.name = 3}) {
  return
}

// -----

// expected-error @+1 {{'kiln.parameter' on argument #0 is a unit attribute, got "w"}}
func.func @parameter_not_unit(%w: tensor<2xf32> {kiln.parameter = "w"}) {
  return
}

// -----

// expected-error @+1 {{argument #0 cannot be both a kiln.parameter and a kiln.buffer}}
func.func @parameter_and_buffer(%w: tensor<2xf32> {kiln.name = "w", kiln.parameter, kiln.buffer}) {
  return
}
