// Browser test of the regional view: a server started with `--region 76`
// (ATLAS_REGION_URL, started by deploy/browser-test.sh next to ATLAS_URL)
// opens on Occitanie, classes computed on its territories only, the rest of
// France drawn as context; the commune level, loaded for Occitanie and
// Auvergne-Rhône-Alpes only, is drawn and coloured there.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, BASE, api, assertNothingLeftLoopback, choroplethPath, sharedBrowser, open, settle } from './harness.mjs';

const REGION_BASE = process.env.ATLAS_REGION_URL;
if (!REGION_BASE) {
  throw new Error('ATLAS_REGION_URL is not set: run `bash deploy/browser-test.sh`, or start `atlas serve --region 76` and set ATLAS_REGION_URL');
}

const browser = sharedBrowser();

async function legendCounts(page) {
  return page.$$eval('#legende tbody tr', (rows) => rows.map((r) => ({ kind: r.dataset.kind, count: Number(r.dataset.count) })));
}

const apiCounts = (ch) => ch.legend.map((c) => ({ kind: c.kind, count: c.count }));

/** Screen point of a lon/lat and the feature of `layer` drawn there. */
function featureAt(page, layer, lonlat) {
  return page.evaluate(
    ([layer, [lon, lat]]) => {
      const m = window.__atlas.map;
      const p = m.project([lon, lat]);
      const r = m.getCanvas().getBoundingClientRect();
      const f = m.queryRenderedFeatures([p.x, p.y], { layers: [layer] })[0];
      return { x: p.x + r.left, y: p.y + r.top, id: f ? Number(f.id) : null, region: f?.properties.region ?? null };
    },
    [layer, lonlat],
  );
}

