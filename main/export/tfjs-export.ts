/**
 * The TensorFlow.js layers format: the model folder as the engine saved it (model.json + weights.bin), with
 * Layerbench's files beside it and a README saying how to load it in a browser, in Node and in Python.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelSpec } from '../../common/spec.js';
import { replaceFolder } from '../platform/replace-file.js';

export function tfjsReadme(spec: ModelSpec, classNames: string[] | undefined): string {
  const [h, w, c] = spec.inputShape;
  const classes = classNames?.length
    ? `The ${classNames.length} outputs are the scores of the classes in \`classes.json\`, in that order.`
    : '';
  return `# ${spec.name ?? 'Layerbench model'} (TensorFlow.js layers format)

Exported by Layerbench. \`model.json\` holds the architecture and the list of weights, \`weights.bin\` the
weights; keep them together. \`experiment.json\` is the Layerbench experiment (open it in Layerbench to train
it again).

The model takes a batch of images shaped \`[batch, ${h}, ${w}, ${c}]\` (height, width, channels), float32
pixel values scaled to 0..1 (divide 0..255 bytes by 255), exactly as Layerbench trained it. ${classes}
${leakyReluNote(spec)}
## In a browser

Serve this folder over http (browsers do not load models from \`file://\`), then:

\`\`\`js
import * as tf from '@tensorflow/tfjs';
const model = await tf.loadLayersModel('https://your.server/path/model.json');
const scores = model.predict(tf.zeros([1, ${h}, ${w}, ${c}]));
scores.print();
\`\`\`

## In Node.js

\`\`\`js
const tf = require('@tensorflow/tfjs-node'); // or '@tensorflow/tfjs' (slower, pure JavaScript)
const model = await tf.loadLayersModel('file://' + require('path').resolve('model.json'));
model.predict(tf.zeros([1, ${h}, ${w}, ${c}])).print();
\`\`\`

## In Python

Export the model from Layerbench as Keras instead (\`layerbench export RUN --format keras --out model.keras\`)
and load it with \`keras.models.load_model("model.keras")\`.
`;
}

/**
 * TensorFlow.js knows Keras's `leaky_relu` activation only by the registration Layerbench adds; a model
 * using it says how to add the same before loading.
 */
function leakyReluNote(spec: ModelSpec): string {
  const uses = spec.layers.some((l) => 'activation' in l && l.activation === 'leaky_relu');
  if (!uses) return '';
  return `
This model uses Keras's \`leaky_relu\` activation (negative slope 0.2), which TensorFlow.js does not know by
name. Register it once, before \`tf.loadLayersModel\`:

\`\`\`js
class LeakyRelu extends tf.serialization.Serializable {
  static className = 'leakyRelu';
  apply(x) { return tf.leakyRelu(x, 0.2); }
  getConfig() { return {}; }
}
tf.serialization.registerClass(LeakyRelu);
\`\`\`
`;
}

/** Copies the model folder's files to the folder `target` and writes the README. Returns the file names. */
export async function writeTfjsFolder(
  modelDir: string,
  target: string,
  spec: ModelSpec,
  classNames: string[] | undefined,
): Promise<string[]> {
  const names = (await readdir(modelDir)).filter((n) => /\.(json|bin)$/.test(n));
  const files: Record<string, string | Uint8Array> = { 'README.md': tfjsReadme(spec, classNames) };
  for (const n of names) files[n] = await readFile(path.join(modelDir, n));
  await replaceFolder(target, files);
  return [...names, 'README.md'].sort();
}
