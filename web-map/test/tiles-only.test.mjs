// The map of tile files alone: the départements exported as MBTiles (plain,
// and with the fictive AT frequency's values) from the demo database, then
// served by `atlas serve --mbtiles` with no database at all. The map must
// open on the files' layers without a console error, draw the territories,
// colour the values file by its classes with its legend, and ask nothing
// of the API but the catalogue and the default view.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOWED_HOSTS, ARTIFACTS, AtlasServer, freePort, sharedBrowser } from './harness.mjs';

const BIN = process.env.ATLAS_BIN;
const DB = process.env.ATLAS_DATABASE_URL;
if (!BIN || !DB) {
  throw new Error('ATLAS_BIN and ATLAS_DATABASE_URL are not set: run `bash deploy/browser-test.sh` (this test exports files from the demo database)');
}

const browser = sharedBrowser();
const dir = mkdtempSync(join(tmpdir(), 'atlas-fichiers-'));
let server;

before(async () => {
  const env = { ...process.env, DATABASE_URL: DB, ATLAS_LOG_LEVEL: 'warn' };
  const plain = join(dir, 'departements.mbtiles');
  const values = join(dir, 'accidents.mbtiles');
  execFileSync(BIN, ['export', 'mbtiles', '--layer', 'departements', '--maxzoom', '8', '--out', plain], { env, stdio: 'inherit' });
  execFileSync(BIN, ['export', 'mbtiles', '--layer', 'departements', '--indicator', 'demo-at-frequence', '--maxzoom', '8', '--out', values], {
    env,
    stdio: 'inherit',
  });
  console.log(`exported ${statSync(plain).size} and ${statSync(values).size} bytes`);
  // No database: an address where none answers.
  server = new AtlasServer(BIN, 'postgres://nobody@127.0.0.1:1/none', await freePort(), ['--mbtiles', plain, '--mbtiles', values]);
  const ms = await server.start();
  console.log(`atlas serve --mbtiles ready in ${ms} ms`);
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the map opens on the tile files, with no database', async () => {
  const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  context.on('request', (r) => requests.push(r.url()));
  const t0 = Date.now();
  await page.goto(server.url + '/');
  await page.waitForFunction(() => window.__atlasFiles?.firstPaintMs != null || window.__atlasFiles?.error, null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.__atlasFiles.error), null);
  const drawn = () =>
    page.evaluate(() => {
      const d = window.__atlasFiles;
      const fs = d.map.queryRenderedFeatures({ layers: [`aplat-${d.shown()}`] });
      return { shown: d.shown(), features: fs.length, codes: new Set(fs.map((f) => f.properties.code)).size, classes: new Set(fs.map((f) => f.properties.class)).size };
    });
  const plain = await drawn();
  console.log(`first paint of ${plain.shown} in ${Date.now() - t0} ms: ${plain.codes} départements drawn`);
  assert.equal(plain.shown, 'departements');
  assert.ok(plain.codes > 80, `only ${plain.codes} départements drawn`);
  assert.match(await page.locator('#legende').innerText(), /Fichiers de tuiles/);
  assert.equal(await page.locator('#controles').isVisible(), false, 'the indicator controls need the database');

  // The values file: coloured by its classes, its legend shown.
  await page.evaluate(() => window.__atlasFiles.show('accidents'));
  // Drawn when its features are rendered (the camera may not move: no
  // 'idle' to wait for).
  await page.waitForFunction(
    () => {
      const d = window.__atlasFiles;
      return d.map.areTilesLoaded() && d.map.queryRenderedFeatures({ layers: ['aplat-accidents'] }).length > 0;
    },
    null,
    { timeout: 30_000 },
  );
  const values = await drawn();
  const legend = await page.locator('#legende').innerText();
  console.log(`${values.shown}: ${values.codes} départements in ${values.classes} classes`);
  assert.equal(values.shown, 'accidents');
  assert.ok(values.classes >= 3, `${values.classes} classes drawn`);
  assert.match(legend, /Fréquence des accidents du travail/);
  assert.match(legend, /fictives|démonstration/i, 'the demo notice is shown');
  await page.screenshot({ path: join(ARTIFACTS, 'fichiers-mbtiles.png') });

  assert.deepEqual(errors, [], 'console errors');
  const api = requests.filter((u) => new URL(u).pathname.startsWith('/api/')).map((u) => new URL(u).pathname);
  assert.deepEqual([...new Set(api)].sort(), ['/api/v1/default-view', '/api/v1/indicators']);
  for (const u of requests) {
    const h = new URL(u).hostname;
    assert.ok(ALLOWED_HOSTS.has(h) || u.startsWith('data:') || u.startsWith('blob:'), `request to ${u}`);
  }
  await context.close();
});
