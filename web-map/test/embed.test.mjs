// Browser test of the embeddable map (/embed) and its postMessage API v1,
// in Debian's chromium (playwright-core, harness.mjs), against an `atlas
// serve` the test starts itself (ATLAS_BIN on ATLAS_DATABASE_URL, given by
// deploy/browser-test.sh) with `--embed-origins` naming one host page's
// origin. The host pages are served by two tiny static servers of the test,
// on other ports, so other origins:
//
//   allowed    http://127.0.0.1:P1  frames the map, sets its view, hears clicks,
//              hovers, view changes and the height (atlas-embed.js, autoResize);
//   forbidden  http://127.0.0.1:P2  is refused framing (frame-ancestors), and its
//              messages are ignored: from a frame beside the map in the allowed
//              page, from a window it opened, and one made to look like the parent's.
//
// Screenshots: test-artifacts/embed-1280.png, embed-390.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ARTIFACTS, AtlasServer, PHONE, freePort, sharedBrowser } from './harness.mjs';

const BIN = process.env.ATLAS_BIN;
const DB = process.env.ATLAS_DATABASE_URL;
if (!BIN || !DB) {
  throw new Error('ATLAS_BIN and ATLAS_DATABASE_URL are not set: run `bash deploy/browser-test.sh` (the embed test starts its own server)');
}

const browser = sharedBrowser();
let server;
let W; // the Atlas server
let allowedSite;
let forbiddenSite;
let ALLOWED; // origins of the two host sites
let FORBIDDEN;

const EMBED_QUERY = 'i=demo-at-frequence&l=departement&title=' + encodeURIComponent('Accidents du travail par département');

