// Wires the catalogue, the URL state, the map, the legend and the controls.
import { must } from './ui';
import {
  ApiError,
  errorText,
  getChoropleth,
  getDefaultView,
  getTerritory,
  listIndicators,
  listTerritories,
  listTileSets,
  type Choropleth,
  type ChoroplethTerritory,
  type Level,
  type TerritoryRef,
} from './api';
import { AnalysisControls, analysisLines, getAnalysis, renderAnalysisLegend, showScatterSelection, type AnalysisResult } from './analysis';
import { Comparison, defaultPanels, type CompareDebug } from './compare';
import { Controls, type Change } from './controls';
import { formatValue, LEVEL_LABELS } from './labels';
import { renderLegend } from './legend';
import { initExport, type ComposedInfo } from './export';
import { initCompose, keepDocumentChoice } from './compose';
import { initInsets } from './insets';
import { initLayout } from './layout';
import { initPlaceLabels } from './place-labels';
import { initPresentation } from './presentation';
import { initProfile } from './profile';
import { initSearch } from './search';
import { AtlasMap, type Bounds, type FeatureRef } from './map';
import { DEFAULT_CAMERA, DEFAULT_STATE, NO_ANALYSIS, parseState, writeState, type Analysis, type ViewState } from './url-state';
import { choroplethQuery, levelOf, resolve } from './view-state';
import type { AtlasApp, ChangeSource } from './app';
import { getWorkshop, problemText, WorkshopError, type Workshop, type WorkshopAnalysis, type WorkshopView } from './workshop-api';
import { facilitatorToken, parseWorkshopLink, participantToken, setParticipantToken, takeWorkshopLink } from './workshop-link';
import './style.css';

interface Recolour {
  what: string;
  fetchMs: number;
  applyMs: number;
  totalMs: number;
}

