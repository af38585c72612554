// Common harness of the browser tests (*.test.mjs): Debian chromium driven by
// playwright-core against a running atlas server with the demo data
// (ATLAS_URL). Not a test file itself: deploy/browser-test.sh runs only
// web-map/test/*.test.mjs. Each test file keeps its own specific helpers.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The server under test. The tests start nothing themselves: deploy/browser-test.sh does. */
export const BASE = process.env.ATLAS_URL;
if (!BASE) {
  throw new Error('ATLAS_URL is not set: run `bash deploy/browser-test.sh`, or start `atlas serve` and set ATLAS_URL');
}

/** Screenshots and exported files, kept at the repository root for a look after the run. */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

/** The map must work offline: the only hosts a page may reach besides BASE's. */
export const ALLOWED_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

// Every request any page of this test file made (node runs each file in its
// own process), for the "nothing leaves 127.0.0.1" check.
const requestLog = [];

/** Every request URL that pages opened by open() have made so far. */
export function allRequests() {
  return requestLog;
}

/** Starts Debian's chromium (CHROMIUM_PATH), headless and quiet: no update, sync or other background traffic. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Chromium 156 in new-headless mode otherwise loads some 300 chrome://
      // omnibox WebUI resources during every page load, which takes the CPU
      // of a 2-core machine from the page and doubles its first paint.
      '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup',
    ],
  });
}

/**
 * One browser for the test file: launched before its tests, closed after.
 * Returns a getter (the browser exists only once the hook has run).
 */
export function sharedBrowser() {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/** A phone in portrait (390 × 844 CSS pixels, touch), for `open(…, { device: PHONE })`. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/**
 * Opens the map at `base` (BASE by default) + hash in a fresh context (cold cache) and waits for its
 * first paint. `prepare(page)` runs before the navigation (to route requests,
 * say); `device` adds context options (PHONE). Returns the console errors
 * (each also in `timedErrors` with the time it came) and the request URLs of this page.
 */
export async function open(browser, hash = '', { viewport = { width: 1280, height: 800 }, device, prepare, acceptDownloads, base = BASE } = {}) {
  const options = { viewport, locale: 'fr-FR', ...device };
  if (acceptDownloads !== undefined) options.acceptDownloads = acceptDownloads;
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  const timedErrors = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    errors.push(m.text());
    timedErrors.push({ at: Date.now(), text: m.text(), url: m.location()?.url ?? '' });
  });
  page.on('pageerror', (e) => {
    errors.push(String(e));
    timedErrors.push({ at: Date.now(), text: String(e), url: '' });
  });
  context.on('request', (r) => {
    requests.push(r.url());
    requestLog.push(r.url());
  });
  if (prepare) await prepare(page);
  await page.goto(new URL('/' + hash, base).href);
  await page.waitForFunction(() => window.__atlas?.metrics.firstPaintMs != null || window.__atlas?.error, null, {
    timeout: 30_000,
  });
  const err = await page.evaluate(() => window.__atlas.error);
  assert.equal(err, null, `page error: ${err}`);
  return { context, page, errors, timedErrors, requests };
}

/** A TCP port free on 127.0.0.1 now (the kernel's pick, released at once). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * An `atlas serve` of the test's own (ATLAS_BIN, on the database
 * ATLAS_DATABASE_URL), on a fixed port so that it can be stopped and started
 * again at the same address while pages stay open. Its output goes to a
 * log file, printed by `log()`.
 */
export class AtlasServer {
  constructor(bin, databaseURL, port, args = []) {
    this.bin = bin;
    this.databaseURL = databaseURL;
    this.port = port;
    this.args = args;
    this.url = `http://127.0.0.1:${port}`;
    this.logPath = join(tmpdir(), `atlas-serve-${port}-${process.pid}.log`);
    this.proc = null;
  }

  /** Starts the server and waits until /readyz answers 200. */
  async start(timeoutMs = 60_000) {
    const fd = openSync(this.logPath, 'a');
    this.proc = spawn(this.bin, ['serve', '--addr', `127.0.0.1:${this.port}`, ...this.args], {
      env: { ...process.env, DATABASE_URL: this.databaseURL },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const proc = this.proc;
    let exited = null;
    proc.once('exit', (code, signal) => (exited = { code, signal }));
    const t0 = Date.now();
    for (;;) {
      if (exited) throw new Error(`atlas serve exited (${JSON.stringify(exited)}):\n${this.log()}`);
      try {
        const res = await fetch(`${this.url}/readyz`);
        if (res.status === 200) return Date.now() - t0;
      } catch {
        // not listening yet
      }
      if (Date.now() - t0 > timeoutMs) throw new Error(`atlas serve not ready after ${timeoutMs} ms:\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends `signal` and waits for the process to exit; returns how long it took. */
  async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return 0;
    const t0 = Date.now();
    const done = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    await done;
    clearTimeout(timer);
    this.proc = null;
    return Date.now() - t0;
  }

  log() {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }
}

/** Runs an action and waits for the map to finish the refresh it triggers. */
export async function settle(page, action) {
  const before = await page.evaluate(() => window.__atlas.refreshes);
  await action();
  await page.waitForFunction((n) => window.__atlas.refreshes > n, before, { timeout: 30_000 });
  const err = await page.evaluate(() => window.__atlas.error);
  assert.equal(err, null, `refresh error: ${err}`);
}

/**
 * Waits for an update of the overseas insets newer than `after` (they load
 * after the first paint, tiles included); returns its number.
 */
export async function insetsUpdated(page, after = 0) {
  await page.waitForFunction((n) => Number(document.querySelector('.encarts')?.dataset.maj ?? 0) > n, after, { timeout: 30_000 });
  return page.evaluate(() => Number(document.querySelector('.encarts').dataset.maj));
}

/** GETs an API path of the server under test, which must answer 200, and returns its JSON. */
export async function api(path, base = BASE) {
  const res = await fetch(new URL(path, base));
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
}

/** The choropleth API path of indicator `id`, without the parameters `q` leaves empty. */
export function choroplethPath(id, q) {
  const p = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined && v !== ''));
  return `/api/v1/indicators/${id}/choropleth?${p}`;
}

/**
 * The map works offline: asserts that the pages of this file made requests and
 * that none of them (data: and blob: URLs aside) went beyond the loopback
 * hosts and BASE's host.
 */
export function assertNothingLeftLoopback() {
  assert.ok(requestLog.length > 10);
  const outside = requestLog.filter((u) => {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
    return !ALLOWED_HOSTS.has(url.hostname) && url.hostname !== new URL(BASE).hostname;
  });
  assert.deepEqual(outside, []);
}
