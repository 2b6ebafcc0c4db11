// Draws Layerbench's icon (stacked layers narrowing into an output, on a dark tile) and writes the PNG sizes
// electron-builder takes: icon.png (512, also used to make the macOS .icns and Windows .ico) and
// png/NxN.png for Linux. Run: node assets/icons/make-icons.mjs
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
const layers = [
  { y: 120, w: 340, color: '#4f9dff' },
  { y: 196, w: 280, color: '#57c7a4' },
  { y: 272, w: 210, color: '#f2c14e' },
  { y: 348, w: 130, color: '#f07167' },
];
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <rect x="16" y="16" width="480" height="480" rx="96" fill="#1d2330"/>
  ${layers.map((l) => `<rect x="${256 - l.w / 2}" y="${l.y}" width="${l.w}" height="52" rx="14" fill="${l.color}"/>`).join('\n  ')}
</svg>`;

await mkdir(path.join(here, 'png'), { recursive: true });
await sharp(Buffer.from(svg)).png().toFile(path.join(here, 'icon.png'));
for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
  await sharp(Buffer.from(svg)).resize(size, size).png().toFile(path.join(here, 'png', `${size}x${size}.png`));
}
console.log('icons written to', here);
