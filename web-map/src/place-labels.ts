// Territory names drawn as HTML labels over the map, without MapLibre glyphs
// (no glyph server: the atlas is fully offline). After each settled view the
// territories of the current level drawn on screen are rasterised on a small
// offscreen canvas (one colour per territory); a chamfer distance transform
// gives each territory its most inner point (the centre of its largest
// inscribed circle, polylabel-like, on the visible part only) and its room.
// A name is shown only when it fits its territory; larger territories are
// placed first and a label overlapping an already placed one is left out, so
// labels never overlap. While the map moves, labels follow their anchors.
import type { MapGeoJSONFeature } from 'maplibre-gl';
import type { AtlasMap } from './map';

/** Screen pixels per raster cell. */
const CELL = 4;
/** Gap kept between two labels, in pixels. */
const GAP = 3;

interface Placed {
  el: HTMLDivElement;
  lng: number;
  lat: number;
}

interface Candidate {
  id: string;
  name: string;
  /** Screen position of the inner point. */
  x: number;
  y: number;
  /** Radius of the largest inscribed circle, in pixels. */
  room: number;
  /** Width of the territory's visible part, in pixels. */
  width: number;
  area: number;
}

type Ring = number[][];

function polygonsOf(f: MapGeoJSONFeature): Ring[][] {
  const g = f.geometry;
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  return [];
}

/** A colour that encodes index i, with a check byte so blended edge pixels are rejected. */
function encode(i: number): [number, number, number] {
  const r = (i >> 8) & 255;
  const g = i & 255;
  return [r, g, (r * 31 + g * 17 + 91) & 255];
}

function decode(r: number, g: number, b: number, a: number): number {
  if (a !== 255) return -1;
  if (((r * 31 + g * 17 + 91) & 255) !== b) return -1;
  return (r << 8) | g;
}

/**
 * Inner points of the rendered territories of the current level: one
 * candidate per territory whose visible part is at least one raster cell.
 */
