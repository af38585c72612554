// Browser test of the workshop board: contributions pinned to territories,
// phases, dot votes, the priorities map, quick polls and the synthesis.
// Three pages in Debian's chromium (playwright-core, harness.mjs) against
// an `atlas serve` the test starts itself (ATLAS_BIN on ATLAS_DATABASE_URL,
// from deploy/browser-test.sh), on a fixed port, so that it can restart it
// mid-session as workshop.test.mjs does:
//
//   F  the facilitator, laptop 1280 × 800 (and 1920 × 1080, a projector);
//   A  Alice, participant on a laptop 1280 × 800;
//   B  Bruno, participant on a phone 390 × 844 (touch, DPR 2).
//
// The steps share the pages and run in order. Screenshots go to
// test-artifacts/board-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ARTIFACTS, AtlasServer, PHONE, assertNothingLeftLoopback, freePort, open, settle, sharedBrowser } from './harness.mjs';

const BIN = process.env.ATLAS_BIN;
const DB = process.env.ATLAS_DATABASE_URL;
if (!BIN || !DB) {
  throw new Error('ATLAS_BIN and ATLAS_DATABASE_URL are not set: run `bash deploy/browser-test.sh` (the board test starts and restarts its own server)');
}

const browser = sharedBrowser();
let server;
let W;
let F;
let A;
let B;
let code = '';
let participantLink = '';
/** Windows [from, to, pattern] of console errors that are the browser's own report of an expected failure. */
const expected = [];
/** What the test learnt along the way. */
const T = {};

before(async () => {
  server = new AtlasServer(BIN, DB, await freePort());
  const ms = await server.start();
  W = server.url;
  console.log(`serveur du tableau : ${W} (prêt en ${ms} ms)`);
});
after(async () => {
  for (const p of [F, A, B]) await p?.context.close().catch(() => {});
  await server?.stop();
  const warnings = (server?.log() ?? '').split('\n').filter((l) => /level=(ERROR|WARN)/.test(l));
  if (warnings.length > 0) console.log(`journal du serveur :\n${warnings.join('\n')}`);
});

/** The board as a page holds it (window.__atlas.workshop.board). */
const board = (page) =>
  page.evaluate(() => {
    const w = window.__atlas.workshop;
    const b = typeof w.board === 'function' ? w.board() : null;
    return b ? { state: b.state(), badges: b.badges(), filter: b.filter(), tab: b.tab(), target: b.target(), priorities: b.priorities() } : null;
  });

const connection = (page) => page.evaluate(() => window.__atlas.workshop?.connection());

/** Waits until `fn(board)` holds on a page; the message says what the page held instead. */
async function until(p, label, fn, arg, timeout = 15_000) {
  // The predicate and the read-out composed into one function's source, which playwright compiles
  // through the DevTools protocol (a string expression would be an eval, refused by the page's CSP).
  const src = `(a) => {
    const w = window.__atlas.workshop;
    const b = w && typeof w.board === 'function' ? w.board() : null;
    if (!b) return false;
    const s = { state: b.state(), badges: b.badges(), filter: b.filter(), tab: b.tab(), target: b.target(), priorities: b.priorities() };
    return (${fn.toString()})(s, a);
  }`;
  const predicate = () => false;
  predicate.toString = () => src;
  try {
    await p.page.waitForFunction(predicate, arg ?? null, { timeout });
  } catch (err) {
    throw new Error(`${label}: ${err.message}\n${JSON.stringify(await board(p.page).catch(() => null))}`);
  }
}

const ids = (b) => b.state.contributions.map((c) => c.id).sort((x, y) => x - y);

/** A board with its timestamps to the millisecond (an event says nanoseconds, the database microseconds). */
function ms(state) {
  const t = (s) => (s ? new Date(s).toISOString() : s);
  return {
    ...state,
    contributions: state.contributions.map((c) => ({ ...c, created_at: t(c.created_at), edited_at: t(c.edited_at) })),
    polls: state.polls.map((p) => ({ ...p, created_at: t(p.created_at) })),
  };
}

/** The badge drawn on a page's map for a territory: its count in the layer's rendered features (null: none drawn). */
const renderedBadge = (page, key) =>
  page.evaluate((k) => {
    const m = window.__atlas.map;
    const f = m.queryRenderedFeatures({ layers: ['atelier-pastilles'] }).find((x) => x.properties.key === k);
    return f ? Number(f.properties.count) : null;
  }, key);

async function badgeDrawn(p, label, key, n) {
  try {
    await p.page.waitForFunction(
      ([k, want]) => {
        const m = window.__atlas.map;
        if (!m.getLayer('atelier-pastilles')) return false;
        const f = m.queryRenderedFeatures({ layers: ['atelier-pastilles'] }).find((x) => x.properties.key === k);
        return want === null ? !f : f && Number(f.properties.count) === want;
      },
      [key, n],
      { timeout: 15_000 },
    );
  } catch (err) {
    const seen = await p.page.evaluate(() => {
      const m = window.__atlas.map;
      const b = m.getBounds();
      return {
        rendered: m.queryRenderedFeatures({ layers: ['atelier-pastilles'] }).map((f) => `${f.properties.key}=${f.properties.count}`),
        held: window.__atlas.workshop.board().badges().map((x) => `${x.key}=${x.n}@${x.lngLat.map((v) => v.toFixed(2))}`),
        bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(2)),
      };
    });
    await p.page.screenshot({ path: `${ARTIFACTS}board-echec-${label}.png` });
    throw new Error(`${label}: badge ${key} ≠ ${n}: ${JSON.stringify(seen)} (${err.message})`);
  }
}

/** The facilitator's page when it has sent its latest view and is still. */
async function facilitatorStill() {
  await F.page.waitForFunction(() => !window.__atlas.map.isMoving() && window.__atlas.workshop.idle(), null, { timeout: 15_000 });
  await F.page.waitForTimeout(150);
  await F.page.waitForFunction(() => !window.__atlas.map.isMoving() && window.__atlas.workshop.idle(), null, { timeout: 15_000 });
}

async function joinAs(page, name) {
  await page.waitForSelector('#rejoindre-nom', { timeout: 20_000 });
  await page.fill('#rejoindre-nom', name);
  await page.click('.rejoindre-dialogue button[type=submit]');
  await page.waitForFunction(() => window.__atlas.workshop?.connection() === 'open' && window.__atlas.workshop.board?.() != null, null, { timeout: 20_000 });
}

