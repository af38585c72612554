// Typed client of the Atlas HTTP API (/api/v1 and /tiles). Same origin only:
// the front end is served by the atlas binary itself.

export type Level = 'france' | 'region' | 'departement' | 'zone-emploi' | 'commune';
export type Sex = 'ensemble' | 'femmes' | 'hommes';
export type Method = 'quantiles' | 'jenks' | 'equal-intervals' | 'standard-deviation' | 'manual';
export type Status = 'published' | 'secret' | 'missing';

export interface Indicator {
  id: string;
  label: string;
  theme: string;
  theme_label: string;
  definition: string;
  unit: string;
  producer: string;
  source: string;
  licence: string;
  vintages: string[];
  levels: Level[];
  sexes: Sex[];
  sectors: string[];
  decimals: number;
  polarity: string;
  demo: boolean;
  notice?: string;
}

export interface IndicatorList {
  count: number;
  indicators: Indicator[];
}

export interface LegendClass {
  class: number;
  kind: 'value' | 'secret' | 'missing';
  min?: number;
  max?: number;
  color: string;
  label: string;
  count: number;
}

export interface ChoroplethTerritory {
  code: string;
  name: string;
  id: number;
  value?: number | null;
  class: number;
  status: Status;
}

export interface Reference {
  level: Level;
  code: string;
  name: string;
  value?: number | null;
  status: Status;
  label?: string;
  reason?: string;
}

export interface Choropleth {
  indicator: string;
  label: string;
  unit: string;
  level: Level;
  period: string;
  sex: Sex;
  sector: string;
  method: Method;
  palette: string;
  colors: string[];
  legend: LegendClass[];
  references?: Reference[];
  territories: ChoroplethTerritory[];
  source?: string;
  notice?: string;
}

export interface TileJSON {
  tilejson: string;
  name: string;
  description?: string;
  attribution?: string;
  tiles: string[];
  minzoom: number;
  maxzoom: number;
  bounds?: [number, number, number, number];
  center?: [number, number, number];
}

/** A problem+json error answered by the server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${title}: ${detail}`);
  }
}

export interface ChoroplethQuery {
  level: Level;
  period?: string;
  sex?: Sex;
  sector?: string;
  method?: Method;
  classes?: number;
  /** A palette of the API; empty for the indicator's default. */
  palette?: string;
}

/** Tile layer name of a territorial level (`zone-emploi` → `zones-emploi`). */
export function tileLayerOf(level: Level): string {
  switch (level) {
    case 'france':
      return 'france';
    case 'region':
      return 'regions';
    case 'departement':
      return 'departements';
    case 'zone-emploi':
      return 'zones-emploi';
    case 'commune':
      return 'communes';
  }
}

export function tileJSONURL(level: Level): string {
  return new URL(`/tiles/${tileLayerOf(level)}.json`, location.href).href;
}

async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    let title = res.statusText;
    let detail = '';
    try {
      const p = (await res.json()) as { title?: string; detail?: string };
      title = p.title ?? title;
      detail = p.detail ?? '';
    } catch {
      // not problem+json: keep the status text
    }
    throw new ApiError(res.status, title, detail);
  }
  return (await res.json()) as T;
}

export function listIndicators(signal?: AbortSignal): Promise<IndicatorList> {
  return getJSON<IndicatorList>('/api/v1/indicators', signal);
}

export function choroplethURL(id: string, q: ChoroplethQuery): string {
  const p = new URLSearchParams({ level: q.level });
  if (q.period) p.set('period', q.period);
  if (q.sex) p.set('sex', q.sex);
  if (q.sector) p.set('sector', q.sector);
  if (q.method) p.set('method', q.method);
  if (q.classes) p.set('classes', String(q.classes));
  if (q.palette) p.set('palette', q.palette);
  return `/api/v1/indicators/${encodeURIComponent(id)}/choropleth?${p.toString()}`;
}

export function getChoropleth(id: string, q: ChoroplethQuery, signal?: AbortSignal): Promise<Choropleth> {
  return getJSON<Choropleth>(choroplethURL(id, q), signal);
}