function candidates(atlas: AtlasMap, width: number, height: number): Candidate[] {
  // Outside the région studied the map is context: no names there.
  const features = atlas.renderedTerritories().filter((f) => atlas.inStudyArea(f));
  if (features.length === 0) return [];
  // Tiles cut a territory into pieces: group them by feature id.
  const groups = new Map<string, { name: string; polys: Ring[][] }>();
  for (const f of features) {
    const key = String(f.id ?? f.properties['code'] ?? '');
    const name = String(f.properties['name'] ?? '');
    if (!key || !name) continue;
    let g = groups.get(key);
    if (!g) {
      g = { name, polys: [] };
      groups.set(key, g);
    }
    g.polys.push(...polygonsOf(f));
  }
  const gw = Math.max(1, Math.ceil(width / CELL));
  const gh = Math.max(1, Math.ceil(height / CELL));
  const canvas = document.createElement('canvas');
  canvas.width = gw;
  canvas.height = gh;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return [];
  ctx.imageSmoothingEnabled = false;
  const keys = [...groups.keys()];
  const map = atlas.map;
  keys.forEach((key, i) => {
    const [r, g, b] = encode(i + 1);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    for (const poly of groups.get(key)?.polys ?? []) {
      const path = new Path2D();
      for (const ring of poly) {
        ring.forEach((c, j) => {
          const p = map.project([c[0] ?? 0, c[1] ?? 0]);
          if (j === 0) path.moveTo(p.x / CELL, p.y / CELL);
          else path.lineTo(p.x / CELL, p.y / CELL);
        });
        path.closePath();
      }
      // Each piece on its own: tile buffers overlap, holes stay holes.
      ctx.fill(path, 'evenodd');
    }
  });
  const px = ctx.getImageData(0, 0, gw, gh).data;
  const n = gw * gh;
  const label = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const o = k * 4;
    label[k] = decode(px[o] ?? 0, px[o + 1] ?? 0, px[o + 2] ?? 0, px[o + 3] ?? 0);
  }
  // Chamfer 3-4 distance to the nearest cell of another territory (or the
  // screen's edge: labels stay on screen).
  const INF = 1 << 29;
  const dist = new Int32Array(n);
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const k = y * gw + x;
      const l = label[k] ?? -1;
      if (l <= 0 || x === 0 || y === 0 || x === gw - 1 || y === gh - 1) {
        dist[k] = 0;
        continue;
      }
      const edge = label[k - 1] !== l || label[k + 1] !== l || label[k - gw] !== l || label[k + gw] !== l;
      dist[k] = edge ? 3 : INF;
    }
  }
  const at = (k: number): number => dist[k] ?? 0;
  for (let y = 1; y < gh - 1; y++) {
    for (let x = 1; x < gw - 1; x++) {
      const k = y * gw + x;
      const d = at(k);
      if (d === 0) continue;
      dist[k] = Math.min(d, at(k - 1) + 3, at(k - gw) + 3, at(k - gw - 1) + 4, at(k - gw + 1) + 4);
    }
  }
  for (let y = gh - 2; y >= 1; y--) {
    for (let x = gw - 2; x >= 1; x--) {
      const k = y * gw + x;
      const d = at(k);
      if (d === 0) continue;
      dist[k] = Math.min(d, at(k + 1) + 3, at(k + gw) + 3, at(k + gw + 1) + 4, at(k + gw - 1) + 4);
    }
  }
  // Per territory: area, horizontal extent, centroid and the deepest cell.
  const m = keys.length + 1;
  const area = new Float64Array(m);
  const sx = new Float64Array(m);
  const sy = new Float64Array(m);
  const minX = new Int32Array(m).fill(INF);
  const maxX = new Int32Array(m).fill(-1);
  for (let k = 0; k < n; k++) {
    const l = label[k] ?? -1;
    if (l <= 0 || l >= m) continue;
    const x = k % gw;
    area[l] = (area[l] ?? 0) + 1;
    sx[l] = (sx[l] ?? 0) + x;
    sy[l] = (sy[l] ?? 0) + (k - x) / gw;
    if (x < (minX[l] ?? INF)) minX[l] = x;
    if (x > (maxX[l] ?? -1)) maxX[l] = x;
  }
  const best = new Int32Array(m).fill(-1);
  const bestScore = new Float64Array(m).fill(-Infinity);
  for (let k = 0; k < n; k++) {
    const l = label[k] ?? -1;
    const d = at(k);
    if (l <= 0 || l >= m || d === 0) continue;
    // Deepest first; among equally deep cells, the one nearest the centroid.
    const a = area[l] ?? 1;
    const x = k % gw;
    const y = (k - x) / gw;
    const cx = (sx[l] ?? 0) / a;
    const cy = (sy[l] ?? 0) / a;
    const score = d * 1e6 - ((x - cx) ** 2 + (y - cy) ** 2);
    if (score > (bestScore[l] ?? -Infinity)) {
      bestScore[l] = score;
      best[l] = k;
    }
  }
  const out: Candidate[] = [];
  keys.forEach((id, i) => {
    const l = i + 1;
    const k = best[l] ?? -1;
    if (k < 0) return;
    const x = k % gw;
    const y = (k - x) / gw;
    out.push({
      id,
      name: groups.get(id)?.name ?? '',
      x: (x + 0.5) * CELL,
      y: (y + 0.5) * CELL,
      room: ((dist[k] ?? 0) / 3) * CELL,
      width: ((maxX[l] ?? 0) - (minX[l] ?? 0) + 1) * CELL,
      area: (area[l] ?? 0) * CELL * CELL,
    });
  });
  return out;
}