/** What the browser test reads; harmless for users. */
interface AtlasDebug {
  map: AtlasMap['map'];
  /** The workshop mode's own read-outs, once it has started. */
  workshop?: unknown;
  /** The maps side by side. */
  compare: CompareDebug;
  atlas: AtlasMap;
  state: () => ViewState;
  choropleth: () => Choropleth | null;
  /** The analysis drawn (null: the plain map). */
  analysis: () => AnalysisResult | null;
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

function waitIdle(map: AtlasMap['map']): Promise<void> {
  return new Promise((r) => map.once('idle', () => r()));
}

/** The state of a workshop view (what the link would say, plus the view's choices). */
function viewState(v: WorkshopView, base: ViewState): ViewState {
  return {
    ...base,
    indicator: v.indicator,
    level: v.level,
    period: v.period ?? '',
    sex: v.sex ?? 'ensemble',
    sector: v.sector || 'ensemble',
    method: v.method ?? 'quantiles',
    classes: v.classes ?? 5,
    palette: v.palette ?? '',
    region: v.region ?? '',
    selection: v.selection ?? '',
    camera: null,
    analysis: analysisOfView(v.analysis),
  };
}

/** A workshop view's analysis as the view state holds it. */
function analysisOfView(a: WorkshopAnalysis | undefined): Analysis {
  if (!a) return NO_ANALYSIS;
  return {
    mode: a.mode,
    from: a.from ?? '',
    to: a.to ?? '',
    change: a.change === 'relative' ? 'relative' : 'absolute',
    with: a.with ?? '',
    withPeriod: a.with_period ?? '',
    gap: a.gap === 'difference' ? 'difference' : 'ratio',
  };
}

/** The analysis of a view state as a workshop view carries it (none for the plain map). */
function viewAnalysis(a: Analysis): WorkshopAnalysis | undefined {
  switch (a.mode) {
    case '':
      return undefined;
    case 'evolution':
      return { mode: a.mode, from: a.from, to: a.to, change: a.change };
    case 'bivariate':
      return { mode: a.mode, with: a.with, with_period: a.withPeriod };
    case 'sex-gap':
      return { mode: a.mode, gap: a.gap };
  }
}

/** What the page draws: the choropleth the map paints, and the analysis it comes from. */
interface Shown {
  ch: Choropleth;
  analysis: AnalysisResult | null;
}

function load(s: ViewState, signal?: AbortSignal): Promise<Shown> {
  if (s.analysis.mode) return getAnalysis(s, signal).then((a) => ({ ch: a.ch, analysis: a }));
  return getChoropleth(s.indicator, choroplethQuery(s), signal).then((ch) => ({ ch, analysis: null }));
}

/**
 * The snapshot of the workshop a link names, with the token this browser
 * holds for it (a stale one, from a reset server, is dropped and the
 * snapshot read without it). Null when the link names none.
 */
async function workshopSnapshot(): Promise<{ code: string; snapshot: Workshop | null; error: string }> {
  const link = takeWorkshopLink();
  if (!link) return { code: '', snapshot: null, error: '' };
  const token = facilitatorToken(link.code) ?? participantToken(link.code);
  try {
    return { code: link.code, snapshot: await getWorkshop(link.code, token), error: '' };
  } catch (err) {
    if (token && err instanceof WorkshopError && err.status === 401) {
      if (participantToken(link.code) === token) setParticipantToken(link.code, null);
      try {
        return { code: link.code, snapshot: await getWorkshop(link.code, null), error: '' };
      } catch (again) {
        err = again;
      }
    }
    return { code: link.code, snapshot: null, error: `Atelier ${link.code} : ${problemText(err)}` };
  }
}

async function start(): Promise<void> {
  const layout = initLayout();
  const status = must<HTMLElement>('etat');
  const tooltip = must<HTMLElement>('infobulle');
  const selectionBox = must<HTMLElement>('selection');
  // The catalogues and the default view were preloaded by index.html while
  // this script loaded. A workshop link also needs the workshop's state:
  // asked for at the same time, so that the first paint is already its view.
  const [list, tilesets, view, joined] = await Promise.all([listIndicators(), listTileSets(), getDefaultView(), workshopSnapshot()]);
  const indicators = list.indicators;
  if (indicators.length === 0 && tilesets.length > 0 && !joined.code) {
    // No indicator to map (`atlas serve --mbtiles`: tile files, no
    // database): the files' layers alone, with the legends they hold.
    const { startTilesOnly } = await import('./tiles-only');
    startTilesOnly(tilesets);
    return;
  }
  performance.mark('atlas-catalogue');
  const defaults: ViewState = { ...DEFAULT_STATE, region: view.region?.code ?? '', indicator: view.indicator ?? '' };
  const workshopView = joined.snapshot?.view ?? null;
  let { state, ind } = resolve(workshopView ? viewState(workshopView, defaults) : parseState(joined.code ? { hash: '', search: '' } : location, defaults), indicators);
  // In a workshop the address bar keeps the workshop's fragment, not the view.
  let workshopHash: string | null = joined.code ? location.hash : null;
  /** Writes the view to the address bar (not in a workshop). */
  function persist(): void {
    if (workshopHash === null) {
      writeState(state, defaults);
      keepDocumentChoice(); // the document composed stays in the address
    }
  }

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
  let notice = joined.error;
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
  let pending: Promise<Shown> | null = load(state);
  pending.catch(() => {}); // reported by refresh() when it awaits it
  const atlas = new AtlasMap(must('carte'), workshopView?.bounds ?? state.camera ?? extent ?? DEFAULT_CAMERA, tilesets, firstLevel, state.region);
  void atlas.whenLoaded().then(() => performance.mark('atlas-carte-chargee'));

  const controls = new Controls(must('controles'));
  const analysisControls = new AnalysisControls(must('ctl-analyse'));
  const compareButton = must<HTMLButtonElement>('bouton-comparer');
  const comparison = new Comparison(must('mise-en-page'), {
    tilesets,
    indicators,
    main: atlas,
    state: () => state,
    isMobile: () => layout.isMobile(),
    setCompare(panels, active) {
      userActs();
      state = { ...state, compare: panels, compareActive: active };
      persist();
      compareButton.setAttribute('aria-pressed', String(panels.length > 0));
      void comparison.update();
    },
    select(code) {
      userActs();
      state = { ...state, selection: code };
      persist();
      showSelection();
      viewChanged('user');
    },
    say: (msg) => (status.textContent = msg),
  });
  compareButton.addEventListener('click', () => {
    const on = state.compare.length === 0;
    userActs();
    state = { ...state, compare: on ? defaultPanels(state, indicators) : [], compareActive: 0 };
    persist();
    compareButton.setAttribute('aria-pressed', String(on));
    void comparison.update();
  });
  let current: Choropleth | null = null;
  let analysis: AnalysisResult | null = null;
  let byId = new Map<number, ChoroplethTerritory>();
  let seq = 0;
  let inflight: AbortController | null = null;

  const debug: AtlasDebug = {
    map: atlas.map,
    atlas,
    compare: comparison.debug,
    state: () => state,
    choropleth: () => current,
    analysis: () => analysis,
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
  initCompose({ indicators, view: () => ({ region: state.region, level: state.level, selection: state.selection, period: state.period }) });
  initPresentation({
    atlas,
    controls,
    indicators,
    state: () => state,
    // Presentation mode changes the page, not the map's colours: no refresh.
    setPresentation: (on: boolean) => {
      state = { ...state, presentation: on };
      persist();
    },
  });

  function describe(t: ChoroplethTerritory | undefined, f: FeatureRef): string[] {
    const name = t?.name ?? String(f.properties?.['name'] ?? '');
    const code = t?.code ?? String(f.properties?.['code'] ?? '');
    if (analysis && t) return [name, `${LEVEL_LABELS[current?.level ?? 'departement']} ${code}`, ...analysisLines(analysis, t.code, ind)];
    let value: string;
    if (!t || t.status === 'missing') value = 'donnée manquante';
    else if (t.status === 'secret') value = 'secret statistique';
    else value = formatValue(t.value ?? 0, ind.decimals, ind.unit);
    const cls = t ? current?.legend.find((c) => c.class === t.class)?.label : undefined;
    return [name, `${LEVEL_LABELS[current?.level ?? 'departement']} ${code}`, value, cls && t?.status === 'published' ? `classe : ${cls}` : ''];
  }

  const tooltipLines: Array<(level: Level, code: string) => string | null> = [];
  atlas.onHover = (h) => {
    if (!h) {
      tooltip.hidden = true;
      return;
    }
    const inside = atlas.inStudyArea(h.feature);
    const t = inside ? byId.get(Number(h.feature.id)) : undefined;
    const [name, code, described, ...more] = describe(t, h.feature);
    const value = inside ? described : `hors du territoire d’étude (${current?.within?.name ?? state.region})`;
    const cls = inside ? more.join('\n') : '';
    tooltip.replaceChildren();
    const strong = document.createElement('strong');
    strong.textContent = name ?? '';
    // The workshop's lines (contributions, dots), for a territory of the choropleth.
    const extra = t ? tooltipLines.map((f) => f(levelOf(state), t.code)) : [];
    const lines = [code, value, ...cls.split('\n'), ...extra].filter((x): x is string => !!x).map((x) => {
      const d = document.createElement('div');
      d.textContent = x;
      return d;
    });
    tooltip.append(strong, ...lines);
    tooltip.dataset['status'] = inside ? (t?.status ?? 'missing') : 'context';
    tooltip.hidden = false;
    // Kept inside the map: below and right of the pointer, or above / left
    // of it near an edge (a phone's map is narrow).
    const r = tooltip.parentElement?.getBoundingClientRect();
    const w = r?.width ?? 1e4;
    const hgt = r?.height ?? 1e4;
    let x = h.point.x + 14;
    if (x + tooltip.offsetWidth > w - 4) x = Math.min(h.point.x - 14 - tooltip.offsetWidth, w - tooltip.offsetWidth - 4);
    let y = h.point.y + 14;
    if (y + tooltip.offsetHeight > hgt - 4) y = h.point.y - 14 - tooltip.offsetHeight;
    tooltip.style.transform = `translate(${Math.max(4, x)}px, ${Math.max(4, y)}px)`;
  };
  // A finger has no "mouseleave": the tooltip of a tap goes when the map moves.
  atlas.map.on('movestart', () => {
    if (layout.isMobile()) tooltip.hidden = true;
  });

  function showSelection(): void {
    const t = current?.territories.find((x) => x.code === state.selection);
    atlas.select(levelOf(state), t ?? null);
    insets.select(t?.id ?? null);
    comparison.showSelection();
    showScatterSelection(must('legende'), t?.code ?? '');
    selectionBox.hidden = !t;
    if (t) {
      selectionBox.replaceChildren();
      const h = document.createElement('h2');
      h.textContent = t.name;
      const lines = analysis
        ? analysisLines(analysis, t.code, ind)
        : [t.status === 'published' ? formatValue(t.value ?? 0, ind.decimals, ind.unit) : t.status === 'secret' ? 'secret statistique' : 'donnée manquante'];
      selectionBox.append(
        h,
        ...lines.map((x) => {
          const p = document.createElement('p');
          p.textContent = x;
          return p;
        }),
      );
    }
  }

  const viewListeners: Array<(source: ChangeSource) => void> = [];
  const userListeners: Array<() => void> = [];
  const viewChanged = (source: ChangeSource): void => viewListeners.forEach((cb) => cb(source));
  const userActs = (): void => userListeners.forEach((cb) => cb());

  /** Selects a territory of the map by its code (a point of the scatter plot), as a click on it does. */
  function selectCode(code: string): void {
    const t = current?.territories.find((x) => x.code === code);
    if (t) atlas.onClick({ id: t.id });
  }

  // The controls an analysis makes moot: the period of an evolution (it has
  // its two), the sex of a gap, the classification of a crossing (terciles).
  const periodRow = must<HTMLElement>('controles').querySelector<HTMLElement>('fieldset.periode');
  const rowsOf = (ids: string[]): HTMLElement[] =>
    ids.flatMap((id) => [must<HTMLElement>(id), document.querySelector<HTMLElement>(`label[for="${id}"]`)]).filter((e): e is HTMLElement => !!e);
  const classRows = rowsOf(['ctl-methode', 'ctl-classes']);
  // An analysis has the API's own palette (diverging, or bivariate).
  const paletteRows = rowsOf(['ctl-palette']);
  function showModeRows(): void {
    const mode = state.analysis.mode;
    if (periodRow) periodRow.hidden = mode === 'evolution';
    if (mode === 'sex-gap') must<HTMLElement>('ligne-sexe').hidden = true;
    for (const e of classRows) e.hidden = mode === 'bivariate';
    for (const e of paletteRows) e.hidden = mode !== '';
  }

  analysisControls.onChange = (a) => {
    userActs();
    ({ state, ind } = resolve({ ...state, analysis: a }, indicators));
    viewChanged('user');
    void refresh('analyse');
  };

  atlas.onClick = (f) => {
    // Only the territories of the choropleth can be selected: a click on the
    // context outside the région studied selects nothing.
    const t = f ? byId.get(Number(f.id)) : undefined;
    userActs();
    state = { ...state, selection: t?.code ?? '' };
    persist();
    showSelection();
    viewChanged('user');
  };
  atlas.onMove = (c) => {
    state = { ...state, camera: c };
    persist();
  };

  // The last refresh asked for (settled() waits for it).
  let lastRefresh: Promise<void> = Promise.resolve();
  function refresh(what: string): Promise<void> {
    const p = redraw(what);
    lastRefresh = p;
    return p;
  }

  async function redraw(what: string): Promise<void> {
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
      const request = pending ?? load(state, ac.signal);
      pending = null;
      const [, shown] = await Promise.all([atlas.showLevel(level), request]);
      if (my !== seq) return;
      const t1 = performance.now();
      if (debug.metrics.firstPaintMs === null) performance.mark('atlas-choroplethe');
      const ch = shown.ch;
      current = ch;
      analysis = shown.analysis;
      byId = new Map(ch.territories.map((t) => [t.id, t]));
      const applyMs = atlas.applyChoropleth(ch);
      if (analysis) renderAnalysisLegend(must('legende'), analysis, ind, { select: selectCode });
      else renderLegend(must('legende'), ch, ind);
      layout.renderMiniLegend(ch);
      controls.render(indicators, state, ch.period);
      analysisControls.render(state, ind, indicators, analysis);
      showModeRows();
      showSelection();
      persist();
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
      // The panels share the région, the classification and the selection.
      compareButton.setAttribute('aria-pressed', String(state.compare.length > 0));
      void comparison.update();
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
    viewChanged('user');
    await refresh('region');
  }

  // Every control (and the shortcuts of presentation.ts) goes through here.
  controls.onChange = (c: Change) => {
    userActs();
    if (c.region !== undefined && c.region !== state.region) {
      void study(c.region);
      return;
    }
    const what = Object.keys(c).join(',');
    const next = { ...state, ...c };
    if (c.indicator && c.indicator !== state.indicator) next.selection = state.selection;
    const level = levelOf(state);
    ({ state, ind } = resolve(next, indicators));
    // A selection is a code of its level: another level (an indicator of other levels) has none.
    if (levelOf(state) !== level) state = { ...state, selection: '' };
    viewChanged('user');
    void refresh(what);
  };

  const paletteSelect = must<HTMLSelectElement>('ctl-palette');
  /** A workshop view's choices, applied the way the controls apply theirs. */
  async function applyView(v: WorkshopView): Promise<void> {
    const before = state;
    ({ state, ind } = resolve(viewState(v, state), indicators));
    state = { ...state, camera: before.camera, presentation: before.presentation };
    atlas.setStudyArea(state.region);
    paletteSelect.value = state.palette;
    const keys = ['indicator', 'level', 'period', 'sex', 'sector', 'method', 'classes', 'palette', 'region'] as const;
    const recolour = keys.some((k) => before[k] !== state[k]) || JSON.stringify(before.analysis) !== JSON.stringify(state.analysis);
    viewChanged('program');
    if (recolour) await refresh('atelier');
    else if (before.selection !== state.selection) {
      showSelection();
      persist();
    }
  }

  window.addEventListener('hashchange', () => {
    if (workshopHash !== null || parseWorkshopLink(location.hash)) {
      // Another workshop, or the way out of one: the page starts again
      // from the new link (tokens and roles are read at start).
      if (location.hash !== workshopHash) location.reload();
      return;
    }
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

  // A phone following a workshop does not open the profile of the
  // facilitator's selection over its map (it would cover most of it).
  // Decided before the panel's first look at the selection: a participant's
  // phone starts following.
  let holdProfile = !!joined.snapshot && layout.isMobile() && !facilitatorToken(joined.code);
  const profile = initProfile({
    atlas,
    state: () => state,
    indicators,
    hold: () => holdProfile,
    setReference(ref) {
      state = { ...state, reference: ref };
      persist();
      profile.sync();
    },
  });
  initSearch({ atlas, state: () => state, profile });
  initPlaceLabels(atlas);

  const app: AtlasApp & { holdProfile(on: boolean): void } = {
    atlas,
    layout,
    profile,
    indicators,
    state: () => state,
    choropleth: () => current,
    say: (msg) => (status.textContent = msg),
    currentView(): WorkshopView {
      const b = atlas.map.getBounds();
      return {
        indicator: state.indicator,
        level: levelOf(state),
        period: state.period,
        sex: state.sex,
        sector: state.sector,
        method: state.method,
        classes: state.classes,
        palette: state.palette,
        region: state.region,
        selection: state.selection,
        bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
        ...(state.analysis.mode ? { analysis: viewAnalysis(state.analysis) } : {}),
      };
    },
    applyView,
    showBounds(b, ms, padding) {
      atlas.map.fitBounds(
        [
          [b[0], b[1]],
          [b[2], b[3]],
        ],
        { padding: padding ?? 0, duration: ms, animate: ms > 0, essential: true },
      );
    },
    onViewChange: (cb) => void viewListeners.push(cb),
    addTooltipLine: (f) => void tooltipLines.push(f),
    onUserChange: (cb) => void userListeners.push(cb),
    setWorkshopUrl(hash) {
      workshopHash = hash;
      if (hash === null) persist();
      else if (location.hash !== hash) history.replaceState(null, '', location.pathname + hash);
    },
    async settled() {
      for (;;) {
        const p = lastRefresh;
        await p;
        if (p !== lastRefresh) continue;
        if (!atlas.map.isMoving()) return;
        await new Promise((r) => atlas.map.once('moveend', r));
      }
    },
    holdProfile(on) {
      holdProfile = on;
      if (on) profile.holdNow();
      else profile.sync();
    },
  };

  // The workshop mode is loaded when it is needed: the plain map's first
  // paint does not pay for it.
  const workshop = (): Promise<typeof import('./workshop')> => import('./workshop');
  must<HTMLButtonElement>('bouton-nouvel-atelier').addEventListener('click', () => {
    workshop().then((w) => w.openCreateDialog(app), (err: unknown) => (status.textContent = `Erreur : ${String(err)}`));
  });
  must<HTMLButtonElement>('bouton-rejoindre').addEventListener('click', () => {
    workshop().then((w) => w.openJoinCodeDialog(app), (err: unknown) => (status.textContent = `Erreur : ${String(err)}`));
  });

  await refresh('initial');
  if (joined.code && joined.snapshot) {
    const w = await workshop();
    debug.workshop = w.startWorkshop(app, joined.code, joined.snapshot);
  } else if (joined.code) {
    // No such workshop (or the server refused): a plain map, which says why.
    workshopHash = null;
    persist();
  }
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
