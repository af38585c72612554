// Browser test of the live workshop mode: three pages in Debian's chromium
// (playwright-core, harness.mjs) against an `atlas serve` the test starts
// itself (ATLAS_BIN on ATLAS_DATABASE_URL, both given by
// deploy/browser-test.sh), on a fixed port, so that it can stop the server
// mid-session and start it again at the same address:
//
//   F  the facilitator, laptop 1280 × 800: creates the workshop from the map;
//   A  participant on a laptop 1280 × 800: joins by typing the code;
//   B  participant on a phone 390 × 844 (touch, DPR 2): joins by the link
//      the QR code holds.
//
// The steps share the three pages and run in order. Screenshots go to
// test-artifacts/ws-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, AtlasServer, PHONE, assertNothingLeftLoopback, freePort, open, settle, sharedBrowser } from './harness.mjs';

const BIN = process.env.ATLAS_BIN;
const DB = process.env.ATLAS_DATABASE_URL;
if (!BIN || !DB) {
  throw new Error('ATLAS_BIN and ATLAS_DATABASE_URL are not set: run `bash deploy/browser-test.sh` (the workshop test starts and restarts its own server)');
}

const browser = sharedBrowser();
let server;
let W; // the test server's base URL
/** The three pages: { context, page, errors, timedErrors, requests }. */
let F;
let A;
let B;
let code = '';
let participantLink = '';
/** The facilitator's PUT …/view requests. */
const viewPuts = [];
/** [start, end] of the server outage, whose refused connections are expected console errors. */
const outage = [0, 0];

before(async () => {
  server = new AtlasServer(BIN, DB, await freePort());
  const ms = await server.start();
  W = server.url;
  console.log(`serveur d’atelier : ${W} (prêt en ${ms} ms)`);
});
after(async () => {
  for (const p of [F, A, B]) await p?.context.close().catch(() => {});
  await server?.stop();
  const warnings = (server?.log() ?? '').split('\n').filter((l) => /level=(ERROR|WARN)/.test(l));
  if (warnings.length > 0) console.log(`journal du serveur d’atelier :\n${warnings.join('\n')}`);
});

/** The workshop read-outs of a page (window.__atlas.workshop). */
const ws = (page) =>
  page.evaluate(() => {
    const w = window.__atlas.workshop;
    if (!w) return null;
    return {
      role: w.role,
      code: w.code,
      connection: w.connection(),
      seq: w.seq(),
      following: w.following?.() ?? null,
      presence: w.presence?.() ?? null,
      pointer: w.pointer(),
      idle: w.idle?.() ?? null,
    };
  });

/** What a page shows: the view's choices, the choropleth's classes and the map's bounds. */
const shown = (page) =>
  page.evaluate(() => {
    const a = window.__atlas;
    const s = a.state();
    const c = a.choropleth();
    const b = a.map.getBounds();
    return {
      state: { indicator: s.indicator, level: s.level, period: s.period, sex: s.sex, sector: s.sector, region: s.region, selection: s.selection },
      choropleth: c && {
        indicator: c.indicator,
        level: c.level,
        period: c.period,
        sex: c.sex,
        legend: c.legend.map((l) => `${l.class}:${l.color}:${l.count}`).join(' '),
        classes: c.territories.map((t) => `${t.code}=${t.class}`).join(' '),
      },
      bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
      moving: a.map.isMoving(),
    };
  });

/** Whether bounds `outer` contain `inner` (to a hair: fitBounds rounds) and how much larger they are. */
function fits(outer, inner) {
  const ew = (inner[2] - inner[0]) * 0.003;
  const eh = (inner[3] - inner[1]) * 0.003;
  const contains = outer[0] <= inner[0] + ew && outer[1] <= inner[1] + eh && outer[2] >= inner[2] - ew && outer[3] >= inner[3] - eh;
  // One side fits exactly, the other has the screen's extra room.
  const ratio = Math.min((outer[2] - outer[0]) / (inner[2] - inner[0]), (outer[3] - outer[1]) / (inner[3] - inner[1]));
  return { contains, ratio };
}