/** Puts the territory-name overlay on the map and keeps it up to date. */
export function initPlaceLabels(atlas: AtlasMap): void {
  const map = atlas.map;
  const layer = document.createElement('div');
  layer.id = 'etiquettes';
  layer.className = 'etiquettes-territoires';
  layer.setAttribute('aria-hidden', 'true');
  layer.dataset['maj'] = '0';
  map.getContainer().appendChild(layer);

  const elements = new Map<string, HTMLDivElement>();
  let placed: Placed[] = [];
  let lastKey = '';
  let scheduled = 0;

  function follow(): void {
    for (const p of placed) {
      const s = map.project([p.lng, p.lat]);
      p.el.style.transform = `translate(${s.x.toFixed(1)}px, ${s.y.toFixed(1)}px) translate(-50%, -50%)`;
    }
  }

  function viewKey(): string {
    const c = map.getCenter();
    const canvas = map.getCanvas();
    return [
      atlas.currentLevel(),
      atlas.studyArea(),
      c.lng.toFixed(6),
      c.lat.toFixed(6),
      map.getZoom().toFixed(4),
      canvas.clientWidth,
      canvas.clientHeight,
      document.body.classList.contains('presentation'),
      // The overseas insets are obstacles: place again when they show.
      document.querySelector('.encarts:not([hidden])') !== null,
      // So are the workshop's badges, drawn in the canvas below the names.
      atlas.obstacleKey,
    ].join('|');
  }

  function place(): void {
    scheduled = 0;
    const key = viewKey();
    if (key === lastKey) return;
    const canvas = map.getCanvas();
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    const cands = candidates(atlas, width, height).filter((c) => c.width >= 24 && c.room >= 5);
    // Nothing drawn yet (tiles loading): try again at the next idle.
    if (cands.length > 0) lastKey = key;
    const keep = new Set(cands.map((c) => c.id));
    for (const [id, el] of elements) {
      if (!keep.has(id)) {
        el.remove();
        elements.delete(id);
      }
    }
    // Create and measure every candidate at once (one layout).
    for (const c of cands) {
      let el = elements.get(c.id);
      if (!el) {
        el = document.createElement('div');
        el.className = 'etiquette-territoire';
        el.dataset['id'] = c.id;
        layer.appendChild(el);
        elements.set(c.id, el);
      }
      if (el.textContent !== c.name) el.textContent = c.name;
      el.hidden = false;
    }
    const sizes = new Map(cands.map((c) => [c.id, { w: elements.get(c.id)?.offsetWidth ?? 0, h: elements.get(c.id)?.offsetHeight ?? 0 }]));
    cands.sort((a, b) => b.area - a.area);
    // Map controls and the presentation button are obstacles too.
    const frame = map.getContainer().getBoundingClientRect();
    const taken: { l: number; t: number; r: number; b: number }[] = [];
    for (const o of document.querySelectorAll<HTMLElement>('.maplibregl-ctrl, #bouton-presentation, .encart')) {
      const r = o.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      taken.push({ l: r.left - frame.left, t: r.top - frame.top, r: r.right - frame.left, b: r.bottom - frame.top });
    }
    // The workshop's badges: a name that meets one moves below or above it, if its territory has the room.
    const badges: typeof taken = [];
    for (const boxes of atlas.labelObstacles) badges.push(...boxes());
    const hits = (r: (typeof taken)[number], list: typeof taken): boolean => list.some((o) => r.l < o.r && r.r > o.l && r.t < o.b && r.b > o.t);
    placed = [];
    for (const c of cands) {
      const el = elements.get(c.id);
      const s = sizes.get(c.id);
      if (!el || !s) continue;
      const at = (dy: number): (typeof taken)[number] => ({ l: c.x - s.w / 2 - GAP, t: c.y + dy - s.h / 2 - GAP, r: c.x + s.w / 2 + GAP, b: c.y + dy + s.h / 2 + GAP });
      const inside = (r: (typeof taken)[number]): boolean => r.l >= 0 && r.t >= 0 && r.r <= width && r.b <= height;
      const fits = s.w > 0 && c.width >= s.w * 0.8 && c.room >= s.h * 0.45;
      let dy = 0;
      let rect = at(0);
      let ok = fits && inside(rect) && !hits(rect, taken) && !hits(rect, badges);
      if (fits && !ok && inside(rect) && !hits(rect, taken)) {
        // Only a badge is in the way: the nearest free side of it, within the territory.
        const badge = badges.find((o) => rect.l < o.r && rect.r > o.l && rect.t < o.b && rect.b > o.t);
        if (badge) {
          for (const d of [badge.b - rect.t + 1, badge.t - rect.b - 1]) {
            const r = at(d);
            if (Math.abs(d) + s.h / 2 <= c.room * 1.6 && inside(r) && !hits(r, taken) && !hits(r, badges)) {
              dy = d;
              rect = r;
              ok = true;
              break;
            }
          }
        }
      }
      if (!ok) {
        el.hidden = true;
        continue;
      }
      taken.push(rect);
      const ll = map.unproject([c.x, c.y + dy]);
      placed.push({ el, lng: ll.lng, lat: ll.lat });
    }
    follow();
    layer.dataset['maj'] = String(Number(layer.dataset['maj'] ?? '0') + 1);
    layer.dataset['visibles'] = String(placed.length);
  }

  function schedule(): void {
    if (!scheduled) scheduled = requestAnimationFrame(place);
  }

  map.on('move', follow);
  map.on('moveend', schedule);
  map.on('idle', schedule);
  map.on('resize', () => {
    lastKey = '';
    schedule();
  });
  // Presentation mode enlarges the labels: measure and place them again.
  new MutationObserver(() => {
    lastKey = '';
    schedule();
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
