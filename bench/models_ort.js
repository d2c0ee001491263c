// ONNX Runtime (onnxruntime-node, CPU execution provider) latency of one
// exported model, for bench/models.
//
//   node bench/models_ort.js MODEL.onnx INPUT.npy THREADS MIN_REPS MIN_TIME_S
//
// Session options as in the team's peer measurements (shared/peers):
// intraOpNumThreads = THREADS, interOpNumThreads = 1, sequential execution,
// graphOptimizationLevel 'all'. Five warm-up runs, then timed runs
// (process.hrtime around each `await session.run`) until both MIN_REPS runs
// and MIN_TIME_S seconds; prints the median in milliseconds.
'use strict';
const fs = require('fs');
const path = require('path');

// NODE_PATH is not consulted for packages outside the module's tree: load
// onnxruntime-node from where bench/models installed it.
const ort = require(path.join(process.env.KILN_ORT_MODULES, 'onnxruntime-node'));

/** A float32 .npy file (little-endian, C order) as [data, shape]. */
function readNpy(file) {
  const bytes = fs.readFileSync(file);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', start, start + headerLength);
  if (!header.includes("'descr': '<f4'") || !header.includes("'fortran_order': False"))
    throw new Error(`${file}: expected a C-order float32 array`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',')
    .map((s) => s.trim()).filter((s) => s.length).map(Number);
  const offset = start + headerLength;
  const copy = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + bytes.length);
  return [new Float32Array(copy), shape];
}

async function main() {
  const [model, input, threads, minReps, minTime] = process.argv.slice(2);
  const [data, shape] = readNpy(input);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  for (let i = 0; i < 5; i++) await session.run(feeds);
  const times = [];
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const start = now();
  while (times.length < Number(minReps) || now() - start < Number(minTime) * 1000) {
    const t = now();
    await session.run(feeds);
    times.push(now() - t);
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  const median = n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  console.log(`median ${median.toFixed(3)} ms over ${n} runs (onnxruntime-node ${ort.env.versions.node})`);
  await session.release();
}

main().catch((e) => { console.error(`models_ort.js: ${e.message}`); process.exit(1); });
