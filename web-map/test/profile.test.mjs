// Browser test of the territory profile panel and of the territory search:
// Debian chromium driven by playwright-core against a running atlas server
// with the demo data (ATLAS_URL), through harness.mjs like map.test.mjs.
// Screenshots go to test-artifacts/ at the repository root.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, api, assertNothingLeftLoopback, sharedBrowser, open as openPage } from './harness.mjs';

const browser = sharedBrowser();

/** The map in a wider window, room for the profile panel; `prepare(page)` runs before the navigation. */
const open = (hash, prepare) => openPage(browser(), hash, { viewport: { width: 1400, height: 850 }, prepare });

// Same formatting as the front end (labels.ts formatValue, profile.ts valueText).
function fmt(v, decimals, unit) {
  return `${v.toLocaleString('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}\u00a0${unit}`;
}
function expectedText(e) {
  if (e.status === 'secret') return 'secret statistique';
  if (e.value == null) return 'donnée manquante';
  return fmt(e.value, e.decimals, e.unit);
}

async function waitProfile(page, level, code) {
  await page.waitForFunction(
    ([l, c]) => {
      const p = document.getElementById('profil');
      return p && !p.hidden && p.dataset.level === l && p.dataset.code === c && p.dataset.state === 'ready';
    },
    [level, code],
    { timeout: 30_000 },
  );
}

/** What the panel shows for each indicator. */
async function panelEntries(page) {
  return page.$$eval('#profil .profil-indicateur', (arts) =>
    arts.map((a) => ({
      indicator: a.dataset.indicator,
      status: a.dataset.status,
      value: a.dataset.value ?? null,
      period: a.dataset.period,
      text: a.querySelector('.profil-valeur strong')?.textContent ?? '',
      rank: a.querySelector('.profil-rang')?.textContent ?? null,
      region: a.querySelector('.profil-region')?.textContent ?? null,
      theme: a.closest('.profil-theme')?.dataset.theme ?? null,
      chart: a.querySelector('svg.profil-serie')
        ? {
            runs: Number(a.querySelector('svg.profil-serie').dataset.runs),
            gaps: Number(a.querySelector('svg.profil-serie').dataset.gaps),
            max: a.querySelector('svg.profil-serie [data-axis=max]')?.textContent,
            min: a.querySelector('svg.profil-serie [data-axis=min]')?.textContent,
          }
        : null,
    })),
  );
}

function checkAgainstAPI(entries, profile) {
  assert.equal(entries.length, profile.indicators.length, 'one entry per indicator of the profile');
  for (const e of profile.indicators) {
    const got = entries.find((x) => x.indicator === e.indicator);
    assert.ok(got, `${e.indicator} shown`);
    assert.equal(got.status, e.status, `${e.indicator} status`);
    assert.equal(got.period, e.period, `${e.indicator} period`);
    assert.equal(got.theme, e.theme, `${e.indicator} theme section`);
    assert.equal(got.value, e.status === 'secret' || e.value == null ? null : String(e.value), `${e.indicator} value`);
    assert.equal(got.text, expectedText(e), `${e.indicator} formatted value`);
    if (e.rank) assert.match(got.rank, new RegExp(`^${e.rank.rank}(e|er|re) sur ${e.rank.of} `), `${e.indicator} rank`);
    if (e.region?.value != null) assert.ok(got.region.includes(fmt(e.region.value, e.decimals, e.unit)), `${e.indicator} région: ${got.region}`);
    const published = (e.series ?? []).filter((p) => p.status === 'published' && p.value != null);
    if ((e.series ?? []).length >= 2 && published.length > 0) {
      assert.ok(got.chart, `${e.indicator} chart`);
      const vals = published.map((p) => p.value);
      const n = (v) => v.toLocaleString('fr-FR', { minimumFractionDigits: e.decimals, maximumFractionDigits: e.decimals });
      assert.equal(got.chart.max, n(Math.max(...vals)), `${e.indicator} y max`);
      assert.equal(got.chart.min, n(Math.min(...vals)), `${e.indicator} y min`);
      assert.equal(got.chart.gaps, e.series.length - published.length, `${e.indicator} gaps`);
    }
  }
}

