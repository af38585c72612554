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
  camera: Camera;
  /** Code of the selected territory at the current level, or ''. */
  selection: string;
  /** Colour scheme asked of the API; '' keeps the indicator's default. */
  palette: string;
  /** Presentation mode (back of the room). */
  presentation: boolean;
}

export const DEFAULT_CAMERA: Camera = { z: 4.6, lat: 46.6, lon: 2.5 };

export const DEFAULT_STATE: ViewState = {
  indicator: '',
  level: '',
  period: '',
  sex: 'ensemble',
  sector: 'ensemble',
  method: 'quantiles',
  classes: 5,
  camera: DEFAULT_CAMERA,
  selection: '',
  palette: '',
  presentation: false,
};

const LEVELS: readonly Level[] = ['france', 'region', 'departement', 'zone-emploi', 'commune'];
const SEXES: readonly Sex[] = ['ensemble', 'femmes', 'hommes'];
const METHODS: readonly Method[] = ['quantiles', 'jenks', 'equal-intervals', 'standard-deviation'];

function oneOf<T extends string>(v: string | null, allowed: readonly T[], fallback: T): T {
  return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

function num(v: string | null, fallback: number, min: number, max: number): number {
  if (v === null || v.trim() === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
}

/** Reads the state from a location (hash first, then query string). */
export function parseState(loc: { hash: string; search: string }): ViewState {
  const p = new URLSearchParams(loc.search);
  const h = new URLSearchParams(loc.hash.replace(/^#/, ''));
  for (const [k, v] of h) p.set(k, v);
  const levelRaw = p.get('l');
  return {
    indicator: (p.get('i') ?? '').trim(),
    level: levelRaw === null ? '' : oneOf<Level | ''>(levelRaw, LEVELS, ''),
    period: (p.get('p') ?? '').trim(),
    sex: oneOf(p.get('s'), SEXES, 'ensemble'),
    sector: (p.get('sec') ?? '').trim() || 'ensemble',
    method: oneOf(p.get('m'), METHODS, 'quantiles'),
    classes: Math.round(num(p.get('k'), 5, 2, 9)),
    camera: {
      z: num(p.get('z'), DEFAULT_CAMERA.z, 0, 22),
      lat: num(p.get('lat'), DEFAULT_CAMERA.lat, -85, 85),
      lon: num(p.get('lon'), DEFAULT_CAMERA.lon, -180, 180),
    },
    selection: (p.get('sel') ?? '').trim(),
    palette: /^[a-z]+$/.test(p.get('pal') ?? '') ? (p.get('pal') as string) : '',
    presentation: p.get('pres') === '1',
  };
}

/** The hash (with '#') that encodes a state; defaults are written too so links stay exact. */
export function formatState(s: ViewState): string {
  const p = new URLSearchParams();
  if (s.indicator) p.set('i', s.indicator);
  if (s.level) p.set('l', s.level);
  if (s.period) p.set('p', s.period);
  p.set('s', s.sex);
  p.set('sec', s.sector);
  p.set('m', s.method);
  p.set('k', String(s.classes));
  p.set('z', s.camera.z.toFixed(2));
  p.set('lat', s.camera.lat.toFixed(4));
  p.set('lon', s.camera.lon.toFixed(4));
  if (s.selection) p.set('sel', s.selection);
  if (s.palette) p.set('pal', s.palette);
  if (s.presentation) p.set('pres', '1');
  return '#' + p.toString();
}

/** Replaces the URL (no history entry per slider step). */
export function writeState(s: ViewState): void {
  const hash = formatState(s);
  if (location.hash !== hash) {
    history.replaceState(null, '', location.pathname + hash);
  }
}
