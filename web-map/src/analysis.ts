// The analysis maps (state `analysis` of the view, `am=` in the link): the
// change of an indicator between two periods, two indicators crossed (a
// 3 × 3 bivariate map and the scatter plot of the territories) and the
// women/men gap. Each is one API route whose answer carries its own classes,
// colours and legend; the map draws it as it draws a choropleth (one colour
// per territory through feature-state), so this module turns every answer
// into a Choropleth for the map, the insets and the export, and draws what
// only it has: the square legend and the scatter plot (SVG, no library).
import {
  getJSON,
  type Choropleth,
  type ChoroplethTerritory,
  type Indicator,
  type LegendClass,
  type Level,
  type Sex,
  type Status,
  type TerritoryRef,
} from './api';
import { changeUnit, formatValue, periodLabel, shortPeriodLabel } from './labels';
import { renderLegend } from './legend';
import { el, svg } from './ui';
import type { Analysis, AnalysisMode, ViewState } from './url-state';
import { crossCandidates, hasBothSexes, levelOf } from './view-state';

/** A territory of an evolution or sex-gap map: the change (or gap) and what it is computed from. */
export interface DerivedTerritory extends ChoroplethTerritory {
  /** From (evolution) or women (sex gap), when publishable. */
  a?: number | null;
  /** To (evolution) or men (sex gap), when publishable. */
  b?: number | null;
  rank_from?: number;
  rank_to?: number;
  rank_change?: number;
}

/** GET /indicators/{id}/evolution and /sex-gap: a map diverging around `centre`. */
export interface DerivedMap {
  indicator: string;
  label: string;
  kind: 'evolution' | 'sex-gap';
  level: Level;
  from?: string;
  to?: string;
  period?: string;
  mode: 'absolute' | 'relative' | 'ratio' | 'difference';
  unit: string;
  centre: number;
  sex: string;
  sector: string;
  method: string;
  colors: string[];
  legend: LegendClass[];
  note?: string;
  within?: TerritoryRef;
  territories: DerivedTerritory[];
  source?: string;
  notice?: string;
}

/** One indicator of a crossing. */
export interface CrossSide {
  indicator: string;
  label: string;
  unit: string;
  period: string;
  sector: string;
  source?: string;
}

export interface BivariateClass {
  class: number;
  kind: 'value' | 'secret' | 'missing';
  /** Terciles (0 lowest) of A and of B. */
  a?: number;
  b?: number;
  a_min?: number;
  a_max?: number;
  b_min?: number;
  b_max?: number;
  color: string;
  label: string;
  count: number;
}

export interface BivariateTerritory {
  code: string;
  name: string;
  id: number;
  a?: number | null;
  b?: number | null;
  class: number;
  status: Status;
}

/** GET /indicators/{id}/bivariate. */
export interface Bivariate {
  a: CrossSide;
  b: CrossSide;
  level: Level;
  sex: Sex;
  /** colors[b][a]. */
  colors: string[][];
  palette_source: string;
  legend: BivariateClass[];
  note?: string;
  within?: TerritoryRef;
  territories: BivariateTerritory[];
  notice?: string;
}

export interface ScatterPoint {
  level: Level;
  code: string;
  name: string;
  id: number;
  a: number;
  b: number;
}

/** GET /indicators/{id}/scatter: only the territories where both values may be shown. */
export interface Scatter {
  a: CrossSide;
  b: CrossSide;
  level: Level;
  within?: TerritoryRef;
  points: ScatterPoint[];
  regions: ScatterPoint[];
  left_out: { secret: number; missing: number };
  correlation: { pearson: number | null; spearman: number | null; n: number };
  caution: string;
  notice?: string;
}

/** An analysis as the page draws it: the API's answers and the choropleth the map paints. */
export type AnalysisResult =
  | { mode: 'evolution' | 'sex-gap'; map: DerivedMap; ch: Choropleth }
  | { mode: 'bivariate'; map: Bivariate; scatter: Scatter; ch: Choropleth };