/** Selects a territory of the current level with the search box (a person's own selection). */
async function search(p, text, territory) {
  await p.page.fill('#recherche-saisie', '');
  await p.page.focus('#recherche-saisie');
  await p.page.keyboard.type(text, { delay: 20 });
  await p.page.waitForSelector(`#recherche-resultats:not([hidden]) [role="option"][data-code="${territory}"]`);
  await p.page.click(`#recherche-resultats [role="option"][data-code="${territory}"]`);
  await p.page.waitForFunction((c) => window.__atlas.state().selection === c, territory);
}

/** Zooms a page's map out with its own button (a person's move), until it is still. */
async function zoomOut(p, times = 2) {
  for (let i = 0; i < times; i++) {
    await p.page.click('.maplibregl-ctrl-zoom-out');
    await p.page.waitForTimeout(350);
  }
  await p.page.waitForFunction(() => !window.__atlas.map.isMoving());
}

/** Writes a contribution with the form of a page (`tap` on the phone). */
async function write(p, kind, text, { tap = false } = {}) {
  const before = (await board(p.page)).state.contributions.map((c) => c.id);
  // The facilitator's form is folded at first.
  if (!(await p.page.evaluate(() => document.getElementById('contribution-nouvelle').open))) {
    await p.page.click('#contribution-nouvelle > summary');
  }
  if (tap) await p.page.tap(`label[for="contribution-type-${kind}"]`);
  else await p.page.click(`label[for="contribution-type-${kind}"]`);
  await p.page.fill('#contribution-texte', text);
  await p.page.waitForSelector('#contribution-envoyer:not([disabled])');
  if (tap) await p.page.tap('#contribution-envoyer');
  else await p.page.click('#contribution-envoyer');
  await p.page.waitForFunction(
    ([b, t]) => window.__atlas.workshop.board().state().contributions.some((c) => !b.includes(c.id) && c.text === t),
    [before, text],
    { timeout: 15_000 },
  );
  const c = (await board(p.page)).state.contributions.find((x) => !before.includes(x.id) && x.text === text);
  // Sent: the form is empty again (once the answer came: the stream may bring the contribution first).
  await p.page.waitForFunction(() => document.getElementById('contribution-texte').value === '', null, { timeout: 10_000 });
  return c;
}

const item = (id) => `#tableau .contribution[data-id="${id}"]`;

/** The text of every contribution of a page's list. */
const listed = (page) => page.$$eval('#tableau .contribution .contribution-texte', (els) => els.map((e) => e.textContent));

/** Picks a point of a phone's map over a zone d'emploi other than `not`, clear of the controls. */
function pointOnMap(page, not) {
  return page.evaluate((not) => {
    const m = window.__atlas.map;
    const c = m.getCanvas().getBoundingClientRect();
    const bar = document.getElementById('atelier-barre').getBoundingClientRect();
    for (let y = bar.bottom + 60; y < c.bottom - 80; y += 23) {
      for (let x = c.left + 100; x < c.right - 60; x += 23) {
        const f = m.queryRenderedFeatures([x - c.left, y - c.top], { layers: ['aplat-zones-emploi'] })[0];
        const code = f?.properties?.code;
        const el = document.elementFromPoint(x, y);
        if (code && code !== not && f.properties.region === '76' && el?.tagName === 'CANVAS' && !m.queryRenderedFeatures([x - c.left, y - c.top], { layers: ['atelier-pastilles'] }).length)
          return { x, y, code, name: f.properties.name };
      }
    }
    return null;
  }, not);
}

/** A secret cell of the view, with the raw value the database keeps for it (which no output may show). */
function secretCell(choropleth) {
  const secret = choropleth.territories.filter((t) => t.status === 'secret').map((t) => t.code);
  assert.ok(secret.length > 0, 'the demo view has secret cells');
  const codes = secret.map((c) => `'${c}'`).join(',');
  const sql = `select code, value from indicator_value where indicator = 'demo-mp-nombre' and level = 'departement' and period = '2023' and sex = 'femmes' and sector = '87' and code in (${codes}) and value is not null order by value desc`;
  const r = spawnSync('psql', [DB, '-Atc', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [c, v] = l.split('|');
      return { code: c, value: Number(v) };
    });
  // The largest raw value: the most distinctive string to look for.
  const cell = rows.find((x) => x.value >= 10) ?? rows[0];
  assert.ok(cell, `raw values of the secret cells: ${r.stdout}`);
  return { ...cell, name: choropleth.territories.find((t) => t.code === cell.code).name };
}