/** Waits until the facilitator's page has sent its latest view and is still; returns what it shows. */
async function facilitatorStill() {
  await F.page.waitForFunction(() => !window.__atlas.map.isMoving() && window.__atlas.workshop.idle(), null, { timeout: 15_000 });
  // A last moveend may still be on its way out (throttled): one more check.
  await F.page.waitForTimeout(150);
  await F.page.waitForFunction(() => !window.__atlas.map.isMoving() && window.__atlas.workshop.idle(), null, { timeout: 15_000 });
  return shown(F.page);
}

/** Waits until a participant shows the facilitator's view `f` (choices, classes, bounds); returns its view and the wait. */
async function follows(p, f, label, timeout = 20_000) {
  const t0 = Date.now();
  try {
    await p.page.waitForFunction(
      (f) => {
        const a = window.__atlas;
        const s = a.state();
        const c = a.choropleth();
        if (a.map.isMoving() || !c) return false;
        if (s.indicator !== f.state.indicator || s.period !== f.state.period || s.sex !== f.state.sex || s.level !== f.state.level) return false;
        if (s.selection !== f.state.selection || c.indicator !== f.choropleth.indicator || c.period !== f.choropleth.period || c.sex !== f.choropleth.sex) return false;
        const b = a.map.getBounds();
        const i = f.bounds;
        const ew = (i[2] - i[0]) * 0.003;
        const eh = (i[3] - i[1]) * 0.003;
        return b.getWest() <= i[0] + ew && b.getSouth() <= i[1] + eh && b.getEast() >= i[2] - ew && b.getNorth() >= i[3] - eh;
      },
      f,
      { timeout },
    );
  } catch (err) {
    throw new Error(`${label} does not follow ${JSON.stringify(f.state)} ${JSON.stringify(f.bounds)}: shows ${JSON.stringify(await shown(p.page).catch(() => null))} (${err.message})`);
  }
  const waited = Date.now() - t0;
  const v = await shown(p.page);
  assert.deepEqual(v.state, f.state, `${label}: same choices`);
  assert.deepEqual(v.choropleth, f.choropleth, `${label}: same choropleth`);
  const fit = fits(v.bounds, f.bounds);
  assert.ok(fit.contains, `${label}: bounds ${v.bounds} contain ${f.bounds}`);
  assert.ok(fit.ratio < 1.3, `${label}: bounds close to the facilitator's (×${fit.ratio.toFixed(2)} on the fitted side)`);
  return { v, waited, ratio: fit.ratio };
}

const bannerText = (page) => page.textContent('#atelier-barre .atelier-barre-texte');

/** A real mouse drag across a page's map. */
async function drag(page, dx, dy) {
  const r = await page.evaluate(() => window.__atlas.map.getCanvas().getBoundingClientRect().toJSON());
  const x = r.left + r.width / 2;
  const y = r.top + r.height * 0.6;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) {
    await page.mouse.move(x + (dx * i) / 12, y + (dy * i) / 12);
    await page.waitForTimeout(25);
  }
  await page.mouse.up();
}

/** The page's ‹ dialog › asking for a name, filled and sent. */
async function joinAs(page, name) {
  await page.waitForSelector('#rejoindre-nom', { timeout: 20_000 });
  await page.fill('#rejoindre-nom', name);
  await page.click('.rejoindre-dialogue button[type=submit]');
  await page.waitForFunction(() => window.__atlas.workshop?.connection() === 'open' && window.__atlas.workshop.presence() === true, null, {
    timeout: 20_000,
  });
}