export const MODE_LABELS: Record<AnalysisMode, string> = {
  '': 'Carte de l’indicateur',
  evolution: 'Évolution entre deux périodes',
  bivariate: 'Croisement de deux indicateurs',
  'sex-gap': 'Écart femmes / hommes',
};

const seg = (s: string): string => encodeURIComponent(s);

function within(s: ViewState): string {
  return s.region && levelOf(s) !== 'france' ? `region:${s.region}` : '';
}

/** The API path of an analysis of the view ('' for the plain map); `scatter` for the crossing's points. */
export function analysisPath(s: ViewState, route: 'map' | 'scatter' = 'map'): string {
  const a = s.analysis;
  const p = new URLSearchParams({ level: levelOf(s) });
  const w = within(s);
  switch (a.mode) {
    case '':
      return '';
    case 'evolution':
      if (a.from) p.set('from', a.from);
      if (a.to) p.set('to', a.to);
      p.set('change', a.change);
      p.set('sex', s.sex);
      p.set('sector', s.sector);
      p.set('method', s.method);
      p.set('classes', String(s.classes));
      if (w) p.set('within', w);
      return `/api/v1/indicators/${seg(s.indicator)}/evolution?${p.toString()}`;
    case 'sex-gap':
      if (s.period) p.set('period', s.period);
      p.set('gap', a.gap);
      p.set('sector', s.sector);
      p.set('method', s.method);
      p.set('classes', String(s.classes));
      if (w) p.set('within', w);
      return `/api/v1/indicators/${seg(s.indicator)}/sex-gap?${p.toString()}`;
    case 'bivariate':
      p.set('with', a.with);
      if (s.period) p.set('period', s.period);
      if (a.withPeriod) p.set('with-period', a.withPeriod);
      p.set('sex', s.sex);
      p.set('sector', s.sector);
      if (w) p.set('within', w);
      return `/api/v1/indicators/${seg(s.indicator)}/${route === 'scatter' ? 'scatter' : 'bivariate'}?${p.toString()}`;
  }
}

/** Fetches the analysis of the view (its mode must not be ''). */
export async function getAnalysis(s: ViewState, signal?: AbortSignal): Promise<AnalysisResult> {
  const mode = s.analysis.mode;
  if (mode === 'bivariate') {
    const [map, scatter] = await Promise.all([getJSON<Bivariate>(analysisPath(s), signal), getJSON<Scatter>(analysisPath(s, 'scatter'), signal)]);
    return { mode, map, scatter, ch: bivariateChoropleth(map) };
  }
  if (mode === '') throw new Error('aucune analyse demandée');
  const map = await getJSON<DerivedMap>(analysisPath(s), signal);
  return { mode, map, ch: derivedChoropleth(map) };
}

/** The title of a derived map: what changed, between which periods. */
function derivedTitle(m: DerivedMap): string {
  if (m.kind === 'evolution') {
    const how = m.mode === 'relative' ? 'relative, en %' : 'en valeur absolue';
    return `Évolution ${periodLabel(m.from ?? '')} → ${periodLabel(m.to ?? '')} (${how}) : ${m.label}`;
  }
  return `Écart femmes / hommes (${m.mode === 'ratio' ? 'rapport' : 'différence'}) : ${m.label}`;
}

function derivedChoropleth(m: DerivedMap): Choropleth {
  return {
    indicator: m.indicator,
    label: derivedTitle(m),
    unit: m.unit,
    level: m.level,
    // The period a CSV export of the indicator's values names.
    period: (m.kind === 'evolution' ? m.to : m.period) ?? '',
    sex: m.kind === 'evolution' ? (m.sex as Sex) : 'ensemble',
    sector: m.sector,
    method: m.method as Choropleth['method'],
    palette: '',
    colors: m.colors,
    legend: m.legend,
    within: m.within,
    territories: m.territories,
    source: m.source,
    notice: m.notice,
  };
}

