// Wires the catalogue, the URL state, the map, the legend and the controls.
import {
  ApiError,
  getChoropleth,
  getDefaultView,
  getTerritory,
  listIndicators,
  listTerritories,
  listTileSets,
  type Choropleth,
  type ChoroplethQuery,
  type ChoroplethTerritory,
  type Indicator,
  type Level,
  type TerritoryRef,
} from './api';
import { Controls, type Change } from './controls';
import { formatValue, LEVEL_LABELS } from './labels';
import { renderLegend } from './legend';
import { initExport, type ComposedInfo } from './export';
import { initInsets } from './insets';
import { initPlaceLabels } from './place-labels';
import { initPresentation } from './presentation';
import { initProfile } from './profile';
import { initSearch } from './search';
import { AtlasMap, type Bounds, type FeatureRef } from './map';
import { DEFAULT_CAMERA, DEFAULT_STATE, parseState, writeState, type ViewState } from './url-state';
import './style.css';

const DEFAULT_INDICATOR = 'chomage-ze';

interface Recolour {
  what: string;
  fetchMs: number;
  applyMs: number;
  totalMs: number;
}

/** What the browser test reads; harmless for users. */
interface AtlasDebug {
  map: AtlasMap['map'];
  atlas: AtlasMap;
  state: () => ViewState;
  choropleth: () => Choropleth | null;
  refreshes: number;
  error: string | null;
  metrics: { firstPaintMs: number | null; recolours: Recolour[]; marks: () => Record<string, number> };
  lastExport: ComposedInfo | null;
}

declare global {
  interface Window {
    __atlas?: AtlasDebug;
  }
}

function must<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`élément #${id} absent de la page`);
  return e as T;
}

/** Makes a state consistent with the catalogue (unknown choices fall back). */
function resolve(s: ViewState, indicators: Indicator[]): { state: ViewState; ind: Indicator } {
  const ind =
    indicators.find((i) => i.id === s.indicator) ??
    indicators.find((i) => i.id === DEFAULT_INDICATOR) ??
    indicators[0];
  if (!ind) throw new Error('aucun indicateur importé : lancez `atlas import demo`');
  const first = ind.levels[0] ?? 'departement';
  return {
    ind,
    state: {
      ...s,
      indicator: ind.id,
      level: s.level && ind.levels.includes(s.level) ? s.level : first,
      period: ind.vintages.includes(s.period) ? s.period : '',
      sex: ind.sexes.includes(s.sex) ? s.sex : 'ensemble',
      sector: ind.sectors.includes(s.sector) ? s.sector : 'ensemble',
    },
  };
}

/** The level of a state ('' only before resolve() has seen the catalogue). */
function levelOf(s: ViewState): Level {
  return s.level || 'departement';
}