describe('atelier en direct : animateur, participant sur portable, participant sur téléphone', () => {
  test('l’animateur crée l’atelier depuis la carte', async () => {
    F = await open(browser(), '#i=demo-at-frequence&l=departement', { base: W });
    F.context.on('request', (r) => {
      if (r.method() === 'PUT' && /\/api\/v1\/workshops\/[^/]+\/view$/.test(r.url())) viewPuts.push(r);
    });
    await F.page.click('#bouton-nouvel-atelier');
    await F.page.waitForSelector('#creer-nom');
    assert.equal(await F.page.isChecked('#creer-pointage'), true, 'pointing allowed by default');
    assert.equal(await F.page.isChecked('#creer-anonymes'), false);
    await F.page.fill('#creer-nom', 'Diagnostic santé-travail — atelier 1');
    await F.page.click('.creer-dialogue button[type=submit]');
    await F.page.waitForSelector('#creer-code');
    code = (await F.page.textContent('#creer-code')).trim();
    assert.match(code, /^[A-Z0-9]{6}$/);
    participantLink = await F.page.inputValue('#creer-lien-participants');
    const secret = await F.page.inputValue('#creer-lien-animation');
    assert.equal(participantLink, `${W}/#atelier=${code}`);
    assert.match(secret, new RegExp(`^${W}/#atelier=${code}&animateur=.+`));
    assert.match(await F.page.textContent('.creer-dialogue .avertissement'), /Ne partagez pas/);
    // The token is kept in the browser, not in the address bar.
    const kept = await F.page.evaluate((c) => ({ hash: location.hash, token: localStorage.getItem(`atlas.atelier.${c}.animateur`) }), code);
    assert.equal(kept.hash, `#atelier=${code}`);
    assert.ok(kept.token && secret.endsWith(encodeURIComponent(kept.token)), 'facilitator token stored per code');

    // The QR code the server makes is an SVG of the participants' link.
    const qr = await fetch(`${W}/api/v1/workshops/${code}/qr.svg`);
    assert.equal(qr.status, 200);
    assert.match(qr.headers.get('content-type'), /^image\/svg\+xml/);
    const svg = await qr.text();
    assert.match(svg, /^<svg[\s>]/);
    // On a projector: the overlay, full screen, with the code in large letters.
    await F.page.setViewportSize({ width: 1920, height: 1080 });
    await F.page.click('#creer-qr');
    await F.page.waitForFunction(() => document.querySelector('.qr-image')?.complete && document.querySelector('.qr-image').naturalWidth > 0);
    const big = await F.page.evaluate(() => ({
      img: document.querySelector('.qr-image').getBoundingClientRect().toJSON(),
      code: parseFloat(getComputedStyle(document.querySelector('.qr-code')).fontSize),
      text: document.querySelector('.qr-code').textContent,
      link: document.querySelector('.qr-lien').textContent,
      src: document.querySelector('.qr-image').getAttribute('src'),
    }));
    assert.equal(big.text, code);
    assert.equal(big.link, participantLink);
    assert.equal(big.src, `/api/v1/workshops/${code}/qr.svg`);
    assert.ok(big.img.width >= 500 && big.code >= 120, `QR ${big.img.width} px, code ${big.code} px on a 1920 × 1080 screen`);
    await F.page.screenshot({ path: ARTIFACTS + 'ws-02-qr-projecteur.png' });
    await F.page.keyboard.press('Escape');
    await F.page.setViewportSize({ width: 1280, height: 800 });
    await F.page.click('text=Commencer l’animation');
    await F.page.waitForFunction(() => window.__atlas.workshop?.connection() === 'open');
    const w = await ws(F.page);
    assert.equal(w.role, 'facilitator');
    assert.match(await F.page.textContent('#atelier-panneau .atelier-code'), new RegExp(code));
    assert.match(await F.page.textContent('#atelier-panneau .atelier-statut'), /ouvert/);
    console.log(`atelier ${code} créé ; lien des participants ${participantLink}`);
  });

  test('A rejoint en tapant le code, B (téléphone) par le lien du QR code', async () => {
    A = await open(browser(), '', { base: W });
    await A.page.click('#bouton-rejoindre');
    // Case-insensitive: typed in small letters.
    await A.page.fill('#code-saisie', code.toLowerCase());
    await A.page.click('.code-dialogue button[type=submit]');
    await joinAs(A.page, 'Alice');
    assert.equal(new URL(A.page.url()).hash, `#atelier=${code}`);
    assert.equal((await ws(A.page)).following, true);
    assert.equal(await bannerText(A.page), 'Vous suivez l’animation');

    B = await open(browser(), new URL(participantLink).hash, { base: W, device: PHONE });
    // The name is text, never markup.
    await joinAs(B.page, 'Bruno <b>B.</b>');
    assert.equal(await bannerText(B.page), 'Vous suivez l’animation');
    const token = await B.page.evaluate((c) => localStorage.getItem(`atlas.atelier.${c}.participant`), code);
    assert.ok(token, 'participant token stored per code');

    // The facilitator's panel lists them (polled every 5 s), as text.
    await F.page.waitForFunction(() => document.querySelectorAll('#atelier-panneau .atelier-participants li[data-following="true"]').length === 2, null, {
      timeout: 15_000,
    });
    const names = await F.page.$$eval('#atelier-panneau .participant-nom', (els) => els.map((e) => e.textContent));
    assert.deepEqual(names, ['Alice', 'Bruno <b>B.</b>']);
    assert.equal(await F.page.$('#atelier-panneau .participant-nom b'), null, 'no markup from a name');
    await F.page.screenshot({ path: ARTIFACTS + 'ws-01-animateur-panneau.png' });
  });

  test('les deux participants suivent indicateur, période, sexe et caméra de l’animateur', async () => {
    await settle(F.page, () => F.page.selectOption('#ctl-indicateur', 'demo-at-frequence'));
    await settle(F.page, () => F.page.click('#ctl-periode-prec'));
    await settle(F.page, () => F.page.selectOption('#ctl-sexe', 'femmes'));
    // The camera: a real drag, then a wheel zoom on the facilitator's map.
    const firstPut = viewPuts.length;
    await drag(F.page, -160, -60);
    const r = await F.page.evaluate(() => window.__atlas.map.getCanvas().getBoundingClientRect().toJSON());
    await F.page.mouse.move(r.left + r.width * 0.45, r.top + r.height * 0.6);
    await F.page.mouse.wheel(0, -400);
    const f = await facilitatorStill();
    // At most 10 views a second while moving (sliding one-second windows).
    const puts = viewPuts.slice(firstPut);
    await Promise.all(puts.map((p) => p.response()));
    const starts = puts.map((p) => p.timing().startTime).sort((x, y) => x - y);
    const busiest = Math.max(...starts.map((t0) => starts.filter((t) => t >= t0 && t < t0 + 1000).length));
    assert.ok(busiest <= 10, `${busiest} views sent in one second`);
    console.log(`caméra : ${puts.length} vues envoyées pendant le glisser et le zoom (${((starts.at(-1) - starts[0]) / 1000).toFixed(1)} s), au plus ${busiest} par seconde`);
    assert.equal(f.state.sex, 'femmes');
    assert.notEqual(f.state.period, '');
    const t0 = Date.now();
    const a = await follows(A, f, 'A');
    const b = await follows(B, f, 'B (téléphone)');
    console.log(
      `suivi : ${f.state.indicator} ${f.state.period} ${f.state.sex}, cadre ${f.bounds.map((x) => x.toFixed(2))} ; ` +
        `A ×${a.ratio.toFixed(2)}, B (téléphone, même cadre ajusté à son écran) ×${b.ratio.toFixed(2)} ; attendu ${Date.now() - t0} ms`,
    );
    await A.page.screenshot({ path: ARTIFACTS + 'ws-03-participant-a-suit.png' });
    await B.page.screenshot({ path: ARTIFACTS + 'ws-04-participant-b-telephone-suit.png' });

    // The phone: no horizontal scroll; the settings sheet opens and closes.
    const scroll = await B.page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: innerWidth }));
    assert.ok(scroll.sw <= scroll.iw, `no horizontal scroll on the phone (${scroll.sw} > ${scroll.iw})`);
    assert.equal(await B.page.isVisible('#ctl-indicateur'), false, 'settings closed at first');
    await B.page.tap('#bouton-reglages');
    await B.page.waitForFunction(() => document.getElementById('panneau').dataset.ouvert === 'true' && !document.getElementById('panneau-contenu').inert);
    await B.page.waitForTimeout(300); // the sheet slides in
    assert.equal(await B.page.getAttribute('#bouton-reglages', 'aria-expanded'), 'true');
    assert.ok(await B.page.isVisible('#atelier-infos'), 'the workshop block tops the sheet');
    await B.page.screenshot({ path: ARTIFACTS + 'ws-05-participant-b-reglages.png' });
    const sheet = await B.page.evaluate(() => document.getElementById('panneau').getBoundingClientRect().toJSON());
    assert.ok(sheet.top > 100 && sheet.right <= 390, `the sheet leaves the top of the map: ${JSON.stringify(sheet)}`);
    await B.page.tap('#bouton-reglages');
    await B.page.waitForFunction(() => document.getElementById('panneau').dataset.ouvert === 'false' && document.getElementById('panneau-contenu').inert);
    // The legend line of the handle opens the sheet on the legend.
    await B.page.tap('#legende-mini');
    await B.page.waitForTimeout(400);
    const legend = await B.page.evaluate(() => ({
      legend: document.querySelector('#legende h2').getBoundingClientRect().toJSON(),
      sheet: document.getElementById('panneau-contenu').getBoundingClientRect().toJSON(),
      rows: document.querySelectorAll('#legende tbody tr').length,
    }));
    assert.ok(legend.rows > 0 && legend.legend.top >= legend.sheet.top - 1 && legend.legend.bottom <= legend.sheet.bottom, `legend in view: ${JSON.stringify(legend)}`);
    await B.page.tap('#bouton-reglages');
    await B.page.waitForFunction(() => document.getElementById('panneau').dataset.ouvert === 'false');
    assert.equal((await ws(B.page)).following, true, 'opening the settings is not leaving');
  });

  test('A déplace la carte à la souris : il explore seul, puis revient à l’animation', async () => {
    await drag(A.page, 180, 90);
    await A.page.waitForFunction(() => window.__atlas.workshop.following() === false);
    assert.equal(await bannerText(A.page), 'Vous explorez seul');
    assert.equal(await A.page.textContent('#atelier-suivre'), 'Revenir à l’animation');
    await A.page.waitForFunction(() => window.__atlas.workshop.presence() === false, null, { timeout: 10_000 });
    // The facilitator's panel sees it at its next poll.
    await F.page.waitForFunction(
      () => [...document.querySelectorAll('#atelier-panneau .atelier-participants li')].some((li) => li.textContent.startsWith('Alice') && li.dataset.following === 'false'),
      null,
      { timeout: 15_000 },
    );
    assert.match(await F.page.textContent('#atelier-panneau .atelier-participants'), /Alice\s*explore seul/);
    const aMoved = await shown(A.page);
    await A.page.waitForTimeout(300);
    await A.page.screenshot({ path: ARTIFACTS + 'ws-06-explore-seul.png' });

    // Meanwhile the facilitator moves on: B follows, A stays where it is.
    await settle(F.page, () => F.page.click('#ctl-periode-suiv'));
    const f = await facilitatorStill();
    await follows(B, f, 'B');
    await A.page.waitForTimeout(500);
    const aStill = await shown(A.page);
    assert.notEqual(aStill.state.period, f.state.period, 'A, exploring, does not follow');
    assert.deepEqual(aStill.bounds, aMoved.bounds);

    // « Revenir à l'animation »: the latest view at once, following again.
    await A.page.click('#atelier-suivre');
    await follows(A, f, 'A revenu');
    assert.equal(await bannerText(A.page), 'Vous suivez l’animation');
    await A.page.waitForFunction(() => window.__atlas.workshop.presence() === true, null, { timeout: 10_000 });
  });

  test('« Montrer » : le pointeur de l’animateur, puis celui d’un participant, sur les autres écrans', async () => {
    // The facilitator selects Haute-Garonne with the search box and shows it.
    await F.page.focus('#recherche-saisie');
    await F.page.keyboard.type('haute-garonne', { delay: 30 });
    await F.page.waitForSelector('#recherche-resultats:not([hidden]) [role="option"][data-code="31"]');
    await F.page.keyboard.press('Enter');
    await F.page.waitForFunction(() => window.__atlas.state().selection === '31');
    const f = await facilitatorStill();
    await follows(A, f, 'A (sélection)');
    await follows(B, f, 'B (sélection)');
    await F.page.click('#atelier-montrer');
    for (const [p, label] of [
      [A, 'A'],
      [B, 'B'],
      [F, 'F'],
    ]) {
      await p.page.waitForFunction(() => window.__atlas.workshop.pointer()?.code === '31', null, { timeout: 10_000 });
      const text = await p.page.textContent('#atelier-barre .atelier-barre-pointeur');
      assert.match(text, /^Montré par .+ : Haute-Garonne$/, `${label}: ${text}`);
      // The label comes once the territory's centre is known.
      await p.page.waitForSelector('.pointeur[data-code="31"]', { state: 'visible', timeout: 10_000 });
      assert.match(await p.page.textContent('.pointeur'), /^Montré par .+Haute-Garonne$/, `${label}: the label on the map`);
    }
    const by = (await ws(A.page)).pointer.by;
    console.log(`pointeur de l’animateur : « Montré par ${by} : Haute-Garonne » sur les trois écrans`);
    await B.page.screenshot({ path: ARTIFACTS + 'ws-07-pointeur-animateur-telephone.png' });

    // B taps another département on the phone (it leaves follow mode) and shows it.
    const target = await B.page.evaluate(() => {
      const m = window.__atlas.map;
      const c = m.getCanvas().getBoundingClientRect();
      const bar = document.getElementById('atelier-barre').getBoundingClientRect();
      for (let y = bar.bottom + 40; y < c.bottom - 40; y += 20) {
        for (let x = c.left + 90; x < c.right - 30; x += 20) {
          const f = m.queryRenderedFeatures([x - c.left, y - c.top], { layers: ['aplat-departements'] })[0];
          const code = f?.properties?.code;
          if (code && code !== '31' && !document.elementFromPoint(x, y)?.closest('.encarts, .maplibregl-ctrl, .pointeur')) return { x, y, code };
        }
      }
      return null;
    });
    assert.ok(target, 'a département to tap on the phone');
    await B.page.touchscreen.tap(target.x, target.y);
    await B.page.waitForFunction((c) => window.__atlas.state().selection === c, target.code);
    assert.equal((await ws(B.page)).following, false, 'a tap on the map leaves follow mode');
    // The tooltip of the tap stays on the phone's screen.
    const tip = await B.page.evaluate(() => {
      const t = document.getElementById('infobulle');
      return t.hidden ? null : t.getBoundingClientRect().toJSON();
    });
    if (tip) assert.ok(tip.left >= 0 && tip.right <= 390 && tip.bottom <= 844, `tooltip on screen: ${JSON.stringify(tip)}`);
    await B.page.waitForSelector('#atelier-montrer:not([disabled])');
    await B.page.tap('#atelier-montrer');
    for (const [p, label] of [
      [F, 'F'],
      [A, 'A'],
    ]) {
      await p.page.waitForFunction((c) => window.__atlas.workshop.pointer()?.code === c, target.code, { timeout: 10_000 });
      assert.match(await p.page.textContent('#atelier-barre .atelier-barre-pointeur'), /^Montré par Bruno <b>B\.<\/b> : /, label);
    }
    await F.page.screenshot({ path: ARTIFACTS + 'ws-08-pointeur-participant-animateur.png' });
    console.log(`pointeur de B (téléphone) : département ${target.code} montré chez l’animateur et chez A`);
    // Back to following (the profile sheet B's tap opened is closed first).
    await B.page.keyboard.press('Escape');
    await B.page.tap('#atelier-suivre');
    await follows(B, await facilitatorStill(), 'B revenu');
  });

  test('le serveur redémarre : chaque page se reconnecte seule et rattrape ce qui a été envoyé entre-temps', async () => {
    outage[0] = Date.now();
    const stopMs = await server.stop('SIGTERM');
    for (const [p, label] of [
      [F, 'F'],
      [A, 'A'],
      [B, 'B'],
    ]) {
      await p.page.waitForFunction(() => window.__atlas.workshop.connection() !== 'open', null, { timeout: 20_000 }).catch(() => {
        throw new Error(`${label} did not notice the server going away`);
      });
    }
    await B.page.waitForFunction(() => /Connexion perdue, reconnexion…/.test(document.querySelector('.atelier-barre-etat')?.textContent ?? ''), null, {
      timeout: 20_000,
    });
    await B.page.screenshot({ path: ARTIFACTS + 'ws-09-connexion-perdue-telephone.png' });
    // Down for a few seconds: the pages back off meanwhile.
    await new Promise((r) => setTimeout(r, 3000));
    const readyMs = await server.start();
    const restarted = Date.now();

    // Right after the restart, before the participants are back: a step and a new view.
    const before = { A: (await ws(A.page)).connection, B: (await ws(B.page)).connection };
    await F.page.click('#atelier-etape-ajouter');
    await F.page.fill('#etape-titre', 'Après redémarrage');
    await F.page.click('.etape-formulaire button[type=submit]');
    await F.page.waitForSelector('#atelier-panneau .etape-aller:text("Après redémarrage")', { timeout: 15_000 });
    await settle(F.page, () => F.page.selectOption('#ctl-sexe', 'hommes'));
    const f = await facilitatorStill();
    console.log(
      `redémarrage : arrêt (SIGTERM) ${stopMs} ms, serveur prêt en ${readyMs} ms ; étape et vue envoyées alors que A était « ${before.A} » et B « ${before.B} »`,
    );

    for (const [p, label] of [
      [F, 'F'],
      [A, 'A'],
      [B, 'B'],
    ]) {
      await p.page.waitForFunction(() => window.__atlas.workshop.connection() === 'open', null, { timeout: 30_000 });
      console.log(`${label} reconnecté ${Date.now() - restarted} ms après le redémarrage`);
    }
    for (const [p, label] of [
      [A, 'A'],
      [B, 'B'],
    ]) {
      await p.page.waitForFunction(
        () => [...document.querySelectorAll('#atelier-infos .etape-voir')].some((b) => b.textContent === 'Après redémarrage'),
        null,
        { timeout: 20_000 },
      );
      await follows(p, f, `${label} après redémarrage`);
      assert.equal(await bannerText(p.page), 'Vous suivez l’animation');
      assert.equal(await p.page.textContent('.atelier-barre-etat'), '');
    }
    outage[1] = Date.now();
    await B.page.waitForTimeout(300);
    await B.page.screenshot({ path: ARTIFACTS + 'ws-10-apres-redemarrage-telephone.png' });
    // The presence of each participant came back with its connection.
    await F.page.waitForFunction(() => document.querySelectorAll('#atelier-panneau .atelier-participants li[data-connected="true"][data-following="true"]').length === 2, null, {
      timeout: 15_000,
    });
    await F.page.screenshot({ path: ARTIFACTS + 'ws-11-animateur-apres-redemarrage.png' });
  });

  test('un rechargement garde le rôle : B sans redonner son nom, l’animateur toujours animateur', async () => {
    await B.page.reload();
    await B.page.waitForFunction(() => window.__atlas?.workshop?.connection() === 'open' && window.__atlas.workshop.presence() === true, null, {
      timeout: 30_000,
    });
    assert.equal(await B.page.$('#rejoindre-nom'), null, 'no name asked again');
    assert.equal(await B.page.evaluate(() => window.__atlas.workshop.name()), 'Bruno <b>B.</b>');
    assert.equal(await bannerText(B.page), 'Vous suivez l’animation');
    // The facilitator's selection is followed without its profile covering the phone's map.
    assert.equal(await B.page.evaluate(() => window.__atlas.state().selection), '31');
    await B.page.waitForTimeout(500);
    assert.equal(await B.page.isVisible('#profil'), false, 'no profile sheet over a following phone');

    await F.page.reload();
    await F.page.waitForFunction(() => window.__atlas?.workshop?.connection() === 'open', null, { timeout: 30_000 });
    assert.equal((await ws(F.page)).role, 'facilitator');
    assert.equal(new URL(F.page.url()).hash, `#atelier=${code}`, 'no token in the address bar');
    assert.ok(await F.page.isVisible('#atelier-panneau'));
    // It still drives both screens.
    await settle(F.page, () => F.page.selectOption('#ctl-sexe', 'ensemble'));
    const f = await facilitatorStill();
    await follows(A, f, 'A après rechargement de l’animateur');
    await follows(B, f, 'B après rechargements');
  });

  test('les étapes : revenir à une vue (diffusée), renommer, supprimer', async () => {
    // The step was saved with « femmes »: another view first, then back to it.
    await settle(F.page, () => F.page.selectOption('#ctl-sexe', 'hommes'));
    await follows(B, await facilitatorStill(), 'B (avant l’étape)');
    await settle(F.page, () => F.page.click('#atelier-panneau .etape-aller:text("Après redémarrage")'));
    const f = await facilitatorStill();
    assert.equal(f.state.sex, 'femmes', 'the step’s view');
    await follows(A, f, 'A (étape)');
    await follows(B, f, 'B (étape)');

    const li = '#atelier-panneau .atelier-etapes li';
    await F.page.click(`${li} button[aria-label="Renommer l’étape « Après redémarrage »"]`);
    await F.page.fill(`${li} .etape-renommer input`, 'Hommes, après redémarrage');
    await F.page.press(`${li} .etape-renommer input`, 'Enter');
    for (const p of [A, B]) {
      await p.page.waitForFunction(() => [...document.querySelectorAll('#atelier-infos .etape-voir')].map((b) => b.textContent).join('|') === 'Hommes, après redémarrage');
    }
    await F.page.click(`${li} button[aria-label="Supprimer l’étape « Hommes, après redémarrage »"]`);
    for (const p of [F, A, B]) {
      await p.page.waitForFunction(() => document.querySelectorAll('#atelier-panneau .etape-aller, #atelier-infos .etape-voir').length === 0);
    }
  });

  test('réglages, fermeture et réouverture : fermé, rien n’est diffusé et les écrans le disent', async () => {
    // Pointing off: the participants' « Montrer » goes.
    await F.page.uncheck('#atelier-pointage');
    await B.page.waitForFunction(() => document.getElementById('atelier-montrer').hidden);
    await A.page.waitForFunction(() => document.getElementById('atelier-montrer').hidden);
    await F.page.check('#atelier-pointage');
    await B.page.waitForFunction(() => !document.getElementById('atelier-montrer').hidden);

    const before = await shown(A.page);
    await F.page.click('#atelier-fermer');
    await F.page.waitForSelector('#atelier-panneau .atelier-ferme:not([hidden])');
    assert.match(await F.page.textContent('#atelier-panneau .atelier-statut'), /fermé/);
    assert.match(await F.page.textContent('#atelier-panneau .atelier-ferme'), /rien n’est diffusé/);
    assert.equal(await F.page.textContent('#atelier-fermer'), 'Rouvrir l’atelier');
    for (const p of [A, B]) await p.page.waitForFunction(() => document.querySelector('#atelier-barre .atelier-barre-texte').textContent === 'Atelier fermé');
    await B.page.screenshot({ path: ARTIFACTS + 'ws-12-atelier-ferme-telephone.png' });
    // The facilitator's map still works; the participants' do not change.
    await settle(F.page, () => F.page.click('#ctl-periode-prec'));
    await drag(F.page, 80, 0);
    await F.page.waitForFunction(() => !window.__atlas.map.isMoving());
    await A.page.waitForTimeout(1000);
    const still = await shown(A.page);
    assert.deepEqual(still.state, before.state, 'nothing broadcast while closed');
    assert.deepEqual(still.bounds, before.bounds);

    // Reopened: the current view goes out at once.
    await F.page.click('#atelier-fermer');
    await F.page.waitForSelector('#atelier-panneau .atelier-ferme', { state: 'hidden' });
    const f = await facilitatorStill();
    await follows(A, f, 'A (réouverture)');
    await follows(B, f, 'B (réouverture)');
    assert.equal(await bannerText(B.page), 'Vous suivez l’animation');
  });

  test('le téléphone n’a aucun défilement horizontal, aucune erreur de console, rien ne sort de 127.0.0.1', async () => {
    const scroll = await B.page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: innerWidth }));
    assert.ok(scroll.sw <= scroll.iw, `${scroll.sw} > ${scroll.iw}`);
    for (const [p, label] of [
      [F, 'F'],
      [A, 'A'],
      [B, 'B'],
    ]) {
      // While the server was down, refused connections are the browser's own report.
      const unexpected = p.timedErrors.filter((e) => !(e.at >= outage[0] && e.at <= outage[1] && /net::ERR_|Failed to load resource/.test(e.text)));
      assert.deepEqual(unexpected, [], `${label}: console errors`);
      const during = p.timedErrors.length - unexpected.length;
      if (during > 0) console.log(`${label} : ${during} connexion(s) refusée(s) pendant l’arrêt du serveur (attendues)`);
    }
    assertNothingLeftLoopback();
  });
});