function bivariateChoropleth(m: Bivariate): Choropleth {
  return {
    indicator: m.a.indicator,
    label: `Croisement : ${m.a.label} × ${m.b.label}`,
    unit: `${m.a.unit} ; ${m.b.unit}`,
    level: m.level,
    period: m.a.period,
    sex: m.sex,
    sector: m.a.sector,
    method: 'quantiles',
    palette: '',
    colors: m.colors.flat(),
    legend: m.legend.map((c) => ({ class: c.class, kind: c.kind, color: c.color, label: c.label, count: c.count })),
    within: m.within,
    territories: m.territories.map((t) => ({ code: t.code, name: t.name, id: t.id, class: t.class, status: t.status })),
    source: [m.a.source, m.b.source].filter(Boolean).join(' ; '),
    notice: m.notice,
  };
}

function signed(v: number, decimals: number, unit: string): string {
  const s = formatValue(Math.abs(v), decimals, unit);
  return v > 0 ? `+${s}` : v < 0 ? `−${s}` : s;
}

/** « gagne 2 places », « perd 1 place », « même rang ». */
export function rankChangeText(n: number): string {
  if (n === 0) return 'même rang';
  const k = Math.abs(n);
  return `${n > 0 ? 'gagne' : 'perd'} ${k} place${k > 1 ? 's' : ''}`;
}

/**
 * What the tooltip and the selection box say of a territory in an
 * analysis: the change (or gap, or both values), then what it comes from.
 * Secret and missing say only that: no value of theirs is in the answer.
 */
export function analysisLines(r: AnalysisResult, code: string, ind: Indicator): string[] {
  if (r.mode === 'bivariate') {
    const t = r.map.territories.find((x) => x.code === code);
    if (!t || t.status === 'missing') return ['donnée manquante'];
    if (t.status === 'secret') return ['secret statistique'];
    const other = r.map.b;
    return [
      `${shortLabel(r.map.a.label)} : ${formatValue(t.a ?? 0, ind.decimals, r.map.a.unit)}`,
      `${shortLabel(other.label)} : ${formatValue(t.b ?? 0, decimalsOf(t.b ?? 0), other.unit)}`,
      `classe : ${TERCILES[r.map.legend.find((c) => c.class === t.class)?.a ?? 0]} × ${TERCILES[r.map.legend.find((c) => c.class === t.class)?.b ?? 0]}`,
    ];
  }
  const m = r.map;
  const t = m.territories.find((x) => x.code === code);
  if (!t || t.status === 'missing') return ['donnée manquante'];
  if (t.status === 'secret') return ['secret statistique'];
  const v = t.value ?? 0;
  const dec = m.mode === 'ratio' ? 2 : m.mode === 'relative' ? 1 : ind.decimals;
  if (m.kind === 'evolution') {
    const lines = [`évolution : ${signed(v, dec, m.mode === 'relative' ? '%' : changeUnit(m.unit))}`];
    if (typeof t.a === 'number' && typeof t.b === 'number') {
      lines.push(`${periodLabel(m.from ?? '')} : ${formatValue(t.a, ind.decimals, ind.unit)} → ${periodLabel(m.to ?? '')} : ${formatValue(t.b, ind.decimals, ind.unit)}`);
    }
    if (typeof t.rank_change === 'number' && typeof t.rank_to === 'number') lines.push(`rang ${t.rank_to} (${rankChangeText(t.rank_change)})`);
    return lines;
  }
  const lines = [m.mode === 'ratio' ? `rapport femmes / hommes : ${formatValue(v, 2, '').trim()}` : `écart femmes − hommes : ${signed(v, ind.decimals, ind.unit)}`];
  if (typeof t.a === 'number' && typeof t.b === 'number') {
    lines.push(`femmes : ${formatValue(t.a, ind.decimals, ind.unit)} ; hommes : ${formatValue(t.b, ind.decimals, ind.unit)}`);
  }
  return lines;
}

const TERCILES = ['bas', 'moyen', 'haut'];

/** The label without its parenthesised tail (« (données de démonstration, fictives) »). */
function shortLabel(label: string): string {
  return label.replace(/\s*\([^)]*\)\s*$/, '');
}

function decimalsOf(v: number): number {
  return Number.isInteger(v) ? 0 : 1;
}


