// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg))' | FileCheck %s

// Elementwise kiln ops become a linalg.generic over identity maps whose body
// is the scalar computation; the body differs for float and integer types.

// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ID0:.*]] = affine_map<() -> ()>

// The whole structure, once: destination tensor, maps, iterators, operands.
// CHECK-LABEL: func.func @add_f32
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<2x3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK-NEXT: } -> tensor<2x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x3xf32>
// CHECK-NOT: kiln.
func.func @add_f32(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.add %a, %b : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Operand order is kept (sub and div are not commutative).
// CHECK-LABEL: func.func @sub_f32
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[B]], %[[A]] : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.subf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @sub_f32(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.sub %b, %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @mul_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @mul_f32(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.mul %a, %b : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @div_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.divf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @div_f32(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.div %a, %b : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @max_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.maximumf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @max_f32(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.max %a, %b : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @min_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.minimumf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @min_f32(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.min %a, %b : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @pow_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = math.powf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @pow_f32(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.pow %a, %b : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @add_f64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f64, %[[Y:[a-z0-9_]+]]: f64, %{{[a-z0-9_]+}}: f64):
// CHECK-NEXT: %[[V:.*]] = arith.addf %[[X]], %[[Y]] : f64
// CHECK-NEXT: linalg.yield %[[V]] : f64
func.func @add_f64(%a: tensor<5xf64>, %b: tensor<5xf64>) -> tensor<5xf64> {
  %0 = kiln.add %a, %b : tensor<5xf64>
  return %0 : tensor<5xf64>
}

// CHECK-LABEL: func.func @add_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %[[Y:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i32):
// CHECK-NEXT: %[[V:.*]] = arith.addi %[[X]], %[[Y]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @add_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.add %a, %b : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @sub_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %[[Y:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i32):
// CHECK-NEXT: %[[V:.*]] = arith.subi %[[X]], %[[Y]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @sub_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.sub %a, %b : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @mul_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %[[Y:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i32):
// CHECK-NEXT: %[[V:.*]] = arith.muli %[[X]], %[[Y]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @mul_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.mul %a, %b : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @max_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %[[Y:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i32):
// CHECK-NEXT: %[[V:.*]] = arith.maxsi %[[X]], %[[Y]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @max_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.max %a, %b : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @min_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %[[Y:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i32):
// CHECK-NEXT: %[[V:.*]] = arith.minsi %[[X]], %[[Y]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @min_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.min %a, %b : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @pow_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %[[Y:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i32):
// A negative exponent selects the truncated reciprocal (1, +-1 or 0).
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[Y]], %{{.*}} : i32
// CHECK: %[[P:.*]] = math.ipowi %[[X]], %[[Y]] : i32
// CHECK-NEXT: %[[V:.*]] = arith.select %[[NEG]], %{{.*}}, %[[P]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @pow_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.pow %a, %b : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @mul_i64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i64, %[[Y:[a-z0-9_]+]]: i64, %{{[a-z0-9_]+}}: i64):
// CHECK-NEXT: %[[V:.*]] = arith.muli %[[X]], %[[Y]] : i64
// CHECK-NEXT: linalg.yield %[[V]] : i64
func.func @mul_i64(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  %0 = kiln.mul %a, %b : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// Integer division cannot trap: x / 0 is 0 and x / -1 is the wrapping
// negation; otherwise divsi by a divisor that is never 0 or -1.
// CHECK-LABEL: func.func @div_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %[[Y:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT: %[[MONE:.*]] = arith.constant -1 : i32
// CHECK-NEXT: %[[ISZERO:.*]] = arith.cmpi eq, %[[Y]], %[[ZERO]] : i32
// CHECK-NEXT: %[[ISMONE:.*]] = arith.cmpi eq, %[[Y]], %[[MONE]] : i32
// CHECK-NEXT: %[[UNSAFE:.*]] = arith.ori %[[ISZERO]], %[[ISMONE]] : i1
// CHECK-NEXT: %[[DIVISOR:.*]] = arith.select %[[UNSAFE]], %[[ONE]], %[[Y]] : i32
// CHECK-NEXT: %[[Q:.*]] = arith.divsi %[[X]], %[[DIVISOR]] : i32
// CHECK-NEXT: %[[NEG:.*]] = arith.subi %[[ZERO]], %[[X]] : i32
// CHECK-NEXT: %[[R1:.*]] = arith.select %[[ISMONE]], %[[NEG]], %[[Q]] : i32
// CHECK-NEXT: %[[R2:.*]] = arith.select %[[ISZERO]], %[[ZERO]], %[[R1]] : i32
// CHECK-NEXT: linalg.yield %[[R2]] : i32
func.func @div_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.div %a, %b : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @div_i64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i64, %[[Y:[a-z0-9_]+]]: i64, %{{[a-z0-9_]+}}: i64):
// CHECK-NOT: arith.divui
// CHECK: arith.divsi %[[X]], %{{.*}} : i64
// CHECK-NOT: linalg.generic
// CHECK: linalg.yield
func.func @div_i64(%a: tensor<3xi64>, %b: tensor<3xi64>) -> tensor<3xi64> {
  %0 = kiln.div %a, %b : tensor<3xi64>
  return %0 : tensor<3xi64>
}

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @neg_f32
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]] : tensor<2x3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.negf %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
// CHECK-NEXT: } -> tensor<2x3xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x3xf32>
func.func @neg_f32(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.neg %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @abs_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = math.absf %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @abs_f32(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.abs %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @exp_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = math.exp %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @exp_f32(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.exp %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @log_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = math.log %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @log_f32(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.log %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @sqrt_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = math.sqrt %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @sqrt_f32(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.sqrt %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @rsqrt_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = math.rsqrt %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @rsqrt_f32(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.rsqrt %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @tanh_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = math.tanh %[[X]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @tanh_f32(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.tanh %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @erf_f64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f64, %{{[a-z0-9_]+}}: f64):
// CHECK-NEXT: %[[V:.*]] = math.erf %[[X]] : f64
// CHECK-NEXT: linalg.yield %[[V]] : f64
func.func @erf_f64(%a: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %0 = kiln.erf %a : tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// CHECK-LABEL: func.func @exp_f64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f64, %{{[a-z0-9_]+}}: f64):
// CHECK-NEXT: %[[V:.*]] = math.exp %[[X]] : f64
// CHECK-NEXT: linalg.yield %[[V]] : f64
func.func @exp_f64(%a: tensor<7xf64>) -> tensor<7xf64> {
  %0 = kiln.exp %a : tensor<7xf64>
  return %0 : tensor<7xf64>
}

// CHECK-LABEL: func.func @abs_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i32):
// CHECK-NEXT: %[[V:.*]] = math.absi %[[X]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @abs_i32(%a: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.abs %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @neg_i64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i64, %{{[a-z0-9_]+}}: i64):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-NEXT: %[[V:.*]] = arith.subi %[[ZERO]], %[[X]] : i64
// CHECK-NEXT: linalg.yield %[[V]] : i64
func.func @neg_i64(%a: tensor<4xi64>) -> tensor<4xi64> {
  %0 = kiln.neg %a : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// sigmoid(x) = 1 / (1 + exp(-x))
// CHECK-LABEL: func.func @sigmoid_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[X]] : f32
// CHECK-NEXT: %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT: %[[V:.*]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @sigmoid_f32(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.sigmoid %a : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @relu_f64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f64, %{{[a-z0-9_]+}}: f64):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT: %[[V:.*]] = arith.maximumf %[[X]], %[[ZERO]] : f64
// CHECK-NEXT: linalg.yield %[[V]] : f64
func.func @relu_f64(%a: tensor<2x4xf64>) -> tensor<2x4xf64> {
  %0 = kiln.relu %a : tensor<2x4xf64>
  return %0 : tensor<2x4xf64>
}

// CHECK-LABEL: func.func @relu_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i32):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[V:.*]] = arith.maxsi %[[X]], %[[ZERO]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @relu_i32(%a: tensor<4xi32>) -> tensor<4xi32> {
  %0 = kiln.relu %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// Rank 0: no loops, maps () -> ().
// CHECK-LABEL: func.func @exp_rank0
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<f32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[ID0]], #[[ID0]]], iterator_types = []}
// CHECK-SAME: ins(%[[A]] : tensor<f32>) outs(%[[INIT]] : tensor<f32>)
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: math.exp %[[X]] : f32
func.func @exp_rank0(%a: tensor<f32>) -> tensor<f32> {
  %0 = kiln.exp %a : tensor<f32>
  return %0 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// kiln.compare: ordered float predicates except une; signed integers;
// unsigned i1 (false < true).
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @compare_f32
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<4xf32>, %[[B:[a-z0-9_]+]]: tensor<4xf32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<4xi1>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4xf32>, tensor<4xf32>) outs(%[[INIT]] : tensor<4xi1>)
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: i1):
// CHECK-NEXT: %[[V:.*]] = arith.cmpf oeq, %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : i1
// CHECK-NEXT: } -> tensor<4xi1>
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf ole, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf ogt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf oge, %{{.*}}, %{{.*}} : f32
func.func @compare_f32(%a: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>,
        tensor<4xi1>) {
  %0 = kiln.compare eq, %a, %b : tensor<4xf32>
  %1 = kiln.compare ne, %a, %b : tensor<4xf32>
  %2 = kiln.compare lt, %a, %b : tensor<4xf32>
  %3 = kiln.compare le, %a, %b : tensor<4xf32>
  %4 = kiln.compare gt, %a, %b : tensor<4xf32>
  %5 = kiln.compare ge, %a, %b : tensor<4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>,
      tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// CHECK-LABEL: func.func @compare_i64
// CHECK: ^bb0(%[[X:[a-z0-9_]+]]: i64, %[[Y:[a-z0-9_]+]]: i64, %{{[a-z0-9_]+}}: i1):
// CHECK-NEXT: arith.cmpi eq, %[[X]], %[[Y]] : i64
// CHECK: arith.cmpi ne, %{{.*}}, %{{.*}} : i64
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : i64
// CHECK: arith.cmpi sle, %{{.*}}, %{{.*}} : i64
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : i64
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : i64
func.func @compare_i64(%a: tensor<4xi64>, %b: tensor<4xi64>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>,
        tensor<4xi1>) {
  %0 = kiln.compare eq, %a, %b : tensor<4xi64>
  %1 = kiln.compare ne, %a, %b : tensor<4xi64>
  %2 = kiln.compare lt, %a, %b : tensor<4xi64>
  %3 = kiln.compare le, %a, %b : tensor<4xi64>
  %4 = kiln.compare gt, %a, %b : tensor<4xi64>
  %5 = kiln.compare ge, %a, %b : tensor<4xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>,
      tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// CHECK-LABEL: func.func @compare_i1
// CHECK: ^bb0(%[[X:[a-z0-9_]+]]: i1, %[[Y:[a-z0-9_]+]]: i1, %{{[a-z0-9_]+}}: i1):
// CHECK-NEXT: arith.cmpi ult, %[[X]], %[[Y]] : i1
// CHECK: arith.cmpi ule, %{{.*}}, %{{.*}} : i1
// CHECK: arith.cmpi ugt, %{{.*}}, %{{.*}} : i1
// CHECK: arith.cmpi uge, %{{.*}}, %{{.*}} : i1
// CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : i1
func.func @compare_i1(%a: tensor<4xi1>, %b: tensor<4xi1>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = kiln.compare lt, %a, %b : tensor<4xi1>
  %1 = kiln.compare le, %a, %b : tensor<4xi1>
  %2 = kiln.compare gt, %a, %b : tensor<4xi1>
  %3 = kiln.compare ge, %a, %b : tensor<4xi1>
  %4 = kiln.compare eq, %a, %b : tensor<4xi1>
  return %0, %1, %2, %3, %4
      : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// CHECK-LABEL: func.func @compare_i32_lt
// CHECK: ^bb0(%[[X:[a-z0-9_]+]]: i32, %[[Y:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i1):
// CHECK-NEXT: arith.cmpi slt, %[[X]], %[[Y]] : i32
func.func @compare_i32_lt(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi1> {
  %0 = kiln.compare lt, %a, %b : tensor<4xi32>
  return %0 : tensor<4xi1>
}

//===----------------------------------------------------------------------===//
// kiln.select
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @select
// CHECK-SAME: (%[[C:[a-z0-9_]+]]: tensor<2x3xi1>, %[[A:[a-z0-9_]+]]: tensor<2x3xf32>, %[[B:[a-z0-9_]+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[C]], %[[A]], %[[B]] : tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[P:[a-z0-9_]+]]: i1, %[[X:[a-z0-9_]+]]: f32, %[[Y:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.select %[[P]], %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @select(%c: tensor<2x3xi1>, %a: tensor<2x3xf32>, %b: tensor<2x3xf32>)
    -> tensor<2x3xf32> {
  %0 = kiln.select %c, %a, %b : tensor<2x3xi1>, tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

//===----------------------------------------------------------------------===//
// kiln.cast
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cast_f32_to_f64
// CHECK-SAME: (%[[A:[a-z0-9_]+]]: tensor<4xf32>)
// CHECK-NEXT: %[[INIT:.*]] = tensor.empty() : tensor<4xf64>
// CHECK-NEXT: linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%[[A]] : tensor<4xf32>) outs(%[[INIT]] : tensor<4xf64>)
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: f64):
// CHECK-NEXT: %[[V:.*]] = arith.extf %[[X]] : f32 to f64
// CHECK-NEXT: linalg.yield %[[V]] : f64
func.func @cast_f32_to_f64(%a: tensor<4xf32>) -> tensor<4xf64> {
  %0 = kiln.cast %a : tensor<4xf32> -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// CHECK-LABEL: func.func @cast_f64_to_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f64, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.truncf %[[X]] : f64 to f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @cast_f64_to_f32(%a: tensor<4xf64>) -> tensor<4xf32> {
  %0 = kiln.cast %a : tensor<4xf64> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @cast_i32_to_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.sitofp %[[X]] : i32 to f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @cast_i32_to_f32(%a: tensor<4xi32>) -> tensor<4xf32> {
  %0 = kiln.cast %a : tensor<4xi32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @cast_i64_to_f64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i64, %{{[a-z0-9_]+}}: f64):
// CHECK-NEXT: %[[V:.*]] = arith.sitofp %[[X]] : i64 to f64
// CHECK-NEXT: linalg.yield %[[V]] : f64
func.func @cast_i64_to_f64(%a: tensor<4xi64>) -> tensor<4xf64> {
  %0 = kiln.cast %a : tensor<4xi64> -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// CHECK-LABEL: func.func @cast_f32_to_i64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: i64):
// CHECK: %[[T:.*]] = arith.fptosi %[[X]] : f32 to i64
// CHECK: %[[LOW:.*]] = arith.cmpf olt, %[[X]]
// CHECK: %[[HIGH:.*]] = arith.cmpf oge, %[[X]]
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]]
// CHECK: %[[S1:.*]] = arith.select %[[LOW]], %{{.*}}, %[[T]] : i64
// CHECK: %[[S2:.*]] = arith.select %[[HIGH]], %{{.*}}, %[[S1]] : i64
// CHECK: %[[V:.*]] = arith.select %[[NAN]], %{{.*}}, %[[S2]] : i64
// CHECK-NEXT: linalg.yield %[[V]] : i64
func.func @cast_f32_to_i64(%a: tensor<4xf32>) -> tensor<4xi64> {
  %0 = kiln.cast %a : tensor<4xf32> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// CHECK-LABEL: func.func @cast_f64_to_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f64, %{{[a-z0-9_]+}}: i32):
// CHECK: %[[T:.*]] = arith.fptosi %[[X]] : f64 to i32
// CHECK: %[[LOW:.*]] = arith.cmpf olt, %[[X]]
// CHECK: %[[HIGH:.*]] = arith.cmpf oge, %[[X]]
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]]
// CHECK: %[[S1:.*]] = arith.select %[[LOW]], %{{.*}}, %[[T]] : i32
// CHECK: %[[S2:.*]] = arith.select %[[HIGH]], %{{.*}}, %[[S1]] : i32
// CHECK: %[[V:.*]] = arith.select %[[NAN]], %{{.*}}, %[[S2]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @cast_f64_to_i32(%a: tensor<4xf64>) -> tensor<4xi32> {
  %0 = kiln.cast %a : tensor<4xf64> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @cast_i1_to_f32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i1, %{{[a-z0-9_]+}}: f32):
// CHECK-NEXT: %[[V:.*]] = arith.uitofp %[[X]] : i1 to f32
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @cast_i1_to_f32(%a: tensor<4xi1>) -> tensor<4xf32> {
  %0 = kiln.cast %a : tensor<4xi1> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @cast_i1_to_i64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i1, %{{[a-z0-9_]+}}: i64):
// CHECK-NEXT: %[[V:.*]] = arith.extui %[[X]] : i1 to i64
// CHECK-NEXT: linalg.yield %[[V]] : i64
func.func @cast_i1_to_i64(%a: tensor<4xi1>) -> tensor<4xi64> {
  %0 = kiln.cast %a : tensor<4xi1> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// CHECK-LABEL: func.func @cast_i32_to_i64
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i64):
// CHECK-NEXT: %[[V:.*]] = arith.extsi %[[X]] : i32 to i64
// CHECK-NEXT: linalg.yield %[[V]] : i64
func.func @cast_i32_to_i64(%a: tensor<4xi32>) -> tensor<4xi64> {
  %0 = kiln.cast %a : tensor<4xi32> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// CHECK-LABEL: func.func @cast_i64_to_i32
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i64, %{{[a-z0-9_]+}}: i32):
// CHECK-NEXT: %[[V:.*]] = arith.trunci %[[X]] : i64 to i32
// CHECK-NEXT: linalg.yield %[[V]] : i32
func.func @cast_i64_to_i32(%a: tensor<4xi64>) -> tensor<4xi32> {
  %0 = kiln.cast %a : tensor<4xi64> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @cast_f32_to_i1
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: f32, %{{[a-z0-9_]+}}: i1):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[V:.*]] = arith.cmpf une, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT: linalg.yield %[[V]] : i1
func.func @cast_f32_to_i1(%a: tensor<4xf32>) -> tensor<4xi1> {
  %0 = kiln.cast %a : tensor<4xf32> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// CHECK-LABEL: func.func @cast_i32_to_i1
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[X:[a-z0-9_]+]]: i32, %{{[a-z0-9_]+}}: i1):
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT: %[[V:.*]] = arith.cmpi ne, %[[X]], %[[ZERO]] : i32
// CHECK-NEXT: linalg.yield %[[V]] : i1
func.func @cast_i32_to_i1(%a: tensor<4xi32>) -> tensor<4xi1> {
  %0 = kiln.cast %a : tensor<4xi32> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

//===----------------------------------------------------------------------===//
// kiln.constant
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @constant
// CHECK-DAG: %[[F:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[I:.*]] = arith.constant dense<7> : tensor<3xi64>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[true, false]> : tensor<2xi1>
// CHECK: return %[[F]], %[[I]], %[[B]] : tensor<2x2xf32>, tensor<3xi64>, tensor<2xi1>
func.func @constant() -> (tensor<2x2xf32>, tensor<3xi64>, tensor<2xi1>) {
  %0 = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %1 = kiln.constant dense<7> : tensor<3xi64>
  %2 = kiln.constant dense<[true, false]> : tensor<2xi1>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<3xi64>, tensor<2xi1>
}
