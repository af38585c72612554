// Browser test of the exports, the presentation mode and the palette choice:
// Debian chromium driven by playwright-core against a running atlas server
// with the demo data (ATLAS_URL), through harness.mjs like map.test.mjs.
// Screenshots and the exported image go to test-artifacts/ at the repository
// root.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ARTIFACTS, BASE, api, assertNothingLeftLoopback, sharedBrowser, open as openPage, settle } from './harness.mjs';

const browser = sharedBrowser();

/** The map, in a context that accepts the downloads the export links start. */
const open = (hash) => openPage(browser(), hash, { acceptDownloads: true });

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf) {
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG signature');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Records split on line ends outside quotes (a source could hold a newline). */
function csvRecords(text) {
  const records = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === '\n' && !quoted) {
      records.push(cur.replace(/\r$/, ''));
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') records.push(cur);
  return records;
}

describe('exports, mode présentation et palettes', () => {
  test('l’export PNG ajoute titre, légende et source à la carte', async () => {
    const { context, page, errors } = await open('#i=demo-at-frequence&l=departement&p=2022&s=femmes&sec=38');
    const mapSize = await page.evaluate(() => {
      const c = window.__atlas.map.getCanvas();
      return { width: c.width, height: c.height };
    });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
    const path = ARTIFACTS + '10-export-carte.png';
    await download.saveAs(path);
    assert.match(download.suggestedFilename(), /^atlas-demo-at-frequence-departement-2022-femmes-secteur-38\.png$/);
    const buf = readFileSync(path);
    const size = pngSize(buf);
    assert.ok(size.width > mapSize.width && size.height > mapSize.height, `PNG ${JSON.stringify(size)} vs carte ${JSON.stringify(mapSize)}`);
    // The territory names on screen must be in the image, at their place.
    const shown = await page.$$eval('.etiquette-territoire:not([hidden])', (els) => {
      const f = document.getElementById('carte').getBoundingClientRect();
      return els.map((e) => {
        const r = e.getBoundingClientRect();
        return { name: e.textContent, x: r.left - f.left, y: r.top - f.top, w: r.width, h: r.height };
      });
    });
    const info = await page.evaluate(() => window.__atlas.lastExport);
    assert.ok(shown.length > 3, `${shown.length} labels on screen`);
    assert.equal(info.labels, shown.length, 'every label on screen drawn in the image');
    // Decoded in the page: sampled colours (not a blank canvas), and the
    // dark text pixels inside each label's box, in the image and on the bare map.
    const { colours, dark } = await page.evaluate(
      async ([b64, boxes, top]) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + b64;
        await img.decode();
        const canvasOf = (src, w, h) => {
          const c = document.createElement('canvas');
          c.width = w;
          c.height = h;
          const ctx = c.getContext('2d');
          ctx.drawImage(src, 0, 0);
          return ctx;
        };
        const image = canvasOf(img, img.width, img.height);
        const mapCanvas = window.__atlas.map.getCanvas();
        const bare = canvasOf(mapCanvas, mapCanvas.width, mapCanvas.height);
        const all = image.getImageData(0, 0, img.width, img.height).data;
        const seen = new Set();
        for (let i = 0; i < all.length; i += 4 * 97) seen.add((all[i] << 16) | (all[i + 1] << 8) | all[i + 2]);
        const count = (cx, x, y, w, h) => {
          const d = cx.getImageData(Math.round(x), Math.round(y), Math.max(1, Math.round(w)), Math.max(1, Math.round(h))).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] < 60 && d[i + 1] < 60 && d[i + 2] < 60) n++;
          return n;
        };
        return {
          colours: seen.size,
          dark: boxes.map((b) => ({ name: b.name, image: count(image, b.x, top + b.y, b.w, b.h), map: count(bare, b.x, b.y, b.w, b.h) })),
        };
      },
      [buf.toString('base64'), shown, info.mapTop],
    );
    assert.ok(colours > 10, `only ${colours} colours in the exported image`);
    for (const d of dark) {
      assert.ok(d.image > 10, `label « ${d.name} » not in the image (${d.image} dark pixels)`);
      // A secret territory's hatching is dark on the bare map too: the
      // label must add its own dark text pixels to whatever is there.
      assert.ok(d.image >= d.map + 10, `label « ${d.name} »: ${d.image} dark pixels in the image, ${d.map} on the bare map`);
    }
    console.log(
      `export PNG : ${size.width}×${size.height} px (carte ${mapSize.width}×${mapSize.height}), ${colours} couleurs échantillonnées, ` +
        `${info.labels} noms de territoires dessinés`,
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('le lien CSV télécharge les valeurs de la sélection (séparateur ;)', async () => {
    const { context, page, errors } = await open('#i=chomage-ze&l=zone-emploi');
    const ch = await page.evaluate(() => window.__atlas.choropleth());
    const href = await page.getAttribute('#export-csv', 'href');
    const u = new URL(href, BASE);
    assert.equal(u.pathname, '/api/v1/indicators/chomage-ze/values');
    assert.equal(u.searchParams.get('format'), 'csv');
    assert.equal(u.searchParams.get('sep'), ';');
    assert.equal(u.searchParams.get('period'), ch.period);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const path = ARTIFACTS + '11-export-donnees.csv';
    await download.saveAs(path);
    const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
    const records = csvRecords(text).filter((r) => r !== '');
    assert.match(records[0], /(^|;)code;/);
    const q = new URLSearchParams({ level: ch.level, period: ch.period, sex: ch.sex, sector: ch.sector });
    const json = await api(`/api/v1/indicators/chomage-ze/values?${q}`);
    assert.equal(records.length - 1, json.values.length);
    console.log(`export CSV : ${download.suggestedFilename()}, ${records.length - 1} lignes (API ${json.values.length})`);

    // The link follows the selection.
    await settle(page, () => page.click('#ctl-periode-prec'));
    const period = await page.evaluate(() => window.__atlas.choropleth().period);
    assert.notEqual(period, ch.period);
    assert.equal(new URL(await page.getAttribute('#export-csv', 'href'), BASE).searchParams.get('period'), period);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('P passe en mode présentation, → avance la période, ? montre l’aide', async () => {
    const { context, page, errors } = await open('#i=chomage-ze&l=zone-emploi&p=2023-T1');
    assert.ok(await page.isVisible('#controles'));
    await page.keyboard.press('p');
    await page.waitForFunction(() => document.body.classList.contains('presentation'));
    assert.equal(await page.isVisible('#controles'), false, 'controls hidden');
    assert.ok(await page.isVisible('#legende'), 'legend kept');
    assert.match(page.url(), /[#&]pres=1/);
    const big = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('#legende h2')).fontSize));
    assert.ok(big >= 28, `legend title ${big}px`);

    await settle(page, () => page.keyboard.press('ArrowRight'));
    assert.equal(await page.evaluate(() => window.__atlas.choropleth().period), '2023-T2');
    assert.match(page.url(), /[#&]p=2023-T2/);
    assert.match(page.url(), /[#&]pres=1/, 'pres kept when the map rewrites the URL');
    await page.screenshot({ path: ARTIFACTS + '12-presentation.png' });

    await page.keyboard.press('?');
    assert.ok(await page.isVisible('#aide-raccourcis'));
    assert.match(await page.textContent('#aide-raccourcis'), /Période précédente/);
    await page.screenshot({ path: ARTIFACTS + '13-presentation-aide.png' });
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('#aide-raccourcis'), false);

    // N: département ⇄ zone d'emploi (here through the sibling indicator).
    await settle(page, () => page.keyboard.press('n'));
    assert.deepEqual(await page.evaluate(() => [window.__atlas.state().indicator, window.__atlas.state().level]), [
      'chomage-departement',
      'departement',
    ]);
    // I: next indicator of the theme.
    await settle(page, () => page.keyboard.press('i'));
    assert.notEqual(await page.evaluate(() => window.__atlas.state().indicator), 'chomage-departement');

    // A reload keeps the mode; Escape leaves it.
    const again = await open(new URL(page.url()).hash);
    assert.ok(await again.page.evaluate(() => document.body.classList.contains('presentation')));
    await again.page.keyboard.press('Escape');
    assert.equal(await again.page.evaluate(() => document.body.classList.contains('presentation')), false);
    assert.doesNotMatch(again.page.url(), /pres=1/);
    assert.ok(await again.page.isVisible('#controles'));

    // Shortcuts are ignored while a field has the focus.
    await again.page.focus('#ctl-classes');
    await again.page.keyboard.press('p');
    assert.equal(await again.page.evaluate(() => document.body.classList.contains('presentation')), false);
    assert.deepEqual(errors, []);
    assert.deepEqual(again.errors, []);
    await again.context.close();
    await context.close();
  });

  test('changer de palette recolore un territoire connu et reste dans l’URL', async () => {
    const { context, page, errors } = await open('#i=chomage-ze&l=zone-emploi');
    const s = await page.evaluate(() => window.__atlas.choropleth());
    const known = s.territories.find((t) => t.status === 'published');
    const colorOf = (ch, t) => ch.legend.find((c) => c.class === t.class).color;
    const stateOf = () =>
      page.evaluate(
        (id) => window.__atlas.map.getFeatureState({ source: 'territoires-zones-emploi', sourceLayer: 'zones-emploi', id }),
        known.id,
      );
    const before = (await stateOf()).color;
    assert.equal(before, colorOf(s, known));
    await settle(page, () => page.selectOption('#ctl-palette', 'viridis'));
    const expected = await api(`/api/v1/indicators/chomage-ze/choropleth?level=zone-emploi&period=${s.period}&palette=viridis`);
    const afterColor = (await stateOf()).color;
    assert.equal(afterColor, colorOf(expected, known));
    assert.notEqual(afterColor, before);
    assert.equal(await page.evaluate(() => window.__atlas.choropleth().palette), 'viridis');
    assert.match(page.url(), /[#&]pal=viridis/);
    console.log(`palette : ${known.name} (${known.code}) ${before} → ${afterColor}`);
    await page.screenshot({ path: ARTIFACTS + '14-palette-viridis.png' });

    // Another control keeps the palette; a reload restores it.
    await settle(page, () => page.click('#ctl-periode-prec'));
    assert.equal(await page.evaluate(() => window.__atlas.choropleth().palette), 'viridis');
    const again = await open(new URL(page.url()).hash);
    assert.equal(await again.page.inputValue('#ctl-palette'), 'viridis');
    assert.equal(await again.page.evaluate(() => window.__atlas.choropleth().palette), 'viridis');
    assert.deepEqual(errors, []);
    assert.deepEqual(again.errors, []);
    await again.context.close();
    await context.close();
  });

  test('aucune requête ne sort de 127.0.0.1', () => {
    assertNothingLeftLoopback();
  });
});