function num(v: number, decimals: number): string {
  return v.toLocaleString('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export interface AnalysisLegendContext {
  /** Selects a territory of the map (a click on a scatter point). */
  select: (code: string) => void;
}

/**
 * Draws an analysis's legend into `root`: the diverging classes of an
 * evolution or a gap (the choropleth legend, with its own subtitle), or the
 * square 3 × 3 legend of a crossing followed by its scatter plot.
 */
export function renderAnalysisLegend(root: HTMLElement, r: AnalysisResult, ind: Indicator, ctx: AnalysisLegendContext): void {
  if (r.mode !== 'bivariate') {
    const m = r.map;
    const sub =
      m.kind === 'evolution'
        ? `de ${periodLabel(m.from ?? '')} à ${periodLabel(m.to ?? '')} (« entrée / sortie du plan » par défaut)`
        : `${periodLabel(m.period ?? '')} · ${m.mode === 'ratio' ? 'rapport femmes / hommes (1 : égalité)' : 'différence femmes − hommes (0 : égalité)'}`;
    renderLegend(root, r.ch, ind, 'legende-titre', m.within ? `${m.within.name} · ${sub}` : sub);
    root.dataset['analysis'] = r.mode;
    return;
  }
  root.replaceChildren();
  root.dataset['analysis'] = r.mode;
  const m = r.map;
  root.append(el('h2', { id: 'legende-titre' }, 'Croisement de deux indicateurs'));
  const sub = [`A : ${shortLabel(m.a.label)} (${periodLabel(m.a.period)})`, `B : ${shortLabel(m.b.label)} (${periodLabel(m.b.period)})`];
  root.append(el('p', { class: 'legende-periode', 'data-period': m.a.period }, (m.within ? `${m.within.name} · ` : '') + sub.join(' · ')));
  if (m.notice) root.append(el('p', { class: 'legende-avis', role: 'note' }, m.notice));
  root.append(bivariateGrid(m));
  const special = el('ul', { class: 'bivarie-autres' });
  for (const c of m.legend.filter((x) => x.kind !== 'value')) {
    const sw = el('span', { class: `pastille pastille-${c.kind}`, 'aria-hidden': 'true' });
    sw.style.backgroundColor = c.color;
    special.append(el('li', { 'data-class': String(c.class), 'data-kind': c.kind, 'data-count': String(c.count) }, sw, ` ${c.label} : ${c.count.toLocaleString('fr-FR')}`));
  }
  root.append(special);
  root.append(el('p', { class: 'legende-source' }, m.palette_source));
  root.append(scatterPlot(r.scatter, m, ctx));
}

/** The square legend: B upwards, A rightwards, each cell its colour and count. */
function bivariateGrid(m: Bivariate): HTMLElement {
  const fig = el('figure', { class: 'bivarie', 'aria-label': `Légende croisée : ${m.a.label} (horizontal) et ${m.b.label} (vertical), trois classes chacun` });
  const grid = el('div', { class: 'bivarie-grille', role: 'table' });
  for (let b = 2; b >= 0; b--) {
    const row = el('div', { class: 'bivarie-ligne', role: 'row' });
    for (let a = 0; a <= 2; a++) {
      const c = m.legend.find((x) => x.kind === 'value' && x.a === a && x.b === b);
      const cell = el('div', {
        class: 'bivarie-case',
        role: 'cell',
        'data-class': String(c?.class ?? 3 * b + a),
        'data-kind': 'value',
        'data-color': c?.color ?? '',
        'data-count': String(c?.count ?? 0),
        title: c?.label ?? '',
        'aria-label': `A ${TERCILES[a]}, B ${TERCILES[b]} : ${c?.count ?? 0} territoires`,
      }, String(c?.count ?? 0));
      cell.style.backgroundColor = c?.color ?? '';
      row.append(cell);
    }
    grid.append(row);
  }
  const bounds = (lo?: number, hi?: number): string => (lo === undefined || hi === undefined ? '' : `${num(lo, 1)}–${num(hi, 1)}`);
  const aAxis = el('div', { class: 'bivarie-axe-a' });
  for (let a = 0; a <= 2; a++) {
    const c = m.legend.find((x) => x.kind === 'value' && x.a === a && x.b === 0);
    aAxis.append(el('span', {}, bounds(c?.a_min, c?.a_max)));
  }
  const bAxis = el('div', { class: 'bivarie-axe-b' });
  for (let b = 2; b >= 0; b--) {
    const c = m.legend.find((x) => x.kind === 'value' && x.b === b && x.a === 0);
    bAxis.append(el('span', {}, bounds(c?.b_min, c?.b_max)));
  }
  const body = el('div', { class: 'bivarie-corps' }, bAxis, grid);
  fig.append(
    el('div', { class: 'bivarie-titre-b' }, `↑ B : ${shortLabel(m.b.label)} (${m.b.unit})`),
    body,
    aAxis,
    el('figcaption', { class: 'bivarie-titre-a' }, `A : ${shortLabel(m.a.label)} (${m.a.unit}) →`),
  );
  return fig;
}

/**
 * The scatter plot of the territories, A across and B up: each point in
 * its bivariate colour, the selected territory ringed, the régions as
 * squares; a click (or Enter on a focused point) selects the territory.
 * Below it, the correlation with the API's caution and the count of the
 * territories left out.
 */
function scatterPlot(sc: Scatter, m: Bivariate, ctx: AnalysisLegendContext): HTMLElement {
  const wrap = el('figure', { class: 'nuage', 'aria-label': 'Nuage de points des territoires' });
  // The plot's size and margins (axis labels left and below), in viewBox units.
  const [W, H, left, right, top, bottom] = [320, 240, 40, 10, 10, 28];
  const all = [...sc.points, ...sc.regions];
  const xs = all.map((p) => p.a);
  const ys = all.map((p) => p.b);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const pw = W - left - right;
  const ph = H - top - bottom;
  const x = (v: number): number => left + ((v - x0) / (x1 - x0)) * pw;
  const y = (v: number): number => top + ph - ((v - y0) / (y1 - y0)) * ph;
  const root = svg('svg', { class: 'nuage-svg', viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': `${sc.points.length} territoires : A en abscisse, B en ordonnée` });
  root.append(
    svg('line', { class: 'axe', x1: left, y1: top + ph, x2: left + pw, y2: top + ph }),
    svg('line', { class: 'axe', x1: left, y1: top, x2: left, y2: top + ph }),
    svg('text', { class: 'etiquette', x: left, y: H - 14, 'text-anchor': 'start' }, num(x0, 1)),
    svg('text', { class: 'etiquette', x: left + pw, y: H - 14, 'text-anchor': 'end' }, num(x1, 1)),
    svg('text', { class: 'etiquette', x: left + pw / 2, y: H - 2, 'text-anchor': 'middle' }, 'A →'),
    svg('text', { class: 'etiquette', x: left - 4, y: top + 8, 'text-anchor': 'end' }, num(y1, 1)),
    svg('text', { class: 'etiquette', x: left - 4, y: top + ph, 'text-anchor': 'end' }, num(y0, 1)),
    svg('text', { class: 'etiquette', x: 4, y: top + ph / 2, 'text-anchor': 'start' }, 'B ↑'),
  );
  const colourOf = new Map(m.territories.map((t) => [t.code, m.legend.find((c) => c.class === t.class)?.color ?? '#888']));
  const aName = shortLabel(sc.a.label);
  const bName = shortLabel(sc.b.label);
  for (const p of sc.points) {
    const g = svg('g', {
      class: 'nuage-point',
      'data-code': p.code,
      tabindex: 0,
      role: 'button',
      'aria-label': `${p.name} : A ${num(p.a, 1)}, B ${num(p.b, 1)}`,
    });
    g.append(
      svg('title', {}, `${p.name} (${p.code}) — ${aName} : ${num(p.a, 1)} ; ${bName} : ${num(p.b, 1)}`),
      // A wider invisible target: a fingertip is bigger than the dot.
      svg('circle', { class: 'nuage-cible', cx: x(p.a).toFixed(1), cy: y(p.b).toFixed(1), r: 9 }),
      svg('circle', { class: 'nuage-marque', cx: x(p.a).toFixed(1), cy: y(p.b).toFixed(1), r: 4, fill: colourOf.get(p.code) ?? '#888' }),
    );
    const choose = (): void => ctx.select(p.code);
    g.addEventListener('click', choose);
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        choose();
      }
    });
    root.append(g);
  }
  for (const p of sc.regions) {
    const g = svg('g', { class: 'nuage-region', 'data-code': p.code, 'data-level': p.level });
    g.append(
      svg('title', {}, `Région ${p.name} — ${aName} : ${num(p.a, 1)} ; ${bName} : ${num(p.b, 1)}`),
      svg('rect', { x: (x(p.a) - 5).toFixed(1), y: (y(p.b) - 5).toFixed(1), width: 10, height: 10 }),
    );
    // The région studied is named on the plot; France-wide, the squares alone.
    if (sc.regions.length <= 2) g.append(svg('text', { class: 'etiquette nuage-region-nom', x: (x(p.a) + 8).toFixed(1), y: (y(p.b) + 4).toFixed(1) }, p.name));
    root.append(g);
  }
  wrap.append(root);
  const r = sc.correlation;
  const rText =
    r.pearson === null
      ? `Corrélation non calculable (n = ${r.n})`
      : `Corrélation : r de Pearson ${num(r.pearson, 2)}${r.spearman === null ? '' : `, ρ de Spearman ${num(r.spearman, 2)}`} (n = ${r.n})`;
  const cap = el('figcaption', { class: 'nuage-legende' });
  cap.append(
    el('p', { class: 'nuage-correlation', 'data-pearson': String(r.pearson ?? ''), 'data-n': String(r.n) }, rText),
    el('p', { class: 'nuage-prudence', role: 'note' }, sc.caution),
  );
  const hidden = sc.left_out.secret;
  cap.append(
    el(
      'p',
      { class: 'nuage-masques', 'data-secret': String(hidden), 'data-missing': String(sc.left_out.missing) },
      `${hidden.toLocaleString('fr-FR')} territoire${hidden > 1 ? 's' : ''} masqué${hidden > 1 ? 's' : ''} par le secret statistique` +
        (sc.left_out.missing > 0 ? ` ; ${sc.left_out.missing} sans donnée` : ''),
    ),
  );
  if (sc.regions.length > 0) cap.append(el('p', { class: 'nuage-note' }, '■ : région ; cercle cerclé : territoire sélectionné'));
  wrap.append(cap);
  return wrap;
}

