// Runs a TF.js graph model under @tensorflow/tfjs (pure-JavaScript CPU backend) and the same model
// imported by `imagemill model run` (OpenCV DNN), on the same pseudo-random input, and compares
// every output. Prints one JSON line per model; exits 1 when an output differs by more than the
// tolerance.
//
// usage: node tfjs_reference.js IMAGEMILL MODEL.json LOW HIGH TOLERANCE [OUTPUTS]
//   LOW..HIGH: range of the input values; OUTPUTS: comma-separated TF tensors (default: signature)
//   TOLERANCE: largest allowed |tfjs - imagemill| relative to max(1, max |tfjs|) of that output.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const tf = require(process.env.TFJS_HOME);  // set by model_import_test.sh

function readNpy(file) {
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  if (!header.includes("'<f4'")) throw new Error(`${file}: not float32`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + 10 + headerLen, buf.byteOffset + buf.length));
  return { shape, data };
}

function writeNpy(file, shape, data) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(',')},), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]));
}

// Deterministic input: a smooth pattern plus noise (mulberry32), spanning [low, high].
function makeInput(shape, low, high) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let seed = 12345;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let k = 0; k < n; k++) {
    const smooth = 0.5 + 0.35 * Math.sin(k / 97) * Math.cos(k / 1013);
    const v = 0.7 * smooth + 0.3 * rand();
    data[k] = low + (high - low) * v;
  }
  return data;
}

async function main() {
  const [imagemill, modelJson, low, high, tolerance, outputsArg] = process.argv.slice(2);
  const artifacts = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  const dir = path.dirname(modelJson);
  const weightSpecs = [];
  const buffers = [];
  for (const group of artifacts.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.length);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: artifacts.modelTopology, weightSpecs, weightData, format: artifacts.format,
    signature: artifacts.signature, userDefinedMetadata: artifacts.userDefinedMetadata,
  }));

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'imagemill-tfjs-'));
  const inputPath = path.join(work, 'input.npy');
  const runArgs = ['model', 'run', modelJson, '--input', inputPath, '-o', path.join(work, 'out')];
  if (outputsArg) runArgs.push('--outputs', outputsArg);
  // The input shape and output names as the importer sees them (model info is cheap).
  const infoArgs = ['model', 'info', modelJson];
  if (outputsArg) infoArgs.push('--outputs', outputsArg);
  const info = JSON.parse(execFileSync(imagemill, infoArgs, { encoding: 'utf8' }));
  if (info.importError) throw new Error(info.importError);
  const inShape = info.inputs[0].shape;
  const input = makeInput(inShape, Number(low), Number(high));
  writeNpy(inputPath, inShape, input);

  const names = info.outputs.map((o) => o.name);
  const t0 = Date.now();
  const refs = model.execute({ [info.inputs[0].name]: tf.tensor(input, inShape) }, names);
  const tfjsMs = Date.now() - t0;
  const files = JSON.parse(execFileSync(imagemill, runArgs, { encoding: 'utf8' }));

  const report = { model: path.basename(modelJson), input: inShape, tfjsMs, outputs: {} };
  let ok = true;
  const refList = Array.isArray(refs) ? refs : [refs];
  for (let k = 0; k < names.length; k++) {
    const ref = refList[k].dataSync();
    const got = readNpy(files[names[k]]);
    const refShape = refList[k].shape;
    if (got.data.length !== ref.length) {
      ok = false;
      report.outputs[names[k]] = { error: `size ${got.shape} vs ${refShape}` };
      continue;
    }
    let maxAbs = 0;
    let maxRef = 0;
    for (let i = 0; i < ref.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(ref[i] - got.data[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    const rel = maxAbs / Math.max(1, maxRef);
    const pass = rel <= Number(tolerance) && got.shape.join(',') === refShape.join(',');
    ok = ok && pass;
    report.outputs[names[k]] = { shape: refShape, maxAbsDiff: maxAbs, maxAbsRef: maxRef, relDiff: rel, pass };
  }
  fs.rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify(report));
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error(`tfjs_reference: ${e.stack || e}`);
  process.exit(2);
});
