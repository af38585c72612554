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
  /** The région the classes were computed in (a regional map). */
  within?: TerritoryRef;
  territories: ChoroplethTerritory[];
  source?: string;
  notice?: string;
}

export interface TerritoryRef {
  level: Level;
  code: string;
  name: string;
  id: number;
}

export interface TerritoryDetail extends TerritoryRef {
  parents?: TerritoryRef[];
  children?: Record<string, TerritoryRef[]>;
  /** [west, south, east, north] */
  bbox?: [number, number, number, number];
  centroid?: [number, number];
}

/** What the map opens on when its link says nothing (GET /api/v1/default-view). */
export interface DefaultView {
  region: (TerritoryRef & { bbox: [number, number, number, number]; centroid: [number, number] }) | null;
  indicator: string | null;
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
  /** `region:76`: classes computed on that région's territories only. */
  within?: string;
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

/** GETs JSON; a problem+json answer becomes an ApiError with its title and detail. */
export async function getJSON<T>(path: string, signal?: AbortSignal, preloaded = false): Promise<T> {
  // A preloaded answer is reused only by a request that matches the preload
  // (same URL, default headers and credentials): no Accept header for those.
  const res = await fetch(path, preloaded ? { signal } : { signal, headers: { Accept: 'application/json' } });
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

// index.html preloads both catalogues (`<link rel="preload">`) so that they
// arrive while the script is still being parsed.
export function listIndicators(): Promise<IndicatorList> {
  return getJSON<IndicatorList>('/api/v1/indicators', undefined, true);
}

/** The TileJSON of every territorial level served. */
export function listTileSets(): Promise<TileJSON[]> {
  return getJSON<TileJSON[]>('/tiles.json', undefined, true);
}

/** The instance's default view (preloaded by index.html). */
export function getDefaultView(): Promise<DefaultView> {
  return getJSON<DefaultView>('/api/v1/default-view', undefined, true);
}

export function getTerritory(level: Level, code: string, signal?: AbortSignal): Promise<TerritoryDetail> {
  return getJSON<TerritoryDetail>(`/api/v1/territories/${encodeURIComponent(level)}/${encodeURIComponent(code)}`, signal);
}

/** Every territory of a level, by name (the search endpoint without a query). */
export function listTerritories(level: Level, signal?: AbortSignal): Promise<{ count: number; territories: TerritoryRef[] }> {
  return getJSON(`/api/v1/territories?level=${encodeURIComponent(level)}`, signal);
}

export function choroplethURL(id: string, q: ChoroplethQuery): string {
  const p = new URLSearchParams({ level: q.level });
  if (q.period) p.set('period', q.period);
  if (q.sex) p.set('sex', q.sex);
  if (q.sector) p.set('sector', q.sector);
  if (q.method) p.set('method', q.method);
  if (q.classes) p.set('classes', String(q.classes));
  if (q.palette) p.set('palette', q.palette);
  if (q.within) p.set('within', q.within);
  return `/api/v1/indicators/${encodeURIComponent(id)}/choropleth?${p.toString()}`;
}

export function getChoropleth(id: string, q: ChoroplethQuery, signal?: AbortSignal): Promise<Choropleth> {
  return getJSON<Choropleth>(choroplethURL(id, q), signal);
}

/** A failure as a status line says it: the problem's title and detail, else the error. */
export function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.title} : ${err.detail}` : String(err);
}