/** Rings the selected territory's point on the scatter plot (none when not plotted). */
export function showScatterSelection(root: HTMLElement, code: string): void {
  for (const g of root.querySelectorAll<SVGGElement>('.nuage-point')) {
    const on = g.dataset['code'] === code;
    g.classList.toggle('nuage-choisi', on);
    if (on) g.parentNode?.append(g); // drawn last, above its neighbours
  }
}

/** The mode controls (in the settings form): the mode, then its own parameters. */
export class AnalysisControls {
  private readonly mode: HTMLSelectElement;
  private readonly from: HTMLSelectElement;
  private readonly to: HTMLSelectElement;
  private readonly change: HTMLSelectElement;
  private readonly with: HTMLSelectElement;
  private readonly withPeriod: HTMLSelectElement;
  private readonly gap: HTMLSelectElement;
  private readonly rows: Record<Exclude<AnalysisMode, ''>, HTMLElement>;
  onChange: (a: Analysis) => void = () => {};
  private current: Analysis | null = null;

  constructor(root: HTMLElement) {
    const select = (id: string, label: string): [HTMLLabelElement, HTMLSelectElement] => [el('label', { for: id }, label), el('select', { id, 'aria-label': label })];
    const [ml, mode] = select('ctl-mode', 'Mode d’analyse');
    const [fl, from] = select('ctl-evol-de', 'De');
    const [tl, to] = select('ctl-evol-a', 'À');
    const [cl, change] = select('ctl-evol-calcul', 'Évolution');
    const [wl, withSel] = select('ctl-croise-avec', 'Indicateur B (croisé avec)');
    const [wpl, withPeriod] = select('ctl-croise-periode', 'Période de B');
    const [gl, gap] = select('ctl-ecart', 'Écart');
    this.mode = mode;
    this.from = from;
    this.to = to;
    this.change = change;
    this.with = withSel;
    this.withPeriod = withPeriod;
    this.gap = gap;
    change.append(new Option('absolue (points pour un taux)', 'absolute'), new Option('relative (en %)', 'relative'));
    gap.append(new Option('rapport femmes / hommes', 'ratio'), new Option('différence femmes − hommes', 'difference'));
    const pair = el('div', { class: 'analyse-paire' }, el('div', {}, fl, from), el('div', {}, tl, to));
    this.rows = {
      evolution: el('div', { id: 'ligne-evolution', class: 'analyse-ligne' }, pair, cl, change),
      bivariate: el('div', { id: 'ligne-croisement', class: 'analyse-ligne' }, wl, withSel, wpl, withPeriod),
      'sex-gap': el('div', { id: 'ligne-ecart', class: 'analyse-ligne' }, gl, gap),
    };
    root.replaceChildren(el('legend', {}, 'Analyse'), ml, mode, ...Object.values(this.rows));
    const emit = (patch: Partial<Analysis>): void => {
      if (this.current) this.onChange({ ...this.current, ...patch });
    };
    mode.addEventListener('change', () => emit({ mode: mode.value as AnalysisMode }));
    from.addEventListener('change', () => emit({ from: from.value }));
    to.addEventListener('change', () => emit({ to: to.value }));
    change.addEventListener('change', () => emit({ change: change.value as Analysis['change'] }));
    withSel.addEventListener('change', () => emit({ with: withSel.value, withPeriod: '' }));
    withPeriod.addEventListener('change', () => emit({ withPeriod: withPeriod.value }));
    gap.addEventListener('change', () => emit({ gap: gap.value as Analysis['gap'] }));
  }