/** The host page: the map in an iframe, atlas-embed.js, and what it heard in window.heard. */
function hostPage(extra = '') {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Portail partenaire</title>
<style>body{font-family:sans-serif;margin:0;padding:12px} iframe{display:block;width:100%;height:420px;border:1px solid #999}
.apres{height:1500px;background:linear-gradient(#fff,#dde)}</style></head><body>
<h1 style="font-size:18px;margin:0 0 8px">Portail partenaire (autre origine)</h1>
<iframe id="carte" src="${W}/embed?${EMBED_QUERY}" title="Carte Atlas" allow="fullscreen"></iframe>
${extra}
<div class="apres">Suite de la page du portail</div>
<script src="${W}/atlas-embed.js"></script>
<script>
  window.heard = [];
  window.carte = AtlasEmbed.connect(document.getElementById('carte'), { autoResize: true });
  for (const name of ['ready', 'click', 'hover', 'view', 'resize', 'error']) {
    window.carte.on(name, (m) => window.heard.push({ name, m }));
  }
  // Every message this page received, from anyone (the map must send none to others).
  window.raw = [];
  addEventListener('message', (e) => window.raw.push({ origin: e.origin, type: e.data && e.data.type }));
</script></body></html>`;
}

/** A page of the forbidden origin, in a frame beside the map: it tries to drive the map. */
const senderPage = () => `<!doctype html><html><body><script>
  window.attack = () => {
    const map = parent.frames[0];
    for (let n = 0; n < 10; n++) {
      map.postMessage({ type: 'atlas:set-view', version: 1, id: 'intrus' + n, view: { level: 'region' } }, '*');
      map.postMessage({ type: 'atlas:hello', version: 1, id: 'intrus-hello' + n }, '*');
    }
  };
</script></body></html>`;

/** A page of the forbidden origin that opens the map in a window and posts to it. */
const openerPage = () => `<!doctype html><html><body><script>
  window.raw = [];
  addEventListener('message', (e) => window.raw.push({ origin: e.origin, type: e.data && e.data.type }));
  window.openMap = () => { window.win = window.open('${W}/embed?${EMBED_QUERY}', 'carte'); };
  window.drive = () => {
    for (let i = 0; i < 5; i++) {
      window.win.postMessage({ type: 'atlas:set-view', version: 1, id: 'pop' + i, view: { level: 'region' } }, '${W}');
      window.win.postMessage({ type: 'atlas:hello', version: 1, id: 'pophello' + i }, '*');
    }
  };
</script></body></html>`;

/** A static server of pages by path, on 127.0.0.1:port. */
function site(port, pages) {
  const srv = createServer((req, res) => {
    const page = pages[new URL(req.url, 'http://x').pathname];
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(page());
  });
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

before(async () => {
  const [p0, p1, p2] = [await freePort(), await freePort(), await freePort()];
  ALLOWED = `http://127.0.0.1:${p1}`;
  FORBIDDEN = `http://127.0.0.1:${p2}`;
  // Two allowed origins: the host's, and one that is not this test's (a list, as operators write it).
  server = new AtlasServer(BIN, DB, p0, ['--embed-origins', `https://portail.example.fr, ${ALLOWED}`]);
  await server.start();
  W = server.url;
  allowedSite = await site(p1, {
    '/host.html': () => hostPage(`<iframe id="intrus" src="${FORBIDDEN}/sender.html" title="intrus" style="height:40px"></iframe>`),
    '/plain.html': () => hostPage(),
    '/frames-main.html': () => `<!doctype html><html><body><iframe id="principale" src="${W}/" style="width:600px;height:300px"></iframe></body></html>`,
  });
  forbiddenSite = await site(p2, { '/host.html': () => hostPage(), '/sender.html': senderPage, '/opener.html': openerPage });
  console.log(`serveur : ${W}, hôte autorisé : ${ALLOWED}, hôte refusé : ${FORBIDDEN}`);
});
after(async () => {
  await server?.stop();
  await new Promise((r) => (allowedSite ? allowedSite.close(r) : r()));
  await new Promise((r) => (forbiddenSite ? forbiddenSite.close(r) : r()));
  const warnings = (server?.log() ?? '').split('\n').filter((l) => /level=(ERROR|WARN)/.test(l));
  if (warnings.length > 0) console.log(`journal du serveur :\n${warnings.join('\n')}`);
});

/** Every URL any page of this file requested: the embed loads nothing from outside. */
const requested = [];

async function openHost(url, device) {
  const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', ...device });
  context.on('request', (r) => requested.push(r.url()));
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { context, page, errors };
}

/** The embed's frame in a host page. */
function mapFrame(page) {
  const f = page.frames().find((fr) => fr.url().startsWith(`${W}/embed`));
  assert.ok(f, `no embed frame among ${page.frames().map((fr) => fr.url())}`);
  return f;
}

const heard = (page, name) => page.evaluate((n) => window.heard.filter((h) => h.name === n).map((h) => h.m), name);
const frameState = (frame) =>
  frame.evaluate(() => {
    const d = window.__atlasEmbed;
    const s = d.state();
    const c = d.choropleth();
    return { level: s.level, indicator: s.indicator, selection: s.selection, chLevel: c?.level, refreshes: d.refreshes, ignored: d.ignored, received: d.received, host: d.host(), zoom: d.map.getZoom(), sent: d.sent };
  });

describe('carte intégrée, hôte autorisé', () => {
  let H;
  let frame;
  before(async () => {
    H = await openHost(`${ALLOWED}/host.html`);
    await H.page.waitForFunction(() => window.heard?.some((h) => h.name === 'ready'), null, { timeout: 60_000 });
    frame = mapFrame(H.page);
  });
  after(async () => {
    await H?.context.close();
  });

  test('ready: handshake to the exact host origin, view of the link, height', async () => {
    const [ready] = await heard(H.page, 'ready');
    assert.equal(ready.version, 1);
    assert.equal(ready.view.indicator, 'demo-at-frequence');
    assert.equal(ready.view.level, 'departement');
    assert.match(ready.view.period, /^\d{4}/);
    assert.equal(ready.view.bounds.length, 4);
    assert.ok(ready.height >= 360 && ready.height <= 900, `height ${ready.height}`);
    const st = await frameState(frame);
    assert.equal(st.host, ALLOWED);
    assert.ok(st.sent.length > 0 && st.sent.every((s) => s.target === ALLOWED), JSON.stringify(st.sent));
    // autoResize applied the announced height to the iframe.
    const h = await H.page.evaluate(() => document.getElementById('carte').getBoundingClientRect().height);
    assert.ok(Math.abs(h - ready.height) <= 2, `iframe ${h} px, announced ${ready.height}`);
    // Legend, source line and demo notice are shown, in French; the title too.
    const shown = await frame.evaluate(() => ({
      legend: document.querySelectorAll('#legende-contenu .legende-table tbody tr').length,
      source: document.querySelector('.legende-source')?.textContent ?? '',
      notice: document.querySelector('.legende-avis')?.textContent ?? '',
      title: document.getElementById('titre')?.textContent ?? '',
      oembed: document.querySelector('link[rel="alternate"][type="application/json+oembed"]')?.getAttribute('href') ?? '',
    }));
    assert.ok(shown.legend >= 3, `legend rows ${shown.legend}`);
    assert.match(shown.source, /Source/);
    assert.match(shown.notice, /démonstration/i);
    assert.equal(shown.title, 'Accidents du travail par département');
    assert.ok(shown.oembed.startsWith(`${W}/oembed?format=json&url=${encodeURIComponent(W + '/embed?')}`), shown.oembed);
    await H.page.screenshot({ path: `${ARTIFACTS}embed-1280.png` });
  });

  test('the host sets the view: level, then bounds; a bad request is refused and changes nothing', async () => {
    const v = await H.page.evaluate(() => window.carte.setView({ level: 'region' }));
    assert.equal(v.level, 'region');
    let st = await frameState(frame);
    assert.equal(st.level, 'region');
    assert.equal(st.chLevel, 'region');
    const occitanie = [-0.33, 42.33, 4.85, 45.05];
    const b = await H.page.evaluate((bb) => window.carte.setView({ level: 'departement', bounds: bb }), occitanie);
    assert.equal(b.level, 'departement');
    const [cx, cy] = [(b.bounds[0] + b.bounds[2]) / 2, (b.bounds[1] + b.bounds[3]) / 2];
    assert.ok(Math.abs(cx - 2.26) < 0.5 && Math.abs(cy - 43.7) < 0.5, `centre ${cx}, ${cy}`);
    const before = await frameState(frame);
    for (const [view, field] of [
      [{ level: 'canton' }, 'view.level'],
      [{ indicator: 'inconnu' }, 'view.indicator'],
      [{ period: '1999' }, 'view.period'],
      [{ classes: 12 }, 'view.classes'],
      [{ bounds: [5, 40, 1, 45] }, 'view.bounds'],
      [{ selection: '99' }, 'view.selection'],
      [{ zoom: 3 }, 'view.zoom'],
    ]) {
      const err = await H.page.evaluate((vv) => window.carte.setView(vv).then(() => null, (e) => ({ field: e.field, code: e.code, message: e.message })), view);
      assert.ok(err, `${JSON.stringify(view)} accepted`);
      assert.equal(err.field, field, JSON.stringify(err));
      assert.ok(err.message.length > 5);
    }
    st = await frameState(frame);
    assert.equal(st.level, before.level);
    assert.equal(st.refreshes, before.refreshes, 'a refused request redrew the map');
    const got = await H.page.evaluate(() => window.carte.getView());
    assert.equal(got.level, 'departement');
  });

  test('a click on a territory is heard with its code, name and the value as shown; hovers too', async () => {
    // A département drawn near the frame's centre.
    const target = await frame.evaluate(() => {
      const d = window.__atlasEmbed;
      const canvas = d.map.getCanvas().getBoundingClientRect();
      const p = { x: canvas.width / 2, y: canvas.height / 2 };
      const f = d.map.queryRenderedFeatures([p.x, p.y], { layers: [d.atlas.fillLayerId('departement')] })[0];
      return f ? { x: p.x + canvas.left, y: p.y + canvas.top, code: String(f.properties.code) } : null;
    });
    assert.ok(target, 'no département at the centre');
    const box = await H.page.locator('#carte').boundingBox();
    await H.page.mouse.move(box.x + target.x - 20, box.y + target.y);
    await H.page.mouse.move(box.x + target.x, box.y + target.y, { steps: 4 });
    await H.page.mouse.click(box.x + target.x, box.y + target.y);
    await H.page.waitForFunction(() => window.heard.some((h) => h.name === 'click'), null, { timeout: 10_000 });
    const [click] = await heard(H.page, 'click');
    assert.equal(click.territory.code, target.code);
    assert.equal(click.territory.level, 'departement');
    assert.ok(click.territory.name.length > 1);
    const ch = await frame.evaluate((code) => window.__atlasEmbed.choropleth().territories.find((t) => t.code === code), target.code);
    assert.equal(click.territory.status, ch.status);
    if (ch.status === 'published') {
      assert.equal(click.territory.value, ch.value);
      assert.match(click.territory.valueText, /\d/);
    } else assert.equal(click.territory.value, null);
    const hovers = await heard(H.page, 'hover');
    assert.ok(hovers.some((h) => h.territory?.code === target.code), JSON.stringify(hovers.map((h) => h.territory?.code)));
    // The selection is a view change by the user.
    const views = await heard(H.page, 'view');
    assert.ok(views.some((v) => v.source === 'user' && v.view.selection === target.code), JSON.stringify(views));
    // No secret figure in anything heard.
    const all = await H.page.evaluate(() => window.heard);
    for (const h of all) {
      const t = h.m.territory;
      if (t && t.status !== 'published') assert.equal(t.value, null, JSON.stringify(h));
    }
  });

  test('scroll-zoom is cooperative: the page scrolls, ctrl+wheel zooms, the hint is French', async () => {
    const box = await H.page.locator('#carte').boundingBox();
    const z0 = (await frameState(frame)).zoom;
    const y0 = await H.page.evaluate(() => scrollY);
    await H.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await H.page.mouse.wheel(0, 400);
    await H.page.waitForTimeout(600);
    const hint = await frame.evaluate(() => document.querySelector('.maplibregl-cooperative-gesture-screen')?.textContent ?? '');
    assert.match(hint, /Ctrl|⌘|doigts/);
    assert.match(hint, /zoomer|déplacer/);
    assert.equal((await frameState(frame)).zoom, z0, 'a plain wheel zoomed the map');
    const y1 = await H.page.evaluate(() => scrollY);
    assert.ok(y1 > y0, `the host page did not scroll (${y0} → ${y1}): a scroll trap`);
    await H.page.evaluate(() => scrollTo(0, 0));
    await H.page.waitForTimeout(200);
    const b2 = await H.page.locator('#carte').boundingBox();
    await H.page.mouse.move(b2.x + b2.width / 2, b2.y + b2.height / 2);
    await H.page.keyboard.down('Control');
    await H.page.mouse.wheel(0, -400);
    await H.page.keyboard.up('Control');
    await frame.waitForFunction((z) => window.__atlasEmbed.map.getZoom() > z + 0.1, z0, { timeout: 10_000 });
  });

  test('messages of another origin are ignored: a frame beside the map, and one posing as the parent', async () => {
    const before = await frameState(frame);
    // The intruder frame (forbidden origin) posts 10 set-view and 10 hello.
    const intruder = H.page.frames().find((fr) => fr.url().startsWith(`${FORBIDDEN}/sender.html`));
    assert.ok(intruder, 'no intruder frame');
    await intruder.evaluate(() => window.attack());
    await H.page.waitForTimeout(300);
    let st = await frameState(frame);
    assert.ok(st.ignored >= before.ignored + 20, `ignored ${before.ignored} → ${st.ignored}`);
    assert.equal(st.level, 'departement');
    assert.equal(st.refreshes, before.refreshes);
    const afterIntruder = st.ignored;
    // A message that says it comes from the parent, from an origin that
    // merely starts like the allowed one (configured as such, too).
    await frame.evaluate((o) => {
      for (const origin of [o + '.evil.example', o + '0', o.replace('http:', 'https:'), 'null']) {
        window.dispatchEvent(new MessageEvent('message', { origin, source: window.parent, data: { type: 'atlas:set-view', version: 1, id: 'faux', view: { level: 'region' } } }));
      }
    }, ALLOWED);
    await H.page.waitForTimeout(300);
    st = await frameState(frame);
    assert.equal(st.level, 'departement');
    assert.equal(st.refreshes, before.refreshes);
    assert.equal(st.ignored, afterIntruder + 4);
    // The control: the same forged event with the allowed origin is read and answered.
    await frame.evaluate((o) => {
      window.dispatchEvent(new MessageEvent('message', { origin: o, source: window.parent, data: { type: 'atlas:get-view', version: 1, id: 'controle' } }));
    }, ALLOWED);
    await H.page.waitForFunction(() => window.raw.some((r) => r.type === 'atlas:view'), null, { timeout: 5_000 });
    const control = await frameState(frame);
    assert.equal(control.ignored, st.ignored);
    assert.equal(control.received, st.received + 1);
    assert.equal(st.host, ALLOWED);
    // Everything the host page received came from the map's origin, and
    // the map sent only to the allowed origin.
    const raw = await H.page.evaluate(() => window.raw);
    assert.ok(raw.length > 0 && raw.every((r) => r.origin === W), JSON.stringify(raw.slice(0, 5)));
    assert.ok(st.sent.every((s) => s.target === ALLOWED));
  });
});

describe('carte intégrée, hôte refusé', () => {
  test('a page of a non-allowed origin is refused framing and hears nothing', async () => {
    const F = await openHost(`${FORBIDDEN}/host.html`);
    try {
      await F.page.waitForTimeout(2500);
      const embed = F.page.frames().find((fr) => fr !== F.page.mainFrame());
      assert.ok(embed, 'no iframe');
      // Chromium shows its error page instead of the map.
      const mapped = await embed.evaluate(() => typeof window.__atlasEmbed).catch(() => 'inaccessible');
      assert.notEqual(mapped, 'object', `the map rendered in ${embed.url()}`);
      assert.ok(F.errors.some((e) => /frame-ancestors/.test(e) && e.includes(W)), `no CSP violation among ${JSON.stringify(F.errors)}`);
      const raw = await F.page.evaluate(() => window.raw);
      assert.deepEqual(raw, []);
      assert.deepEqual(await F.page.evaluate(() => window.heard), []);
    } finally {
      await F.context.close();
    }
  });

  test('the workshop map itself refuses any frame, even from an allowed origin', async () => {
    const A = await openHost(`${ALLOWED}/frames-main.html`);
    try {
      await A.page.waitForTimeout(1500);
      assert.ok(A.errors.some((e) => /frame-ancestors 'none'|X-Frame-Options|refused to connect|Refused to display/i.test(e)), JSON.stringify(A.errors));
      const inner = A.page.frames().find((fr) => fr !== A.page.mainFrame());
      const mapped = await inner.evaluate(() => typeof window.__atlas).catch(() => 'inaccessible');
      assert.notEqual(mapped, 'object');
    } finally {
      await A.context.close();
    }
  });

  test('a window opened by a non-allowed origin ignores its messages and tells it nothing', async () => {
    const F = await openHost(`${FORBIDDEN}/opener.html`);
    try {
      const [popup] = await Promise.all([F.page.waitForEvent('popup'), F.page.evaluate(() => window.openMap())]);
      await popup.waitForFunction(() => window.__atlasEmbed?.metrics.firstPaintMs != null, null, { timeout: 60_000 });
      await F.page.evaluate(() => window.drive());
      await popup.waitForTimeout(500);
      const st = await popup.evaluate(() => ({ level: window.__atlasEmbed.state().level, ignored: window.__atlasEmbed.ignored, sent: window.__atlasEmbed.sent }));
      assert.equal(st.level, 'departement');
      assert.ok(st.ignored >= 10, `ignored ${st.ignored}`);
      assert.deepEqual(st.sent, []);
      assert.deepEqual(await F.page.evaluate(() => window.raw), []);
    } finally {
      await F.context.close();
    }
  });
});

describe('carte intégrée, options du lien', () => {
  test('legend=0 folds the classes (title, notice and source stay), controls=0 hides the buttons', async () => {
    const O = await openHost(`${W}/embed?${EMBED_QUERY}&legend=0&controls=0`);
    try {
      await O.page.waitForFunction(() => window.__atlasEmbed?.metrics.firstPaintMs != null, null, { timeout: 60_000 });
      const seen = () =>
        O.page.evaluate(() => {
          const visible = (sel) => {
            const e = document.querySelector(sel);
            return !!e && e.getClientRects().length > 0;
          };
          return {
            table: visible('.legende-table'),
            title: visible('.legende h2'),
            notice: visible('.legende-avis'),
            source: visible('.legende-source'),
            button: visible('#legende-bascule'),
            zoom: visible('.maplibregl-ctrl-zoom-in'),
            link: visible('#lien-carte'),
          };
        });
      assert.deepEqual(await seen(), { table: false, title: true, notice: true, source: true, button: true, zoom: false, link: false });
      await O.page.click('#legende-bascule');
      assert.equal((await seen()).table, true);
      assert.equal(await O.page.getAttribute('#legende-bascule', 'aria-expanded'), 'true');
      // Opened on its own (not in a frame), it announces itself to no one.
      assert.deepEqual(await O.page.evaluate(() => window.__atlasEmbed.sent), []);
      assert.deepEqual(O.errors, []);
    } finally {
      await O.context.close();
    }
  });

  test('the example host page (/embed/example) drives the map it frames', async () => {
    const E = await openHost(`${W}/embed/example`);
    try {
      await E.page.waitForFunction(() => /prête/.test(document.getElementById('journal')?.textContent ?? ''), null, { timeout: 60_000 });
      await E.page.click('#vue-regions');
      await E.page.waitForFunction(() => /niveau régional : fait \(niveau region\)/.test(document.getElementById('journal').textContent), null, { timeout: 20_000 });
      const code = await E.page.textContent('#code');
      assert.ok(code.includes(`${W}/atlas-embed.js`) && code.includes('AtlasEmbed.connect'), code);
      await E.page.screenshot({ path: `${ARTIFACTS}embed-exemple.png`, fullPage: true });
      assert.deepEqual(E.errors, []);
    } finally {
      await E.context.close();
    }
  });

  test('the embed loads nothing from outside this machine', () => {
    assert.ok(requested.length > 20);
    const outside = requested.filter((u) => !/^(data|blob):/.test(u) && new URL(u).hostname !== '127.0.0.1');
    assert.deepEqual(outside, []);
  });
});

describe('carte intégrée sur un grand écran', () => {
  test('1920 px: the legend over the map, the height capped, nothing cut', async () => {
    const G = await openHost(`${ALLOWED}/plain.html`, { viewport: { width: 1920, height: 1080 } });
    try {
      await G.page.waitForFunction(() => window.heard?.some((h) => h.name === 'ready'), null, { timeout: 60_000 });
      const [ready] = await heard(G.page, 'ready');
      assert.equal(ready.height, 900);
      const frame = mapFrame(G.page);
      const layout = await frame.evaluate(() => {
        const map = document.querySelector('.carte-cadre').getBoundingClientRect();
        const legend = document.getElementById('legende').getBoundingClientRect();
        return { map: [map.width, map.height], legend: [legend.left, legend.bottom, legend.width], vh: innerHeight, scroll: document.body.scrollHeight };
      });
      assert.ok(layout.legend[1] <= layout.map[1] && layout.legend[2] < layout.map[0] / 3, JSON.stringify(layout));
      assert.ok(layout.scroll <= layout.vh + 1, `the embed scrolls: ${JSON.stringify(layout)}`);
      await G.page.locator('#carte').screenshot({ path: `${ARTIFACTS}embed-1920.png` });
      assert.deepEqual(G.errors, []);
    } finally {
      await G.context.close();
    }
  });
});

describe('carte intégrée sur un téléphone', () => {
  test('390 px: legend under the map, the height announced includes it', async () => {
    const P = await openHost(`${ALLOWED}/plain.html`, PHONE);
    try {
      await P.page.waitForFunction(() => window.heard?.some((h) => h.name === 'ready'), null, { timeout: 60_000 });
      const frame = mapFrame(P.page);
      await P.page.waitForTimeout(500);
      const layout = await frame.evaluate(() => {
        const map = document.querySelector('.carte-cadre').getBoundingClientRect();
        const legend = document.getElementById('legende').getBoundingClientRect();
        return { mapBottom: map.bottom, mapHeight: map.height, legendTop: legend.top, legendHeight: legend.height, width: document.documentElement.clientWidth };
      });
      assert.ok(layout.legendTop >= layout.mapBottom - 1, JSON.stringify(layout));
      assert.ok(layout.mapHeight >= 250, JSON.stringify(layout));
      const sizes = [...(await heard(P.page, 'ready')), ...(await heard(P.page, 'resize'))].map((m) => m.height);
      const last = sizes[sizes.length - 1];
      assert.ok(last >= layout.mapHeight + layout.legendHeight - 2, `height ${last} for ${JSON.stringify(layout)}`);
      const h = await P.page.evaluate(() => document.getElementById('carte').getBoundingClientRect().height);
      assert.ok(Math.abs(h - last) <= 2, `iframe ${h}, announced ${last}`);
      await P.page.locator('#carte').screenshot({ path: `${ARTIFACTS}embed-390.png` });
      assert.deepEqual(P.errors, []);
    } finally {
      await P.context.close();
    }
  });
});
