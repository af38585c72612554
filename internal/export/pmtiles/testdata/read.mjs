// Reads a PMTiles archive with the protomaps JavaScript library (the one
// MapLibre's pmtiles protocol uses) and prints what it sees as JSON: the
// header, the metadata and, for each z/x/y given on stdin (one JSON array
// of [z, x, y]), the SHA-256 of the tile it decodes (null when absent).
//   node read.mjs <pmtiles module dir> <archive>
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [moduleDir, archive] = process.argv.slice(2);
const { PMTiles } = await import(pathToFileURL(join(moduleDir, 'dist/esm/index.js')).href);

const fh = await open(archive, 'r');
// A Source over the local file: what a range request would fetch.
const source = {
  getKey: () => archive,
  async getBytes(offset, length) {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead);
    return { data };
  },
};
const p = new PMTiles(source);
const header = await p.getHeader();
const metadata = await p.getMetadata();
let input = '';
for await (const chunk of process.stdin) input += chunk;
const tiles = [];
for (const [z, x, y] of JSON.parse(input || '[]')) {
  const t = await p.getZxy(z, x, y);
  tiles.push(t ? createHash('sha256').update(Buffer.from(t.data)).digest('hex') : null);
}
await fh.close();
process.stdout.write(JSON.stringify({ header, metadata, tiles }));
