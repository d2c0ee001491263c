//===- mlp_forward_aot.cpp - Run an ahead-of-time compiled model ---------===//
//
// Links the object that `kilnc examples/mlp_forward.mlir --emit=obj` made
// and the Kiln runtime, nothing else (no LLVM, no MLIR, no JIT):
//   mlp-forward-aot <data-dir> [out.npy]
//
//===----------------------------------------------------------------------===//

#include "runtime/Runtime.h"

#include <cstdio>
#include <string>
#include <vector>

// The C interface kilnc emits for each public function: one memref
// descriptor pointer per argument, then one per result (out-parameters,
// allocated by the caller).
extern "C" void _mlir_ciface_mlp_forward(void *x, void *w1, void *b1, void *w2,
                                         void *b2, void *probs);

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mlp-forward-aot <data-dir> [out.npy]\n");
    return 2;
  }
  std::string dir = argv[1];
  const char *names[] = {"x", "w1", "b1", "w2", "b2"};
  const std::vector<std::vector<int64_t>> shapes = {
      {8, 784}, {784, 512}, {512}, {512, 10}, {10}};
  std::vector<kiln::Tensor> inputs(5);
  for (int i = 0; i < 5; ++i) {
    kiln::Status status =
        kiln::readNpy(dir + "/" + names[i] + ".npy", inputs[i]);
    if (!status) {
      std::fprintf(stderr, "mlp-forward-aot: error: %s\n",
                   status.message().c_str());
      return 1;
    }
    // The compiled code trusts its signature: check before calling.
    if (inputs[i].dtype() != kiln::DType::F32 ||
        inputs[i].shape() != shapes[i] || !inputs[i].isContiguous()) {
      std::fprintf(
          stderr, "mlp-forward-aot: error: %s: expected %s, got %s\n", names[i],
          kiln::typeString(kiln::DType::F32, shapes[i]).c_str(),
          kiln::typeString(inputs[i].dtype(), inputs[i].shape()).c_str());
      return 1;
    }
  }
  kiln::Tensor probs = kiln::Tensor::zeros(kiln::DType::F32, {8, 10});
  std::vector<kiln::MemRefDescriptor> d;
  for (kiln::Tensor &t : inputs)
    d.emplace_back(t);
  kiln::MemRefDescriptor out(probs);
  _mlir_ciface_mlp_forward(d[0].get(), d[1].get(), d[2].get(), d[3].get(),
                           d[4].get(), out.get());

  std::printf("probs: 8x10xf32\n%s\n", probs.toString().c_str());
  if (argc > 2) {
    kiln::Status status = kiln::writeNpy(argv[2], probs);
    if (!status) {
      std::fprintf(stderr, "mlp-forward-aot: error: %s\n",
                   status.message().c_str());
      return 1;
    }
  }
  return 0;
}
