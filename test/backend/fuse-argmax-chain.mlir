// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,canonicalize,kiln-fuse,canonicalize,cse))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-lower-to-linalg,canonicalize,kiln-fuse,canonicalize,cse))' | FileCheck %s --check-prefix=SELECTS

// Regression: the Indices output of ONNX MaxPool (frontend/onnx/NNOps.cpp,
// maxPoolIndices), here for a 4x4 window. Each kernel offset compares its
// view of the padded input with the maximum and updates a running `found`
// mask and `index`; `hit` and `found` each feed two selects of the next
// offset. kiln-fuse once recomputed cheap producers with several users
// together with their own producers, one copy per path through this DAG:
// some 2^16 ops here (it did not finish), and no end for the 5x5 window of
// the ONNX test test_maxpool_with_argmax_2d_precomputed_pads. Now the whole
// chain is one loop nest that computes each offset's compare and selects
// once.

// CHECK-LABEL: func.func @argmax_chain
// CHECK-NOT: linalg.generic
// CHECK: linalg.generic
// CHECK-COUNT-16: arith.cmpf oeq
// CHECK-NOT: arith.cmpf
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return

// At most three selects per offset (hit, index, found; the first offsets'
// fold): 43, not a number that grows with the paths.
// SELECTS-LABEL: func.func @argmax_chain
// SELECTS-COUNT-43: arith.select
// SELECTS-NOT: arith.select
// SELECTS: return
func.func @argmax_chain(%x: tensor<1x1x4x4xf32>, %y: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xi64> {
  %false = kiln.constant dense<false> : tensor<1x1x4x4xi1>
  %true = kiln.constant dense<true> : tensor<1x1x4x4xi1>
  %none = kiln.constant dense<0> : tensor<1x1x4x4xi64>
  %padded = kiln.pad %x low [0, 0, 1, 1] high [0, 0, 2, 2] interior [0, 0, 0, 0] {value = 0xFFF0000000000000 : f64} : tensor<1x1x4x4xf32> -> tensor<1x1x7x7xf32>
  %view0 = kiln.slice %padded start [0, 0, 0, 0] limit [1, 1, 4, 4] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here0 = kiln.constant dense<0> : tensor<1x1x4x4xi64>
  %eq0 = kiln.compare eq, %view0, %y : tensor<1x1x4x4xf32>
  %hit0 = kiln.select %false, %false, %eq0 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index0 = kiln.select %hit0, %here0, %none : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found0 = kiln.select %hit0, %true, %false : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view1 = kiln.slice %padded start [0, 0, 0, 1] limit [1, 1, 4, 5] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here1 = kiln.constant dense<1> : tensor<1x1x4x4xi64>
  %eq1 = kiln.compare eq, %view1, %y : tensor<1x1x4x4xf32>
  %hit1 = kiln.select %found0, %false, %eq1 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index1 = kiln.select %hit1, %here1, %index0 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found1 = kiln.select %hit1, %true, %found0 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view2 = kiln.slice %padded start [0, 0, 0, 2] limit [1, 1, 4, 6] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here2 = kiln.constant dense<2> : tensor<1x1x4x4xi64>
  %eq2 = kiln.compare eq, %view2, %y : tensor<1x1x4x4xf32>
  %hit2 = kiln.select %found1, %false, %eq2 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index2 = kiln.select %hit2, %here2, %index1 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found2 = kiln.select %hit2, %true, %found1 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view3 = kiln.slice %padded start [0, 0, 0, 3] limit [1, 1, 4, 7] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here3 = kiln.constant dense<3> : tensor<1x1x4x4xi64>
  %eq3 = kiln.compare eq, %view3, %y : tensor<1x1x4x4xf32>
  %hit3 = kiln.select %found2, %false, %eq3 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index3 = kiln.select %hit3, %here3, %index2 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found3 = kiln.select %hit3, %true, %found2 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view4 = kiln.slice %padded start [0, 0, 1, 0] limit [1, 1, 5, 4] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here4 = kiln.constant dense<4> : tensor<1x1x4x4xi64>
  %eq4 = kiln.compare eq, %view4, %y : tensor<1x1x4x4xf32>
  %hit4 = kiln.select %found3, %false, %eq4 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index4 = kiln.select %hit4, %here4, %index3 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found4 = kiln.select %hit4, %true, %found3 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view5 = kiln.slice %padded start [0, 0, 1, 1] limit [1, 1, 5, 5] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here5 = kiln.constant dense<5> : tensor<1x1x4x4xi64>
  %eq5 = kiln.compare eq, %view5, %y : tensor<1x1x4x4xf32>
  %hit5 = kiln.select %found4, %false, %eq5 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index5 = kiln.select %hit5, %here5, %index4 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found5 = kiln.select %hit5, %true, %found4 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view6 = kiln.slice %padded start [0, 0, 1, 2] limit [1, 1, 5, 6] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here6 = kiln.constant dense<6> : tensor<1x1x4x4xi64>
  %eq6 = kiln.compare eq, %view6, %y : tensor<1x1x4x4xf32>
  %hit6 = kiln.select %found5, %false, %eq6 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index6 = kiln.select %hit6, %here6, %index5 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found6 = kiln.select %hit6, %true, %found5 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view7 = kiln.slice %padded start [0, 0, 1, 3] limit [1, 1, 5, 7] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here7 = kiln.constant dense<7> : tensor<1x1x4x4xi64>
  %eq7 = kiln.compare eq, %view7, %y : tensor<1x1x4x4xf32>
  %hit7 = kiln.select %found6, %false, %eq7 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index7 = kiln.select %hit7, %here7, %index6 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found7 = kiln.select %hit7, %true, %found6 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view8 = kiln.slice %padded start [0, 0, 2, 0] limit [1, 1, 6, 4] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here8 = kiln.constant dense<8> : tensor<1x1x4x4xi64>
  %eq8 = kiln.compare eq, %view8, %y : tensor<1x1x4x4xf32>
  %hit8 = kiln.select %found7, %false, %eq8 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index8 = kiln.select %hit8, %here8, %index7 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found8 = kiln.select %hit8, %true, %found7 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view9 = kiln.slice %padded start [0, 0, 2, 1] limit [1, 1, 6, 5] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here9 = kiln.constant dense<9> : tensor<1x1x4x4xi64>
  %eq9 = kiln.compare eq, %view9, %y : tensor<1x1x4x4xf32>
  %hit9 = kiln.select %found8, %false, %eq9 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index9 = kiln.select %hit9, %here9, %index8 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found9 = kiln.select %hit9, %true, %found8 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view10 = kiln.slice %padded start [0, 0, 2, 2] limit [1, 1, 6, 6] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here10 = kiln.constant dense<10> : tensor<1x1x4x4xi64>
  %eq10 = kiln.compare eq, %view10, %y : tensor<1x1x4x4xf32>
  %hit10 = kiln.select %found9, %false, %eq10 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index10 = kiln.select %hit10, %here10, %index9 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found10 = kiln.select %hit10, %true, %found9 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view11 = kiln.slice %padded start [0, 0, 2, 3] limit [1, 1, 6, 7] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here11 = kiln.constant dense<11> : tensor<1x1x4x4xi64>
  %eq11 = kiln.compare eq, %view11, %y : tensor<1x1x4x4xf32>
  %hit11 = kiln.select %found10, %false, %eq11 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index11 = kiln.select %hit11, %here11, %index10 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found11 = kiln.select %hit11, %true, %found10 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view12 = kiln.slice %padded start [0, 0, 3, 0] limit [1, 1, 7, 4] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here12 = kiln.constant dense<12> : tensor<1x1x4x4xi64>
  %eq12 = kiln.compare eq, %view12, %y : tensor<1x1x4x4xf32>
  %hit12 = kiln.select %found11, %false, %eq12 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index12 = kiln.select %hit12, %here12, %index11 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found12 = kiln.select %hit12, %true, %found11 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view13 = kiln.slice %padded start [0, 0, 3, 1] limit [1, 1, 7, 5] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here13 = kiln.constant dense<13> : tensor<1x1x4x4xi64>
  %eq13 = kiln.compare eq, %view13, %y : tensor<1x1x4x4xf32>
  %hit13 = kiln.select %found12, %false, %eq13 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index13 = kiln.select %hit13, %here13, %index12 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found13 = kiln.select %hit13, %true, %found12 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view14 = kiln.slice %padded start [0, 0, 3, 2] limit [1, 1, 7, 6] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here14 = kiln.constant dense<14> : tensor<1x1x4x4xi64>
  %eq14 = kiln.compare eq, %view14, %y : tensor<1x1x4x4xf32>
  %hit14 = kiln.select %found13, %false, %eq14 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index14 = kiln.select %hit14, %here14, %index13 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found14 = kiln.select %hit14, %true, %found13 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %view15 = kiln.slice %padded start [0, 0, 3, 3] limit [1, 1, 7, 7] stride [1, 1, 1, 1] : tensor<1x1x7x7xf32> -> tensor<1x1x4x4xf32>
  %here15 = kiln.constant dense<15> : tensor<1x1x4x4xi64>
  %eq15 = kiln.compare eq, %view15, %y : tensor<1x1x4x4xf32>
  %hit15 = kiln.select %found14, %false, %eq15 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  %index15 = kiln.select %hit15, %here15, %index14 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi64>
  %found15 = kiln.select %hit15, %true, %found14 : tensor<1x1x4x4xi1>, tensor<1x1x4x4xi1>
  return %index15 : tensor<1x1x4x4xi64>
}