/** A failure as the status line says it. */
function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.title} : ${err.detail}` : String(err);
}

function choroplethQuery(s: ViewState): ChoroplethQuery {
  const level = levelOf(s);
  // A regional map classifies its own territories only.
  const within = s.region && level !== 'france' ? `region:${s.region}` : undefined;
  return { level, period: s.period, sex: s.sex, sector: s.sector, method: s.method, classes: s.classes, palette: s.palette, within };
}

function waitIdle(map: AtlasMap['map']): Promise<void> {
  return new Promise((r) => map.once('idle', () => r()));
}

async function start(): Promise<void> {
  const status = must<HTMLElement>('etat');
  const tooltip = must<HTMLElement>('infobulle');
  const selectionBox = must<HTMLElement>('selection');
  // The catalogues and the default view were preloaded by index.html while
  // this script loaded.
  const [list, tilesets, view] = await Promise.all([listIndicators(), listTileSets(), getDefaultView()]);
  const indicators = list.indicators;
  performance.mark('atlas-catalogue');
  const defaults: ViewState = { ...DEFAULT_STATE, region: view.region?.code ?? '', indicator: view.indicator ?? '' };
  let { state, ind } = resolve(parseState(location, defaults), indicators);

  /** Extent of a région studied (null for France), from the default view or the API. */
  async function extentOf(region: string): Promise<Bounds | null> {
    if (!region) return null;
    if (region === view.region?.code) return view.region.bbox;
    return (await getTerritory('region', region)).bbox ?? null;
  }
  // The list of régions, read once after the first paint (study choice, insets).
  let regionList: Promise<TerritoryRef[]> | null = null;
  const regions = (): Promise<TerritoryRef[]> => (regionList ??= listTerritories('region').then((r) => r.territories));
  let extent: Bounds | null = null;
  // Shown in the status line once the map is drawn.
  let notice = '';
  try {
    extent = await extentOf(state.region);
  } catch (err) {
    // A link naming a région this base does not hold: France, and say why.
    const why = err instanceof ApiError ? err.detail || err.title : String(err);
    notice = `Région ${state.region} inconnue (${why}) : carte de la France entière`;
    state = { ...state, region: '' };
  }
  // The first choropleth is asked for now, while the map starts and loads
  // the first level's tiles: nothing waits on anything else.
  const firstLevel = levelOf(state);
  let pending: Promise<Choropleth> | null = getChoropleth(state.indicator, choroplethQuery(state));
  pending.catch(() => {}); // reported by refresh() when it awaits it
  const atlas = new AtlasMap(must('carte'), state.camera ?? extent ?? DEFAULT_CAMERA, tilesets, firstLevel, state.region);
  void atlas.whenLoaded().then(() => performance.mark('atlas-carte-chargee'));

  const controls = new Controls(must('controles'));
  let current: Choropleth | null = null;
  let byId = new Map<number, ChoroplethTerritory>();
  let seq = 0;
  let inflight: AbortController | null = null;

  const debug: AtlasDebug = {
    map: atlas.map,
    atlas,
    state: () => state,
    choropleth: () => current,
    refreshes: 0,
    error: null,
    lastExport: null,
    metrics: {
      firstPaintMs: null,
      recolours: [],
      marks: () => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])),
    },
  };
  window.__atlas = debug;
  const insets = initInsets({ atlas, tilesets, regions });
  initExport({ atlas, indicators, insets, choropleth: () => current, onComposed: (info) => (debug.lastExport = info) });
  initPresentation({
    atlas,
    controls,
    indicators,
    state: () => state,
    // Presentation mode changes the page, not the map's colours: no refresh.
    setPresentation: (on: boolean) => {
      state = { ...state, presentation: on };
      writeState(state, defaults);
    },
  });

  function describe(t: ChoroplethTerritory | undefined, f: FeatureRef): string[] {
    const name = t?.name ?? String(f.properties?.['name'] ?? '');
    const code = t?.code ?? String(f.properties?.['code'] ?? '');
    let value: string;
    if (!t || t.status === 'missing') value = 'donnée manquante';
    else if (t.status === 'secret') value = 'secret statistique';
    else value = formatValue(t.value ?? 0, ind.decimals, ind.unit);
    const cls = t ? current?.legend.find((c) => c.class === t.class)?.label : undefined;
    return [name, `${LEVEL_LABELS[current?.level ?? 'departement']} ${code}`, value, cls && t?.status === 'published' ? `classe : ${cls}` : ''];
  }

  atlas.onHover = (h) => {
    if (!h) {
      tooltip.hidden = true;
      return;
    }
    const inside = atlas.inStudyArea(h.feature);
    const t = inside ? byId.get(Number(h.feature.id)) : undefined;
    const [name, code, described, cls] = describe(t, h.feature);
    const value = inside ? described : `hors du territoire d’étude (${current?.within?.name ?? state.region})`;
    tooltip.replaceChildren();
    const strong = document.createElement('strong');
    strong.textContent = name ?? '';
    const lines = [code, value, cls].filter((x): x is string => !!x).map((x) => {
      const d = document.createElement('div');
      d.textContent = x;
      return d;
    });
    tooltip.append(strong, ...lines);
    tooltip.dataset['status'] = inside ? (t?.status ?? 'missing') : 'context';
    tooltip.hidden = false;
    const r = tooltip.parentElement?.getBoundingClientRect();
    const x = Math.min(h.point.x + 14, (r?.width ?? 1e4) - tooltip.offsetWidth - 4);
    tooltip.style.transform = `translate(${Math.max(4, x)}px, ${h.point.y + 14}px)`;
  };

  function showSelection(): void {
    const t = current?.territories.find((x) => x.code === state.selection);
    atlas.select(levelOf(state), t ?? null);
    insets.select(t?.id ?? null);
    selectionBox.hidden = !t;
    if (t) {
      selectionBox.replaceChildren();
      const h = document.createElement('h2');
      h.textContent = t.name;
      const p = document.createElement('p');
      p.textContent =
        t.status === 'published' ? formatValue(t.value ?? 0, ind.decimals, ind.unit) : t.status === 'secret' ? 'secret statistique' : 'donnée manquante';
      selectionBox.append(h, p);
    }
  }

  atlas.onClick = (f) => {
    // Only the territories of the choropleth can be selected: a click on the
    // context outside the région studied selects nothing.
    const t = f ? byId.get(Number(f.id)) : undefined;
    state = { ...state, selection: t?.code ?? '' };
    writeState(state, defaults);
    showSelection();
  };
  atlas.onMove = (c) => {
    state = { ...state, camera: c };
    writeState(state, defaults);
  };

  async function refresh(what: string): Promise<void> {
    const my = ++seq;
    inflight?.abort();
    const ac = new AbortController();
    inflight = ac;
    const t0 = performance.now();
    status.textContent = 'Chargement…';
    try {
      const level = levelOf(state);
      const levelChanged = atlas.currentLevel() !== level;
      // Tiles of a new level and the choropleth load together.
      const request = pending ?? getChoropleth(state.indicator, choroplethQuery(state), ac.signal);
      pending = null;
      const [, ch] = await Promise.all([atlas.showLevel(level), request]);
      if (my !== seq) return;
      const t1 = performance.now();
      if (debug.metrics.firstPaintMs === null) performance.mark('atlas-choroplethe');
      current = ch;
      byId = new Map(ch.territories.map((t) => [t.id, t]));
      const applyMs = atlas.applyChoropleth(ch);
      renderLegend(must('legende'), ch, ind);
      controls.render(indicators, state, ch.period);
      showSelection();
      writeState(state, defaults);
      document.title = `${ch.label} – Atlas Santé-Travail`;
      await waitIdle(atlas.map);
      if (levelChanged || debug.metrics.firstPaintMs === null) {
        // Wait until the level's tiles are drawn.
        while (atlas.renderedTerritories().length === 0) await waitIdle(atlas.map);
      }
      if (my !== seq) return;
      const t2 = performance.now();
      if (debug.metrics.firstPaintMs === null) {
        debug.metrics.firstPaintMs = t2;
        performance.mark('atlas-premier-rendu');
      } else {
        debug.metrics.recolours.push({ what, fetchMs: t1 - t0, applyMs, totalMs: t2 - t0 });
        performance.measure(`atlas-recoloriage-${what}`, { start: t0, end: t2 });
      }
      status.textContent = notice;
      notice = '';
      debug.error = null;
      debug.refreshes++;
      // The overseas insets of a France-wide map follow, off the measured path.
      const selected = ch.territories.find((x) => x.code === state.selection)?.id ?? null;
      insets.update(state.region ? null : level, ch, selected).catch((err: unknown) => {
        if (my === seq) status.textContent = `Encarts d’outre-mer indisponibles : ${errorText(err)}`;
      });
    } catch (err) {
      if (ac.signal.aborted) return;
      const msg = errorText(err);
      status.textContent = `Erreur : ${msg}`;
      debug.error = msg;
      debug.refreshes++;
    }
  }

  /** Studies another région (or France): colours, camera and classes follow. */
  async function study(region: string): Promise<void> {
    let b: Bounds | null;
    try {
      b = await extentOf(region);
    } catch (err) {
      status.textContent = `Erreur : ${errorText(err)}`;
      return;
    }
    state = { ...state, region, camera: null, selection: '' };
    atlas.setStudyArea(region);
    atlas.fitTo(b, true, DEFAULT_CAMERA);
    await refresh('region');
  }

  controls.onChange = (c: Change) => {
    if (c.region !== undefined && c.region !== state.region) {
      void study(c.region);
      return;
    }
    const what = Object.keys(c).join(',');
    const next = { ...state, ...c };
    if (c.indicator && c.indicator !== state.indicator) next.selection = state.selection;
    ({ state, ind } = resolve(next, indicators));
    void refresh(what);
  };

  window.addEventListener('hashchange', () => {
    const before = state.region;
    ({ state, ind } = resolve(parseState(location, defaults), indicators));
    atlas.setStudyArea(state.region);
    const c = state.camera;
    if (c) atlas.map.jumpTo({ center: [c.lon, c.lat], zoom: c.z });
    else if (state.region !== before || !state.region) {
      extentOf(state.region).then(
        (b) => atlas.fitTo(b, false, DEFAULT_CAMERA),
        (err: unknown) => (status.textContent = `Erreur : ${errorText(err)}`),
      );
    }
    void refresh('url');
  });

  const profile = initProfile({ atlas, state: () => state, indicators });
  initSearch({ atlas, state: () => state, profile });
  initPlaceLabels(atlas);

  await refresh('initial');
  // The région list is not needed for the first paint.
  try {
    controls.setRegions(await regions(), state.region);
  } catch (err) {
    console.warn('liste des régions indisponible', err);
  }
}

start().catch((err: unknown) => {
  const status = document.getElementById('etat');
  if (status) status.textContent = `Erreur : ${String(err)}`;
  console.error(err);
});
