// Browser test of the overseas insets (insets.ts): on a France-wide map the
// five DROM are drawn in boxes at the map's left edge from the same tiles,
// coloured from the same choropleth (secret hatched), with the map's
// tooltip, selection and profile, and they are in the PNG export.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ARTIFACTS, api, assertNothingLeftLoopback, choroplethPath, insetsUpdated, open as openPage, settle, sharedBrowser } from './harness.mjs';

const browser = sharedBrowser();
const open = (hash) => openPage(browser(), hash, { acceptDownloads: true });

/** Each inset: its région, caption and the fill of each territory id drawn in it. */
function insets(page) {
  return page.$$eval('.encarts:not([hidden]) .encart', (figs) =>
    figs.map((f) => ({
      region: f.dataset.region,
      caption: f.querySelector('figcaption').textContent,
      fills: Object.fromEntries([...f.querySelectorAll('path.encart-territoire')].map((p) => [p.dataset.id, p.getAttribute('fill')])),
    })),
  );
}

describe('encarts d’outre-mer', () => {
  test('les cinq DROM sont dessinés et colorés comme l’API les classe, secrets hachurés', async () => {
    const q = { level: 'departement', period: '2022', sex: 'femmes', sector: '38' };
    const { context, page, errors } = await open('#i=demo-at-frequence&l=departement&p=2022&s=femmes&sec=38');
    await insetsUpdated(page);
    const ch = await api(choroplethPath('demo-at-frequence', q));
    const shown = await insets(page);
    assert.deepEqual(
      shown.map((i) => i.caption),
      ['Guadeloupe', 'Martinique', 'Guyane', 'La Réunion', 'Mayotte'],
    );
    const colourOf = new Map(ch.legend.map((c) => [c.class, c.color]));
    const byDep = { '01': '971', '02': '972', '03': '973', '04': '974', '06': '976' };
    let secrets = 0;
    for (const inset of shown) {
      const t = ch.territories.find((x) => x.code === byDep[inset.region]);
      assert.ok(t, `${inset.caption} in the choropleth`);
      const fill = inset.fills[String(t.id)];
      assert.ok(fill, `${inset.caption}: département ${t.code} drawn`);
      if (t.status === 'secret') {
        secrets++;
        assert.equal(fill, `url(#encart-hachures-${inset.region})`, `${t.code} hatched`);
      } else {
        assert.equal(fill, colourOf.get(t.class), `${t.code} coloured with its class`);
      }
    }
    assert.ok(secrets >= 1, 'a secret overseas département in this selection');
    await page.screenshot({ path: ARTIFACTS + '30-encarts.png' });

    // A change of indicator recolours them too.
    const before = await insetsUpdated(page);
    await settle(page, () => page.selectOption('#ctl-secteur', 'ensemble'));
    await insetsUpdated(page, before);
    const all = await api(choroplethPath('demo-at-frequence', { ...q, sector: 'ensemble' }));
    const guyane = all.territories.find((x) => x.code === '973');
    const after = (await insets(page)).find((i) => i.region === '03');
    assert.equal(after.fills[String(guyane.id)], new Map(all.legend.map((c) => [c.class, c.color])).get(guyane.class));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('survol, clic et profil comme sur la carte ; le nom centre la carte sur le DROM', async () => {
    const { context, page, errors } = await open('#i=chomage-departement&l=departement');
    await insetsUpdated(page);
    const path = page.locator('.encart[data-region="04"] path.encart-territoire').first();
    await path.hover();
    await page.waitForSelector('#infobulle:not([hidden])');
    const tip = await page.textContent('#infobulle');
    assert.match(tip, /La Réunion/);
    assert.match(tip, /Département 974/);
    await path.click();
    await page.waitForFunction(() => /[#&]sel=974(&|$)/.test(location.hash));
    await page.waitForFunction(() => document.getElementById('profil-titre')?.textContent === 'La Réunion', null, { timeout: 30_000 });
    assert.ok(await page.$('.encart[data-region="04"] path.encart-selection'), 'the selection outlined in the inset');

    const reunion = await api('/api/v1/territories/region/04');
    await page.click('.encart[data-region="04"] figcaption button');
    await page.waitForFunction(() => !window.__atlas.map.isMoving());
    await page.waitForTimeout(800);
    const b = await page.evaluate(() => window.__atlas.map.getBounds().toArray());
    const [w, s, e, n] = reunion.bbox;
    assert.ok(b[0][0] <= w && b[0][1] <= s && b[1][0] >= e && b[1][1] >= n, `La Réunion ${reunion.bbox} in view ${JSON.stringify(b)}`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('pas d’encarts sur une carte régionale', async () => {
    const { context, page, errors } = await open('#i=chomage-ze&l=zone-emploi&r=76');
    await insetsUpdated(page);
    assert.equal(await page.$('.encarts:not([hidden])'), null);
    // Back to France: they come back.
    const n = await page.evaluate(() => Number(document.querySelector('.encarts').dataset.maj));
    await settle(page, () => page.selectOption('#ctl-etude', ''));
    await insetsUpdated(page, n);
    assert.equal((await insets(page)).length, 5);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('l’export PNG contient les encarts', async () => {
    const { context, page, errors } = await open('#i=population-departement&l=departement');
    await insetsUpdated(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
    const path = ARTIFACTS + '31-export-encarts.png';
    await download.saveAs(path);
    const info = await page.evaluate(() => window.__atlas.lastExport);
    assert.equal(info.insets, 5);
    // The colour of La Réunion in the image, inside its inset, is its class colour.
    const ch = await api(choroplethPath('population-departement', { level: 'departement' }));
    const t = ch.territories.find((x) => x.code === '974');
    const want = ch.legend.find((c) => c.class === t.class).color;
    const box = await page.$eval('.encart[data-region="04"] svg', (svg) => {
      const f = document.getElementById('carte').getBoundingClientRect();
      const r = svg.getBoundingClientRect();
      return { x: r.left - f.left, y: r.top - f.top, w: r.width, h: r.height };
    });
    const found = await page.evaluate(
      async ([b64, box, top, want]) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + b64;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(Math.round(box.x), Math.round(top + box.y), Math.round(box.w), Math.round(box.h)).data;
        const hex = (i) => '#' + [d[i], d[i + 1], d[i + 2]].map((v) => v.toString(16).padStart(2, '0')).join('');
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (hex(i) === want) n++;
        return n;
      },
      [readFileSync(path).toString('base64'), box, info.mapTop, want],
    );
    assert.ok(found > 200, `La Réunion's colour ${want} in its inset of the image (${found} pixels)`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('aucune requête ne sort de 127.0.0.1', () => {
    assertNothingLeftLoopback();
  });
});
