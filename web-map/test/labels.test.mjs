// Browser test of the territory names (place-labels.ts): HTML labels placed
// without MapLibre glyphs, never overlapping, following the map. Same harness
// as map.test.mjs (harness.mjs): needs a running atlas server with the demo
// (ATLAS_URL).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, BASE, sharedBrowser, open } from './harness.mjs';

const browser = sharedBrowser();

/** Waits for a label placement newer than `after` on a map at rest. */
async function placed(page, after) {
  await page.waitForFunction(
    (n) => {
      const l = document.getElementById('etiquettes');
      return l && Number(l.dataset.maj) > n && !window.__atlas.map.isMoving();
    },
    after,
    { timeout: 30_000 },
  );
}

const version = (page) => page.evaluate(() => Number(document.getElementById('etiquettes')?.dataset.maj ?? 0));

/** Visible labels with their screen rectangles. */
function visibleLabels(page) {
  return page.$$eval('#etiquettes .etiquette-territoire:not([hidden])', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { text: e.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom, fontSize: parseFloat(getComputedStyle(e).fontSize) };
    }),
  );
}

function assertNoOverlap(labels) {
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i];
      const b = labels[j];
      const overlap = a.l < b.r && a.r > b.l && a.t < b.b && a.b > b.t;
      assert.ok(!overlap, `labels overlap: ${a.text} ${JSON.stringify(a)} / ${b.text} ${JSON.stringify(b)}`);
    }
  }
}

describe('noms des territoires sur la carte', () => {
  test('étiquettes lisibles, sans chevauchement, qui suivent la carte, hors ligne', async () => {
    const { context, page, errors, requests } = await open(browser());
    await page.waitForFunction(() => document.querySelectorAll('#etiquettes .etiquette-territoire:not([hidden])').length > 0, null, {
      timeout: 30_000,
    });
    const state = await page.evaluate(() => window.__atlas.state());
    assert.equal(state.level, 'zone-emploi');
    const home = await visibleLabels(page);
    assert.ok(home.length >= 3, `only ${home.length} labels at the default view`);
    assertNoOverlap(home);
    // Labels sit inside the map.
    const box = await page.evaluate(() => {
      const r = document.getElementById('carte').getBoundingClientRect();
      return { l: r.left, t: r.top, r: r.right, b: r.bottom };
    });
    for (const l of home) assert.ok(l.l >= box.l && l.r <= box.r && l.t >= box.t && l.b <= box.b, `${l.text} outside the map`);
    // Not drawn by MapLibre: no glyph request, no symbol layer.
    const symbols = await page.evaluate(() => window.__atlas.map.getStyle().layers.filter((l) => l.type === 'symbol').length);
    assert.equal(symbols, 0);
    await page.screenshot({ path: ARTIFACTS + 'labels-01-accueil.png' });

    // Occitanie at z7: Toulouse is named.
    let v = await version(page);
    await page.evaluate(() => window.__atlas.map.jumpTo({ center: [1.44, 43.6], zoom: 7 }));
    await placed(page, v);
    await page.waitForFunction(
      () => [...document.querySelectorAll('#etiquettes .etiquette-territoire:not([hidden])')].some((e) => e.textContent === 'Toulouse'),
      null,
      { timeout: 30_000 },
    );
    const occitanie = await visibleLabels(page);
    assert.ok(occitanie.length > home.length / 3, `${occitanie.length} labels at z7`);
    assertNoOverlap(occitanie);
    const toulouse = occitanie.find((l) => l.text === 'Toulouse');
    // Its label lies on the Toulouse zone d'emploi.
    const under = await page.evaluate(
      ({ x, y }) => {
        const m = window.__atlas.map;
        const c = m.getCanvas().getBoundingClientRect();
        const f = m.queryRenderedFeatures([x - c.left, y - c.top], { layers: ['aplat-zones-emploi'] })[0];
        return f?.properties.name;
      },
      { x: (toulouse.l + toulouse.r) / 2, y: (toulouse.t + toulouse.b) / 2 },
    );
    assert.equal(under, 'Toulouse');
    await page.screenshot({ path: ARTIFACTS + 'labels-02-occitanie-z7.png' });

    // A pan: the labels follow at once (during the move) and after placement.
    v = await version(page);
    const moved = await page.evaluate(() => {
      window.__atlas.map.panBy([150, 80], { animate: false });
      const e = [...document.querySelectorAll('#etiquettes .etiquette-territoire:not([hidden])')].find((x) => x.textContent === 'Toulouse');
      const r = e.getBoundingClientRect();
      return { l: r.left, t: r.top };
    });
    assert.ok(Math.abs(moved.l - (toulouse.l - 150)) < 2 && Math.abs(moved.t - (toulouse.t - 80)) < 2, `label follows the pan: ${JSON.stringify({ toulouse, moved })}`);
    await placed(page, v);
    const panned = await visibleLabels(page);
    assertNoOverlap(panned);
    const t2 = panned.find((l) => l.text === 'Toulouse');
    assert.ok(t2, 'Toulouse still labelled after the pan');
    assert.ok(Math.abs(t2.l - (toulouse.l - 150)) < 16 && Math.abs(t2.t - (toulouse.t - 80)) < 16, `after the pan: ${JSON.stringify({ toulouse, t2 })}`);

    // Presentation mode: bigger labels, still apart.
    v = await version(page);
    await page.click('#bouton-presentation');
    await page.waitForFunction(() => document.body.classList.contains('presentation'));
    await placed(page, v);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const big = await visibleLabels(page);
    assert.ok(big.length > 0);
    assert.ok(big[0].fontSize > occitanie[0].fontSize, `presentation labels bigger (${big[0].fontSize} > ${occitanie[0].fontSize})`);
    assertNoOverlap(big);
    // Nor under the map controls or the presentation button.
    const obstacles = await page.$$eval('.maplibregl-ctrl, #bouton-presentation', (els) =>
      els.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => ({ text: 'contrôle', l: r.left, t: r.top, r: r.right, b: r.bottom })),
    );
    assert.ok(obstacles.length > 0);
    for (const o of obstacles) for (const l of big) assertNoOverlap([l, o]);
    await page.screenshot({ path: ARTIFACTS + 'labels-03-presentation.png' });

    console.log(
      `étiquettes : ${home.length} à la vue par défaut, ${occitanie.length} sur l'Occitanie (z7), ${big.length} en mode présentation (${big[0].fontSize}px)`,
    );
    assert.deepEqual(errors, []);
    const outside = requests.filter((u) => {
      const url = new URL(u);
      return url.protocol.startsWith('http') && url.hostname !== new URL(BASE).hostname;
    });
    assert.deepEqual(outside, []);
    await context.close();
  });
});
