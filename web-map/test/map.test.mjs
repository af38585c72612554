// Browser test of the workshop map: Debian chromium driven by playwright-core
// against a running atlas server with the demo data (ATLAS_URL), through
// harness.mjs. Starts nothing itself: deploy/browser-test.sh does.
// Screenshots go to test-artifacts/ at the repository root.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, BASE, allRequests, api, assertNothingLeftLoopback, choroplethPath, insetsUpdated, sharedBrowser, open, settle } from './harness.mjs';

const browser = sharedBrowser();

async function legendCounts(page) {
  return page.$$eval('#legende tbody tr', (rows) =>
    rows.map((r) => ({ kind: r.dataset.kind, count: Number(r.dataset.count), label: r.querySelector('th')?.textContent })),
  );
}

function apiCounts(ch) {
  return ch.legend.map((c) => ({ kind: c.kind, count: c.count, label: c.label }));
}

describe('carte des ateliers', () => {
  test('la page se charge sans erreur et dessine les territoires', async () => {
    const { context, page, errors } = await open(browser());
    const info = await page.evaluate(() => {
      const a = window.__atlas;
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        state: a.state(),
        rendered: a.atlas.renderedTerritories().length,
        firstPaintMs: a.metrics.firstPaintMs,
        domContentLoaded: nav?.domContentLoadedEventEnd,
        marks: a.metrics.marks(),
        title: document.title,
        lang: document.documentElement.lang,
      };
    });
    assert.equal(info.lang, 'fr');
    assert.ok(info.rendered > 50, `only ${info.rendered} features rendered`);
    console.log(
      `premier rendu utile (premier idle avec territoires, cache froid) : ${info.firstPaintMs.toFixed(0)} ms ` +
        `(DOMContentLoaded ${info.domContentLoaded?.toFixed(0)} ms, jalons ${JSON.stringify(info.marks)}) ; ${info.rendered} territoires dessinés (${info.state.indicator}, ${info.state.level})`,
    );
    await page.screenshot({ path: ARTIFACTS + '01-accueil.png' });
    assert.deepEqual(errors, []);
    await context.close();

    // One load is noise on a shared machine: four more cold loads, median.
    const times = [info.firstPaintMs];
    for (let i = 0; i < 4; i++) {
      const again = await open(browser());
      times.push(await again.page.evaluate(() => window.__atlas.metrics.firstPaintMs));
      assert.deepEqual(again.errors, []);
      await again.context.close();
    }
    times.sort((x, y) => x - y);
    console.log(
      `premier rendu utile sur ${times.length} chargements à froid : médiane ${times[2].toFixed(0)} ms ` +
        `(min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)} ; objectif 1 500 ms)`,
    );
  });

  test('la légende reprend les classes et effectifs du choroplèthe de l’API', async () => {
    const { context, page, errors } = await open(browser());
    const s = await page.evaluate(() => window.__atlas.state());
    const ch = await api(
      choroplethPath(s.indicator, { level: s.level, period: s.period, sex: s.sex, sector: s.sector, method: s.method, classes: s.classes }),
    );
    assert.deepEqual(await legendCounts(page), apiCounts(ch));
    const kinds = (await legendCounts(page)).map((r) => r.kind);
    assert.ok(kinds.includes('secret') && kinds.includes('missing'), 'secret and missing classes shown');
    const caption = await page.textContent('#legende caption');
    assert.match(caption, /Classes/);
    assert.match(await page.textContent('#legende .legende-source'), /Source/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('changer d’indicateur recolore sans recharger les tuiles', async () => {
    const { context, page, errors, requests } = await open(browser(), '#i=chomage-ze&l=zone-emploi');
    const a = await api(choroplethPath('chomage-ze', { level: 'zone-emploi' }));
    const b = await api(choroplethPath('population-ze', { level: 'zone-emploi' }));
    const classB = new Map(b.territories.map((t) => [t.code, t.class]));
    const known = a.territories.find((t) => t.status === 'published' && classB.has(t.code) && classB.get(t.code) !== t.class);
    assert.ok(known, 'a zone whose class differs between the two indicators');
    const colorIn = (ch, t) => ch.legend.find((c) => c.class === t.class).color;
    const stateOf = (id) =>
      page.evaluate((id) => window.__atlas.map.getFeatureState({ source: 'territoires-zones-emploi', sourceLayer: 'zones-emploi', id }), id);

    assert.equal((await stateOf(known.id)).color, colorIn(a, known));
    // The overseas insets fetch their own tiles once, after the first paint.
    await insetsUpdated(page);
    const tilesBefore = requests.filter((u) => u.includes('/tiles/')).length;
    assert.ok(tilesBefore > 0, 'tile requests are observed');

    await settle(page, () => page.selectOption('#ctl-indicateur', 'population-ze'));
    const knownB = b.territories.find((t) => t.code === known.code);
    const after = await stateOf(known.id);
    assert.equal(after.color, colorIn(b, knownB), `${known.name} (${known.code}) recoloured`);
    assert.notEqual(after.color, colorIn(a, known));
    assert.deepEqual(await legendCounts(page), apiCounts(b));
    await page.screenshot({ path: ARTIFACTS + '02-population-ze.png' });

    // A few more switches for the timing figures (all 306 zones d'emploi).
    for (const id of ['chomage-ze', 'population-ze', 'chomage-ze', 'population-ze', 'chomage-ze']) {
      await settle(page, () => page.selectOption('#ctl-indicateur', id));
    }
    const tilesAfter = requests.filter((u) => u.includes('/tiles/')).length;
    assert.equal(tilesAfter, tilesBefore, 'no tile requested by an indicator switch');
    const rec = await page.evaluate(() => window.__atlas.metrics.recolours);
    const ms = (k) => rec.map((r) => r[k]).sort((x, y) => x - y);
    const med = (xs) => xs[Math.floor(xs.length / 2)];
    console.log(
      `recoloriage des ${b.territories.length} zones d'emploi au changement d'indicateur (${rec.length} changements) : ` +
        `médiane ${med(ms('totalMs')).toFixed(1)} ms de bout en bout (requête API ${med(ms('fetchMs')).toFixed(1)} ms, ` +
        `setFeatureState ${med(ms('applyMs')).toFixed(1)} ms, jusqu'au rendu « idle »), max ${Math.max(...ms('totalMs')).toFixed(1)} ms ; ` +
        `premier changement (cache API froid) ${rec[0].totalMs.toFixed(1)} ms`,
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('l’URL porte tout l’état de la vue (aller-retour)', async () => {
    const hash = '#i=demo-at-frequence&l=departement&p=2022&s=femmes&sec=38&m=jenks&k=4&z=5.50&lat=45.5000&lon=4.5000&sel=69';
    const { context, page, errors } = await open(browser(), hash);
    const ctl = await page.evaluate(() => ({
      indicator: document.querySelector('#ctl-indicateur').value,
      level: document.querySelector('#ctl-niveau').value,
      period: document.querySelector('#ctl-periode-valeur').value,
      sex: document.querySelector('#ctl-sexe').value,
      sector: document.querySelector('#ctl-secteur').value,
      method: document.querySelector('#ctl-methode').value,
      classes: document.querySelector('#ctl-classes').value,
      theme: document.querySelector('#ctl-theme').value,
    }));
    assert.deepEqual(ctl, {
      indicator: 'demo-at-frequence',
      level: 'departement',
      period: '2022',
      sex: 'femmes',
      sector: '38',
      method: 'jenks',
      classes: '4',
      theme: 'sinistralite',
    });
    const cam = await page.evaluate(() => {
      const m = window.__atlas.map;
      return { z: m.getZoom(), lat: m.getCenter().lat, lon: m.getCenter().lng, sel: window.__atlas.state().selection };
    });
    assert.ok(Math.abs(cam.z - 5.5) < 1e-6 && Math.abs(cam.lat - 45.5) < 1e-4 && Math.abs(cam.lon - 4.5) < 1e-4, JSON.stringify(cam));
    assert.equal(cam.sel, '69');
    assert.match(await page.textContent('#selection h2'), /Rhône/);
    const ch = await api(
      choroplethPath('demo-at-frequence', { level: 'departement', period: '2022', sex: 'femmes', sector: '38', method: 'jenks', classes: 4 }),
    );
    assert.deepEqual(await legendCounts(page), apiCounts(ch));
    // The page writes back the same state.
    assert.equal(new URL(page.url()).hash, hash);
    await page.screenshot({ path: ARTIFACTS + '03-url-demo-at-frequence.png' });

    // Changing a control rewrites the URL; reloading it gives the same view.
    await settle(page, () => page.selectOption('#ctl-sexe', 'hommes'));
    const written = page.url();
    assert.match(written, /[#&]s=hommes/);
    const again = await open(browser(), new URL(written).hash);
    assert.equal(await again.page.evaluate(() => document.querySelector('#ctl-sexe').value), 'hommes');
    assert.deepEqual(await legendCounts(again.page), await legendCounts(page));
    assert.deepEqual(errors, []);
    assert.deepEqual(again.errors, []);
    await again.context.close();
    await context.close();
  });

  test('un territoire sous secret statistique est montré comme secret', async () => {
    const q = { level: 'departement', sex: 'femmes', sector: '38' };
    const ch = await api(choroplethPath('demo-at-frequence', q));
    const secrets = ch.territories.filter((t) => t.status === 'secret');
    assert.ok(secrets.length > 0, 'the demo has secret départements for this breakdown');
    const { context, page, errors } = await open(browser(), '#i=demo-at-frequence&l=departement&s=femmes&sec=38&z=5&lat=46.6&lon=2.5');
    // A screen point inside a metropolitan secret département.
    const found = await page.evaluate((ids) => {
      const m = window.__atlas.map;
      const canvas = m.getCanvas().getBoundingClientRect();
      const want = new Set(ids);
      for (let y = 20; y < canvas.height - 20; y += 12) {
        for (let x = 20; x < canvas.width - 20; x += 12) {
          const f = m.queryRenderedFeatures([x, y], { layers: ['aplat-departements'] })[0];
          if (f && want.has(Number(f.id))) {
            return { x: x + canvas.left, y: y + canvas.top, id: Number(f.id), state: m.getFeatureState({ source: f.source, sourceLayer: f.sourceLayer, id: f.id }) };
          }
        }
      }
      return null;
    }, secrets.map((t) => t.id));
    assert.ok(found, 'a secret département is on screen');
    const t = secrets.find((s) => s.id === found.id);
    assert.equal(found.state.secret, true);
    await page.mouse.move(found.x, found.y);
    await page.waitForSelector('#infobulle:not([hidden])');
    const text = await page.textContent('#infobulle');
    assert.match(text, /secret statistique/);
    assert.ok(text.includes(t.name) && text.includes(t.code), text);
    assert.doesNotMatch(text, /\d+,\d\s*accidents/);
    console.log(`secret : ${t.name} (${t.code}) → infobulle « ${text.replace(/\s+/g, ' ')} »`);
    await page.screenshot({ path: ARTIFACTS + '04-secret-infobulle.png' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('aucune requête ne sort de 127.0.0.1', () => {
    assertNothingLeftLoopback();
    assert.ok(allRequests().every((u) => !u.startsWith('http') || new URL(u).hostname === new URL(BASE).hostname));
  });
});
