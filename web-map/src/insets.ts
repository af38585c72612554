// Overseas insets (encarts des DROM): Guadeloupe, Martinique, Guyane, La
// Réunion and Mayotte are thousands of kilometres from the metropolitan
// frame, so a France-wide map shows them in small boxes at its left edge,
// as French statistical maps do. They are SVG drawn from the same vector
// tiles as the map (a second WebGL map per inset would cost a frame each,
// and software rendering pays dearly for frames), coloured from the same
// choropleth, with the same tooltip, selection and profile.
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { getTerritory, tileLayerOf, type Choropleth, type Level, type TerritoryRef, type TileJSON } from './api';
import { HATCH_SIZE, hatchPattern, MISSING_COLOR, type AtlasMap, type Bounds } from './map';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Inset size in CSS pixels (style.css .encart keeps the same width). */
const BOX = 84;
/** At most this many tiles per inset: zooms are chosen so that few cover it. */
const MAX_TILES = 4;
/** Room kept around the territory inside its box. */
const MARGIN = 4;

/** One overseas région and what is drawn of it. */
interface Inset {
  code: string;
  name: string;
  bbox: Bounds;
  figure: HTMLElement;
  svg: SVGSVGElement;
  /** What is drawn, in inset units (the SVG and the PNG export draw it). */
  viewBox: [number, number, number, number];
  pieces: Piece[];
  /** Paths of each feature id (a territory cut by tile edges has several). */
  paths: Map<number, SVGPathElement[]>;
  level: Level | null;
}

/** One tile's territories, clipped to its square (tiles overlap by a buffer). */
interface Piece {
  clip: [number, number, number, number];
  shapes: { id: number; properties: Record<string, string>; d: string }[];
}

