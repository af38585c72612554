// The embeddable map (/embed, embed.html): the map of a link, without the
// workshop map's header, panel and workshop mode, for a partner's <iframe>.
// It reads the same URL state (url-state.ts), draws with the same modules
// (map, legend, labels) and talks to its host through the postMessage API
// v1 (embed-messages.ts), with the origins the server allows only.
import { must } from './ui';
import {
  ApiError,
  errorText,
  getChoropleth,
  getDefaultView,
  getTerritory,
  listIndicators,
  listTileSets,
  type Choropleth,
  type ChoroplethTerritory,
  type Indicator,
} from './api';
import {
  PROTOCOL_VERSION,
  allowedOrigins,
  parentOrigin,
  parseHostMessage,
  type EmbedError,
  type EmbedView,
  type HostRequest,
  type TerritoryInfo,
  type ViewChange,
} from './embed-messages';
import { formatValue, LEVEL_LABELS } from './labels';
import { renderLegend } from './legend';
import { AtlasMap, type Bounds, type FeatureRef } from './map';
import { DEFAULT_STATE, formatState, parseState, type ViewState } from './url-state';
import { choroplethQuery, levelOf, resolve } from './view-state';
import './embed.css';

/** MapLibre's strings in French: the cooperative-gesture hints and the controls. */
const FRENCH: Record<string, string> = {
  'CooperativeGesturesHandler.WindowsHelpText': 'Maintenez Ctrl et faites défiler pour zoomer sur la carte',
  'CooperativeGesturesHandler.MacHelpText': 'Maintenez ⌘ et faites défiler pour zoomer sur la carte',
  'CooperativeGesturesHandler.MobileHelpText': 'Utilisez deux doigts pour déplacer la carte',
  'NavigationControl.ZoomIn': 'Zoomer',
  'NavigationControl.ZoomOut': 'Dézoomer',
  'AttributionControl.ToggleAttribution': 'Afficher ou masquer les sources',
};

/** Below this width the legend goes under the map rather than over it. */
const NARROW = 640;

/** Metropolitan France, fitted to the frame when the link names no camera. */
const FRANCE: Bounds = [-5.2, 41.3, 9.6, 51.15];

/** What the browser test reads (window.__atlasEmbed); harmless for users. */
export interface EmbedDebug {
  atlas: AtlasMap;
  map: AtlasMap['map'];
  state: () => ViewState;
  choropleth: () => Choropleth | null;
  refreshes: number;
  error: string | null;
  metrics: { firstPaintMs: number | null };
  /** The host's origin once known, the allowlist, and the messages ignored, read and sent. */
  host: () => string | null;
  allowed: string[];
  readonly ignored: number;
  readonly received: number;
  sent: Array<{ type: string; target: string }>;
}

declare global {
  interface Window {
    __atlasEmbed?: EmbedDebug;
  }
}

/** A request refused: the reason goes back to the host, nothing has changed. */
class Refusal extends Error {
  constructor(readonly error: EmbedError) {
    super(error.message);
  }
}

function refuse(field: string, message: string, code = 'unknown'): never {
  throw new Refusal({ code, field, message });
}

function waitIdle(map: AtlasMap['map']): Promise<void> {
  return new Promise((r) => map.once('idle', () => r()));
}