describe('profil et recherche de territoire', () => {
  test('cliquer sur la zone d’emploi de Toulouse ouvre son profil, conforme à l’API', async () => {
    const detail = await api('/api/v1/territories/zone-emploi/7625');
    const profile = await api('/api/v1/territories/zone-emploi/7625/profile');
    const [lon, lat] = detail.centroid;
    const { context, page, errors } = await open(`#i=chomage-ze&l=zone-emploi&z=7.5&lat=${lat.toFixed(4)}&lon=${lon.toFixed(4)}`);
    const pt = await page.evaluate(
      ([lon, lat]) => {
        const m = window.__atlas.map;
        const p = m.project([lon, lat]);
        const r = m.getCanvas().getBoundingClientRect();
        const f = m.queryRenderedFeatures([p.x, p.y], { layers: ['aplat-zones-emploi'] })[0];
        return { x: p.x + r.left, y: p.y + r.top, id: f ? Number(f.id) : null };
      },
      [lon, lat],
    );
    assert.equal(pt.id, detail.id, 'the centroid of Toulouse is inside its feature');
    await page.mouse.click(pt.x, pt.y);
    await waitProfile(page, 'zone-emploi', '7625');
    assert.equal(await page.textContent('#profil-titre'), 'Toulouse');
    assert.match(await page.textContent('#profil .profil-niveau'), /Zone d'emploi 7625 · région Occitanie/);
    assert.equal(await page.getAttribute('#profil', 'aria-label'), 'Profil du territoire : Toulouse');
    checkAgainstAPI(await panelEntries(page), profile);
    // The five themes, labelled from the catalogue.
    const themes = await page.$$eval('#profil .profil-theme h3', (hs) => hs.map((h) => h.textContent));
    assert.equal(themes.length, 5);
    assert.equal(themes[0], 'Emploi et entreprises');
    const ranks = await page.$$eval('#profil .profil-rang', (ps) => ps.map((p) => p.textContent));
    console.log(`profil de Toulouse : ${ranks.join(' | ')}`);
    // Census years are irregular (1876 … 1936, 1954 … 1999, then yearly): the chart places them by date.
    const pop = profile.indicators.find((e) => e.indicator === 'population-ze');
    const xs = await page.$eval('#profil [data-indicator="population-ze"] svg.profil-serie', (svg) => ({
      axis: svg.dataset.axis,
      points: [...svg.querySelectorAll('polyline.serie-ligne')].flatMap((l) => l.getAttribute('points').split(' ').map((p) => Number(p.split(',')[0]))),
    }));
    assert.equal(xs.axis, 'date');
    const years = pop.series.map((p) => Number(p.period));
    assert.equal(xs.points.length, years.length, 'one point per census');
    const along = (v, a) => (v - a[0]) / (a[a.length - 1] - a[0]);
    years.forEach((y, i) => assert.ok(Math.abs(along(xs.points[i], xs.points) - along(y, years)) < 0.01, `census ${y} at its date`));
    assert.ok(ranks.includes(`${profile.indicators[0].rank.rank}e sur 25 zones d'emploi de la région Occitanie`), ranks.join(' | '));
    // The selection is in the URL and the link reproduces this view.
    await page.waitForFunction(() => /[#&]sel=7625(&|$)/.test(location.hash));
    const href = await page.evaluate(() => (document.querySelector('#profil .profil-lien').focus(), document.querySelector('#profil .profil-lien').href));
    assert.equal(href, page.url());
    await page.mouse.move(5, 840); // hides the tooltip
    await page.waitForSelector('#infobulle', { state: 'hidden' });
    await page.screenshot({ path: ARTIFACTS + '05-profil-toulouse.png' });

    // Escape closes the panel and clears the selection.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.getElementById('profil').hidden && !/[#&]sel=/.test(location.hash));
    assert.equal(await page.evaluate(() => window.__atlas.state().selection), '');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('la sélection de l’URL rouvre le profil ; un secret s’affiche « secret statistique »', async () => {
    // The demo has no secret value for "ensemble, tous secteurs" (what a
    // profile shows), so the API answer is altered in the browser: the
    // latest value of one indicator and two points of its series.
    const real = await api('/api/v1/territories/departement/09/profile');
    const altered = structuredClone(real);
    const target = altered.indicators.find((e) => e.indicator === 'demo-at-frequence');
    assert.ok(target && target.series.length >= 3, 'demo-at-frequence in the profile of Ariège');
    target.status = 'secret';
    target.value = null;
    delete target.rank;
    const n = target.series.length;
    target.series[n - 1] = { period: target.series[n - 1].period, value: null, status: 'secret' };
    target.series[1] = { period: target.series[1].period, value: null, status: 'missing' };
    const { context, page, errors } = await open('#i=demo-at-frequence&l=departement&z=7&lat=42.95&lon=1.5&sel=09', async (page) => {
      await page.route('**/api/v1/territories/departement/09/profile', (route) =>
        route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(altered) }),
      );
    });
    await waitProfile(page, 'departement', '09');
    assert.equal(await page.textContent('#profil-titre'), 'Ariège');
    const entries = await panelEntries(page);
    checkAgainstAPI(entries, altered);
    const secret = entries.find((e) => e.indicator === 'demo-at-frequence');
    assert.equal(secret.text, 'secret statistique');
    assert.equal(secret.value, null);
    assert.equal(secret.chart.gaps, 2);
    assert.equal(secret.chart.runs, 2, 'the series is cut at the missing point');
    assert.doesNotMatch(await page.textContent('#profil [data-indicator="demo-at-frequence"] .profil-valeur'), /\d+,\d\s*accidents/);
    // The other indicators are the real ones.
    checkAgainstAPI(
      entries.filter((e) => e.indicator !== 'demo-at-frequence'),
      { indicators: real.indicators.filter((e) => e.indicator !== 'demo-at-frequence') },
    );
    await page.locator('#profil [data-indicator="demo-at-frequence"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: ARTIFACTS + '06-profil-secret.png' });
    // The close button works from the keyboard.
    await page.focus('#profil .profil-fermer');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('profil').hidden && !/[#&]sel=/.test(location.hash));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('rechercher « ariege » trouve l’Ariège (09) et y emmène la carte', async () => {
    const detail = await api('/api/v1/territories/departement/09');
    const { context, page, errors, requests } = await open('#i=demo-at-frequence&l=departement');
    assert.equal(await page.textContent('label[for="recherche-saisie"]'), 'Rechercher un territoire');
    await page.focus('#recherche-saisie');
    await page.keyboard.type('ariege', { delay: 40 });
    await page.waitForSelector('#recherche-resultats:not([hidden]) [role="option"][data-code="09"]');
    const asked = requests.filter((u) => u.includes('/api/v1/territories?'));
    assert.ok(asked.length >= 1 && asked.length <= 3, `debounced: ${asked.length} search requests`);
    const last = new URL(asked.at(-1));
    assert.equal(last.searchParams.get('q'), 'ariege');
    assert.equal(last.searchParams.get('level'), 'departement');
    assert.equal(await page.getAttribute('#recherche-saisie', 'aria-expanded'), 'true');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getAttribute('#recherche-saisie', 'aria-activedescendant'), 'recherche-option-0');
    assert.equal(await page.getAttribute('#recherche-option-0', 'aria-selected'), 'true');
    await page.keyboard.press('Enter');
    await waitProfile(page, 'departement', '09');
    assert.equal(await page.textContent('#profil-titre'), 'Ariège');
    // Wait for the flight to end.
    await page.waitForFunction(() => !window.__atlas.map.isMoving() && window.__atlas.map.getZoom() > 6, null, { timeout: 15_000 });
    await page.waitForFunction(() => /[#&]sel=09(&|$)/.test(location.hash));
    const cam = await page.evaluate(() => {
      const m = window.__atlas.map;
      return { lon: m.getCenter().lng, lat: m.getCenter().lat, z: m.getZoom(), focus: document.activeElement?.id };
    });
    const [w, s, e, n] = detail.bbox;
    assert.ok(cam.lon >= w && cam.lon <= e && cam.lat >= s && cam.lat <= n, `center ${JSON.stringify(cam)} in bbox ${detail.bbox}`);
    assert.equal(cam.focus, 'profil-titre', 'the profile gets the focus');
    checkAgainstAPI(await panelEntries(page), await api('/api/v1/territories/departement/09/profile'));
    console.log(`recherche « ariege » → Ariège (09), centre ${cam.lon.toFixed(3)}, ${cam.lat.toFixed(3)} zoom ${cam.z.toFixed(2)}`);
    await page.waitForFunction(() => window.__atlas.map.loaded());
    await page.screenshot({ path: ARTIFACTS + '07-recherche-ariege.png' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('aucune requête ne sort de 127.0.0.1', () => {
    assertNothingLeftLoopback();
  });
});
