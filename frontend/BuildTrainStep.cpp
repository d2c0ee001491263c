//===- BuildTrainStep.cpp - One function: forward, backward, update -----===//
//
// The training step is ordinary Kiln IR: a kiln.grad of the loss function
// followed by the optimizer's elementwise update, with the new parameters
// and state returned as results marked kiln.updates. Autodiff, fusion and
// bufferization then see the whole step at once, and the updates land in
// the parameters' own buffers.
//
//===----------------------------------------------------------------------===//

#include "frontend/Frontend.h"
#include "ir/Kiln.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace kiln {

std::vector<std::string> optimizerStateNames(const Optimizer &optimizer,
                                             const std::string &param) {
  if (auto *sgd = std::get_if<SGD>(&optimizer))
    return sgd->momentum != 0
               ? std::vector<std::string>{param + ".momentum_buffer"}
               : std::vector<std::string>{};
  return {param + ".exp_avg", param + ".exp_avg_sq"};
}

namespace {

using UpdateBuilder = TensorArithmetic;

struct ParamUpdate {
  Value param, grad;
  SmallVector<Value> state; // as optimizerStateNames
};

/// Appends the new parameter and state values of one SGD step.
void sgdUpdate(UpdateBuilder &u, const SGD &sgd, const ParamUpdate &p, Value lr,
               SmallVectorImpl<Value> &updates) {
  Value d = p.grad;
  if (sgd.weightDecay != 0)
    d = u.add(d, u.scale(p.param, sgd.weightDecay));
  Value velocity;
  if (sgd.momentum != 0) {
    velocity = u.add(u.scale(p.state[0], sgd.momentum), d);
    d = sgd.nesterov ? u.add(d, u.scale(velocity, sgd.momentum)) : velocity;
  }
  updates.push_back(u.sub(p.param, u.mul(u.spread(lr, p.param), d)));
  if (velocity)
    updates.push_back(velocity);
}

/// Appends the new parameter and state values of one Adam(W) step; `t` is
/// the new step count, `stepSize` = lr / (1 - beta1^t) and `correction2` =
/// sqrt(1 - beta2^t), both rank-0.
void adamUpdate(UpdateBuilder &u, const Adam &adam, const ParamUpdate &p,
                Value lr, Value stepSize, Value correction2,
                SmallVectorImpl<Value> &updates) {
  Value g = p.grad, w = p.param;
  if (adam.weightDecay != 0 && !adam.decoupled)
    g = u.add(g, u.scale(w, adam.weightDecay));
  if (adam.weightDecay != 0 && adam.decoupled) {
    // w *= 1 - lr * weightDecay
    Value decay = u.sub(u.splat(lr, 1.0), u.scale(lr, adam.weightDecay));
    w = u.mul(w, u.spread(decay, w));
  }
  Value m = u.add(u.scale(p.state[0], adam.beta1), u.scale(g, 1 - adam.beta1));
  Value v = u.add(u.scale(p.state[1], adam.beta2),
                  u.scale(u.mul(g, g), 1 - adam.beta2));
  // As PyTorch: denom = sqrt(v) / sqrt(1 - beta2^t) + eps.
  Value denom =
      u.add(u.div(SqrtOp::create(u.b, u.loc, v), u.spread(correction2, v)),
            u.splat(v, adam.eps));
  Value delta = u.div(u.mul(u.spread(stepSize, m), m), denom);
  updates.push_back(u.sub(w, delta));
  updates.push_back(m);
  updates.push_back(v);
}

bool isLoss(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType()) &&
         tensor.getNumElements() == 1;
}

std::string argName(func::FuncOp func, unsigned index) {
  if (auto name = func.getArgAttrOfType<StringAttr>(index, "kiln.name"))
    return name.getValue().str();
  return "arg" + std::to_string(index);
}

} // namespace

