// Territories the board names (contributions, dots): their tile feature id
// and a point inside them (the server's ST_PointOnSurface), read once per
// territory and kept for the page's life. A failed read is forgotten, so
// the next asks again.
import { getTerritory, type Level, type TerritoryDetail } from './api';

const cache = new Map<string, Promise<TerritoryDetail>>();

export function place(level: Level, code: string): Promise<TerritoryDetail> {
  const k = `${level}/${code}`;
  let p = cache.get(k);
  if (!p) {
    p = getTerritory(level, code);
    p.catch(() => cache.delete(k));
    cache.set(k, p);
  }
  return p;
}

/** "zone-emploi:7601" → its level and code. */
export function splitKey(key: string): { level: Level; code: string } {
  const i = key.indexOf(':');
  return { level: key.slice(0, i) as Level, code: key.slice(i + 1) };
}