  /** Fills the controls from the (resolved) state; the API's answer gives the periods it used. */
  render(s: ViewState, ind: Indicator, indicators: Indicator[], r: AnalysisResult | null): void {
    const a = s.analysis;
    this.current = a;
    const level = levelOf(s);
    const candidates = crossCandidates(ind, indicators, level);
    const can: Record<AnalysisMode, boolean> = { '': true, evolution: ind.vintages.length >= 2, bivariate: candidates.length > 0, 'sex-gap': hasBothSexes(ind) };
    this.mode.replaceChildren(
      ...(Object.keys(MODE_LABELS) as AnalysisMode[]).map((m) => {
        const o = new Option(MODE_LABELS[m] + (can[m] ? '' : ' (indisponible)'), m, false, m === a.mode);
        o.disabled = !can[m];
        return o;
      }),
    );
    for (const [m, row] of Object.entries(this.rows)) row.hidden = m !== a.mode;
    const periods = (sel: HTMLSelectElement, list: string[], value: string): void => {
      sel.replaceChildren(...list.map((p) => new Option(shortPeriodLabel(p), p, false, p === value)));
    };
    if (a.mode === 'evolution') {
      const from = a.from || (r?.mode === 'evolution' ? r.map.from : '') || ind.vintages[0] || '';
      const to = a.to || (r?.mode === 'evolution' ? r.map.to : '') || ind.vintages[ind.vintages.length - 1] || '';
      periods(this.from, ind.vintages.slice(0, -1), from);
      periods(this.to, ind.vintages.slice(1), to);
      this.change.value = a.change;
    } else if (a.mode === 'bivariate') {
      this.with.replaceChildren(...candidates.map((i) => new Option(i.label, i.id, false, i.id === a.with)));
      const w = candidates.find((i) => i.id === a.with);
      const used = a.withPeriod || (r?.mode === 'bivariate' ? r.map.b.period : '');
      periods(this.withPeriod, w?.vintages ?? [], used);
    } else if (a.mode === 'sex-gap') {
      this.gap.value = a.gap;
    }
  }
}

