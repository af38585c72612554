// Browser test of the maps side by side (compare.ts): each panel's legend is
// the API's choropleth, the maps move together, hover and selection show on
// all, the link reopens the same panels, and the layout holds at 390, 1280
// and 1920 px with keyboard and touch. Through harness.mjs, against the demo
// data (deploy/browser-test.sh starts the server).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, PHONE, api, assertNothingLeftLoopback, choroplethPath, open, sharedBrowser } from './harness.mjs';

const browser = sharedBrowser();

/** Waits for a comparison refresh newer than `after` (default: the first), and that it went well. */
async function compared(page, after = 0) {
  await page.waitForFunction((n) => window.__atlas.compare.refreshes > n, after, { timeout: 30_000 });
  const err = await page.evaluate(() => window.__atlas.compare.error);
  assert.equal(err, null, `comparison error: ${err}`);
}

/** Runs an action that changes the panels and waits for them to be drawn. */
async function change(page, action) {
  const before = await page.evaluate(() => window.__atlas.compare.refreshes);
  await action();
  await compared(page, before);
}

async function panels(page) {
  return page.evaluate(() =>
    window.__atlas.compare.panels().map((p) => {
      const c = p.map.getCenter();
      return {
        indicator: p.state.indicator,
        level: p.state.level,
        period: p.choropleth?.period,
        sex: p.state.sex,
        center: [c.lng, c.lat],
        zoom: p.map.getZoom(),
      };
    }),
  );
}

/** Each panel's legend rows against the choropleth the API answers for that panel's view. */
async function assertLegendsMatchAPI(page) {
  const views = await page.evaluate(() => window.__atlas.compare.panels().map((p) => p.state));
  for (const [i, s] of views.entries()) {
    const ch = await api(
      choroplethPath(s.indicator, { level: s.level, period: s.period, sex: s.sex, sector: s.sector, method: s.method, classes: s.classes }),
    );
    const rows = await page.$$eval(`.comparaison-panneau[data-panneau="${i + 1}"] .comparaison-legende tbody tr`, (trs) =>
      trs.map((r) => ({ kind: r.dataset.kind, count: Number(r.dataset.count), label: r.querySelector('th')?.textContent })),
    );
    assert.deepEqual(
      rows,
      ch.legend.map((c) => ({ kind: c.kind, count: c.count, label: c.label })),
      `panel ${i + 1} (${s.indicator} ${s.period} ${s.sex})`,
    );
    const title = await page.textContent(`.comparaison-panneau[data-panneau="${i + 1}"] .comparaison-legende h2`);
    assert.equal(title, ch.label);
    assert.match(await page.textContent(`.comparaison-panneau[data-panneau="${i + 1}"] .legende-source`), /Source/);
  }
  return views;
}

/** A screen point of panel `i` (0-based) over a territory of its level, and that territory's id. */
async function territoryPoint(page, i, skip = 0) {
  return page.evaluate(([i, skip]) => {
    const p = window.__atlas.compare.panels()[i];
    const m = p.map;
    const layer = p.atlas.fillLayerId(p.state.level);
    const r = m.getCanvas().getBoundingClientRect();
    const ids = new Set(p.choropleth.territories.filter((t) => t.status === 'published').map((t) => t.id));
    const seen = new Set(); // the territories skipped, one point each
    for (let y = Math.round(r.height / 2); y < r.height - 20; y += 10) {
      for (let x = Math.round(r.width / 2); x < r.width - 20; x += 10) {
        const f = m.queryRenderedFeatures([x, y], { layers: [layer] })[0];
        // Not under the panel's legend or readout, which would take the pointer.
        const onMap = document.elementFromPoint(x + r.left, y + r.top) === m.getCanvas();
        if (f && onMap && ids.has(Number(f.id)) && !seen.has(Number(f.id))) {
          if (seen.size === skip) return { x: x + r.left, y: y + r.top, id: Number(f.id) };
          seen.add(Number(f.id));
        }
      }
    }
    return null;
  }, [i, skip]);
}

async function featureStates(page, id) {
  return page.evaluate(
    (id) =>
      window.__atlas.compare.panels().map((p) => {
        const layer = p.atlas.fillLayerId(p.state.level);
        const src = p.map.getLayer(layer).source;
        const sourceLayer = p.map.getLayer(layer).sourceLayer;
        return p.map.getFeatureState({ source: src, sourceLayer, id });
      }),
    id,
  );
}

