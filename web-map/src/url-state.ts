// The whole view state lives in the URL hash (`#i=…&l=…`), so that a link
// reproduces exactly what was on screen. The query string is read too, for
// links written by hand (`/?i=chomage-ze`); the hash wins.
import type { Level, Method, Sex } from './api';

export interface Camera {
  z: number;
  lat: number;
  lon: number;
}

export interface ViewState {
  indicator: string;
  level: Level | '';
  /** '' means the latest period with values. */
  period: string;
  sex: Sex;
  sector: string;
  method: Method;
  classes: number;
  /** Where the map looks; null: the whole study territory. */
  camera: Camera | null;
  /** INSEE code of the région studied ('' for France): the classes are
   *  computed on its territories only, the others are shown as context. */
  region: string;
  /** Code of the selected territory at the current level, or ''. */
  selection: string;
  /** Colour scheme asked of the API; '' keeps the indicator's default. */
  palette: string;
  /** Presentation mode (back of the room). */
  presentation: boolean;
  /** Maps side by side (2 or 4 panels); empty: the single map. */
  compare: ComparePanel[];
  /** The panel a phone shows (one at a time), from 0. */
  compareActive: number;
  /** The analysis mode and its parameters; mode '' is the plain map. */
  analysis: Analysis;
  /** The profile's reference territory (`departement:34`, `france`); '' for the territory's région. */
  reference: string;
}

/** The analysis maps: the change between two periods, two indicators crossed, the women/men gap. */
export type AnalysisMode = '' | 'evolution' | 'bivariate' | 'sex-gap';
export type ChangeMode = 'absolute' | 'relative';
export type GapMode = 'ratio' | 'difference';

/**
 * What an analysis map shows besides the view's indicator, level, sex,
 * sector and région. Only the fields of its mode matter; '' leaves the API
 * its default (the first and last periods, the second indicator's period).
 */
export interface Analysis {
  mode: AnalysisMode;
  /** Evolution: from and to ('' for the first / last period). */
  from: string;
  to: string;
  change: ChangeMode;
  /** Crossing: the second indicator and its period. */
  with: string;
  withPeriod: string;
  /** Sex gap. */
  gap: GapMode;
}

export const NO_ANALYSIS: Analysis = { mode: '', from: '', to: '', change: 'absolute', with: '', withPeriod: '', gap: 'ratio' };

/**
 * One map of the comparison: what it shows of its own. The camera, the
 * selection, the région studied and the classification are the view's,
 * shared by every panel.
 */
export interface ComparePanel {
  indicator: string;
  /** '' means the indicator's first level. */
  level: Level | '';
  /** '' means the latest period with values. */
  period: string;
  sex: Sex;
}

/** Metropolitan France, the camera of the France-wide view. */
export const DEFAULT_CAMERA: Camera = { z: 4.6, lat: 46.6, lon: 2.5 };

export const DEFAULT_STATE: ViewState = {
  indicator: '',
  level: '',
  period: '',
  sex: 'ensemble',
  sector: 'ensemble',
  method: 'quantiles',
  classes: 5,
  camera: null,
  region: '',
  selection: '',
  palette: '',
  presentation: false,
  compare: [],
  compareActive: 0,
  analysis: NO_ANALYSIS,
  reference: '',
};

const LEVELS: readonly Level[] = ['france', 'region', 'departement', 'zone-emploi', 'commune'];
const SEXES: readonly Sex[] = ['ensemble', 'femmes', 'hommes'];
const METHODS: readonly Method[] = ['quantiles', 'jenks', 'equal-intervals', 'standard-deviation'];
const MODES: readonly AnalysisMode[] = ['', 'evolution', 'bivariate', 'sex-gap'];
const PERIOD = /^[0-9A-Za-z-]{0,20}$/;

/**
 * Reads an analysis from its keys: `am` the mode, then `af`/`at`/`ac`
 * (evolution), `aw`/`awp` (crossing) or `ag` (sex gap). A crossing without
 * its second indicator is no analysis.
 */
export function parseAnalysis(get: (k: string) => string | null): Analysis {
  const mode = oneOf<AnalysisMode>(get('am'), MODES, '');
  const period = (k: string): string => {
    const v = (get(k) ?? '').trim();
    return PERIOD.test(v) ? v : '';
  };
  const w = (get('aw') ?? '').trim();
  const a: Analysis = {
    mode,
    from: mode === 'evolution' ? period('af') : '',
    to: mode === 'evolution' ? period('at') : '',
    change: mode === 'evolution' ? oneOf<ChangeMode>(get('ac'), ['absolute', 'relative'], 'absolute') : 'absolute',
    with: mode === 'bivariate' && /^[a-z0-9-]+$/.test(w) ? w : '',
    withPeriod: mode === 'bivariate' ? period('awp') : '',
    gap: mode === 'sex-gap' ? oneOf<GapMode>(get('ag'), ['ratio', 'difference'], 'ratio') : 'ratio',
  };
  return a.mode === 'bivariate' && !a.with ? NO_ANALYSIS : a;
}

/** Writes the keys of an analysis (none for the plain map). */
export function formatAnalysis(a: Analysis, p: URLSearchParams): void {
  if (!a.mode) return;
  p.set('am', a.mode);
  if (a.mode === 'evolution') {
    if (a.from) p.set('af', a.from);
    if (a.to) p.set('at', a.to);
    p.set('ac', a.change);
  } else if (a.mode === 'bivariate') {
    p.set('aw', a.with);
    if (a.withPeriod) p.set('awp', a.withPeriod);
  } else {
    p.set('ag', a.gap);
  }
}

