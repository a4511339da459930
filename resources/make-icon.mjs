// Draws resources/icon.png (512x512 RGBA): a ship's hull on keel blocks in a
// dry dock, two containers on deck. Plain Node (zlib), no dependencies:
//   node resources/make-icon.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const SIZE = 512;
const SAMPLES = 4; // per axis, for anti-aliasing

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const box = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const roundedBox = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
/** Hull: wide deck line, narrower keel, bow raked on the right. */
const hull = (x, y) => {
  if (y < 250 || y > 330) return false;
  const t = (y - 250) / 80;
  return x >= 120 + 30 * t && x <= 410 - 50 * t;
};

// Painted in order; the last shape that covers a point wins.
const layers = [
  [roundedBox(16, 16, 496, 496, 96), (x, y) => mix(rgb('#1b3a5c'), rgb('#0b1626'), y / SIZE)],
  [box(64, 330, 448, 420), () => rgb('#0e7490')], // water left in the basin
  [box(56, 200, 96, 440), () => rgb('#cbd5e1')], // dock walls and floor
  [box(416, 200, 456, 440), () => rgb('#cbd5e1')],
  [box(56, 410, 456, 440), () => rgb('#cbd5e1')],
  [box(170, 330, 200, 410), () => rgb('#94a3b8')], // keel blocks
  [box(250, 330, 280, 410), () => rgb('#94a3b8')],
  [box(330, 330, 360, 410), () => rgb('#94a3b8')],
  [hull, () => rgb('#e8590c')],
  [box(120, 250, 410, 262), () => rgb('#f8fafc')], // deck line
  [roundedBox(150, 186, 250, 248, 4), () => rgb('#12b886')], // containers
  [roundedBox(262, 186, 362, 248, 4), () => rgb('#fab005')],
  [roundedBox(206, 124, 306, 184, 4), () => rgb('#4dabf7')],
];

function mix(a, b, t) {
  return a.map((v, i) => v + (b[i] - v) * t);
}

function pixel(px, py) {
  const sum = [0, 0, 0, 0];
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      const x = px + (sx + 0.5) / SAMPLES;
      const y = py + (sy + 0.5) / SAMPLES;
      let color = null;
      for (const [inside, paint] of layers) if (inside(x, y)) color = paint(x, y);
      if (color) {
        sum[0] += color[0];
        sum[1] += color[1];
        sum[2] += color[2];
        sum[3] += 1;
      }
    }
  }
  const n = SAMPLES * SAMPLES;
  if (sum[3] === 0) return [0, 0, 0, 0];
  return [sum[0] / sum[3], sum[1] / sum[3], sum[2] / sum[3], (255 * sum[3]) / n].map(Math.round);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  const row = y * (SIZE * 4 + 1);
  raw[row] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) raw.set(pixel(x, y), row + 1 + x * 4);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
