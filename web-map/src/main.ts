// Wires the catalogue, the URL state, the map, the legend and the controls.
import type { MapGeoJSONFeature } from 'maplibre-gl';
import { ApiError, getChoropleth, listIndicators, type Choropleth, type ChoroplethTerritory, type Indicator } from './api';
import { Controls, type Change } from './controls';
import { formatValue, LEVEL_LABELS } from './labels';
import { renderLegend } from './legend';
import { initExport } from './export';
import { initPlaceLabels } from './place-labels';
import { initPresentation } from './presentation';
import { initProfile } from './profile';
import { initSearch } from './search';
import { AtlasMap } from './map';
import { DEFAULT_STATE, parseState, writeState, type ViewState } from './url-state';
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

function waitIdle(map: AtlasMap['map']): Promise<void> {
  return new Promise((r) => map.once('idle', () => r()));
}

async function start(): Promise<void> {
  const status = must<HTMLElement>('etat');
  const tooltip = must<HTMLElement>('infobulle');
  const selectionBox = must<HTMLElement>('selection');
  // The map (and its worker) starts while the catalogue is fetched.
  const initial = parseState(location);
  const atlas = new AtlasMap(must('carte'), initial.camera);
  void atlas.whenLoaded().then(() => performance.mark('atlas-carte-chargee'));
  const indicators = (await listIndicators()).indicators;
  performance.mark('atlas-catalogue');
  let { state, ind } = resolve({ ...DEFAULT_STATE, ...initial }, indicators);

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
    metrics: {
      firstPaintMs: null,
      recolours: [],
      marks: () => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])),
    },
  };
  window.__atlas = debug;
  initExport({ atlas, indicators, choropleth: () => current });
  initPresentation({
    atlas,
    controls,
    indicators,
    state: () => state,
    // Presentation mode changes the page, not the map's colours: no refresh.
    setPresentation: (on: boolean) => {
      state = { ...state, presentation: on };
      writeState(state);
    },
  });

  function describe(t: ChoroplethTerritory | undefined, f: MapGeoJSONFeature): string[] {
    const name = t?.name ?? String(f.properties['name'] ?? '');
    const code = t?.code ?? String(f.properties['code'] ?? '');
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
    const t = byId.get(Number(h.feature.id));
    const [name, code, value, cls] = describe(t, h.feature);
    tooltip.replaceChildren();
    const strong = document.createElement('strong');
    strong.textContent = name ?? '';
    const lines = [code, value, cls].filter((x): x is string => !!x).map((x) => {
      const d = document.createElement('div');
      d.textContent = x;
      return d;
    });
    tooltip.append(strong, ...lines);
    tooltip.dataset['status'] = t?.status ?? 'missing';
    tooltip.hidden = false;
    const r = tooltip.parentElement?.getBoundingClientRect();
    const x = Math.min(h.point.x + 14, (r?.width ?? 1e4) - tooltip.offsetWidth - 4);
    tooltip.style.transform = `translate(${Math.max(4, x)}px, ${h.point.y + 14}px)`;
  };

  function showSelection(): void {
    const t = current?.territories.find((x) => x.code === state.selection);
    atlas.select(state.level || 'departement', t ?? null);
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
    const t = f ? byId.get(Number(f.id)) : undefined;
    state = { ...state, selection: t?.code ?? '' };
    writeState(state);
    showSelection();
  };
  atlas.onMove = (c) => {
    state = { ...state, camera: c };
    writeState(state);
  };

  async function refresh(what: string): Promise<void> {
    const my = ++seq;
    inflight?.abort();
    const ac = new AbortController();
    inflight = ac;
    const t0 = performance.now();
    status.textContent = 'Chargement…';
    try {
      const level = state.level || 'departement';
      const levelChanged = atlas.currentLevel() !== level;
      // Tiles of a new level and the choropleth load together.
      const [, ch] = await Promise.all([
        atlas.showLevel(level),
        getChoropleth(
          state.indicator,
          { level, period: state.period, sex: state.sex, sector: state.sector, method: state.method, classes: state.classes, palette: state.palette },
          ac.signal,
        ),
      ]);
      if (my !== seq) return;
      const t1 = performance.now();
      if (debug.metrics.firstPaintMs === null) performance.mark('atlas-choroplethe');
      current = ch;
      byId = new Map(ch.territories.map((t) => [t.id, t]));
      const applyMs = atlas.applyChoropleth(ch);
      renderLegend(must('legende'), ch, ind);
      controls.render(indicators, state, ch.period);
      showSelection();
      writeState(state);
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
      status.textContent = '';
      debug.error = null;
      debug.refreshes++;
    } catch (err) {
      if (ac.signal.aborted) return;
      const msg = err instanceof ApiError ? `${err.title} : ${err.detail}` : String(err);
      status.textContent = `Erreur : ${msg}`;
      debug.error = msg;
      debug.refreshes++;
    }
  }

  controls.onChange = (c: Change) => {
    const what = Object.keys(c).join(',');
    const next = { ...state, ...c };
    if (c.indicator && c.indicator !== state.indicator) next.selection = state.selection;
    ({ state, ind } = resolve(next, indicators));
    void refresh(what);
  };

  window.addEventListener('hashchange', () => {
    const parsed = parseState(location);
    ({ state, ind } = resolve({ ...parsed }, indicators));
    const c = state.camera;
    atlas.map.jumpTo({ center: [c.lon, c.lat], zoom: c.z });
    void refresh('url');
  });

  const profile = initProfile({ atlas, state: () => state, indicators });
  initSearch({ atlas, state: () => state, profile });
  initPlaceLabels(atlas);

  await refresh('initial');
}

start().catch((err: unknown) => {
  const status = document.getElementById('etat');
  if (status) status.textContent = `Erreur : ${String(err)}`;
  console.error(err);
});