async function start(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const compactLegend = params.get('legend') === '0';
  const controls = params.get('controls') !== '0';
  const title = (params.get('title') ?? '').trim();
  const status = must<HTMLElement>('etat');
  const tooltip = must<HTMLElement>('infobulle');
  const legendBox = must<HTMLElement>('legende');
  const legendBody = must<HTMLElement>('legende-contenu');
  const fullMap = must<HTMLAnchorElement>('lien-carte');
  const heading = must<HTMLElement>('titre');
  if (title) {
    heading.textContent = title;
    heading.hidden = false;
  }
  fullMap.hidden = !controls;
  document.body.classList.toggle('legende-compacte', compactLegend);
  const toggle = must<HTMLButtonElement>('legende-bascule');
  toggle.hidden = !compactLegend;
  toggle.addEventListener('click', () => {
    const open = !legendBox.classList.contains('ouverte');
    legendBox.classList.toggle('ouverte', open);
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? 'Masquer les classes' : 'Afficher les classes';
  });

  const allowed = allowedOrigins(document, location.origin);
  let host: string | null = null;
  const sent: EmbedDebug['sent'] = [];
  const counts = { ignored: 0, received: 0 };
  /** The last height announced (atlas:resize). */
  let lastHeight = 0;
  // Listening starts now, before the map is drawn: a host that speaks
  // early is answered once it is (requests wait for the handler), and an
  // intruder is ignored from the first message.
  let setHandler: (h: (r: HostRequest) => Promise<void>) => void = () => {};
  const handler = new Promise<(r: HostRequest) => Promise<void>>((r) => (setHandler = r));
  // Requests are handled one after the other, in the order they came.
  let queue: Promise<void> = Promise.resolve();
  window.addEventListener('message', (e: MessageEvent) => {
    // Only the page holding this frame, and only from an allowed origin,
    // compared exactly (no prefix or suffix match: https://portail.fr.evil.example).
    if (window.parent === window || e.source !== window.parent || !allowed.has(e.origin)) {
      counts.ignored++;
      return;
    }
    const parsed = parseHostMessage(e.data);
    if (!parsed) return;
    counts.received++;
    host = e.origin;
    if ('refusal' in parsed) {
      send({ type: 'atlas:error', ...(parsed.id ? { replyTo: parsed.id } : {}), error: parsed.refusal });
      return;
    }
    queue = queue.then(() => handler).then((h) => h(parsed.request));
  });
  /** Posts to the host, with its exact origin as targetOrigin; nothing before it is known. */
  function send(msg: { type: string } & Record<string, unknown>): void {
    if (!host || window.parent === window) return;
    window.parent.postMessage({ ...msg, version: PROTOCOL_VERSION }, host);
    sent.push({ type: msg.type, target: host });
  }

  const [list, tilesets, view] = await Promise.all([listIndicators(), listTileSets(), getDefaultView()]);
  const indicators = list.indicators;
  const defaults: ViewState = { ...DEFAULT_STATE, region: view.region?.code ?? '', indicator: view.indicator ?? '' };
  let { state, ind } = resolve(parseState(location, defaults), indicators);

  async function extentOf(region: string): Promise<Bounds | null> {
    if (!region) return null;
    if (region === view.region?.code) return view.region.bbox;
    const t = await getTerritory('region', region);
    return t.bbox ?? null;
  }
  let extent: Bounds | null = null;
  try {
    extent = await extentOf(state.region);
  } catch {
    state = { ...state, region: '' };
  }
  const firstChoropleth = getChoropleth(state.indicator, choroplethQuery(state));
  firstChoropleth.catch(() => {}); // reported when awaited
  const atlas = new AtlasMap(must('carte'), state.camera ?? extent ?? FRANCE, tilesets, levelOf(state), state.region, {
    cooperativeGestures: true,
    navigation: controls,
    locale: FRENCH,
  });
  /** The frame's room for a territory: a wide frame's legend covers its left. */
  function padding(): { top: number; bottom: number; left: number; right: number } {
    if (document.documentElement.clientWidth < NARROW) return { top: 12, bottom: 12, left: 12, right: controls ? 44 : 12 };
    return { top: heading.hidden ? 24 : 44, bottom: 28, left: legendBox.offsetWidth + 24, right: controls ? 56 : 24 };
  }
  function fitExtent(b: Bounds | null): void {
    const e = b ?? FRANCE;
    atlas.map.fitBounds(
      [
        [e[0], e[1]],
        [e[2], e[3]],
      ],
      { padding: padding(), duration: 0 },
    );
  }
  // Before the first frame is drawn: the territories start where they stay.
  // Until someone chooses a camera (the link, the person, the host), the
  // map keeps its study territory fitted to the frame, which a responsive
  // host resizes after the first paint (atlas:resize).
  let fitted: Bounds | null = state.camera ? null : (extent ?? FRANCE);
  if (fitted) fitExtent(fitted);
  atlas.map.on('resize', () => {
    if (fitted) fitExtent(fitted);
  });
  let current: Choropleth | null = null;
  let byId = new Map<number, ChoroplethTerritory>();

  const debug: EmbedDebug = {
    atlas,
    map: atlas.map,
    state: () => state,
    choropleth: () => current,
    refreshes: 0,
    error: null,
    metrics: { firstPaintMs: null },
    host: () => host,
    allowed: [...allowed],
    get ignored() {
      return counts.ignored;
    },
    get received() {
      return counts.received;
    },
    sent,
  };
  window.__atlasEmbed = debug;

  function info(t: ChoroplethTerritory): TerritoryInfo {
    const published = t.status === 'published' && typeof t.value === 'number';
    return {
      level: current?.level ?? levelOf(state),
      code: t.code,
      name: t.name,
      status: t.status,
      value: published ? (t.value ?? null) : null,
      valueText: published ? formatValue(t.value ?? 0, ind.decimals, ind.unit) : t.status === 'secret' ? 'secret statistique' : 'donnée manquante',
      unit: ind.unit,
      classLabel: published ? (current?.legend.find((c) => c.class === t.class)?.label ?? null) : null,
    };
  }

  function territoryOf(f: FeatureRef | null): ChoroplethTerritory | undefined {
    return f && atlas.inStudyArea(f) ? byId.get(Number(f.id)) : undefined;
  }

  function currentView(): EmbedView {
    const b = atlas.map.getBounds();
    const c = atlas.map.getCenter();
    return {
      indicator: state.indicator,
      level: levelOf(state),
      period: current?.period ?? state.period,
      sex: state.sex,
      sector: state.sector,
      method: state.method,
      classes: state.classes,
      palette: state.palette,
      region: state.region,
      selection: state.selection,
      camera: { lon: round(c.lng, 5), lat: round(c.lat, 5), z: round(atlas.map.getZoom(), 3) },
      bounds: [round(b.getWest(), 5), round(b.getSouth(), 5), round(b.getEast(), 5), round(b.getNorth(), 5)],
    };
  }

  function showSelection(): void {
    const t = current?.territories.find((x) => x.code === state.selection);
    atlas.select(levelOf(state), t ?? null);
  }

  function updateLink(): void {
    fullMap.href = '/' + formatState({ ...state, camera: null }, defaults);
  }

  /** Draws a state whose choropleth is at hand. */
  async function draw(next: ViewState, nextInd: Indicator, ch: Choropleth): Promise<void> {
    state = next;
    ind = nextInd;
    atlas.setStudyArea(state.region);
    const level = levelOf(state);
    const levelChanged = atlas.currentLevel() !== level;
    await atlas.showLevel(level);
    current = ch;
    byId = new Map(ch.territories.map((t) => [t.id, t]));
    atlas.applyChoropleth(ch);
    renderLegend(legendBody, ch, ind);
    showSelection();
    updateLink();
    document.title = title || `${ch.label} – Atlas Santé-Travail`;
    await waitIdle(atlas.map);
    if (levelChanged || debug.metrics.firstPaintMs === null) {
      while (atlas.renderedTerritories().length === 0) await waitIdle(atlas.map);
    }
    debug.refreshes++;
    announceSize();
  }

  // The page is ready for requests once the first map is drawn.
  let firstDraw: Promise<void>;
  try {
    const [ch] = await Promise.all([firstChoropleth, atlas.whenLoaded()]);
    firstDraw = draw(state, ind, ch);
    await firstDraw;
    debug.metrics.firstPaintMs = performance.now();
    // On a narrow frame the sources fold behind their (i) button at once:
    // the legend's source line says them, and the map needs the room.
    if (document.documentElement.clientWidth < NARROW) {
      document.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
    }
    status.textContent = '';
  } catch (err) {
    const msg = errorText(err);
    status.textContent = `Erreur : ${msg}`;
    debug.error = msg;
    debug.refreshes++;
    firstDraw = Promise.reject(err);
    firstDraw.catch(() => {});
  }

  /**
   * Checks a host's change against the catalogue and the territories, and
   * fetches its choropleth, before anything changes: a refused request
   * leaves the map as it was.
   */
  async function prepare(c: ViewChange): Promise<{ next: ViewState; nextInd: Indicator; ch: Choropleth }> {
    const nextInd = c.indicator !== undefined ? indicators.find((i) => i.id === c.indicator) : ind;
    if (!nextInd) refuse('view.indicator', `view.indicator : indicateur inconnu ${c.indicator ?? ''} (${indicators.map((i) => i.id).join(', ')})`);
    let level = c.level ?? state.level;
    if (c.level !== undefined && !nextInd.levels.includes(c.level)) {
      refuse('view.level', `view.level : ${c.level} indisponible pour ${nextInd.id} (${nextInd.levels.join(', ')})`);
    }
    if (level && !nextInd.levels.includes(level)) level = nextInd.levels[0] ?? 'departement'; // another indicator's levels
    const keep = c.indicator === undefined || c.indicator === ind.id;
    const period = c.period ?? (keep ? state.period : '');
    if (period && !nextInd.vintages.includes(period)) {
      refuse('view.period', `view.period : ${period} sans valeurs pour ${nextInd.id} (${nextInd.vintages.join(', ')})`);
    }
    const sex = c.sex ?? (nextInd.sexes.includes(state.sex) ? state.sex : 'ensemble');
    if (!nextInd.sexes.includes(sex)) refuse('view.sex', `view.sex : ${sex} indisponible pour ${nextInd.id} (${nextInd.sexes.join(', ')})`);
    const sector = c.sector ?? (nextInd.sectors.includes(state.sector) ? state.sector : 'ensemble');
    if (sector !== 'ensemble' && !nextInd.sectors.includes(sector)) {
      refuse('view.sector', `view.sector : ${sector} indisponible pour ${nextInd.id} (${nextInd.sectors.join(', ')})`);
    }
    const region = c.region ?? state.region;
    // A selection is a code of its level: another level has none.
    const selection = c.selection ?? (level === state.level && nextInd.id === ind.id ? state.selection : '');
    const next: ViewState = {
      ...state,
      indicator: nextInd.id,
      level,
      period,
      sex,
      sector,
      method: c.method ?? state.method,
      classes: c.classes ?? state.classes,
      palette: c.palette ?? state.palette,
      region,
      selection,
    };
    let ch: Choropleth;
    try {
      ch = await getChoropleth(next.indicator, choroplethQuery(next));
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) {
        const field = /within|région/.test(err.detail) ? 'view.region' : 'view';
        refuse(field, `${field} : ${err.detail || err.title}`);
      }
      throw err;
    }
    if (selection && !ch.territories.some((t) => t.code === selection)) {
      refuse('view.selection', `view.selection : ${selection} n'est pas un territoire de cette carte (${LEVEL_LABELS[ch.level]})`);
    }
    return { next, nextInd, ch };
  }

  /** Moves the camera as the change says, or to the new région studied. */
  async function moveFor(c: ViewChange, regionBefore: string): Promise<void> {
    if (c.bounds || c.camera) fitted = null;
    if (c.bounds) {
      atlas.map.fitBounds(
        [
          [c.bounds[0], c.bounds[1]],
          [c.bounds[2], c.bounds[3]],
        ],
        { duration: 0 },
      );
    } else if (c.camera) {
      atlas.map.jumpTo({ center: [c.camera.lon, c.camera.lat], zoom: c.camera.z });
    } else if (state.region !== regionBefore) {
      fitted = (await extentOf(state.region)) ?? FRANCE;
      fitExtent(fitted);
    } else return;
    await waitIdle(atlas.map);
  }

  async function setView(c: ViewChange): Promise<EmbedView> {
    const regionBefore = state.region;
    const { next, nextInd, ch } = await prepare(c);
    await draw(next, nextInd, ch);
    await moveFor(c, regionBefore);
    return currentView();
  }

  async function handle(r: HostRequest): Promise<void> {
    try {
      await firstDraw;
    } catch (err) {
      send({ type: 'atlas:error', replyTo: r.id, error: { code: 'load', message: `la carte n'a pas pu se charger : ${errorText(err)}` } });
      return;
    }
    try {
      switch (r.type) {
        case 'atlas:hello':
          send({ type: 'atlas:ready', replyTo: r.id, view: currentView(), height: lastHeight });
          return;
        case 'atlas:get-view':
          send({ type: 'atlas:view', replyTo: r.id, view: currentView() });
          return;
        case 'atlas:set-view':
          send({ type: 'atlas:view', replyTo: r.id, view: await setView(r.view), source: 'host' });
          return;
      }
    } catch (err) {
      if (err instanceof Refusal) send({ type: 'atlas:error', replyTo: r.id, error: err.error });
      else send({ type: 'atlas:error', replyTo: r.id, error: { code: 'load', message: errorText(err) } });
    }
  }

  setHandler(handle);

  // Clicks, hovers and the user's moves are told to the host.
  atlas.onClick = (f) => {
    const t = territoryOf(f);
    state = { ...state, selection: t?.code ?? '' };
    showSelection();
    updateLink();
    send({ type: 'atlas:click', territory: t ? info(t) : null });
    send({ type: 'atlas:view', view: currentView(), source: 'user' });
  };
  let hovered: string | null = null;
  atlas.onHover = (h) => {
    const t = h ? territoryOf(h.feature) : undefined;
    showTooltip(h, t);
    const code = t?.code ?? null;
    if (code === hovered) return;
    hovered = code;
    send({ type: 'atlas:hover', territory: t ? info(t) : null });
  };
  atlas.map.on('moveend', (e: { originalEvent?: unknown }) => {
    // A move of the program (a host's set-view) is told in its reply.
    if (e.originalEvent) {
      fitted = null; // the person chose where to look
      send({ type: 'atlas:view', view: currentView(), source: 'user' });
    }
  });

  function showTooltip(h: { point: { x: number; y: number } } | null, t: ChoroplethTerritory | undefined): void {
    if (!h) {
      tooltip.hidden = true;
      return;
    }
    tooltip.replaceChildren();
    const strong = document.createElement('strong');
    const line = document.createElement('div');
    if (t) {
      const i = info(t);
      strong.textContent = i.name;
      line.textContent = `${LEVEL_LABELS[i.level]} ${i.code} · ${i.valueText}`;
    } else {
      strong.textContent = 'Hors du territoire d’étude';
      line.textContent = current?.within?.name ?? '';
    }
    tooltip.append(strong, line);
    tooltip.dataset['status'] = t?.status ?? 'context';
    tooltip.hidden = false;
    const r = tooltip.parentElement?.getBoundingClientRect();
    const w = r?.width ?? 1e4;
    const hgt = r?.height ?? 1e4;
    let x = h.point.x + 14;
    if (x + tooltip.offsetWidth > w - 4) x = h.point.x - 14 - tooltip.offsetWidth;
    let y = h.point.y + 14;
    if (y + tooltip.offsetHeight > hgt - 4) y = h.point.y - 14 - tooltip.offsetHeight;
    tooltip.style.transform = `translate(${Math.max(4, x)}px, ${Math.max(4, y)}px)`;
  }

  // The height the content wants at this width, for responsive iframes:
  // the map's own share plus, on a narrow frame, the legend under it.
  function wantedHeight(): number {
    const width = document.documentElement.clientWidth;
    if (width >= NARROW) return Math.round(Math.min(900, Math.max(360, width * 0.625)));
    const mapHeight = Math.round(Math.min(560, Math.max(260, width * 0.9)));
    const below = [heading, legendBox, fullMap.parentElement].reduce((s, el) => s + (el && !el.hidden ? el.getBoundingClientRect().height : 0), 0);
    return mapHeight + Math.ceil(below);
  }
  function announceSize(): void {
    const h = wantedHeight();
    if (h === lastHeight) return;
    lastHeight = h;
    send({ type: 'atlas:resize', height: h, width: document.documentElement.clientWidth });
  }
  new ResizeObserver(() => announceSize()).observe(legendBox);
  window.addEventListener('resize', () => announceSize());

  // The page holding this frame, if the browser tells its origin and it
  // is allowed, hears that the map is ready; a host the browser does not
  // name says atlas:hello and gets the same answer.
  if (debug.error === null) {
    host = parentOrigin(allowed);
    lastHeight = wantedHeight();
    send({ type: 'atlas:ready', view: currentView(), height: lastHeight });
  } else {
    host = parentOrigin(allowed);
    send({ type: 'atlas:error', error: { code: 'load', message: debug.error } });
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

start().catch((err: unknown) => {
  const status = document.getElementById('etat');
  if (status) status.textContent = `Erreur : ${String(err)}`;
  console.error(err);
});