func::FuncOp buildTrainStep(ModuleOp module, llvm::StringRef lossFn,
                            llvm::ArrayRef<unsigned> params,
                            const Optimizer &optimizer, llvm::StringRef name) {
  Location moduleLoc = module.getLoc();
  auto loss = module.lookupSymbol<func::FuncOp>(lossFn);
  if (!loss || loss.isExternal()) {
    emitError(moduleLoc) << "training step: no function @" << lossFn
                         << " with a body in the module";
    return nullptr;
  }
  if (module.lookupSymbol(name)) {
    emitError(moduleLoc) << "training step: the module already has a symbol @"
                         << name;
    return nullptr;
  }
  FunctionType lossType = loss.getFunctionType();
  if (lossType.getNumResults() == 0 || !isLoss(lossType.getResult(0))) {
    loss.emitError() << "training step: the first result of @" << lossFn
                     << " must be the loss, a float tensor of one element";
    return nullptr;
  }
  if (params.empty()) {
    loss.emitError() << "training step: no parameters to train";
    return nullptr;
  }
  Type element;
  llvm::SmallBitVector isParam(lossType.getNumInputs());
  for (auto [i, index] : llvm::enumerate(params)) {
    if (index >= lossType.getNumInputs() || (i > 0 && index <= params[i - 1])) {
      loss.emitError() << "training step: parameter index " << index
                       << " is out of range or out of order for @" << lossFn
                       << " (" << lossType.getNumInputs() << " arguments)";
      return nullptr;
    }
    auto type = dyn_cast<RankedTensorType>(lossType.getInput(index));
    if (!type || !isa<FloatType>(type.getElementType()) ||
        (element && type.getElementType() != element)) {
      loss.emitError() << "training step: parameter '" << argName(loss, index)
                       << "' has type " << lossType.getInput(index)
                       << "; parameters must be float tensors of one "
                          "element type";
      return nullptr;
    }
    element = type.getElementType();
    isParam.set(index);
  }

  // Signature: params, state, [step], lr, other inputs.
  MLIRContext *context = module.getContext();
  OpBuilder b(context);
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<unsigned> updatedArgs; // args the update results write into
  for (unsigned index : params) {
    argTypes.push_back(lossType.getInput(index));
    argNames.push_back(argName(loss, index));
    updatedArgs.push_back(argTypes.size() - 1);
  }
  for (unsigned index : params)
    for (const std::string &stateName :
         optimizerStateNames(optimizer, argName(loss, index))) {
      argTypes.push_back(lossType.getInput(index));
      argNames.push_back(stateName);
      updatedArgs.push_back(argTypes.size() - 1);
    }
  bool isAdam = std::holds_alternative<Adam>(optimizer);
  auto scalar = RankedTensorType::get({}, element);
  unsigned stepArg = 0;
  if (isAdam) {
    stepArg = argTypes.size();
    argTypes.push_back(RankedTensorType::get({}, b.getF32Type()));
    argNames.push_back("step");
    updatedArgs.push_back(stepArg);
  }
  unsigned lrArg = argTypes.size();
  argTypes.push_back(scalar);
  argNames.push_back("lr");
  unsigned firstInput = argTypes.size();
  SmallVector<unsigned> stepArgOf(lossType.getNumInputs(), 0);
  for (unsigned i = 0; i < lossType.getNumInputs(); ++i)
    if (!isParam.test(i)) {
      stepArgOf[i] = argTypes.size();
      argTypes.push_back(lossType.getInput(i));
      argNames.push_back(argName(loss, i));
    }
  SmallVector<Type> resultTypes(lossType.getResults());
  for (unsigned arg : updatedArgs)
    resultTypes.push_back(argTypes[arg]);

  b.setInsertionPointAfter(loss);
  auto step = func::FuncOp::create(b, loss.getLoc(), name,
                                   b.getFunctionType(argTypes, resultTypes));
  for (auto [i, argNameText] : llvm::enumerate(argNames))
    step.setArgAttr(i, "kiln.name", b.getStringAttr(argNameText));
  for (unsigned i = 0; i < lossType.getNumResults(); ++i) {
    if (auto resultName = loss.getResultAttr(i, "kiln.name"))
      step.setResultAttr(i, "kiln.name", resultName);
    // State the loss function updates in place (BatchNorm's running
    // statistics, say) stays updated in place by the step.
    if (auto updated =
            loss.getResultAttrOfType<IntegerAttr>(i, "kiln.updates")) {
      if (isParam.test(updated.getInt())) {
        loss.emitError() << "training step: @" << lossFn
                         << " updates its argument '"
                         << argName(loss, updated.getInt())
                         << "', which is also a trained parameter";
        step.erase();
        return nullptr;
      }
      step.setResultAttr(i, "kiln.updates",
                         b.getI64IntegerAttr(stepArgOf[updated.getInt()]));
    }
  }
  for (auto [i, arg] : llvm::enumerate(updatedArgs))
    step.setResultAttr(lossType.getNumResults() + i, "kiln.updates",
                       b.getI64IntegerAttr(arg));

  Block *entry = step.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Location loc = loss.getLoc();

  // The loss function's operands, in its order.
  SmallVector<Value> operands;
  unsigned nextParam = 0, nextInput = firstInput;
  for (unsigned i = 0; i < lossType.getNumInputs(); ++i)
    operands.push_back(isParam.test(i) ? entry->getArgument(nextParam++)
                                       : entry->getArgument(nextInput++));
  SmallVector<int64_t> wrt(params.begin(), params.end());
  SmallVector<Type> gradTypes(lossType.getResults());
  for (unsigned index : params)
    gradTypes.push_back(lossType.getInput(index));
  auto grad = GradOp::create(b, loc, gradTypes,
                             FlatSymbolRefAttr::get(context, loss.getSymName()),
                             operands, b.getDenseI64ArrayAttr(wrt));

  SmallVector<Value> results(
      grad.getResults().take_front(lossType.getNumResults()));
  UpdateBuilder u{b, loc};
  Value lr = entry->getArgument(lrArg);
  SmallVector<ParamUpdate> updates(params.size());
  unsigned nextState = params.size();
  for (unsigned i = 0; i < params.size(); ++i) {
    updates[i].param = entry->getArgument(i);
    updates[i].grad = grad.getResult(lossType.getNumResults() + i);
  }
  for (unsigned i = 0; i < params.size(); ++i)
    for (size_t s = 0, e = optimizerStateNames(optimizer, "").size(); s < e;
         ++s)
      updates[i].state.push_back(entry->getArgument(nextState++));

  SmallVector<Value> newParams, newState;
  if (auto *sgd = std::get_if<SGD>(&optimizer)) {
    for (ParamUpdate &p : updates) {
      SmallVector<Value> values;
      sgdUpdate(u, *sgd, p, lr, values);
      newParams.push_back(values[0]);
      newState.append(values.begin() + 1, values.end());
    }
  } else {
    const Adam &adam = std::get<Adam>(optimizer);
    Value t = entry->getArgument(stepArg);
    Value tNext = u.add(t, u.splat(t, 1.0));
    Value tElem =
        element.isF32() ? tNext : CastOp::create(b, loc, tNext, element);
    auto biasCorrection = [&](double beta) {
      return u.sub(u.splat(tElem, 1.0),
                   PowOp::create(b, loc, u.splat(tElem, beta), tElem));
    };
    Value stepSize = u.div(lr, biasCorrection(adam.beta1));
    Value correction2 = SqrtOp::create(b, loc, biasCorrection(adam.beta2));
    for (ParamUpdate &p : updates) {
      SmallVector<Value> values;
      adamUpdate(u, adam, p, lr, stepSize, correction2, values);
      newParams.push_back(values[0]);
      newState.append(values.begin() + 1, values.end());
    }
    newState.push_back(tNext);
  }
  results.append(newParams);
  results.append(newState);
  func::ReturnOp::create(b, loc, results);
  return step;
}

} // namespace kiln