export interface InsetsContext {
  atlas: AtlasMap;
  tilesets: readonly TileJSON[];
  /** Every région (the overseas ones are those coded 01 to 06). */
  regions: () => Promise<TerritoryRef[]>;
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Web Mercator in [0, 1] (y down), the tiles' own projection. */
function mercator(lon: number, lat: number): [number, number] {
  const s = Math.sin((lat * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

/** The tiles of `ts` covering a bbox at the finest zoom that needs at most MAX_TILES and no more detail than the box shows. */
export function tilesFor(bbox: Bounds, ts: Pick<TileJSON, 'minzoom' | 'maxzoom'>, pixels: number): { z: number; x: number; y: number }[] {
  const [x0, y0] = mercator(bbox[0], bbox[3]);
  const [x1, y1] = mercator(bbox[2], bbox[1]);
  const span = Math.max(x1 - x0, y1 - y0, 1e-9);
  // A tile holds 512 pixels of detail: enough zoom for `pixels` over `span`.
  let z = Math.min(ts.maxzoom, Math.max(ts.minzoom, Math.ceil(Math.log2(pixels / (512 * span)))));
  for (;;) {
    const n = 2 ** z;
    const tx0 = Math.floor(x0 * n);
    const tx1 = Math.floor(x1 * n);
    const ty0 = Math.floor(y0 * n);
    const ty1 = Math.floor(y1 * n);
    if ((tx1 - tx0 + 1) * (ty1 - ty0 + 1) <= MAX_TILES || z <= ts.minzoom) {
      const out: { z: number; x: number; y: number }[] = [];
      for (let x = tx0; x <= tx1; x++) for (let y = ty0; y <= ty1; y++) out.push({ z, x, y });
      return out;
    }
    z--;
  }
}

export class Insets {
  private readonly root: HTMLElement;
  private insets: Inset[] = [];
  private ready: Promise<void> | null = null;
  private colours = new Map<number, string>();
  private secret = new Set<number>();
  private selected: number | null = null;
  private level: Level | null = null;

  constructor(private readonly ctx: InsetsContext) {
    this.root = document.createElement('div');
    this.root.className = 'encarts';
    this.root.setAttribute('role', 'group');
    this.root.setAttribute('aria-label', 'Outre-mer (encarts)');
    this.root.hidden = true;
    ctx.atlas.map.getContainer().appendChild(this.root);
  }

  /** The overseas régions (INSEE codes 01 to 06) and their extents, once. */
  private load(): Promise<void> {
    this.ready ??= (async () => {
      const regions = (await this.ctx.regions()).filter((r) => r.code < '10');
      const details = await Promise.all(regions.map((r) => getTerritory('region', r.code)));
      for (const d of details) {
        if (!d.bbox) continue;
        const figure = document.createElement('figure');
        figure.className = 'encart';
        figure.dataset['region'] = d.code;
        const svg = svgEl('svg', { width: BOX, height: BOX, role: 'img', 'aria-label': d.name });
        const caption = document.createElement('figcaption');
        const go = document.createElement('button');
        go.type = 'button';
        go.textContent = d.name;
        go.title = `Centrer la carte sur ${d.name}`;
        const bbox = d.bbox;
        go.addEventListener('click', () => this.ctx.atlas.fitTo(bbox, true));
        caption.append(go);
        figure.append(svg, caption);
        this.root.append(figure);
        this.insets.push({ code: d.code, name: d.name, bbox, figure, svg, viewBox: [0, 0, BOX, BOX], pieces: [], paths: new Map(), level: null });
      }
    })().catch((err: unknown) => {
      // Try again at the next update rather than never.
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  /**
   * Shows the insets for a France-wide map of `level` coloured by `ch`, or
   * hides them (a régional map, or a level the overseas have no tiles for).
   */
  async update(level: Level | null, ch: Choropleth | null, selected: number | null): Promise<void> {
    const ts = level ? this.ctx.tilesets.find((t) => t.name === tileLayerOf(level)) : undefined;
    if (!level || !ch || !ts) {
      this.level = null;
      this.show(false);
      this.root.dataset['maj'] = String(Number(this.root.dataset['maj'] ?? '0') + 1);
      return;
    }
    await this.load();
    this.level = level;
    await Promise.all(this.insets.map((i) => this.draw(i, level, ts)));
    if (this.level !== level) return; // a newer update won
    this.colours = new Map();
    this.secret = new Set();
    const colourOf = new Map(ch.legend.map((c) => [c.class, c.color]));
    for (const t of ch.territories) {
      this.colours.set(t.id, colourOf.get(t.class) ?? MISSING_COLOR);
      if (t.status === 'secret') this.secret.add(t.id);
    }
    const secretColour = ch.legend.find((c) => c.kind === 'secret')?.color ?? '#8c8c8c';
    for (const i of this.insets) {
      i.svg.querySelector('.encart-hachures-fond')?.setAttribute('fill', secretColour);
      for (const [id, paths] of i.paths) {
        const fill = this.secret.has(id) ? `url(#encart-hachures-${i.code})` : (this.colours.get(id) ?? MISSING_COLOR);
        for (const p of paths) p.setAttribute('fill', fill);
      }
    }
    this.select(selected);
    this.show(this.insets.some((i) => i.paths.size > 0));
    this.root.dataset['maj'] = String(Number(this.root.dataset['maj'] ?? '0') + 1);
  }

  private show(on: boolean): void {
    if (this.root.hidden === !on) return;
    this.root.hidden = !on;
    // The territory names avoid the insets: let them be placed again.
    this.ctx.atlas.map.triggerRepaint();
  }

  /** Outlines the selected territory, if it is overseas. */
  select(id: number | null): void {
    this.selected = id;
    for (const i of this.insets) {
      for (const [fid, paths] of i.paths) for (const p of paths) p.classList.toggle('encart-selection', fid === id);
    }
  }

  /** Fetches and draws the tiles of one inset for a level (once per level). */
  private async draw(inset: Inset, level: Level, ts: TileJSON): Promise<void> {
    if (inset.level === level) return;
    const tiles = tilesFor(inset.bbox, ts, BOX * 2 * (window.devicePixelRatio || 1));
    const layerName = tileLayerOf(level);
    const decoded = await Promise.all(
      tiles.map(async (t) => {
        const url = (ts.tiles[0] ?? '').replace('{z}', String(t.z)).replace('{x}', String(t.x)).replace('{y}', String(t.y));
        const res = await fetch(url);
        // 204: an empty tile (sea).
        if (res.status === 204) return { t, layer: undefined };
        if (!res.ok) throw new Error(`tuile ${url} : ${res.status}`);
        return { t, layer: new VectorTile(new PbfReader(new Uint8Array(await res.arrayBuffer()))).layers[layerName] };
      }),
    );
    // Another level was asked for meanwhile: its drawing wins.
    if (this.level !== level) return;
    const [bx0, by0] = mercator(inset.bbox[0], inset.bbox[3]);
    const [bx1, by1] = mercator(inset.bbox[2], inset.bbox[1]);
    // A small margin: coasts drawn on the frame would look cut.
    const k = (BOX - 2 * MARGIN) / Math.max(bx1 - bx0, by1 - by0);
    inset.viewBox = [-(BOX - (bx1 - bx0) * k) / 2, -(BOX - (by1 - by0) * k) / 2, BOX, BOX];
    inset.pieces = [];
    for (const { t, layer } of decoded) {
      if (!layer) continue;
      const size = 1 / 2 ** t.z;
      const ox = (t.x * size - bx0) * k;
      const oy = (t.y * size - by0) * k;
      const unit = (size * k) / layer.extent;
      const piece: Piece = { clip: [ox, oy, size * k, size * k], shapes: [] };
      for (let f = 0; f < layer.length; f++) {
        const feature = layer.feature(f);
        if (feature.type !== 3 || feature.id === undefined) continue;
        let d = '';
        for (const ring of feature.loadGeometry()) {
          ring.forEach((p, j) => {
            d += `${j === 0 ? 'M' : 'L'}${(ox + p.x * unit).toFixed(2)},${(oy + p.y * unit).toFixed(2)}`;
          });
          d += 'Z';
        }
        const properties = Object.fromEntries(Object.entries(feature.properties).map(([a, b]) => [a, String(b)]));
        piece.shapes.push({ id: feature.id, properties, d });
      }
      inset.pieces.push(piece);
    }
    this.render(inset);
    inset.level = level;
  }

  /** Builds an inset's SVG from its pieces. */
  private render(inset: Inset): void {
    const svg = inset.svg;
    svg.replaceChildren();
    svg.setAttribute('viewBox', inset.viewBox.map((v) => v.toFixed(2)).join(' '));
    const defs = svgEl('defs');
    // The map's hatches (map.ts hatchCanvas): three strokes per tile.
    const h = HATCH_SIZE;
    const pattern = svgEl('pattern', { id: `encart-hachures-${inset.code}`, width: h, height: h, patternUnits: 'userSpaceOnUse' });
    pattern.append(
      svgEl('rect', { class: 'encart-hachures-fond', width: h, height: h, fill: '#8c8c8c' }),
      svgEl('path', { d: `M-${h},${h} l${h},-${h} M0,${h} l${h},-${h} M${h},${h} l${h},-${h}`, stroke: 'rgba(40,40,40,0.85)', 'stroke-width': 2 }),
    );
    defs.append(pattern);
    svg.append(defs);
    inset.paths = new Map();
    inset.pieces.forEach((piece, n) => {
      const [x, y, width, height] = piece.clip;
      const clip = svgEl('clipPath', { id: `encart-${inset.code}-${n}` });
      clip.append(svgEl('rect', { x, y, width, height }));
      defs.append(clip);
      const g = svgEl('g', { 'clip-path': `url(#encart-${inset.code}-${n})` });
      for (const { id, properties, d } of piece.shapes) {
        const path = svgEl('path', { d, 'fill-rule': 'evenodd', fill: MISSING_COLOR, class: 'encart-territoire' });
        path.dataset['id'] = String(id);
        path.addEventListener('mousemove', (e) => this.ctx.atlas.onHover({ feature: { id, properties }, point: this.point(e) }));
        path.addEventListener('mouseleave', () => this.ctx.atlas.onHover(null));
        path.addEventListener('click', () => this.ctx.atlas.onClick({ id, properties }));
        g.append(path);
        const list = inset.paths.get(id);
        if (list) list.push(path);
        else inset.paths.set(id, [path]);
      }
      svg.append(g);
    });
  }

  /** A mouse position in the map container's pixels, as MapLibre gives them. */
  private point(e: MouseEvent): { x: number; y: number } {
    const r = this.ctx.atlas.map.getContainer().getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  /**
   * Draws the visible insets on a canvas where the map container's
   * top-left corner is at (0, top), `s` device pixels per CSS pixel (PNG
   * export). Returns how many were drawn.
   */
  drawInto(ctx: CanvasRenderingContext2D, top: number, s: number): number {
    if (this.root.hidden) return 0;
    const frame = this.ctx.atlas.map.getContainer().getBoundingClientRect();
    const hatches = hatchPattern(ctx);
    let drawn = 0;
    for (const i of this.insets) {
      const r = i.svg.getBoundingClientRect();
      if (r.width === 0) continue;
      const [vx, vy, vw] = i.viewBox;
      const scale = (r.width / vw) * s;
      ctx.save();
      ctx.translate((r.left - frame.left) * s, top + (r.top - frame.top) * s);
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, r.width * s, r.height * s);
      ctx.strokeStyle = '#777777';
      ctx.lineWidth = s;
      ctx.strokeRect(0, 0, r.width * s, r.height * s);
      ctx.beginPath();
      ctx.rect(0, 0, r.width * s, r.height * s);
      ctx.clip();
      ctx.scale(scale, scale);
      ctx.translate(-vx, -vy);
      for (const piece of i.pieces) {
        ctx.save();
        ctx.beginPath();
        ctx.rect(...piece.clip);
        ctx.clip();
        for (const { id, d } of piece.shapes) {
          const shape = new Path2D(d);
          ctx.fillStyle = this.colours.get(id) ?? MISSING_COLOR;
          ctx.fill(shape, 'evenodd');
          if (this.secret.has(id)) {
            ctx.fillStyle = hatches;
            ctx.fill(shape, 'evenodd');
          }
          ctx.lineWidth = ((id === this.selected ? 2 : 0.6) / scale) * s;
          ctx.strokeStyle = id === this.selected ? '#0b3d91' : '#5b5b5b';
          ctx.stroke(shape);
        }
        ctx.restore();
      }
      ctx.restore();
      // The name under the box, as on screen.
      const cap = i.figure.querySelector('figcaption');
      if (cap) {
        const c = cap.getBoundingClientRect();
        const cs = getComputedStyle(cap.querySelector('button') ?? cap);
        ctx.save();
        ctx.font = `${cs.fontWeight} ${parseFloat(cs.fontSize) * s}px ${cs.fontFamily}`;
        ctx.fillStyle = '#1a1a1a';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(i.name, (c.left + c.width / 2 - frame.left) * s, top + (c.top + c.height / 2 - frame.top) * s);
        ctx.restore();
      }
      drawn++;
    }
    return drawn;
  }
}

export function initInsets(ctx: InsetsContext): Insets {
  return new Insets(ctx);
}