function assertSameCamera(ps, main) {
  for (const p of ps) {
    assert.ok(Math.abs(p.zoom - main.zoom) < 1e-6, `zoom ${p.zoom} vs ${main.zoom}`);
    assert.ok(Math.abs(p.center[0] - main.center[0]) < 1e-6 && Math.abs(p.center[1] - main.center[1]) < 1e-6, `centre ${p.center} vs ${main.center}`);
  }
}

async function mainCamera(page) {
  return page.evaluate(() => {
    const m = window.__atlas.map;
    const c = m.getCenter();
    return { center: [c.lng, c.lat], zoom: m.getZoom() };
  });
}

describe('cartes côte à côte', () => {
  let sharedLink = '';

  test('entrée / sortie, femmes / hommes, AT / chômage : légendes de l’API, caméra, survol et sélection partagés', async () => {
    const { context, page, errors } = await open(browser(), '#i=demo-at-frequence&l=departement');
    // The header's button opens the first preset that fits: entry / exit of the plan.
    await change(page, () => page.click('#bouton-comparer'));
    assert.equal(await page.getAttribute('#bouton-comparer', 'aria-pressed'), 'true');
    const ind = (await api('/api/v1/indicators')).indicators.find((i) => i.id === 'demo-at-frequence');
    let ps = await panels(page);
    assert.deepEqual(
      ps.map((p) => p.period),
      [ind.vintages[0], ind.vintages[ind.vintages.length - 1]],
    );
    await assertLegendsMatchAPI(page);

    await change(page, () => page.click('[data-preset="sexes"]'));
    ps = await panels(page);
    assert.deepEqual(
      ps.map((p) => [p.indicator, p.sex]),
      [
        ['demo-at-frequence', 'femmes'],
        ['demo-at-frequence', 'hommes'],
      ],
    );
    await assertLegendsMatchAPI(page);
    const titles = await page.$$eval('.comparaison-titre', (h) => h.map((x) => x.textContent));
    assert.ok(titles[0].includes('Femmes') && titles[1].includes('Hommes'), titles.join(' | '));

    await change(page, () => page.click('[data-preset="at-chomage"]'));
    ps = await panels(page);
    assert.deepEqual(
      ps.map((p) => [p.indicator, p.level]),
      [
        ['demo-at-frequence', 'departement'],
        ['chomage-departement', 'departement'],
      ],
    );
    await assertLegendsMatchAPI(page);
    await page.screenshot({ path: ARTIFACTS + 'comparaison-1280-at-chomage.png' });

    // A drag on the first map moves the second and the main map (whose camera is the link's).
    const box = await page.locator('.comparaison-panneau[data-panneau="1"] .comparaison-carte').boundingBox();
    const before = await mainCamera(page);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 8 });
    await page.mouse.up();
    await page.mouse.wheel(0, -300);
    await page.waitForFunction(() => window.__atlas.compare.panels().every((p) => !p.map.isMoving()) && !window.__atlas.map.isMoving());
    const moved = await mainCamera(page);
    assert.ok(Math.abs(moved.center[0] - before.center[0]) > 0.1, `the drag moved the camera (${before.center} → ${moved.center})`);
    assertSameCamera(await panels(page), moved);
    // The other way round: a drag on the second map moves the first.
    const box2 = await page.locator('.comparaison-panneau[data-panneau="2"] .comparaison-carte').boundingBox();
    await page.mouse.move(box2.x + box2.width / 2, box2.y + box2.height / 2);
    await page.mouse.down();
    await page.mouse.move(box2.x + box2.width / 2 - 60, box2.y + box2.height / 2 - 30, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction(() => window.__atlas.compare.panels().every((p) => !p.map.isMoving()) && !window.__atlas.map.isMoving());
    const moved2 = await mainCamera(page);
    assert.notDeepEqual(moved2.center, moved.center);
    assertSameCamera(await panels(page), moved2);
    console.log(`caméra partagée : centre ${moved2.center.map((x) => x.toFixed(4))} zoom ${moved2.zoom.toFixed(3)} sur les 2 cartes et la carte principale`);

    // Hover on the first map: outlined on the second, each panel reads out its own value.
    let pt = await territoryPoint(page, 0);
    assert.ok(pt, 'a département under the first map');
    // The pointer may rest where it already was after the drags: move it
    // off and back until both panels outline the territory under it, and
    // after two misses try the next territory.
    for (let attempt = 0; attempt < 6; attempt++) {
      if (attempt > 0 && attempt % 2 === 0) pt = (await territoryPoint(page, 0, attempt / 2)) ?? pt;
      await page.mouse.move(pt.x + 3, pt.y + 3);
      await page.mouse.move(pt.x, pt.y);
      const ok = await page
        .waitForFunction(
          (id) =>
            [...document.querySelectorAll('.comparaison-panneau')].every((p) => p.dataset.lecture) &&
            window.__atlas.compare.panels().every((p) => {
              const layer = p.map.getLayer(p.atlas.fillLayerId(p.state.level));
              return p.map.getFeatureState({ source: layer.source, sourceLayer: layer.sourceLayer, id }).hover === true;
            }),
          pt.id,
          { timeout: 2000 },
        )
        .then(() => true, () => false);
      if (ok) break;
    }
    const states = await featureStates(page, pt.id);
    assert.equal(states[0].hover, true);
    assert.equal(states[1].hover, true, 'hover shown on the second map');
    const [chAT, chCh] = await page.evaluate(() => window.__atlas.compare.panels().map((p) => p.choropleth));
    const tAT = chAT.territories.find((t) => t.id === pt.id);
    const tCh = chCh.territories.find((t) => t.id === pt.id);
    const readouts = await page.$$eval('.comparaison-lecture', (r) => r.map((x) => x.textContent));
    assert.ok(readouts[0].startsWith(tAT.name) && readouts[1].startsWith(tCh.name), readouts.join(' | '));
    for (const [t, text] of [
      [tAT, readouts[0]],
      [tCh, readouts[1]],
    ]) {
      if (t.status === 'secret') assert.match(text, /secret statistique/);
      // The integer part, as the readout rounds (28,96 reads 29,0).
      else if (t.status === 'published') assert.match(text, new RegExp(`${Math.trunc(t.value)}|${Math.round(t.value)}`));
    }
    console.log(`survol partagé : ${readouts.join(' | ')}`);

    // A click selects on both maps and in the view state.
    await page.mouse.click(pt.x, pt.y);
    await page.waitForFunction((code) => window.__atlas.state().selection === code, tAT.code);
    const selected = await featureStates(page, pt.id);
    assert.ok(selected.every((s) => s.selected === true), JSON.stringify(selected));
    await page.screenshot({ path: ARTIFACTS + 'comparaison-1280-survol-selection.png' });

    // Keyboard: the second map's canvas takes the focus and the arrows pan every map.
    await page.focus('.comparaison-panneau[data-panneau="2"] canvas');
    const k0 = await mainCamera(page);
    const periodBefore = await page.evaluate(() => window.__atlas.state().period);
    // One key at a time: a zoom started during the pan's easing would cut it short.
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(
      (x0) =>
        window.__atlas.map.getCenter().lng < x0 &&
        !window.__atlas.map.isMoving() &&
        window.__atlas.compare.panels().every((p) => !p.map.isMoving()),
      k0.center[0],
    );
    await page.keyboard.press('Equal');
    await page.waitForFunction(
      (z0) =>
        window.__atlas.map.getZoom() > z0 + 0.5 &&
        !window.__atlas.map.isMoving() &&
        window.__atlas.compare.panels().every((p) => !p.map.isMoving()),
      k0.zoom,
    );
    const k1 = await mainCamera(page);
    assert.ok(k1.zoom > k0.zoom + 0.5, `zoomed by the keyboard ${k0.zoom} → ${k1.zoom}`);
    assert.ok(k1.center[0] < k0.center[0], `panned west by the keyboard ${k0.center} → ${k1.center}`);
    // The arrows went to the map, not to the hidden main map's period (presentation.ts's shortcut).
    assert.equal(await page.evaluate(() => window.__atlas.state().period), periodBefore);
    assertSameCamera(await panels(page), k1);

    // Free choice per panel: the second map's period and indicator.
    await change(page, () => page.selectOption('.comparaison-panneau[data-panneau="2"] .cmp-indicateur', 'demo-mp-nombre'));
    await change(page, () => page.selectOption('.comparaison-panneau[data-panneau="2"] .cmp-sexe', 'femmes'));
    ps = await panels(page);
    assert.deepEqual([ps[1].indicator, ps[1].sex], ['demo-mp-nombre', 'femmes']);
    await assertLegendsMatchAPI(page);
    // The selection outlives the change (same level).
    assert.equal((await featureStates(page, pt.id))[1].selected, true);

    sharedLink = await page.evaluate(() => location.hash);
    assert.match(sharedLink, /cmp=/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('le lien rouvre les mêmes cartes ; quatre cartes sur un écran de 1920 px', async () => {
    assert.ok(sharedLink, 'the first test left a link');
    const { context, page, errors } = await open(browser(), sharedLink, { viewport: { width: 1920, height: 1080 } });
    await compared(page);
    const ps = await panels(page);
    const st = await page.evaluate(() => window.__atlas.state());
    assert.deepEqual(
      ps.map((p) => [p.indicator, p.level, p.sex]),
      [
        ['demo-at-frequence', 'departement', 'ensemble'],
        ['demo-mp-nombre', 'departement', 'femmes'],
      ],
    );
    const cam = new URLSearchParams(sharedLink.slice(1));
    assert.ok(Math.abs(ps[0].zoom - Number(cam.get('z'))) < 0.01, `zoom from the link ${ps[0].zoom} vs ${cam.get('z')}`);
    assert.ok(Math.abs(ps[0].center[1] - Number(cam.get('lat'))) < 0.001);
    assert.ok(st.selection, 'the selection came back with the link');
    const sel = await page.evaluate(() => window.__atlas.compare.panels().map((p) => p.choropleth.territories.find((t) => t.code === window.__atlas.state().selection)?.id));
    assert.ok(sel[0] !== undefined);
    assert.ok((await featureStates(page, sel[0])).every((s) => s.selected === true));
    await assertLegendsMatchAPI(page);
    await page.screenshot({ path: ARTIFACTS + 'comparaison-1920-2-cartes.png' });

    await change(page, () => page.click('[data-cartes="4"]'));
    assert.equal((await panels(page)).length, 4);
    await change(page, () => page.selectOption('.comparaison-panneau[data-panneau="3"] .cmp-indicateur', 'chomage-departement'));
    await change(page, () => page.selectOption('.comparaison-panneau[data-panneau="4"] .cmp-periode', '2020'));
    const four = await panels(page);
    assert.deepEqual(
      four.map((p) => p.indicator),
      ['demo-at-frequence', 'demo-mp-nombre', 'chomage-departement', 'demo-mp-nombre'],
    );
    assert.equal(four[3].period, '2020');
    await assertLegendsMatchAPI(page);
    assertSameCamera(four, await mainCamera(page));
    // Side by side: the four panels share the screen, none hidden.
    const boxes = await page.$$eval('.comparaison-panneau', (els) => els.map((e) => e.getBoundingClientRect().toJSON()));
    assert.ok(boxes.every((b) => b.width > 900 && b.height > 400), JSON.stringify(boxes.map((b) => [b.width, b.height])));
    await page.screenshot({ path: ARTIFACTS + 'comparaison-1920-4-cartes.png' });

    // Reload: the same four.
    const link = await page.evaluate(() => location.hash);
    await page.reload();
    await page.waitForFunction(() => window.__atlas?.compare.refreshes > 0, null, { timeout: 30_000 });
    assert.deepEqual(
      (await panels(page)).map((p) => [p.indicator, p.period, p.sex]),
      four.map((p) => [p.indicator, p.period, p.sex]),
    );
    assert.equal(await page.evaluate(() => location.hash), link);

    // Two again: the first two stay as they were, the others leave the page.
    await change(page, () => page.click('[data-cartes="2"]'));
    assert.equal(await page.locator('.comparaison-panneau').count(), 2);
    assert.deepEqual(
      (await panels(page)).map((p) => [p.indicator, p.period, p.sex]),
      four.slice(0, 2).map((p) => [p.indicator, p.period, p.sex]),
    );
    await assertLegendsMatchAPI(page);

    // Back to the single map: the link loses the comparison.
    await page.click('.comparaison-fermer');
    await page.waitForFunction(() => !location.hash.includes('cmp='));
    assert.equal(await page.isVisible('#comparaison'), false);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('téléphone (390 px) : une carte à la fois, onglets, toucher', async () => {
    const hash = '#i=demo-at-frequence&l=departement&cmp=demo-at-frequence~departement~~femmes,demo-at-frequence~departement~~hommes';
    const { context, page, errors } = await open(browser(), hash, { device: PHONE });
    await compared(page);
    const visible = async () => page.$$eval('.comparaison-panneau', (els) => els.map((e) => e.getBoundingClientRect().height > 0));
    assert.deepEqual(await visible(), [true, false]);
    await assertLegendsMatchAPI(page);
    await page.screenshot({ path: ARTIFACTS + 'comparaison-390-femmes.png' });
    await page.tap('.comparaison-onglets [role="tab"]:nth-child(2)');
    await page.waitForFunction(() => new URLSearchParams(location.hash.slice(1)).get('cmpa') === '1');
    assert.deepEqual(await visible(), [false, true]);
    // A second panel shown after display:none has its canvas at the panel's size.
    await page.waitForFunction(() => {
      const p = window.__atlas.compare.panels()[1];
      return p.map.getCanvas().clientWidth > 300 && !p.map.isMoving() && p.map.areTilesLoaded();
    });
    const pt = await territoryPoint(page, 1);
    assert.ok(pt, 'a département under the second map');
    await page.touchscreen.tap(pt.x, pt.y);
    await page.waitForFunction(() => window.__atlas.state().selection !== '');
    const selected = await featureStates(page, pt.id);
    assert.ok(selected.every((s) => s.selected === true), JSON.stringify(selected));
    const text = await page.textContent('.comparaison-panneau[data-panneau="2"] .comparaison-lecture');
    assert.ok(text.includes(' : '), text);
    // The tabs answer the keyboard's arrows too.
    await page.focus('.comparaison-onglets [role="tab"]:nth-child(2)');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => !new URLSearchParams(location.hash.slice(1)).has('cmpa'));
    assert.deepEqual(await visible(), [true, false]);
    await page.screenshot({ path: ARTIFACTS + 'comparaison-390-selection.png' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('niveaux différents côte à côte ; un lien d’une seule carte n’ouvre pas de comparaison', async () => {
    const { context, page, errors } = await open(
      browser(),
      '#cmp=demo-at-frequence~departement~~ensemble,chomage-ze~zone-emploi~~ensemble',
    );
    await compared(page);
    assert.deepEqual(
      (await panels(page)).map((p) => [p.indicator, p.level]),
      [
        ['demo-at-frequence', 'departement'],
        ['chomage-ze', 'zone-emploi'],
      ],
    );
    await assertLegendsMatchAPI(page);
    // A département hovered is no zone d'emploi: the second map outlines and reads out nothing.
    const pt = await territoryPoint(page, 0);
    await page.mouse.move(pt.x, pt.y);
    await page.waitForFunction(() => document.querySelector('.comparaison-panneau[data-panneau="1"]').dataset.lecture !== '');
    assert.equal(await page.getAttribute('.comparaison-panneau[data-panneau="2"]', 'data-lecture'), '');
    assert.equal(await page.isVisible('.comparaison-panneau[data-panneau="2"] .comparaison-lecture'), false);
    assert.deepEqual(errors, []);
    await context.close();

    // One panel (or three) is no comparison: the single map, and the link loses it.
    const one = await open(browser(), '#i=chomage-ze&cmp=chomage-ze~zone-emploi~~ensemble');
    assert.deepEqual(await one.page.evaluate(() => window.__atlas.state().compare), []);
    assert.equal(await one.page.isVisible('#comparaison'), false);
    assert.doesNotMatch(await one.page.evaluate(() => location.hash), /cmp=/);
    assert.deepEqual(one.errors, []);
    await one.context.close();
  });

  test('aucune requête ne sort de 127.0.0.1', () => {
    assertNothingLeftLoopback();
  });
});
