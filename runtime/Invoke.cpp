//===- Invoke.cpp - Calling compiled entry functions ----------------------===//

#include "runtime/Detail.h"
#include "runtime/Runtime.h"

namespace kiln {

namespace {

/// "argument 'x' (#0) of 'forward'", or "argument #0 of 'forward'" when the
/// spec has no name.
std::string describe(const char *kind, const TensorSpec &spec, size_t index,
                     const FunctionSignature &sig) {
  std::string out = kind;
  if (spec.name.empty())
    out += " #" + std::to_string(index);
  else
    out += " '" + spec.name + "' (#" + std::to_string(index) + ")";
  return out + " of '" + sig.name + "'";
}

std::string describeTensor(const Tensor &tensor) {
  if (tensor.empty())
    return "an empty tensor";
  return typeString(tensor.dtype(), tensor.shape());
}

Status checkCount(const char *kind, size_t expected, size_t actual,
                  const FunctionSignature &sig) {
  if (expected == actual)
    return Status::ok();
  return Status::error(
      "'" + sig.name + "' expects " + std::to_string(expected) + " " + kind +
      (expected == 1 ? "" : "s") + ", got " + std::to_string(actual));
}

Status checkTensor(const char *kind, const TensorSpec &spec, size_t index,
                   const FunctionSignature &sig, const Tensor &tensor) {
  if (!tensor.empty() && tensor.dtype() == spec.dtype &&
      tensor.shape() == spec.shape)
    return Status::ok();
  return Status::error(describe(kind, spec, index, sig) + ": expected " +
                       typeString(spec.dtype, spec.shape) + ", got " +
                       describeTensor(tensor));
}

/// Compiled functions take identity-layout memrefs, whose lowering uses the
/// static offset 0 and C-order strides rather than the descriptor's.
bool hasIdentityLayout(const Tensor &tensor) {
  return tensor.offset() == 0 && tensor.isContiguous();
}

Tensor withIdentityLayout(const Tensor &tensor) {
  if (hasIdentityLayout(tensor))
    return tensor;
  Tensor copy = Tensor::zeros(tensor.dtype(), tensor.shape());
  if (!copy.empty())
    detail::copyToContiguous(tensor, copy.data());
  return copy;
}

/// The address range [begin, end) a tensor's elements can touch.
std::pair<const char *, const char *> byteRange(const Tensor &tensor) {
  const char *base = static_cast<const char *>(tensor.data());
  if (tensor.empty() || tensor.numElements() == 0)
    return {base, base};
  int64_t last = 0;
  for (size_t d = 0; d < tensor.shape().size(); ++d)
    last += (tensor.shape()[d] - 1) * tensor.strides()[d];
  int64_t size = static_cast<int64_t>(dtypeSize(tensor.dtype()));
  return {base, base + (last + 1) * size};
}

bool overlaps(const Tensor &a, const Tensor &b) {
  auto [aBegin, aEnd] = byteRange(a);
  auto [bBegin, bEnd] = byteRange(b);
  return aBegin < bEnd && bBegin < aEnd;
}

/// An argument updated in place is written through the caller's buffer: it
/// must have the layout the code assumes and must not alias anything else
/// the call reads or writes.
Status checkInPlace(const FunctionSignature &sig,
                    const std::vector<Tensor> &inputs,
                    const std::vector<Tensor> &outputs) {
  for (size_t i = 0, e = inputs.size(); i != e; ++i) {
    if (!sig.inputs[i].updatedInPlace)
      continue;
    std::string what = describe("argument", sig.inputs[i], i, sig);
    if (!hasIdentityLayout(inputs[i]))
      return Status::error(what +
                           " is updated in place and must be contiguous");
    for (size_t j = 0; j != e; ++j)
      if (j != i && overlaps(inputs[i], inputs[j]))
        return Status::error(what +
                             " is updated in place but shares memory "
                             "with " +
                             describe("argument", sig.inputs[j], j, sig));
    for (size_t j = 0, n = outputs.size(); j != n; ++j)
      if (overlaps(inputs[i], outputs[j]))
        return Status::error(what +
                             " is updated in place but shares memory "
                             "with " +
                             describe("result", sig.results[j], j, sig));
  }
  return Status::ok();
}

/// Caller-provided results are written while the arguments are still being
/// read (a matmul reads its whole input for each output row), so a result
/// may share memory with no argument the callee reads and no other result.
/// `prepared` are the arguments as passed: a strided argument was copied.
/// Arguments updated in place were already compared with every result by
/// checkInPlace, with a message that says why.
Status checkResultsDisjoint(const FunctionSignature &sig,
                            const std::vector<Tensor> &prepared,
                            const std::vector<Tensor> &outputs) {
  for (size_t j = 0, n = outputs.size(); j != n; ++j) {
    auto shared = [&](const char *kind, const TensorSpec &spec, size_t i) {
      return Status::error(describe("result", sig.results[j], j, sig) +
                           " shares memory with " +
                           describe(kind, spec, i, sig) +
                           "; results must not overlap arguments or each "
                           "other");
    };
    for (size_t i = 0, e = prepared.size(); i != e; ++i)
      if (!sig.inputs[i].updatedInPlace && overlaps(outputs[j], prepared[i]))
        return shared("argument", sig.inputs[i], i);
    for (size_t k = 0; k != j; ++k)
      if (overlaps(outputs[j], outputs[k]))
        return shared("result", sig.results[k], k);
  }
  return Status::ok();
}

/// Checks and prepares the inputs; the copies keep any contiguous
/// temporaries alive for the call.
Status prepareInputs(const FunctionSignature &sig,
                     const std::vector<Tensor> &inputs,
                     std::vector<Tensor> &prepared) {
  if (Status s = checkCount("argument", sig.inputs.size(), inputs.size(), sig);
      !s)
    return s;
  prepared.clear();
  prepared.reserve(inputs.size());
  for (size_t i = 0, e = inputs.size(); i != e; ++i) {
    if (Status s = checkTensor("argument", sig.inputs[i], i, sig, inputs[i]);
        !s)
      return s;
    prepared.push_back(withIdentityLayout(inputs[i]));
    if (prepared.back().empty())
      return Status::error(describe("argument", sig.inputs[i], i, sig) +
                           ": cannot allocate a contiguous copy");
  }
  return Status::ok();
}

/// Calls \p fn with descriptors of \p inputs then \p outputs.
void call(PackedFunction fn, std::vector<Tensor> &inputs,
          std::vector<Tensor> &outputs) {
  std::vector<MemRefDescriptor> descriptors;
  descriptors.reserve(inputs.size() + outputs.size());
  for (Tensor &tensor : inputs)
    descriptors.emplace_back(tensor);
  for (Tensor &tensor : outputs)
    descriptors.emplace_back(tensor);
  std::vector<void *> descriptorPtrs;
  descriptorPtrs.reserve(descriptors.size());
  for (MemRefDescriptor &descriptor : descriptors)
    descriptorPtrs.push_back(descriptor.get());
  // The packed convention passes the address of each descriptor pointer.
  std::vector<void *> args;
  args.reserve(descriptorPtrs.size());
  for (void *&ptr : descriptorPtrs)
    args.push_back(&ptr);
  fn(args.data());
}

} // namespace

Status invokePacked(PackedFunction fn, const FunctionSignature &sig,
                    const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &outputs) {
  if (!fn)
    return Status::error("'" + sig.name + "': null function pointer");
  std::vector<Tensor> prepared;
  if (Status s = prepareInputs(sig, inputs, prepared); !s)
    return s;
  std::vector<Tensor> results;
  results.reserve(sig.results.size());
  for (size_t i = 0, e = sig.results.size(); i != e; ++i) {
    const TensorSpec &spec = sig.results[i];
    results.push_back(Tensor::zeros(spec.dtype, spec.shape));
    if (results.back().empty())
      return Status::error(describe("result", spec, i, sig) +
                           ": cannot allocate " +
                           typeString(spec.dtype, spec.shape));
  }
  if (Status s = checkInPlace(sig, inputs, results); !s)
    return s;
  call(fn, prepared, results);
  outputs = std::move(results);
  return Status::ok();
}

Status invokePackedInto(PackedFunction fn, const FunctionSignature &sig,
                        const std::vector<Tensor> &inputs,
                        std::vector<Tensor> &outputs) {
  if (!fn)
    return Status::error("'" + sig.name + "': null function pointer");
  std::vector<Tensor> prepared;
  if (Status s = prepareInputs(sig, inputs, prepared); !s)
    return s;
  if (Status s = checkCount("result", sig.results.size(), outputs.size(), sig);
      !s)
    return s;
  for (size_t i = 0, e = outputs.size(); i != e; ++i) {
    if (Status s = checkTensor("result", sig.results[i], i, sig, outputs[i]);
        !s)
      return s;
    // The callee writes results assuming the canonical contiguous layout.
    if (!hasIdentityLayout(outputs[i]))
      return Status::error(describe("result", sig.results[i], i, sig) +
                           ": output tensor must be contiguous");
  }
  if (Status s = checkInPlace(sig, inputs, outputs); !s)
    return s;
  if (Status s = checkResultsDisjoint(sig, prepared, outputs); !s)
    return s;
  call(fn, prepared, outputs);
  return Status::ok();
}

} // namespace kiln