describe('vue régionale (serveur configuré pour l’Occitanie)', () => {
  test('la carte s’ouvre sur l’Occitanie, classes calculées sur ses zones d’emploi', async () => {
    const view = await api('/api/v1/default-view', REGION_BASE);
    assert.equal(view.region.code, '76');
    const { context, page, errors } = await open(browser(), '', { base: REGION_BASE });
    const s = await page.evaluate(() => window.__atlas.state());
    assert.equal(s.region, '76');
    assert.match(page.url(), /[#&]r=76(&|$)/, 'the région is in the link');

    // The camera frames Occitanie, not France.
    const b = await page.evaluate(() => window.__atlas.map.getBounds().toArray());
    const [w, so, e, n] = view.region.bbox;
    assert.ok(b[0][0] <= w && b[0][1] <= so && b[1][0] >= e && b[1][1] >= n, `Occitanie ${view.region.bbox} inside the view ${JSON.stringify(b)}`);
    assert.ok(b[1][0] - b[0][0] < 15, `the view is regional, not France-wide: ${JSON.stringify(b)}`);

    // Legend = the API's regional choropleth, which is not the national one.
    const regional = await api(choroplethPath(s.indicator, { level: s.level, within: 'region:76' }));
    const national = await api(choroplethPath(s.indicator, { level: s.level }));
    assert.deepEqual(await legendCounts(page), apiCounts(regional));
    assert.notDeepEqual(apiCounts(regional), apiCounts(national));
    assert.match(await page.textContent('#legende .legende-periode'), /^Occitanie · /);
    assert.match(await page.textContent('#legende .legende-contexte'), /hors de Occitanie/);

    // Toulouse (inside) is coloured with its regional class; Paris (outside)
    // is context: no class, a tooltip that says so, a click that selects nothing.
    const toulouse = regional.territories.find((t) => t.code === '7625');
    const stateOf = (id) =>
      page.evaluate((id) => window.__atlas.map.getFeatureState({ source: 'territoires-zones-emploi', sourceLayer: 'zones-emploi', id }), id);
    assert.equal((await stateOf(toulouse.id)).color, regional.legend.find((c) => c.class === toulouse.class).color);
    await page.evaluate(() => window.__atlas.map.jumpTo({ center: [2.2, 45.6], zoom: 5.6 }));
    await page.waitForFunction(() => window.__atlas.map.loaded() && !window.__atlas.map.isMoving());
    const clermont = await featureAt(page, 'aplat-zones-emploi', [3.08, 45.78]);
    assert.ok(clermont.id, 'a zone d’emploi of Auvergne-Rhône-Alpes is drawn');
    assert.equal(clermont.region, '84');
    assert.equal((await stateOf(clermont.id)).color, undefined, 'no colour outside the région studied');
    await page.mouse.move(clermont.x, clermont.y);
    await page.waitForSelector('#infobulle:not([hidden])');
    assert.match(await page.textContent('#infobulle'), /hors du territoire d’étude \(Occitanie\)/);
    await page.mouse.click(clermont.x, clermont.y);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__atlas.state().selection), '');
    await page.screenshot({ path: ARTIFACTS + '20-occitanie-zones-emploi.png' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('le lien régional rouvre la même vue ; « France entière » revient aux classes nationales', async () => {
    const { context, page, errors } = await open(browser(), '', { base: REGION_BASE });
    await page.evaluate(() => window.__atlas.map.jumpTo({ center: [1.9, 43.7], zoom: 7 }));
    await page.waitForFunction(() => /[#&]z=7\.00/.test(location.hash));
    const link = page.url();
    const again = await context.newPage();
    await again.goto(link);
    await again.waitForFunction(() => window.__atlas?.metrics.firstPaintMs != null);
    assert.equal(again.url(), link, 'the same link, written back unchanged');
    assert.deepEqual(await again.evaluate(() => window.__atlas.state()), await page.evaluate(() => window.__atlas.state()));
    await again.close();

    const s = await page.evaluate(() => window.__atlas.state());
    const national = await api(choroplethPath(s.indicator, { level: s.level }));
    await settle(page, () => page.selectOption('#ctl-etude', ''));
    assert.match(page.url(), /[#&]r=fr(&|$)/, 'France written explicitly on an instance whose default is a région');
    assert.deepEqual(await legendCounts(page), apiCounts(national));
    assert.equal(await page.$('#legende .legende-contexte'), null);
    await page.waitForFunction(() => !window.__atlas.map.isMoving());
    const width = await page.evaluate(() => {
      const b = window.__atlas.map.getBounds();
      return b.getEast() - b.getWest();
    });
    assert.ok(width > 12, `France-wide view (${width.toFixed(1)}° wide)`);

    // And another région from the list: Auvergne-Rhône-Alpes.
    await settle(page, () => page.selectOption('#ctl-etude', '84'));
    assert.match(page.url(), /[#&]r=84(&|$)/);
    const ara = await api(choroplethPath(s.indicator, { level: s.level, within: 'region:84' }));
    assert.deepEqual(await legendCounts(page), apiCounts(ara));
    assert.match(await page.textContent('#legende .legende-periode'), /^Auvergne-Rhône-Alpes · /);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('les communes d’Occitanie sont dessinées et colorées, conformes à l’API', async () => {
    const { context, page, errors } = await open(browser(), '#i=population-commune&l=commune', { base: REGION_BASE });
    const ch = await api(choroplethPath('population-commune', { level: 'commune', within: 'region:76' }));
    assert.equal(ch.territories.length, 4445, 'every commune of Occitanie (2018 geography) in the answer');
    assert.deepEqual(await legendCounts(page), apiCounts(ch));
    const drawn = await page.evaluate(() => new Set(window.__atlas.atlas.renderedTerritories().map((f) => f.id)).size);
    assert.ok(drawn > 2000, `${drawn} communes drawn`);
    // Toulouse (31555) coloured with its class, and its tooltip.
    const detail = await api('/api/v1/territories/commune/31555');
    const t = ch.territories.find((x) => x.code === '31555');
    const color = await page.evaluate(
      (id) => window.__atlas.map.getFeatureState({ source: 'territoires-communes', sourceLayer: 'communes', id }).color,
      t.id,
    );
    assert.equal(color, ch.legend.find((c) => c.class === t.class).color);
    const at = await featureAt(page, 'aplat-communes', detail.centroid);
    assert.equal(at.id, detail.id);
    await page.mouse.move(at.x, at.y);
    await page.waitForSelector('#infobulle:not([hidden])');
    const tip = await page.textContent('#infobulle');
    assert.match(tip, /Toulouse/);
    assert.match(tip, /Commune 31555/);
    await page.screenshot({ path: ARTIFACTS + '21-occitanie-communes.png' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('un lien vers une région inconnue ouvre la France et le dit', async () => {
    const { context, page, errors } = await open(browser(), '#r=99', { base: BASE });
    assert.equal(await page.evaluate(() => window.__atlas.state().region), '');
    assert.match(await page.textContent('#etat'), /Région 99 inconnue/);
    // The failed lookup is a 404 the page reports itself, not an error.
    assert.ok(errors.every((e) => /404/.test(e)), errors.join('\n'));
    await context.close();
  });

  test('aucune requête ne sort de 127.0.0.1', () => {
    assertNothingLeftLoopback();
  });
});