const frFormat = (v, decimals) => v.toLocaleString('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

/** Opens the phone's board pane on a tab. */
async function phoneTab(tab) {
  if (!(await B.page.evaluate(() => document.getElementById('panneau').dataset.ouvert === 'true' && document.getElementById('panneau').dataset.volet === 'tableau'))) {
    await B.page.tap('#bouton-atelier');
    await B.page.waitForFunction(() => document.getElementById('panneau').dataset.ouvert === 'true' && !document.getElementById('tableau').inert);
  }
  await B.page.tap(`#tableau-onglet-${tab}`);
  await B.page.waitForTimeout(250); // the sheet slides in
}

describe('tableau de l’atelier : contributions, phases, gommettes, priorités, sondages, synthèse', () => {
  test('l’animateur crée l’atelier sur les zones d’emploi d’Occitanie ; A et B (téléphone) rejoignent', async () => {
    F = await open(browser(), '#i=chomage-ze&l=zone-emploi&r=76', { base: W, acceptDownloads: true });
    await F.page.click('#bouton-nouvel-atelier');
    await F.page.fill('#creer-nom', 'Diagnostic — atelier tableau');
    await F.page.click('.creer-dialogue button[type=submit]');
    await F.page.waitForSelector('#creer-code');
    code = (await F.page.textContent('#creer-code')).trim();
    participantLink = await F.page.inputValue('#creer-lien-participants');
    await F.page.click('text=Commencer l’animation');
    await F.page.waitForFunction(() => window.__atlas.workshop?.connection() === 'open');
    assert.equal(await F.page.getAttribute('#tableau-onglet-atelier', 'aria-selected'), 'true', 'the facilitator starts on the workshop tab');
    assert.ok(await F.page.isVisible('#atelier-panneau .atelier-code'));

    A = await open(browser(), new URL(participantLink).hash, { base: W });
    await joinAs(A.page, 'Alice');
    B = await open(browser(), new URL(participantLink).hash, { base: W, device: PHONE });
    await joinAs(B.page, 'Bruno');
    await F.page.click('#tableau-onglet-contributions');
    assert.equal(await F.page.getAttribute('.phases-etapes [data-phase="writing"]', 'aria-pressed'), 'true');
    assert.match(await A.page.textContent('#tableau .phase-participant'), /Phase : écriture/);
    T.toulouse = (await (await fetch(`${W}/api/v1/territories?q=toulouse&level=zone-emploi`)).json()).territories[0];
    assert.equal(T.toulouse.name, 'Toulouse');
    console.log(`atelier ${code} : F, A et B connectés ; zone d’emploi de Toulouse ${T.toulouse.code}`);
  });

  test('écriture privée : chacun ne voit que les siennes (et l’animation toutes), puis la révélation les montre à tous', async () => {
    // A pins a constat to the zone d'emploi of Toulouse, found with the search box.
    await search(A, 'toulouse', T.toulouse.code);
    await until(A, 'A target', (b, k) => b.target === k, `zone-emploi:${T.toulouse.code}`);
    assert.match(await A.page.textContent('#tableau .territoire-nom'), /Toulouse/);
    assert.match(await A.page.textContent('#tableau .confidentialite'), /visible par vous et l’animation jusqu’à la révélation/);
    await A.page.fill('#contribution-texte', 'Intérim <b>très</b> présent dans la logistique & les entrepôts');
    assert.match(await A.page.textContent('#contribution-texte-compteur'), /^62 \/ 1\s000 caractères$/);
    T.a1 = await write(A, 'constat', 'Intérim <b>très</b> présent dans la logistique & les entrepôts');
    assert.equal(T.a1.territory.code, T.toulouse.code);
    assert.equal(T.a1.revealed, false);
    // The stamp: the map A was looking at (the zones d'emploi's unemployment) and its value there.
    const ch = await (await fetch(`${W}/api/v1/indicators/chomage-ze/choropleth?level=zone-emploi`)).json();
    const v = ch.territories.find((t) => t.code === T.toulouse.code);
    assert.equal(T.a1.stamp.value, v.value);
    const stamp = await A.page.textContent(`${item(T.a1.id)} .contribution-tampon`);
    assert.ok(stamp.startsWith(`${ch.label}, `) && stamp.endsWith(` : ${frFormat(v.value, 1)}\u00a0${ch.unit}`), stamp);
    // Typed markup is text.
    assert.equal(await A.page.textContent(`${item(T.a1.id)} .contribution-texte`), 'Intérim <b>très</b> présent dans la logistique & les entrepôts');
    assert.equal(await A.page.$(`${item(T.a1.id)} .contribution-texte b`), null);
    assert.match(await A.page.textContent(`${item(T.a1.id)} .contribution-meta`), /privée/);

    // B, on the phone: the board's tab in the sheet, « Choisir sur la carte », a tap on another zone.
    await phoneTab('contributions');
    await B.page.tap('#tableau .territoire-choisir');
    await B.page.waitForFunction(() => document.getElementById('panneau').dataset.ouvert === 'false');
    assert.ok(await B.page.isVisible('.choix-carte'), 'the phone says to touch the territory');
    await B.page.waitForTimeout(300);
    const target = await pointOnMap(B.page, T.toulouse.code);
    assert.ok(target, 'a zone d’emploi to tap on the phone');
    await B.page.touchscreen.tap(target.x, target.y);
    await until(B, 'B target', (b, k) => b.target === k, `zone-emploi:${target.code}`);
    await B.page.waitForFunction(() => document.getElementById('panneau').dataset.ouvert === 'true' && document.getElementById('panneau').dataset.volet === 'tableau');
    assert.equal(await B.page.isVisible('#profil'), false, 'the profile stays closed over the board');
    T.bZone = target;
    T.b1 = await write(B, 'hypothese', 'Sous-déclaration des accidents chez les saisonniers agricoles', { tap: true });
    await B.page.screenshot({ path: ARTIFACTS + 'board-00-ecriture-privee-telephone.png' });

    // Private: each sees their own, the facilitator both; the badges likewise.
    await until(F, 'F sees both', (b, x) => x.every((id) => b.state.contributions.some((c) => c.id === id)), [T.a1.id, T.b1.id]);
    await A.page.waitForTimeout(500);
    assert.deepEqual(ids(await board(A.page)), [T.a1.id], 'A sees only A’s');
    assert.deepEqual(ids(await board(B.page)), [T.b1.id], 'B sees only B’s');
    assert.deepEqual(await listed(A.page), [T.a1.text]);
    assert.deepEqual(await listed(B.page), [T.b1.text]);
    const kA = `zone-emploi:${T.toulouse.code}`;
    const kB = `zone-emploi:${T.bZone.code}`;
    await badgeDrawn(F, 'F', kA, 1);
    await badgeDrawn(F, 'F', kB, 1);
    assert.equal(await renderedBadge(A.page, kB), null, 'no badge of B’s on A’s map');
    console.log(`écriture privée : A voit ${ids(await board(A.page))}, B voit ${ids(await board(B.page))}, l’animation ${ids(await board(F.page))}`);

    // Reveal.
    await F.page.click('.phases-etapes [data-phase="reveal"]');
    for (const [p, label] of [
      [A, 'A'],
      [B, 'B'],
    ]) {
      await until(p, `${label} after reveal`, (b, x) => b.state.phase === 'reveal' && x.every((id) => b.state.contributions.some((c) => c.id === id && c.revealed)), [T.a1.id, T.b1.id]);
    }
    assert.deepEqual((await listed(A.page)).sort(), [T.a1.text, T.b1.text].sort());
    assert.deepEqual((await listed(B.page)).sort(), [T.a1.text, T.b1.text].sort());
    assert.match(await B.page.textContent('#tableau .phase-participant'), /Phase : révélation/);
    // A and B follow the facilitator again: Occitanie's zones, with both badges.
    await B.page.tap('#atelier-suivre');
    await B.page.waitForFunction(() => window.__atlas.workshop.following());
    await A.page.click('#atelier-suivre');
    await A.page.waitForFunction(() => window.__atlas.workshop.following());
    await badgeDrawn(B, 'B', kA, 1);
    await badgeDrawn(A, 'A', kB, 1);
  });

  test('une contribution épinglée à une zone d’emploi arrive sur les autres écrans, avec sa pastille sur la carte', async () => {
    // The facilitator pins a piste d'action to Toulouse too: the badge says 2 everywhere.
    await search(F, 'toulouse', T.toulouse.code);
    // The search zoomed on Toulouse: back out, so that the neighbouring zones show (on every follower).
    await zoomOut(F);
    await facilitatorStill();
    T.f1 = await write(F, 'piste', 'Former les tuteurs des intérimaires');
    assert.equal(T.f1.revealed, true);
    assert.equal(T.f1.author, 0);
    const kA = `zone-emploi:${T.toulouse.code}`;
    const t0 = Date.now();
    for (const [p, label] of [
      [A, 'A'],
      [B, 'B'],
      [F, 'F'],
    ]) {
      await until(p, `${label} gets F's`, (b, id) => b.state.contributions.some((c) => c.id === id), T.f1.id);
      await badgeDrawn(p, label, kA, 2);
    }
    console.log(`contribution de l’animation sur les trois écrans, pastille « 2 » sur Toulouse, en ${Date.now() - t0} ms`);
    assert.match(await B.page.textContent(`${item(T.f1.id)} .contribution-meta`), /par Animation/);

    // A click on the badge filters the list on its territory (and selects nothing).
    const before = await A.page.evaluate(() => window.__atlas.state().selection);
    const pt = await A.page.evaluate((k) => {
      const m = window.__atlas.map;
      const f = m.queryRenderedFeatures({ layers: ['atelier-pastilles'] }).find((x) => x.properties.key === k);
      const p = m.project(f.geometry.coordinates);
      const c = m.getCanvas().getBoundingClientRect();
      return { x: c.left + p.x, y: c.top + p.y };
    }, `zone-emploi:${T.bZone.code}`);
    await A.page.mouse.click(pt.x, pt.y);
    await until(A, 'A filtered', (b, k) => b.filter === k, `zone-emploi:${T.bZone.code}`);
    assert.deepEqual(await listed(A.page), [T.b1.text]);
    assert.equal(await A.page.evaluate(() => window.__atlas.state().selection), before, 'a badge click selects no territory');
    await A.page.selectOption('#filtre-territoire', '');
    await until(A, 'A unfiltered', (b) => b.filter === null);
  });

  test('l’auteur modifie et supprime les siennes ; l’animation masque, fusionne un doublon, retient pour la synthèse', async () => {
    // A edits: the text changes on every screen, marked as edited.
    await A.page.click(`${item(T.a1.id)} .contribution-modifier`);
    const edited = 'Intérim très présent dans la logistique et les entrepôts du nord toulousain';
    await A.page.fill(`#contribution-${T.a1.id}-texte`, edited);
    await A.page.click(`${item(T.a1.id)} .contribution-edition button[type=submit]`);
    for (const [p, label] of [
      [B, 'B'],
      [F, 'F'],
    ]) {
      await until(p, `${label} sees the edit`, (b, [id, t]) => b.state.contributions.some((c) => c.id === id && c.text === t && c.edited_at), [T.a1.id, edited]);
    }
    assert.match(await B.page.textContent(`${item(T.a1.id)} .contribution-meta`), /modifiée/);
    T.a1.text = edited;
    // Only its author may: no edit button for the others.
    assert.equal(await B.page.isVisible(`${item(T.a1.id)} .contribution-modifier`), false);
    assert.equal(await F.page.isVisible(`${item(T.a1.id)} .contribution-modifier`), false);

    // B writes one more, then deletes it.
    await phoneTab('contributions');
    const gone = await write(B, 'question', 'Question envoyée par erreur', { tap: true });
    await until(A, 'A gets B’s question', (b, id) => b.state.contributions.some((c) => c.id === id), gone.id);
    await B.page.tap(`${item(gone.id)} .contribution-supprimer`);
    await B.page.tap(`${item(gone.id)} .danger`);
    for (const [p, label] of [
      [A, 'A'],
      [F, 'F'],
      [B, 'B'],
    ]) {
      await until(p, `${label}: deleted`, (b, id) => !b.state.contributions.some((c) => c.id === id), gone.id);
    }

    // A writes a duplicate of the facilitator's piste, and something off topic.
    await A.page.click('#tableau-onglet-contributions');
    await search(A, 'toulouse', T.toulouse.code);
    T.dup = await write(A, 'piste', 'Former les tuteurs (doublon)');
    T.off = await write(A, 'question', 'Message hors sujet');
    await until(B, 'B gets A’s two', (b, x) => x.every((id) => b.state.contributions.some((c) => c.id === id)), [T.dup.id, T.off.id]);
    await badgeDrawn(B, 'B', `zone-emploi:${T.toulouse.code}`, 4);

    // The facilitator hides one, merges the other into its own piste.
    await F.page.click(`${item(T.off.id)} .contribution-masquer`);
    await F.page.click(`${item(T.dup.id)} .contribution-fusionner`);
    await F.page.selectOption(`#contribution-${T.dup.id}-fusion`, String(T.f1.id));
    await F.page.click(`${item(T.dup.id)} .contribution-fusion button[type=submit]`);
    for (const [p, label] of [
      [A, 'A'],
      [B, 'B'],
    ]) {
      await until(p, `${label}: hidden and merged gone`, (b, x) => !b.state.contributions.some((c) => x.includes(c.id)), [T.off.id, T.dup.id]);
      await badgeDrawn(p, label, `zone-emploi:${T.toulouse.code}`, 2);
    }
    await until(F, 'F keeps them, marked', (b, [off, dup, into]) => b.state.contributions.some((c) => c.id === off && c.hidden) && b.state.contributions.some((c) => c.id === dup && c.merged_into === into), [T.off.id, T.dup.id, T.f1.id]);
    assert.match(await F.page.textContent(`${item(T.off.id)} .contribution-meta`), /masquée/);
    assert.match(await F.page.textContent(`${item(T.dup.id)} .contribution-meta`), /fusionnée dans la n° /);

    // Retained for the synthesis: A's constat and the facilitator's piste.
    await F.page.click(`${item(T.a1.id)} .contribution-retenir`);
    await F.page.click(`${item(T.f1.id)} .contribution-retenir`);
    await until(F, 'retained', (b, x) => x.every((id) => b.state.contributions.find((c) => c.id === id)?.retained), [T.a1.id, T.f1.id]);
    assert.equal(await F.page.getAttribute(`${item(T.f1.id)} .contribution-retenir`, 'aria-pressed'), 'true');
  });

  test('une contribution sur un territoire sous secret statistique : « valeur non diffusée », jamais le chiffre', async () => {
    // The facilitator shows the demo occupational diseases, women, sector 87, by département.
    await settle(F.page, () => F.page.selectOption('#ctl-theme', 'sinistralite'));
    await settle(F.page, () => F.page.selectOption('#ctl-indicateur', 'demo-mp-nombre'));
    await settle(F.page, () => F.page.selectOption('#ctl-sexe', 'femmes'));
    await settle(F.page, () => F.page.selectOption('#ctl-secteur', '87'));
    const ch = await F.page.evaluate(() => window.__atlas.choropleth());
    assert.equal(ch.level, 'departement');
    T.secret = secretCell(ch);
    T.secretLabel = ch.label;
    T.secretUnit = ch.unit;
    await search(F, T.secret.name.slice(0, 5).toLowerCase(), T.secret.code);
    // A step of the workshop on it, for the synthesis's figures.
    await F.page.click('#tableau-onglet-atelier');
    await F.page.click('#atelier-etape-ajouter');
    await F.page.fill('#etape-titre', 'Maladies professionnelles des femmes, secteur 87');
    await F.page.click('.etape-formulaire button[type=submit]');
    await F.page.waitForSelector('#atelier-panneau .etape-aller');
    await F.page.click('#tableau-onglet-contributions');
    T.secretC = await write(F, 'question', `Pourquoi si peu de cas reconnus en ${T.secret.name} ?`);
    assert.equal(T.secretC.stamp.value, null);
    assert.equal(T.secretC.stamp.status, 'secret');
    await until(A, 'A gets the question', (b, id) => b.state.contributions.some((c) => c.id === id), T.secretC.id);
    const stamp = await A.page.textContent(`${item(T.secretC.id)} .contribution-tampon`);
    assert.match(stamp, /: valeur non diffusée \(secret statistique\)$/);
    assert.ok(!stamp.includes(frFormat(T.secret.value, 0)), `no secret figure in ${stamp}`);
    console.log(`secret statistique : ${T.secret.name} (${T.secret.code}), tampon « ${stamp} »`);
    // Back to the zones d'emploi for the vote.
    await settle(F.page, () => F.page.selectOption('#ctl-theme', 'emploi-entreprises'));
    await settle(F.page, () => F.page.selectOption('#ctl-indicateur', 'chomage-ze'));
    // The search zoomed on the département: back out to the zones around Toulouse.
    await zoomOut(F, 2);
    await facilitatorStill();
  });

  test('gommettes : dans le budget, le refus au-delà (le message du serveur), résultats masqués puis révélés', async () => {
    // The vote's settings are folded until the vote phase.
    if (!(await F.page.evaluate(() => document.querySelector('.vote-details').open))) await F.page.click('.vote-details > summary');
    await F.page.check('#vote-masquer');
    await until(F, 'F: hidden results', (b) => b.state.hide_results === true);
    await F.page.click('.phases-etapes [data-phase="vote"]');
    for (const [p, label] of [
      [A, 'A'],
      [B, 'B'],
    ]) {
      await until(p, `${label}: vote`, (b) => b.state.phase === 'vote' && b.state.remaining === 3);
    }
    assert.match(await A.page.textContent('#tableau .gommettes'), /Il vous reste\s*●●●\s*3 gommettes sur 3/);

    // A: one dot on B's hypothesis, one on Toulouse as a territory to prioritise.
    await A.page.click(`${item(T.b1.id)} .gommette-plus`);
    await until(A, 'A: 2 left', (b) => b.state.remaining === 2);
    await search(A, 'toulouse', T.toulouse.code);
    await A.page.click('#tableau .territoire-choisi .gommette-plus');
    await until(A, 'A: 1 left', (b) => b.state.remaining === 1);
    assert.match(await A.page.textContent('#tableau .gommettes'), /Il vous reste\s*●○○\s*1 gommette sur 3/);
    // Hidden: the participants see no count, the facilitator all.
    await until(F, 'F counts', (b, id) => b.state.tallies?.contributions[id] === 1 && b.state.tallies.dots === 2, T.b1.id);
    assert.equal((await board(A.page)).state.tallies, null);
    assert.equal(await A.page.isVisible(`${item(T.b1.id)} .gommettes-compte`), false);

    // B, on the phone: two dots by touch.
    await phoneTab('contributions');
    await B.page.tap(`${item(T.a1.id)} .gommette-plus`);
    await until(B, 'B: 2 left', (b) => b.state.remaining === 2);
    await B.page.tap(`${item(T.f1.id)} .gommette-plus`);
    await until(B, 'B: 1 left', (b) => b.state.remaining === 1);

    // B's other screen spends the last dot while this one is cut from the stream:
    // this screen still offers one, and the server's refusal is what it shows.
    // (The stream is cut by a restart of the server while the phone cannot reconnect.)
    const token = await B.page.evaluate((c) => localStorage.getItem(`atlas.atelier.${c}.participant`), code);
    const window0 = Date.now();
    await B.page.route('**/events*', (r) => r.abort());
    await server.stop('SIGTERM');
    await B.page.waitForFunction(() => window.__atlas.workshop.connection() !== 'open', null, { timeout: 20_000 });
    await server.start();
    for (const p of [F, A]) await p.page.waitForFunction(() => window.__atlas.workshop.connection() === 'open', null, { timeout: 30_000 });
    const other = await fetch(`${W}/api/v1/workshops/${code}/votes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ contribution: T.a1.id }),
    });
    assert.equal(other.status, 200, 'the other screen’s vote');
    assert.equal((await board(B.page)).state.remaining, 1, 'this screen does not know yet');
    assert.equal(await B.page.isDisabled(`${item(T.b1.id)} .gommette-plus`), false);
    await B.page.tap(`${item(T.b1.id)} .gommette-plus`);
    await B.page.waitForFunction((id) => /plus de gommette/.test(document.querySelector(`#tableau .contribution[data-id="${id}"] .contribution-erreur`)?.textContent ?? ''), T.b1.id, {
      timeout: 10_000,
    });
    const refusal = await B.page.textContent(`${item(T.b1.id)} .contribution-erreur`);
    console.log(`refus au-delà du budget, affiché sur le téléphone : « ${refusal} »`);
    // The refusal made the page read the board again: nothing left, the buttons say so.
    await until(B, 'B: 0 left', (b) => b.state.remaining === 0);
    await B.page.waitForFunction(() => [...document.querySelectorAll('#tableau .gommette-plus')].filter((b) => b.offsetParent).every((b) => b.disabled));
    assert.match(await B.page.textContent('#tableau .gommettes'), /Plus de gommette/);
    await B.page.screenshot({ path: ARTIFACTS + 'board-06-refus-budget-telephone.png' });
    await B.page.unroute('**/events*');
    await B.page.waitForFunction(() => window.__atlas.workshop.connection() === 'open', null, { timeout: 30_000 });
    expected.push([window0, Date.now(), /net::ERR_|Failed to load resource/]);

    // B takes one back (of the two on A's constat) and puts it on the hypothesis.
    await B.page.tap(`${item(T.a1.id)} .gommette-moins`);
    await until(B, 'B: 1 left again', (b) => b.state.remaining === 1);
    await B.page.tap(`${item(T.b1.id)} .gommette-plus`);
    await until(B, 'B: none left', (b) => b.state.remaining === 0);
    // A takes back the dot on the hypothesis.
    await A.page.click(`${item(T.b1.id)} .gommette-moins`);
    await until(A, 'A: 2 left', (b) => b.state.remaining === 2);

    // Expected counts: B1 ← B; A1 ← B; F1 ← B; Toulouse ← A (territory).
    const want = { [T.a1.id]: 1, [T.b1.id]: 1, [T.f1.id]: 1 };
    await until(F, 'F: final counts', (b, w) => Object.entries(w).every(([id, n]) => b.state.tallies.contributions[id] === n) && b.state.tallies.dots === 4 && b.state.tallies.voters === 2, want);

    // Revealed: every screen has the facilitator's counts.
    await F.page.click('#vote-reveler');
    const tf = (await board(F.page)).state.tallies;
    for (const [p, label] of [
      [A, 'A'],
      [B, 'B'],
    ]) {
      await until(p, `${label}: revealed counts`, (b, t) => JSON.stringify(b.state.tallies) === JSON.stringify(t), tf);
    }
    assert.equal(await A.page.textContent(`${item(T.f1.id)} .gommettes-compte`), '● 1 gommette');
    // Toulouse: the territory's dot and the dots on its contributions (A1 and F1).
    assert.equal(tf.territories[`zone-emploi:${T.toulouse.code}`], 3);
    T.tallies = tf;
    console.log(`gommettes : ${tf.dots} posées par ${tf.voters} participants ; Toulouse ${tf.territories[`zone-emploi:${T.toulouse.code}`]}`);
  });

  test('la carte des priorités colore les territoires par gommettes (feature-state), avec sa légende', async () => {
    await F.page.click('#priorites-bouton');
    await until(F, 'F: priorities', (b, k) => b.priorities.on && b.priorities.colours[k], `zone-emploi:${T.toulouse.code}`);
    const f = await F.page.evaluate((id) => {
      const m = window.__atlas.map;
      return {
        state: m.getFeatureState({ source: 'territoires-zones-emploi', sourceLayer: 'zones-emploi', id }),
        visible: m.getLayoutProperty('priorites-zones-emploi', 'visibility'),
        legend: [...document.querySelectorAll('#priorites-legende tbody tr')].map((r) => ({ from: r.dataset.de, color: r.querySelector('.pastille').style.backgroundColor })),
      };
    }, T.toulouse.id);
    assert.equal(f.visible, 'visible');
    const colours = (await board(F.page)).priorities.colours;
    assert.equal(f.state.prio, colours[`zone-emploi:${T.toulouse.code}`]);
    // Toulouse has the most dots: the darkest class.
    const bZone = T.tallies.territories[`zone-emploi:${T.bZone.code}`];
    assert.ok(bZone >= 1 && bZone < 3, `B's zone: ${bZone}`);
    assert.notEqual(colours[`zone-emploi:${T.bZone.code}`], colours[`zone-emploi:${T.toulouse.code}`]);
    assert.ok(f.legend.length >= 3, JSON.stringify(f.legend));
    await F.page.waitForTimeout(400);
    await F.page.screenshot({ path: ARTIFACTS + 'board-04-carte-priorites.png' });

    // A participant's phone too, the results being visible.
    await phoneTab('contributions');
    await B.page.tap('#priorites-bouton');
    await until(B, 'B: priorities', (b, k) => b.priorities.on && b.priorities.colours[k], `zone-emploi:${T.toulouse.code}`);
    const b = await B.page.evaluate((id) => window.__atlas.map.getFeatureState({ source: 'territoires-zones-emploi', sourceLayer: 'zones-emploi', id }), T.toulouse.id);
    assert.equal(b.prio, colours[`zone-emploi:${T.toulouse.code}`]);
    await B.page.tap('#bouton-atelier');
    await B.page.waitForFunction(() => document.getElementById('panneau').dataset.ouvert === 'false');
    await B.page.waitForTimeout(400);
    await B.page.screenshot({ path: ARTIFACTS + 'board-07-carte-priorites-telephone.png' });
    console.log(`carte des priorités : Toulouse ${f.state.prio}, zone de B ${colours[`zone-emploi:${T.bZone.code}`]}`);
  });

  test('sondage : classer les cinq thèmes, par A et par B (au toucher) ; le score de Borda et l’ordre', async () => {
    await F.page.click('#tableau-onglet-sondages');
    await F.page.click('[data-preset="themes"]');
    await until(F, 'F: poll', (b) => b.state.polls.length === 1);
    const poll = (await board(F.page)).state.polls[0];
    assert.equal(poll.kind, 'ranking');
    assert.equal(poll.choices.length, 5);
    // The tabs say a poll waits.
    await A.page.waitForFunction(() => document.querySelector('#tableau-onglet-sondages .onglet-compte')?.textContent === '!');
    const orderA = [2, 0, 4, 1, 3];
    const orderB = [2, 4, 0, 3, 1];
    await A.page.click('#tableau-onglet-sondages');
    for (const c of orderA) await A.page.click(`.sondage[data-poll="${poll.id}"] .choix[data-choice="${c}"]`);
    assert.equal(await A.page.textContent(`.sondage[data-poll="${poll.id}"] .choix[data-choice="4"] .choix-marque`), '3');
    await A.page.click(`.sondage[data-poll="${poll.id}"] .sondage-envoyer`);
    await phoneTab('sondages');
    // B starts wrong, adjusts with ↑, and sends.
    for (const c of [2, 0, 4, 3, 1]) await B.page.tap(`.sondage[data-poll="${poll.id}"] .choix[data-choice="${c}"]`);
    await B.page.tap(`.sondage[data-poll="${poll.id}"] .choix-monter[aria-label^="Monter ${poll.choices[4]}"]`);
    await B.page.screenshot({ path: ARTIFACTS + 'board-10-classement-au-toucher.png' });
    await B.page.tap(`.sondage[data-poll="${poll.id}"] .sondage-envoyer`);
    await until(B, 'B answered', (b, [id, o]) => JSON.stringify(b.state.polls.find((p) => p.id === id)?.mine) === JSON.stringify(o), [poll.id, orderB]);
    // Borda: 4 points for a first place … 0 for the last.
    const scores = [0, 0, 0, 0, 0];
    for (const o of [orderA, orderB]) o.forEach((c, rank) => (scores[c] += 4 - rank));
    const order = [0, 1, 2, 3, 4].sort((x, y) => scores[y] - scores[x] || x - y);
    await until(F, 'F: results', (b, [id, s]) => JSON.stringify(b.state.polls.find((p) => p.id === id)?.results.scores) === JSON.stringify(s), [poll.id, scores]);
    await F.page.waitForFunction(([id, n]) => document.querySelectorAll(`.sondage[data-poll="${id}"] .resultats li`).length === n && document.querySelector(`.sondage[data-poll="${id}"] .sondage-meta`).textContent.includes('2 réponses'), [poll.id, 5]);
    const shown = await F.page.$$eval(`.sondage[data-poll="${poll.id}"] .resultats li`, (els) => els.map((e) => ({ c: Number(e.dataset.choice), v: Number(e.dataset.value), text: e.textContent })));
    assert.deepEqual(shown.map((x) => x.c), order);
    assert.deepEqual(shown.map((x) => x.v), order.map((c) => scores[c]));
    assert.match(shown[0].text, new RegExp(`^1\\.${poll.choices[order[0]].replace(/[()]/g, '\\$&')}${scores[order[0]]} points$`));
    T.poll = { ...poll, scores, order };
    console.log(`sondage (Borda) : ${order.map((c) => `${poll.choices[c]} ${scores[c]}`).join(' > ')}`);
    await F.page.waitForTimeout(200);
    await F.page.screenshot({ path: ARTIFACTS + 'board-05-sondage-resultat.png' });
    await B.page.waitForSelector(`.sondage[data-poll="${poll.id}"] .resultats li`);
    await B.page.screenshot({ path: ARTIFACTS + 'board-08-sondage-telephone.png' });
    // Closed: no answer any more.
    await F.page.click(`.sondage[data-poll="${poll.id}"] .sondage-ouvrir`);
    await until(A, 'A: closed', (b, id) => b.state.polls.find((p) => p.id === id)?.open === false, poll.id);
  });

  test('captures : l’animateur à 1280 × 800 et 1920 × 1080, un participant à 390 × 844 (cibles de 44 px)', async () => {
    await F.page.click('#tableau-onglet-contributions');
    await F.page.click('#priorites-bouton');
    await until(F, 'F: indicator again', (b) => !b.priorities.on);
    await F.page.waitForTimeout(400);
    await F.page.screenshot({ path: ARTIFACTS + 'board-01-animateur-1280.png' });
    await F.page.setViewportSize({ width: 1920, height: 1080 });
    await F.page.waitForTimeout(800);
    const big = await F.page.evaluate(() => ({
      text: parseFloat(getComputedStyle(document.querySelector('#tableau .contribution-texte')).fontSize),
      column: document.querySelector('.colonne-droite').getBoundingClientRect().width,
    }));
    assert.ok(big.text >= 18 && big.column >= 480, `projector: ${JSON.stringify(big)}`);
    await F.page.screenshot({ path: ARTIFACTS + 'board-02-animateur-1920.png' });
    await F.page.setViewportSize({ width: 1280, height: 800 });

    await phoneTab('contributions');
    await B.page.screenshot({ path: ARTIFACTS + 'board-03-participant-telephone.png' });
    // Every control of the board a finger touches is 44 px high at least, and nothing scrolls sideways.
    const small = await B.page.evaluate(() =>
      [...document.querySelectorAll('#tableau button, #tableau select, #tableau textarea, #tableau input, #tableau label.type-choix, #tableau summary, #bouton-atelier')]
        .filter((e) => e.offsetParent && e.getClientRects().length)
        .map((e) => ({ what: `${e.tagName}.${e.className} ${e.textContent.trim().slice(0, 30)}`, h: e.getBoundingClientRect().height }))
        .filter((x) => x.h < 43.5 && !/^INPUT.*$/.test(x.what.split(' ')[0]) ),
    );
    assert.deepEqual(small, [], 'tap targets under 44 px on the phone');
    const scroll = await B.page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, iw: innerWidth }));
    assert.ok(scroll.sw <= scroll.iw, `${scroll.sw} > ${scroll.iw}`);
  });

  test('le serveur redémarre : rien n’est perdu, chaque écran retrouve le tableau entier', async () => {
    const before = { F: (await board(F.page)).state, A: (await board(A.page)).state, B: (await board(B.page)).state };
    const t0 = Date.now();
    await server.stop('SIGTERM');
    for (const [p, label] of [
      [F, 'F'],
      [A, 'A'],
      [B, 'B'],
    ]) {
      await p.page.waitForFunction(() => window.__atlas.workshop.connection() !== 'open', null, { timeout: 20_000 }).catch(() => {
        throw new Error(`${label} did not notice the server going away`);
      });
    }
    await new Promise((r) => setTimeout(r, 2000));
    const readyMs = await server.start();
    // Right after the restart, before the participants are back: a new contribution.
    await F.page.click('#tableau-onglet-contributions');
    await search(F, 'toulouse', T.toulouse.code);
    const after = await write(F, 'constat', 'Écrit pendant la reconnexion des participants');
    for (const [p, label] of [
      [F, 'F'],
      [A, 'A'],
      [B, 'B'],
    ]) {
      await p.page.waitForFunction(() => window.__atlas.workshop.connection() === 'open', null, { timeout: 30_000 });
      await until(p, `${label} after restart`, (b, id) => b.state.contributions.some((c) => c.id === id), after.id, 30_000);
    }
    expected.push([t0, Date.now(), /net::ERR_|Failed to load resource/]);
    for (const [p, label] of [
      [F, 'F'],
      [A, 'A'],
      [B, 'B'],
    ]) {
      const now = (await board(p.page)).state;
      const was = before[label];
      assert.deepEqual(
        ms(now).contributions.filter((c) => c.id !== after.id),
        ms(was).contributions,
        `${label}: contributions`,
      );
      assert.deepEqual(now.tallies, was.tallies, `${label}: tallies`);
      assert.deepEqual(ms(now).polls, ms(was).polls, `${label}: polls`);
      assert.deepEqual([now.phase, now.my_votes, now.remaining], [was.phase, was.my_votes, was.remaining], `${label}: phase and dots`);
    }
    // A reload builds the board from the snapshot alone: the same board.
    const live = (await board(B.page)).state;
    await B.page.reload();
    await B.page.waitForFunction(() => window.__atlas?.workshop?.connection() === 'open' && window.__atlas.workshop.board?.() != null, null, { timeout: 30_000 });
    assert.deepEqual(ms((await board(B.page)).state), ms(live), 'B after a reload');
    T.after = after;
    console.log(`redémarrage : serveur prêt en ${readyMs} ms ; tableaux identiques avant et après sur F, A et B, et après rechargement du téléphone`);
  });

  test('la synthèse en Markdown, CSV, JSON et HTML : contributions, gommettes, sondage, et aucun chiffre secret', async () => {
    await F.page.click('#tableau-onglet-atelier');
    // The UI's own buttons: a download, and the printable page in a new tab.
    const [download] = await Promise.all([F.page.waitForEvent('download'), F.page.click('.synthese-fichier[data-format="md"]')]);
    assert.equal(download.suggestedFilename(), `synthese-atelier-${code}.md`);
    const mdFile = readFileSync(await download.path(), 'utf8');
    const [popup] = await Promise.all([F.context.waitForEvent('page'), F.page.click('.synthese-html')]);
    await popup.waitForFunction(() => document.querySelector('h1')?.textContent.startsWith('Synthèse de l'), null, { timeout: 15_000 });
    assert.match(await popup.textContent('h1'), /Diagnostic — atelier tableau/);
    await popup.screenshot({ path: ARTIFACTS + 'board-09-synthese.png', fullPage: true });
    await popup.close();

    const docs = await F.page.evaluate(async (c) => {
      const token = localStorage.getItem(`atlas.atelier.${c}.animateur`);
      const out = {};
      for (const f of ['md', 'csv', 'json', 'html']) {
        const r = await fetch(`/api/v1/workshops/${c}/synthesis?format=${f}`, { headers: { Authorization: `Bearer ${token}` } });
        out[f] = { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
      }
      return out;
    }, code);
    assert.equal(docs.md.body, mdFile, 'the downloaded file is the synthesis');
    const secretFigure = `${frFormat(T.secret.value, 0)}\u00a0${T.secretUnit}`;
    for (const [f, d] of Object.entries(docs)) {
      assert.equal(d.status, 200, f);
      const body = d.body;
      // The contributions shown, the facilitator's with names; the hidden and merged ones are not in it.
      for (const text of [T.a1.text, T.b1.text, T.f1.text, T.after.text]) assert.ok(body.includes(f === 'html' ? text.replace(/'/g, '&#39;') : text), `${f}: ${text}`);
      for (const text of [T.off.text, T.dup.text]) assert.ok(!body.includes(text), `${f}: hidden or merged ${text}`);
      // The poll's result: its best choice and its Borda score.
      const best = T.poll.choices[T.poll.order[0]];
      assert.ok(body.includes(f === 'html' ? best.replace(/'/g, '&#39;') : best), `${f}: ${best}`);
      assert.ok(body.includes(String(T.poll.scores[T.poll.order[0]])), `${f}: Borda score`);
      // The secret: said, never shown.
      assert.ok(body.includes('secret statistique'), `${f}: secret said`);
      assert.ok(!body.includes(secretFigure) && !body.includes(`${T.secret.value} ${T.secretUnit}`), `${f}: secret figure ${secretFigure}`);
    }
    const j = JSON.parse(docs.json.body);
    const all = j.by_territory.flatMap((t) => t.contributions);
    const sc = all.find((c) => c.id === T.secretC.id);
    assert.match(sc.figure, /: secret statistique$/);
    assert.ok(!new RegExp(`\\b${T.secret.value}\\b`).test(sc.figure), sc.figure);
    const toulouse = j.priorities.find((p) => p.territory.code === T.toulouse.code);
    assert.equal(toulouse.votes, T.tallies.territories[`zone-emploi:${T.toulouse.code}`]);
    assert.deepEqual(j.constats.map((c) => c.id), [T.a1.id]);
    assert.deepEqual(j.pistes.map((c) => c.id), [T.f1.id]);
    assert.equal(all.find((c) => c.id === T.f1.id).votes, T.tallies.contributions[T.f1.id]);
    const poll = j.polls[0];
    assert.deepEqual(poll.results.map((r) => r.score), T.poll.order.map((c) => T.poll.scores[c]));
    const step = j.steps[0];
    assert.equal(step.selected.status, 'secret');
    assert.equal(step.selected.value, null);
    // The CSV: one row per contribution, its figure said.
    const row = docs.csv.body.split('\n').find((l) => l.startsWith(`contribution;${T.secretC.id};`));
    assert.match(row, /secret statistique/);
    assert.ok(!row.includes(String(T.secret.value)), row);
    assert.match(docs.md.body, new RegExp(`Toulouse \\(${T.toulouse.code}\\) : ${T.tallies.territories[`zone-emploi:${T.toulouse.code}`]} votes`));
    console.log(`synthèse : md ${docs.md.body.length} o, csv ${docs.csv.body.length} o, json ${docs.json.body.length} o, html ${docs.html.body.length} o ; « ${secretFigure} » absent de chacune`);
  });

  test('aucune erreur de console hors des pannes voulues, rien ne sort de 127.0.0.1', async () => {
    for (const [p, label] of [
      [F, 'F'],
      [A, 'A'],
      [B, 'B'],
    ]) {
      const unexpected = p.timedErrors.filter((e) => !expected.some(([from, to, re]) => e.at >= from && e.at <= to && re.test(e.text)));
      assert.deepEqual(unexpected, [], `${label}: console errors`);
      const during = p.timedErrors.length - unexpected.length;
      if (during > 0) console.log(`${label} : ${during} erreur(s) de chargement pendant les pannes voulues (attendues)`);
    }
    assertNothingLeftLoopback();
  });
});