/** How many maps a comparison shows: two side by side, or four in a grid. */
export const COMPARE_SIZES: readonly number[] = [2, 4];

/**
 * Reads `cmp` (panels separated by `,`, fields by `~`:
 * indicator~level~period~sex). Anything but 2 or 4 well-formed panels is no
 * comparison: a mangled link opens the single map rather than half a grid.
 */
export function parseCompare(v: string | null): ComparePanel[] {
  if (!v) return [];
  const panels: ComparePanel[] = [];
  for (const part of v.split(',')) {
    const [indicator = '', level = '', period = '', sex = ''] = part.split('~');
    if (!/^[a-z0-9-]+$/.test(indicator)) return [];
    panels.push({
      indicator,
      level: oneOf<Level | ''>(level, LEVELS, ''),
      period: /^[0-9A-Za-z-]*$/.test(period) ? period : '',
      sex: oneOf(sex, SEXES, 'ensemble'),
    });
  }
  return COMPARE_SIZES.includes(panels.length) ? panels : [];
}

/** The `cmp` value of a comparison ('' for none). */
export function formatCompare(panels: readonly ComparePanel[]): string {
  return panels.map((c) => [c.indicator, c.level, c.period, c.sex].join('~')).join(',');
}

function oneOf<T extends string>(v: string | null, allowed: readonly T[], fallback: T): T {
  return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

function num(v: string | null, fallback: number, min: number, max: number): number {
  if (v === null || v.trim() === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
}

/**
 * Reads the state from a location (hash first, then query string). What
 * the link does not say comes from `defaults` (the instance's default view).
 */
export function parseState(loc: { hash: string; search: string }, defaults: ViewState = DEFAULT_STATE): ViewState {
  const p = new URLSearchParams(loc.search);
  const h = new URLSearchParams(loc.hash.replace(/^#/, ''));
  for (const [k, v] of h) p.set(k, v);
  const levelRaw = p.get('l');
  const r = (p.get('r') ?? '').trim();
  const hasCamera = ['z', 'lat', 'lon'].every((k) => (p.get(k) ?? '').trim() !== '');
  return {
    indicator: (p.get('i') ?? '').trim() || defaults.indicator,
    level: levelRaw === null ? '' : oneOf<Level | ''>(levelRaw, LEVELS, ''),
    period: (p.get('p') ?? '').trim(),
    sex: oneOf(p.get('s'), SEXES, 'ensemble'),
    sector: (p.get('sec') ?? '').trim() || 'ensemble',
    method: oneOf(p.get('m'), METHODS, 'quantiles'),
    classes: Math.round(num(p.get('k'), 5, 2, 9)),
    camera: hasCamera
      ? {
          z: num(p.get('z'), DEFAULT_CAMERA.z, 0, 22),
          lat: num(p.get('lat'), DEFAULT_CAMERA.lat, -85, 85),
          lon: num(p.get('lon'), DEFAULT_CAMERA.lon, -180, 180),
        }
      : defaults.camera,
    region: r === 'fr' ? '' : /^[0-9]{2}$/.test(r) ? r : defaults.region,
    selection: (p.get('sel') ?? '').trim(),
    palette: /^[a-z]+$/.test(p.get('pal') ?? '') ? (p.get('pal') as string) : '',
    presentation: p.get('pres') === '1',
    ...compareOf(p),
    analysis: parseAnalysis((k) => p.get(k)),
    reference: /^(france|(region|departement|zone-emploi|commune):[0-9A-Za-z]{1,10})$/.test(p.get('ref') ?? '') ? (p.get('ref') as string) : '',
  };
}

function compareOf(p: URLSearchParams): Pick<ViewState, 'compare' | 'compareActive'> {
  const compare = parseCompare(p.get('cmp'));
  const active = Math.round(num(p.get('cmpa'), 0, 0, 3));
  return { compare, compareActive: active < compare.length ? active : 0 };
}

/**
 * The hash (with '#') that encodes a state; defaults are written too so
 * links stay exact. France is written `r=fr` only where the instance's
 * default is a région, so France-wide links stay as they were.
 */
export function formatState(s: ViewState, defaults: ViewState = DEFAULT_STATE): string {
  const p = new URLSearchParams();
  if (s.indicator) p.set('i', s.indicator);
  if (s.level) p.set('l', s.level);
  if (s.period) p.set('p', s.period);
  p.set('s', s.sex);
  p.set('sec', s.sector);
  p.set('m', s.method);
  p.set('k', String(s.classes));
  if (s.region || defaults.region) p.set('r', s.region || 'fr');
  if (s.camera) {
    p.set('z', s.camera.z.toFixed(2));
    p.set('lat', s.camera.lat.toFixed(4));
    p.set('lon', s.camera.lon.toFixed(4));
  }
  if (s.selection) p.set('sel', s.selection);
  if (s.palette) p.set('pal', s.palette);
  if (s.presentation) p.set('pres', '1');
  if (s.compare.length > 0) {
    p.set('cmp', formatCompare(s.compare));
    if (s.compareActive > 0) p.set('cmpa', String(s.compareActive));
  }
  formatAnalysis(s.analysis, p);
  if (s.reference) p.set('ref', s.reference);
  return '#' + p.toString();
}

/** Replaces the URL (no history entry per slider step). */
export function writeState(s: ViewState, defaults: ViewState = DEFAULT_STATE): void {
  const hash = formatState(s, defaults);
  if (location.hash !== hash) {
    history.replaceState(null, '', location.pathname + hash);
  }
}
