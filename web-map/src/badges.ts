// Badges on the map: on each territory with contributions shown to the
// room, a round badge with their number. A MapLibre symbol layer over a
// GeoJSON source of points inside the territories (the server's
// ST_PointOnSurface, places.ts), above every level's layers. The atlas has
// no glyph server (offline), so the number is not a text field: each count
// is an icon drawn on a canvas, added to the style before the data that
// uses it.
//
// A click (a tap: the hit area is widened to 44 px for fingers) on a badge
// filters the list to its territory and never selects the territory under
// it (map.ts lets overlays take their clicks), so a participant who follows
// keeps following. The HTML territory names avoid the badges (they would
// cover them): the badges' boxes are obstacles of place-labels.ts.
import type { GeoJSONSource } from 'maplibre-gl';
import type { Level } from './api';
import type { AtlasMap } from './map';
import { place } from './places';

export const BADGE_SOURCE = 'atelier-contributions';
export const BADGE_LAYER = 'atelier-pastilles';
/** Diameter in CSS pixels. */
const SIZE = 28;
const RATIO = 2;
const HIT = 22;

/** 1.3 on screens of 1600 px and more (the board's own breakpoint for projectors). */
const badgeScale = (): number => (window.matchMedia('(min-width: 1600px)').matches ? 1.3 : 1);

export interface BadgeCount {
  level: string;
  code: string;
  name: string;
  n: number;
}

function badgeImage(n: number, active: boolean): ImageData {
  const px = SIZE * RATIO;
  const c = document.createElement('canvas');
  c.width = px;
  c.height = px;
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('canvas 2D indisponible');
  const r = px / 2;
  ctx.beginPath();
  ctx.arc(r, r, r - RATIO, 0, Math.PI * 2);
  ctx.fillStyle = active ? '#ffbf47' : '#0b3d91';
  ctx.fill();
  ctx.lineWidth = 2 * RATIO;
  ctx.strokeStyle = active ? '#1a1a1a' : '#ffffff';
  ctx.stroke();
  const text = n > 99 ? '99+' : String(n);
  ctx.fillStyle = active ? '#1a1a1a' : '#ffffff';
  ctx.font = `700 ${(text.length > 2 ? 11 : 14) * RATIO}px system-ui, 'DejaVu Sans', Arial, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, r, r + RATIO * 0.5);
  return ctx.getImageData(0, 0, px, px);
}

export class Badges {
  private readonly points = new Map<string, [number, number]>();
  private counts = new Map<string, BadgeCount>();
  private active: string | null = null;
  private ready = false;
  private shown: Array<{ key: string; n: number; lngLat: [number, number] }> = [];
  private scale = badgeScale();
  /** A badge was clicked (its territory's "level:code"). */
  onPick: (key: string) => void = () => {};

  constructor(private readonly atlas: AtlasMap) {
    const map = atlas.map;
    void atlas.whenLoaded().then(() => {
      map.addSource(BADGE_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      atlas.addOverlay(
        {
          id: BADGE_LAYER,
          type: 'symbol',
          source: BADGE_SOURCE,
          layout: {
            'icon-image': ['get', 'icon'],
            // Every badge shows, whatever the zoom: they are the data.
            'icon-allow-overlap': true,
            'icon-ignore-placement': true,
            'symbol-sort-key': ['get', 'count'],
            'icon-size': this.scale,
          },
        },
        HIT,
      );
      this.ready = true;
      this.render();
    });
    map.on('click', (e) => {
      const f = atlas.overlayAt(e.point);
      if (f?.layer.id !== BADGE_LAYER) return;
      const key = String(f.properties['key'] ?? '');
      if (key) this.onPick(key);
    });
    map.on('mousemove', (e) => {
      if (!this.ready || this.shown.length === 0) return;
      const over = atlas.overlayAt(e.point)?.layer.id === BADGE_LAYER;
      if (over) map.getCanvas().style.cursor = 'pointer';
    });
    atlas.labelObstacles.push(() => this.boxes());
    // A projector's screen is seen from the back of the room: larger badges.
    window.addEventListener('resize', () => {
      const k = badgeScale();
      if (k === this.scale) return;
      this.scale = k;
      if (this.ready) map.setLayoutProperty(BADGE_LAYER, 'icon-size', k);
    });
  }

  /** The counts to show, by "level:code". */
  update(counts: Map<string, BadgeCount>): void {
    this.counts = counts;
    for (const [key, c] of counts) {
      if (this.points.has(key)) continue;
      place(c.level as Level, c.code).then(
        (d) => {
          if (!d.centroid) return;
          this.points.set(key, d.centroid);
          this.render();
        },
        () => {
          // Unknown to this server's territories: no badge, the list still has it.
        },
      );
    }
    this.render();
  }

  /** The territory the list is filtered on (its badge is highlighted). */
  setActive(key: string | null): void {
    if (key === this.active) return;
    this.active = key;
    this.render();
  }

  /** The badges drawn (tests): territory and count. */
  current(): Array<{ key: string; n: number; lngLat: [number, number] }> {
    return this.shown;
  }

  private render(): void {
    const shown: Array<{ key: string; n: number; lngLat: [number, number] }> = [];
    for (const [key, c] of this.counts) {
      const p = this.points.get(key);
      if (p && c.n > 0) shown.push({ key, n: c.n, lngLat: p });
    }
    this.shown = shown;
    if (!this.ready) return;
    const map = this.atlas.map;
    const src = map.getSource<GeoJSONSource>(BADGE_SOURCE);
    src?.setData({
      type: 'FeatureCollection',
      features: shown.map((b) => {
        const c = this.counts.get(b.key);
        const n = Math.min(b.n, 100);
        const active = b.key === this.active;
        const icon = `pastille-${n}${active ? '-active' : ''}`;
        // Drawn before the layer needs it (asked for later, an icon would miss the tile's first layout).
        if (!map.hasImage(icon)) map.addImage(icon, badgeImage(n, active), { pixelRatio: RATIO });
        return {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: b.lngLat },
          properties: { key: b.key, count: b.n, name: c?.name ?? '', icon },
        };
      }),
    });
    // The names are placed again around the new badges.
    this.atlas.obstacleKey = shown.map((b) => `${b.key}=${b.n}`).join(',');
  }

  private boxes(): Array<{ l: number; t: number; r: number; b: number }> {
    const map = this.atlas.map;
    const w = map.getCanvas().clientWidth;
    const h = map.getCanvas().clientHeight;
    const out: Array<{ l: number; t: number; r: number; b: number }> = [];
    const r = (SIZE * this.scale) / 2 + 2;
    for (const b of this.shown) {
      const p = map.project(b.lngLat);
      if (p.x < -r || p.y < -r || p.x > w + r || p.y > h + r) continue;
      out.push({ l: p.x - r, t: p.y - r, r: p.x + r, b: p.y + r });
    }
    return out;
  }
}
