// Browser test of the analysis modes (analysis.ts): the evolution map, the
// crossing (bivariate map and scatter plot) and the women/men gap are painted
// with the API's colours and have its legend; a scatter point selects its
// territory; every mode and the profile's reference territory round-trip in
// the link; a workshop's followers get the facilitator's mode; no secret
// value reaches the page. Screenshots at 1280, 1920 and on a 390 × 844 touch
// phone. Through harness.mjs, against the demo data (deploy/browser-test.sh
// starts the server).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ARTIFACTS, BASE, PHONE, api, assertNothingLeftLoopback, open, settle, sharedBrowser } from './harness.mjs';

const browser = sharedBrowser();
/** The database BASE serves, to read the raw values the secret hides (optional). */
const DB = process.env.ATLAS_DATABASE_URL;

const frFormat = (v, decimals) => v.toLocaleString('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

/** `#rrggbb` → `rgb(r, g, b)`, as the DOM gives colours back. */
function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

/** The page's state, the API path the page asked for and the analysis it drew. */
async function drawn(page) {
  return page.evaluate(() => ({
    state: window.__atlas.state(),
    mode: window.__atlas.analysis()?.mode ?? '',
    level: window.__atlas.choropleth()?.level,
  }));
}

/**
 * Every territory of the API's answer has the colour of its class as the
 * map's feature-state (what the fill layer paints), secret ones flagged
 * secret; and the features rendered on screen carry those colours.
 */
async function assertPainted(page, answer, legend) {
  const colourOf = Object.fromEntries(legend.map((c) => [c.class, c.color]));
  const res = await page.evaluate(
    ({ territories, colourOf }) => {
      const a = window.__atlas.atlas;
      const m = a.map;
      const level = window.__atlas.choropleth().level;
      const layer = m.getLayer(a.fillLayerId(level));
      const bad = [];
      for (const t of territories) {
        const s = m.getFeatureState({ source: layer.source, sourceLayer: layer.sourceLayer, id: t.id });
        if (s.color !== colourOf[t.class] || !!s.secret !== (t.status === 'secret')) bad.push({ code: t.code, state: s, want: colourOf[t.class] });
      }
      const byId = new Map(territories.map((t) => [t.id, t]));
      const rendered = m.queryRenderedFeatures({ layers: [layer.id] }).filter((f) => byId.has(Number(f.id)));
      const wrongRendered = rendered.filter((f) => f.state.color !== colourOf[byId.get(Number(f.id)).class]).length;
      return { bad: bad.slice(0, 3), nbad: bad.length, rendered: rendered.length, wrongRendered, fill: JSON.stringify(m.getPaintProperty(layer.id, 'fill-color')) };
    },
    { territories: answer.territories, colourOf },
  );
  assert.equal(res.nbad, 0, `feature states off the API's colours: ${JSON.stringify(res.bad)}`);
  assert.ok(res.rendered > 0, 'territories rendered');
  assert.equal(res.wrongRendered, 0);
  assert.match(res.fill, /feature-state/, 'the fill colour is the feature-state colour');
  return res.rendered;
}

/** The legend table (diverging maps) against the API's legend: classes, colours, labels, counts. */
async function assertDivergingLegend(page, answer) {
  const rows = await page.$$eval('#legende tbody tr', (trs) =>
    trs.map((r) => ({
      class: Number(r.dataset.class),
      kind: r.dataset.kind,
      count: Number(r.dataset.count),
      label: r.querySelector('th')?.textContent,
      color: r.querySelector('.pastille').style.backgroundColor,
    })),
  );
  assert.deepEqual(
    rows,
    answer.legend.map((c) => ({ class: c.class, kind: c.kind, count: c.count, label: c.label, color: rgb(c.color) })),
  );
}

function evolutionPath(q) {
  return `/api/v1/indicators/${q.i}/evolution?${new URLSearchParams(q.p)}`;
}

/** A published territory of the drawn map on screen: its point in the page. */
async function territoryPoint(page) {
  return page.evaluate(() => {
    const a = window.__atlas.atlas;
    const m = a.map;
    const layer = a.fillLayerId(window.__atlas.choropleth().level);
    const r = m.getCanvas().getBoundingClientRect();
    const ok = new Map(window.__atlas.choropleth().territories.filter((t) => t.status === 'published').map((t) => [t.id, t.code]));
    for (let y = Math.round(r.height / 3); y < r.height - 20; y += 12) {
      for (let x = Math.round(r.width / 3); x < r.width - 20; x += 12) {
        const f = m.queryRenderedFeatures([x, y], { layers: [layer] })[0];
        const el = document.elementFromPoint(x + r.left, y + r.top);
        if (f && ok.has(Number(f.id)) && el?.tagName === 'CANVAS') return { x: x + r.left, y: y + r.top, code: ok.get(Number(f.id)) };
      }
    }
    return null;
  });
}

/**
 * A point of the scatter plot that no other covers (clicked where a user
 * would), nearest the territory `prefer` when it is free; its code and
 * page position.
 */
async function freePoint(page, prefer) {
  return page.evaluate((prefer) => {
    const pts = [...document.querySelectorAll('.nuage-point')];
    pts.sort((a, b) => (b.dataset.code === prefer) - (a.dataset.code === prefer));
    for (const g of pts) {
      const r = g.querySelector('.nuage-marque').getBoundingClientRect();
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      if (document.elementFromPoint(x, y)?.closest('.nuage-point') === g) return { code: g.dataset.code, x, y };
    }
    return null;
  }, prefer);
}

describe('modes d’analyse', () => {
  test('évolution : couleurs et légende de l’API, contrôles, lien, infobulle, écran large', async () => {
    const hash = '#i=chomage-ze&l=zone-emploi&r=76&am=evolution';
    const { context, page, errors } = await open(browser(), hash);
    const d = await drawn(page);
    assert.equal(d.mode, 'evolution');
    // "Entrée / sortie du plan": the first and the last period by default.
    const ind = (await api('/api/v1/indicators')).indicators.find((i) => i.id === 'chomage-ze');
    const q = { i: 'chomage-ze', p: { level: 'zone-emploi', change: 'absolute', sex: 'ensemble', sector: 'ensemble', method: 'quantiles', classes: 5, within: 'region:76' } };
    let ev = await api(evolutionPath(q));
    assert.equal(ev.from, ind.vintages[0]);
    assert.equal(ev.to, ind.vintages[ind.vintages.length - 1]);
    await assertDivergingLegend(page, ev);
    const n = await assertPainted(page, ev, ev.legend);
    assert.match(await page.textContent('#legende h2'), /^Évolution .* → .*Taux de chômage/);
    assert.match(await page.textContent('#legende .legende-periode'), /entrée \/ sortie du plan/);
    // The diverging colours differ on both sides of 0.
    const signs = new Set(ev.legend.filter((c) => c.kind === 'value').map((c) => Math.sign(c.min + c.max)));
    assert.ok(signs.has(1) && signs.has(-1), 'classes below and above zero');
    console.log(`évolution ${ev.from} → ${ev.to} : ${ev.territories.length} zones d'emploi, ${n} entités peintes`);

    // The controls: relative change between two chosen periods.
    await settle(page, () => page.selectOption('#ctl-evol-calcul', 'relative'));
    const from = ind.vintages[4];
    const to = ind.vintages[ind.vintages.length - 9];
    await settle(page, () => page.selectOption('#ctl-evol-de', from));
    await settle(page, () => page.selectOption('#ctl-evol-a', to));
    const s = (await drawn(page)).state;
    assert.deepEqual([s.analysis.from, s.analysis.to, s.analysis.change], [from, to, 'relative']);
    const link = new URL(page.url()).hash;
    assert.match(link, new RegExp(`am=evolution&af=${from}&at=${to}&ac=relative`));
    ev = await api(evolutionPath({ i: q.i, p: { ...q.p, from, to, change: 'relative' } }));
    await assertDivergingLegend(page, ev);
    await assertPainted(page, ev, ev.legend);
    assert.match(await page.textContent('#legende h2'), /relative, en %/);

    // Hovering a territory: its change, its two values and its rank change.
    const pt = await territoryPoint(page);
    assert.ok(pt, 'a territory on screen');
    await page.mouse.move(pt.x, pt.y);
    await page.waitForSelector('#infobulle:not([hidden])');
    const tip = await page.textContent('#infobulle');
    const t = ev.territories.find((x) => x.code === pt.code);
    assert.match(tip, /évolution : [+−]?\d/);
    assert.match(tip, /→/);
    assert.ok(tip.includes(frFormat(t.a, ind.decimals)) && tip.includes(frFormat(t.b, ind.decimals)), tip);
    assert.match(tip, /rang \d+ \((gagne|perd|même rang)/);
    await page.screenshot({ path: ARTIFACTS + 'analyse-evolution-1280.png' });

    // The link reopens the same view.
    const again = await open(browser(), link);
    assert.deepEqual((await drawn(again.page)).state.analysis, s.analysis);
    await assertDivergingLegend(again.page, ev);
    await again.page.setViewportSize({ width: 1920, height: 1080 });
    await again.page.waitForTimeout(400);
    const overflow = await again.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no horizontal scroll at 1920 px');
    await again.page.screenshot({ path: ARTIFACTS + 'analyse-evolution-1920.png' });
    await again.context.close();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('croisement : carte bivariée 3 × 3, légende carrée, nuage de points, clic → sélection', async () => {
    const { context, page, errors } = await open(browser(), '#i=demo-at-frequence&l=departement&p=2023');
    // The mode from the controls: the second indicator is the first of the same level.
    await settle(page, () => page.selectOption('#ctl-mode', 'bivariate'));
    await settle(page, () => page.selectOption('#ctl-croise-avec', 'chomage-departement'));
    await settle(page, () => page.selectOption('#ctl-croise-periode', '2023-T3'));
    const s = (await drawn(page)).state;
    assert.deepEqual([s.analysis.mode, s.analysis.with, s.analysis.withPeriod], ['bivariate', 'chomage-departement', '2023-T3']);
    const p = new URLSearchParams({ level: 'departement', with: 'chomage-departement', period: '2023', 'with-period': '2023-T3', sex: 'ensemble', sector: 'ensemble' });
    const bi = await api(`/api/v1/indicators/demo-at-frequence/bivariate?${p}`);
    const sc = await api(`/api/v1/indicators/demo-at-frequence/scatter?${p}`);
    await assertPainted(page, bi, bi.legend);
    // The square legend: nine cells with the API's colours and counts, B upwards.
    const cells = await page.$$eval('.bivarie-case', (cs) => cs.map((c) => ({ class: Number(c.dataset.class), color: c.dataset.color, count: Number(c.dataset.count), bg: c.style.backgroundColor })));
    assert.equal(cells.length, 9);
    const values = bi.legend.filter((c) => c.kind === 'value');
    const order = [2, 1, 0].flatMap((b) => [0, 1, 2].map((a) => values.find((c) => c.a === a && c.b === b)));
    assert.deepEqual(cells, order.map((c) => ({ class: c.class, color: c.color, count: c.count, bg: rgb(c.color) })));
    assert.deepEqual(bi.colors.flat(), values.sort((x, y) => x.class - y.class).map((c) => c.color));
    const others = await page.$$eval('.bivarie-autres li', (ls) => ls.map((l) => ({ kind: l.dataset.kind, count: Number(l.dataset.count) })));
    assert.deepEqual(others, bi.legend.filter((c) => c.kind !== 'value').map((c) => ({ kind: c.kind, count: c.count })));
    assert.match(await page.textContent('.bivarie-titre-a'), /^A : Fréquence des accidents du travail/);
    assert.match(await page.textContent('.bivarie-titre-b'), /B : Taux de chômage localisé par département/);
    // The scatter plot: one point per territory the API plots, the correlation and its caution, the count left out.
    assert.equal(await page.locator('.nuage-point').count(), sc.points.length);
    assert.equal(await page.locator('.nuage-region').count(), sc.regions.length);
    assert.equal(await page.getAttribute('.nuage-correlation', 'data-n'), String(sc.correlation.n));
    assert.ok((await page.textContent('.nuage-correlation')).includes(frFormat(sc.correlation.pearson, 2)));
    assert.equal(await page.textContent('.nuage-prudence'), sc.caution);
    const hidden = await page.textContent('.nuage-masques');
    assert.match(hidden, new RegExp(`^${sc.left_out.secret} territoires? masqués? par le secret statistique`));
    console.log(`croisement : ${sc.points.length} points, r = ${sc.correlation.pearson.toFixed(3)}, ${hidden}`);

    // A click on a point selects its territory: the state, the map, the profile.
    await page.locator('.nuage-svg').scrollIntoViewIfNeeded();
    const free = await freePoint(page, '31');
    assert.ok(free, 'a point of the scatter plot not covered by another');
    const target = sc.points.find((x) => x.code === free.code);
    await page.mouse.click(free.x, free.y);
    await page.waitForSelector(`#profil[data-code="${target.code}"][data-state="ready"]`, { timeout: 20_000 });
    assert.equal((await drawn(page)).state.selection, target.code);
    const selected = await page.evaluate((id) => {
      const a = window.__atlas.atlas;
      const layer = a.map.getLayer(a.fillLayerId('departement'));
      return a.map.getFeatureState({ source: layer.source, sourceLayer: layer.sourceLayer, id }).selected;
    }, target.id);
    assert.equal(selected, true, 'the map highlights the territory');
    assert.equal(await page.getAttribute(`.nuage-point[data-code="${target.code}"]`, 'class'), 'nuage-point nuage-choisi');
    const link = new URL(page.url()).hash;
    assert.match(link, /am=bivariate&aw=chomage-departement&awp=2023-T3/);
    assert.match(link, new RegExp(`sel=${target.code}`));
    await page.screenshot({ path: ARTIFACTS + 'analyse-croisement-1280.png' });

    // The link reopens the crossing with its selection.
    const again = await open(browser(), link, { viewport: { width: 1920, height: 1080 } });
    const d = await drawn(again.page);
    assert.deepEqual(d.state.analysis, s.analysis);
    assert.equal(d.state.selection, target.code);
    assert.equal(await again.page.locator('.nuage-point').count(), sc.points.length);
    await again.page.waitForSelector(`#profil[data-code="${target.code}"][data-state="ready"]`, { timeout: 20_000 });
    await again.page.screenshot({ path: ARTIFACTS + 'analyse-croisement-1920.png' });
    await again.context.close();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('écart femmes / hommes : carte, légende, et le secret reste secret', async () => {
    const hash = '#i=demo-mp-nombre&l=departement&p=2023&sec=F&am=sex-gap&ag=ratio';
    const { context, page, errors } = await open(browser(), hash);
    const p = new URLSearchParams({ level: 'departement', period: '2023', gap: 'ratio', sector: 'F', method: 'quantiles', classes: 5 });
    let gap = await api(`/api/v1/indicators/demo-mp-nombre/sex-gap?${p}`);
    assert.equal((await drawn(page)).mode, 'sex-gap');
    await assertDivergingLegend(page, gap);
    await assertPainted(page, gap, gap.legend);
    const secret = gap.territories.filter((t) => t.status === 'secret');
    assert.ok(secret.length > 0, 'sector F has secret cells');
    assert.equal(Number(await page.getAttribute('#legende tr[data-kind="secret"]', 'data-count')), secret.length);
    assert.ok(secret.every((t) => t.value == null), 'the API gives no gap of a secret cell');
    // The difference from the controls.
    await settle(page, () => page.selectOption('#ctl-ecart', 'difference'));
    assert.match(new URL(page.url()).hash, /am=sex-gap&ag=difference/);
    p.set('gap', 'difference');
    gap = await api(`/api/v1/indicators/demo-mp-nombre/sex-gap?${p}`);
    await assertDivergingLegend(page, gap);
    await assertPainted(page, gap, gap.legend);

    // A secret territory selected: « secret statistique », and none of the
    // raw figures the database keeps for it anywhere in the page.
    // A cell secret on both sides: neither figure may show.
    const cell = secret.find((t) => t.a == null && t.b == null) ?? secret[0];
    await settle(page, () => page.evaluate((code) => (location.hash = location.hash.replace(/&sel=[^&]*/, '') + `&sel=${code}`), cell.code));
    await page.waitForSelector(`#profil[data-code="${cell.code}"][data-state="ready"]`, { timeout: 20_000 });
    await page.waitForSelector('#profil[data-sexes="ready"]', { timeout: 20_000 });
    assert.match(await page.textContent('#selection'), /secret statistique/);
    if (DB) {
      const sql = `select sex, value from indicator_value where indicator = 'demo-mp-nombre' and level = 'departement' and period = '2023' and sector = 'F' and code = '${cell.code}' and sex in ('femmes', 'hommes') and value is not null`;
      const r = spawnSync('psql', [DB, '-Atc', sql], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const raw = Object.fromEntries(r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split('|')).map(([s, v]) => [s, Number(v)]));
      const figures = [raw.femmes, raw.hommes].filter((v) => v !== undefined && v >= 10).map((v) => frFormat(v, 0));
      if (raw.femmes !== undefined && raw.hommes !== undefined && raw.hommes !== 0) figures.push(frFormat(raw.femmes / raw.hommes, 2));
      if (raw.femmes !== undefined && raw.hommes !== undefined) figures.push(frFormat(raw.femmes - raw.hommes, 0));
      const text = await page.textContent('#selection');
      for (const f of figures) assert.ok(!text.includes(f), `no secret figure ${f} in « ${text} »`);
      console.log(`secret : ${cell.name} (${cell.code}), brut ${JSON.stringify(raw)}, affiché « ${text.trim()} »`);
    }
    await page.screenshot({ path: ARTIFACTS + 'analyse-ecart-1280.png' });
    const link = new URL(page.url()).hash;
    const again = await open(browser(), link);
    assert.deepEqual((await drawn(again.page)).state.analysis, (await drawn(page)).state.analysis);
    await assertDivergingLegend(again.page, gap);
    await again.context.close();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('profil : territoire de référence au choix, évolution et rang, femmes et hommes côte à côte', async () => {
    const { context, page, errors } = await open(browser(), '#i=demo-at-frequence&l=departement&sel=31');
    await page.waitForSelector('#profil[data-code="31"][data-state="ready"]', { timeout: 20_000 });
    assert.match(await page.textContent('.profil-ref-actuelle'), /^Région Occitanie \(par défaut\)/);
    const entry = 'article[data-indicator="demo-at-frequence"]';
    const byRef = async (ref) => (await api(`/api/v1/territories/departement/31/profile${ref ? `?ref=${ref}` : ''}`)).indicators.find((e) => e.indicator === 'demo-at-frequence');
    const e0 = await byRef('');
    assert.match(await page.textContent(`${entry} .profil-reference`), new RegExp(`^Région Occitanie : ${e0.reference.label}`));
    // The change since the first period, with the rank change.
    const ev = await page.textContent(`${entry} .profil-evolution`);
    assert.match(ev, new RegExp(`^Évolution ${e0.change.from} → ${e0.change.to} : `));
    assert.match(ev, new RegExp(`rang ${e0.change.rank_from} → ${e0.change.rank_to}`));
    // A rate changes by points, not by a percentage.
    assert.match(await page.textContent('article[data-indicator="chomage-departement"] .profil-evolution'), /\u00a0points \(% de la population active\)/);
    // Women and men side by side, from the values the API publishes.
    await page.waitForSelector('#profil[data-sexes="ready"]', { timeout: 20_000 });
    const vals = (await api(`/api/v1/indicators/demo-at-frequence/values?level=departement&within=departement:31&period=${e0.period}&sector=ensemble`)).values;
    for (const sex of ['femmes', 'hommes']) {
      const v = vals.find((x) => x.sex === sex);
      const shown = await page.textContent(`${entry} .profil-sexes [data-sex="${sex}"] dd`);
      assert.equal(shown, v.status === 'secret' ? 'secret statistique' : `${frFormat(v.value, e0.decimals)}\u00a0${e0.unit}`);
    }

    // France as the reference: the link says so, the comparison follows.
    await page.click('.profil-ref-choix button[data-ref="france"]');
    await page.waitForFunction(() => document.querySelector('.profil-ref')?.dataset.ref === 'france' && document.querySelector('#profil').dataset.state === 'ready');
    assert.match(new URL(page.url()).hash, /ref=france/);
    const eF = await byRef('france');
    assert.equal(await page.textContent(`${entry} .profil-reference`), `France : ${eF.reference.label ?? eF.reference.reason}`);
    // Any territory, found by the search box: the Hérault.
    await page.fill('#profil-ref-saisie', 'hérault');
    await page.waitForSelector('#profil-ref-resultats li[data-code="34"]');
    await page.click('#profil-ref-resultats li[data-code="34"]');
    await page.waitForFunction(() => document.querySelector('.profil-ref')?.dataset.ref === 'departement:34' && document.querySelector('#profil').dataset.state === 'ready');
    const eH = await byRef('departement:34');
    const cmp = await page.textContent(`${entry} .profil-reference`);
    assert.match(cmp, new RegExp(`^Département Hérault : ${eH.reference.label}`));
    assert.match(await page.textContent('.profil-ref-actuelle'), /^Département Hérault$/);
    // A count is a share of its own région only; another territory's, a difference.
    const pop = await page.textContent('article[data-indicator="population-departement"] .profil-reference');
    assert.match(pop, /^Département Hérault : .* ; écart [+−]/);
    const link = new URL(page.url()).hash;
    assert.match(link, /ref=departement%3A34/);
    await page.screenshot({ path: ARTIFACTS + 'analyse-profil-reference-1280.png' });
    // The link reopens the profile with that reference.
    const again = await open(browser(), link);
    await again.page.waitForSelector('#profil[data-code="31"][data-state="ready"]', { timeout: 20_000 });
    assert.equal(await again.page.getAttribute('.profil-ref', 'data-ref'), 'departement:34');
    assert.match(await again.page.textContent(`${entry} .profil-reference`), /^Département Hérault : /);
    await again.context.close();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('atelier : le mode d’analyse de l’animateur parvient aux participants', async () => {
    const res = await fetch(new URL('/api/v1/workshops', BASE), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        title: 'Analyses',
        view: { indicator: 'demo-at-frequence', level: 'departement', period: '2023', sex: 'ensemble', sector: 'ensemble', method: 'quantiles', classes: 5, bounds: [-5, 41, 10, 51] },
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const created = await res.json();
    const code = created.workshop.code;
    const F = await open(browser(), new URL(created.links.facilitator).hash);
    await F.page.waitForFunction(() => window.__atlas.workshop?.connection() === 'open', null, { timeout: 20_000 });
    const A = await open(browser(), new URL(created.links.participant).hash);
    await A.page.waitForSelector('#rejoindre-nom', { timeout: 20_000 });
    await A.page.fill('#rejoindre-nom', 'Alice');
    await A.page.click('.rejoindre-dialogue button[type=submit]');
    await A.page.waitForFunction(() => window.__atlas.workshop?.connection() === 'open', null, { timeout: 20_000 });
    // The facilitator switches to the sex gap, then to the evolution.
    for (const mode of ['sex-gap', 'evolution']) {
      await settle(F.page, () => F.page.selectOption('#ctl-mode', mode));
      await A.page.waitForFunction((m) => window.__atlas.analysis()?.mode === m && document.querySelector('#legende').dataset.analysis === m, mode, { timeout: 20_000 });
    }
    const snap = await api(`/api/v1/workshops/${code}`);
    assert.deepEqual(snap.view.analysis, { mode: 'evolution', change: 'absolute' });
    assert.equal(await A.page.textContent('#legende h2'), await F.page.textContent('#legende h2'));
    // Back to the indicator's map: the followers too.
    await settle(F.page, () => F.page.selectOption('#ctl-mode', ''));
    await A.page.waitForFunction(() => window.__atlas.analysis() === null && !document.querySelector('#legende').dataset.analysis, null, { timeout: 20_000 });
    await A.context.close();
    await F.context.close();
  });

  test('téléphone 390 × 844 : réglages dans le volet, nuage lisible, toucher un point sélectionne', async () => {
    const { context, page, errors } = await open(browser(), '#i=demo-at-frequence&l=departement&p=2023&am=bivariate&aw=chomage-departement&awp=2023-T3', { device: PHONE });
    await page.tap('#bouton-reglages');
    await page.waitForFunction(() => document.getElementById('panneau').dataset.ouvert === 'true');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, 'no horizontal scroll');
    const mode = await page.locator('#ctl-mode').boundingBox();
    assert.ok(mode.height >= 44, `mode control ${mode.height} px high`);
    await page.locator('#ctl-mode').scrollIntoViewIfNeeded();
    await page.screenshot({ path: ARTIFACTS + 'analyse-telephone-reglages.png' });
    // The scatter plot fits the sheet's width.
    await page.locator('.nuage-svg').scrollIntoViewIfNeeded();
    const box = await page.locator('.nuage-svg').boundingBox();
    assert.ok(box.width >= 300 && box.x >= 0 && box.x + box.width <= 390, `scatter ${JSON.stringify(box)}`);
    const grid = await page.locator('.bivarie-grille').boundingBox();
    assert.ok(grid.x >= 0 && grid.x + grid.width <= 390);
    await page.locator('.bivarie').scrollIntoViewIfNeeded();
    await page.screenshot({ path: ARTIFACTS + 'analyse-telephone-legende.png' });
    await page.locator('.nuage-svg').scrollIntoViewIfNeeded();
    await page.screenshot({ path: ARTIFACTS + 'analyse-telephone-nuage.png' });
    const sc = await api('/api/v1/indicators/demo-at-frequence/scatter?level=departement&with=chomage-departement&period=2023&with-period=2023-T3');
    const free = await freePoint(page, '34');
    assert.ok(free, 'a point of the scatter plot not covered by another');
    const target = sc.points.find((x) => x.code === free.code);
    await page.touchscreen.tap(free.x, free.y);
    await page.waitForFunction((c) => window.__atlas.state().selection === c, target.code, { timeout: 10_000 });
    await page.waitForSelector(`#profil[data-code="${target.code}"][data-state="ready"]`, { timeout: 20_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: ARTIFACTS + 'analyse-telephone-profil.png' });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
    assert.deepEqual(errors, []);
    await context.close();
    assertNothingLeftLoopback();
  });
});
