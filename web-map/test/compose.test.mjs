// Browser test of « Composer un document » (compose.ts): the panel builds the
// document's link from the view, the server answers it with a PDF and a
// print-ready page, and the choice stays in the page's address. Against a
// running atlas server with the demo data (ATLAS_URL), through harness.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARTIFACTS, BASE, PHONE, sharedBrowser, open } from './harness.mjs';

const browser = sharedBrowser();

describe('composer un document', () => {
  test('le panneau fait le lien du document, le serveur le PDF, l’adresse garde le choix', async () => {
    const { context, page, errors } = await open(browser(), '#i=demo-at-frequence&l=departement&p=2023&r=76&sel=31');
    await page.click('#bouton-document');
    const dialog = page.locator('dialog.composer');
    await dialog.waitFor();
    assert.equal(await page.inputValue('#doc-territoire'), 'departement:31', 'the selected territory is proposed');
    await page.selectOption('#doc-territoire', 'region:76');
    const pdf = await page.getAttribute('.composer-liens a:nth-child(2)', 'href');
    assert.match(pdf, /^\/api\/v1\/documents\/chiffres-cles\?territory=region%3A76&period=2023&format=pdf$/);
    // Only some sections: the link says which.
    await page.uncheck('fieldset:nth-of-type(2) input[value="series"]');
    const href = await page.getAttribute('.composer-liens a:nth-child(2)', 'href');
    assert.match(href, /sections=chiffres%2Ccartes%2Csecteurs/);
    const r = await page.request.get(new URL(href, BASE).href);
    assert.equal(r.status(), 200);
    assert.equal(r.headers()['content-type'], 'application/pdf');
    assert.match(r.headers()['content-disposition'], /filename="chiffres-cles-occitanie-2023\.pdf"/);
    assert.ok((await r.body()).subarray(0, 5).toString() === '%PDF-');
    const page2 = await page.request.get(new URL(await page.getAttribute('.composer-liens a:nth-child(1)', 'href'), BASE).href);
    assert.match(await page2.text(), /Chiffres clés de la santé au travail – Occitanie/);
    await page.screenshot({ path: ARTIFACTS + '40-composer-document.png' });
    // The choice is in the address, kept when the view changes.
    const kept = new URLSearchParams(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('doc') ?? '');
    assert.equal(kept.get('kind'), 'chiffres-cles');
    assert.equal(kept.get('territory'), 'region:76');
    await page.click('dialog.composer button:has-text("Fermer")');
    await page.evaluate(() => window.__atlas.map.panBy([40, 0], { duration: 0 }));
    await page.waitForFunction(() => /lon=/.test(location.hash) && /doc=/.test(location.hash));
    // A focus sheet of a theme is about the région's territories.
    await page.click('#bouton-document');
    await page.selectOption('#doc-type', 'theme');
    assert.equal(await page.isVisible('#doc-theme'), true);
    assert.match(await page.getAttribute('.composer-liens a:nth-child(2)', 'href'), /^\/api\/v1\/documents\/focus\/theme\?territory=region%3A76&period=2023&theme=[a-z-]+&format=pdf$/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('sur un téléphone, le panneau tient dans l’écran', async () => {
    const { context, page, errors } = await open(browser(), '#i=demo-at-frequence&l=departement&r=76', { device: PHONE, viewport: PHONE.viewport });
    await page.click('#bouton-menu');
    await page.click('#bouton-document');
    const box = await page.locator('dialog.composer').boundingBox();
    assert.ok(box && box.width <= 390, `dialog ${JSON.stringify(box)}`);
    await page.screenshot({ path: ARTIFACTS + '41-composer-document-telephone.png' });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
