// The MapLibre map: a blank offline style (background only: no external
// style, glyph, sprite or basemap URL), one vector source per territorial
// level from /tiles/{layer}.json, and a fill coloured by feature-state. An
// indicator, period, sex… change only rewrites feature states: tiles are
// never fetched again for it.
import {
  Map as MapLibreMap,
  NavigationControl,
  prewarm,
  ScaleControl,
  setWorkerUrl,
  type ExpressionSpecification,
  type LayerSpecification,
  type MapGeoJSONFeature,
  type SourceSpecification,
  type StyleSpecification,
} from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// The worker is a separate module in maplibre-gl 6: ship it as a hashed
// asset of our own build (same origin, no CDN).
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { tileJSONURL, tileLayerOf, type Choropleth, type ChoroplethTerritory, type Level, type TileJSON } from './api';
import type { Camera } from './url-state';

export const BACKGROUND = '#dfe6ec';
export const MISSING_COLOR = '#e3e3e3';
/** Territories outside the région studied: context, not data. */
export const CONTEXT_COLOR = '#fbfbf8';
/** Priorities map (workshop votes): territories without a dot. */
export const PRIORITY_NONE_COLOR = '#f4f4f2';
/** Outline of a territory pointed at in a workshop (style.css .pointeur matches). */
export const POINTER_COLOR = '#c2185b';
const HATCH = 'atlas-hachures-secret';

setWorkerUrl(workerUrl);
// Start the worker (a 0.5 MB module to fetch and compile) now, while the
// catalogues are read, rather than when the map is created.
prewarm();

/** State set on each territory feature from the choropleth answer. */
export interface TerritoryState {
  color: string;
  cls: number;
  secret: boolean;
  missing: boolean;
}

const blankStyle: StyleSpecification = {
  version: 8,
  name: 'atlas-hors-ligne',
  sources: {},
  layers: [{ id: 'fond', type: 'background', paint: { 'background-color': BACKGROUND } }],
};

/** Size of the secret statistique hatch tile, in pixels. */
export const HATCH_SIZE = 12;

/**
 * Diagonal hatches on a canvas tile: the secret statistique pattern of the
 * map, and of every image drawn from it (export, insets), so they match.
 */
function hatchCanvas(): HTMLCanvasElement {
  const size = HATCH_SIZE;
  const c = document.createElement('canvas');
  c.width = size;
  c.height = size;
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('canvas 2D indisponible');
  ctx.strokeStyle = 'rgba(40, 40, 40, 0.85)';
  ctx.lineWidth = 2;
  ctx.lineCap = 'square';
  // Three strokes so the pattern tiles seamlessly.
  for (const o of [-size, 0, size]) {
    ctx.beginPath();
    ctx.moveTo(o, size);
    ctx.lineTo(o + size, 0);
    ctx.stroke();
  }
  return c;
}

function hatchImage(): ImageData {
  const c = hatchCanvas();
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('canvas 2D indisponible');
  return ctx.getImageData(0, 0, c.width, c.height);
}

/** The secret hatches as a fill style of a 2D canvas. */
export function hatchPattern(ctx: CanvasRenderingContext2D): CanvasPattern {
  const p = ctx.createPattern(hatchCanvas(), 'repeat');
  if (!p) throw new Error('motif de hachures indisponible');
  return p;
}

/** [west, south, east, north] in degrees. */
export type Bounds = [number, number, number, number];

const FIT_PADDING = 24;

function boundsOf(b: Bounds): [[number, number], [number, number]] {
  return [
    [b[0], b[1]],
    [b[2], b[3]],
  ];
}

/**
 * What the hover and click handlers read of a territory: a map feature, an
 * inset's path, or a selection by id (search, profile) without properties.
 */
export interface FeatureRef {
  id?: number | string;
  properties?: Record<string, unknown>;
}

export interface HoverInfo {
  feature: FeatureRef;
  point: { x: number; y: number };
}

/** The source of one level: inline from its TileJSON (one request fewer). */
function sourceSpec(level: Level, tilesets: readonly TileJSON[]): SourceSpecification {
  const ts = tilesets.find((t) => t.name === tileLayerOf(level));
  if (!ts) return { type: 'vector', url: tileJSONURL(level) };
  return {
    type: 'vector',
    tiles: ts.tiles,
    minzoom: ts.minzoom,
    maxzoom: ts.maxzoom,
    ...(ts.bounds ? { bounds: ts.bounds } : {}),
    ...(ts.attribution ? { attribution: ts.attribution } : {}),
  };
}

/** The tile property holding a feature's région code ('' when it has none). */
function regionField(level: Level): string {
  if (level === 'france') return '';
  return level === 'region' ? 'code' : 'region';
}

/** Fill colour: the choropleth's inside the study région, context outside. */
function fillColor(level: Level, region: string): ExpressionSpecification {
  const coloured: ExpressionSpecification = ['to-color', ['coalesce', ['feature-state', 'color'], MISSING_COLOR]];
  const field = regionField(level);
  if (!region || !field) return coloured;
  return ['case', ['==', ['get', field], region], coloured, CONTEXT_COLOR];
}

/** The priorities map's colour (feature-state `prio`), context outside the région studied. */
function priorityColor(level: Level, region: string): ExpressionSpecification {
  const coloured: ExpressionSpecification = ['to-color', ['coalesce', ['feature-state', 'prio'], PRIORITY_NONE_COLOR]];
  const field = regionField(level);
  if (!region || !field) return coloured;
  return ['case', ['==', ['get', field], region], coloured, CONTEXT_COLOR];
}

/** Fill, secret hatches and borders of one level, coloured by feature-state. */
function levelLayers(level: Level, source: string, region: string): LayerSpecification[] {
  const sourceLayer = tileLayerOf(level);
  const selected = ['boolean', ['feature-state', 'selected'], false];
  const hover = ['boolean', ['feature-state', 'hover'], false];
  // A territory shown to the whole workshop (« Montrer »): thick magenta.
  const pointed = ['boolean', ['feature-state', 'pointed'], false];
  return [
    {
      id: `aplat-${sourceLayer}`,
      type: 'fill',
      source,
      'source-layer': sourceLayer,
      paint: {
        'fill-color': fillColor(level, region),
        'fill-opacity': 1,
        // The border layer draws the outlines: no second outline pass.
        'fill-antialias': false,
      },
    },
    {
      id: `secret-${sourceLayer}`,
      type: 'fill',
      source,
      'source-layer': sourceLayer,
      // Shown only when the choropleth has secret territories (one pattern
      // pass fewer per frame otherwise).
      layout: { visibility: 'none' },
      paint: {
        'fill-pattern': HATCH,
        'fill-opacity': ['case', ['boolean', ['feature-state', 'secret'], false], 1, 0],
      },
    },
    {
      // The workshop's priorities map: dots per territory, over the
      // indicator's colours while it shows (they stay underneath, untouched).
      id: `priorites-${sourceLayer}`,
      type: 'fill',
      source,
      'source-layer': sourceLayer,
      layout: { visibility: 'none' },
      paint: { 'fill-color': priorityColor(level, region), 'fill-antialias': false },
    },
    {
      id: `limites-${sourceLayer}`,
      type: 'line',
      source,
      'source-layer': sourceLayer,
      paint: {
        'line-color': ['case', pointed, POINTER_COLOR, selected, '#0b3d91', hover, '#111111', '#5b5b5b'],
        'line-width': [
          'interpolate',
          ['linear'],
          ['zoom'],
          3,
          ['case', pointed, 4, selected, 3, hover, 2.5, 0.3],
          8,
          ['case', pointed, 5, selected, 3.5, hover, 3, 1.2],
        ],
      },
    },
  ] as LayerSpecification[];
}

/** How a map differs from the workshop map's (the embed's: embed.ts). */
export interface MapOptions {
  /** Scroll-zoom with ctrl/⌘ only, two fingers to pan: a map inside another page does not trap its scroll. */
  cooperativeGestures?: boolean;
  /** The zoom buttons (default shown). */
  navigation?: boolean;
  /** UI strings of MapLibre's controls and hints, by id (CooperativeGesturesHandler.WindowsHelpText, …). */
  locale?: Record<string, string>;
}

export class AtlasMap {
  readonly map: MapLibreMap;
  private readonly loaded: Promise<void>;
  private levels = new Set<Level>();
  private current: Level | null = null;
  private hovered: number | string | undefined;
  private selected: { level: Level; id: number } | null = null;
  private pointed: { level: Level; id: number } | null = null;
  private region: string;
  /** Layers drawn above every level's (workshop badges): a click on them is not a click on a territory. */
  private readonly overlays: Array<{ id: string; hitRadius: number }> = [];
  /** The priorities map: its colours by level and feature id, and whether it shows. */
  private readonly priorityColors = new Map<Level, Map<number, string>>();
  private prioritiesOn = false;
  /**
   * Screen boxes the territory names must not cover (badges drawn in the
   * canvas, under the HTML names), and a key that changes when they do.
   */
  readonly labelObstacles: Array<() => Array<{ l: number; t: number; r: number; b: number }>> = [];
  obstacleKey = '';
  onHover: (info: HoverInfo | null) => void = () => {};
  onClick: (feature: FeatureRef | null) => void = () => {};
  onMove: (c: Camera) => void = () => {};

  /**
   * Starts the map on its first level: that level's source and layers are
   * part of the initial style, so its tiles load with the style itself.
   */
  constructor(
    container: HTMLElement,
    view: Camera | Bounds,
    private readonly tilesets: readonly TileJSON[],
    initial: Level,
    region: string,
    options: MapOptions = {},
  ) {
    this.region = region;
    const source = this.sourceId(initial);
    const style: StyleSpecification = {
      ...blankStyle,
      sources: { [source]: sourceSpec(initial, tilesets) },
      layers: [...blankStyle.layers, ...levelLayers(initial, source, region)],
    };
    this.map = new MapLibreMap({
      container,
      style,
      ...('lon' in view
        ? { center: [view.lon, view.lat] as [number, number], zoom: view.z }
        : { bounds: boundsOf(view), fitBoundsOptions: { padding: FIT_PADDING } }),
      minZoom: 2,
      maxZoom: 14,
      dragRotate: false,
      pitchWithRotate: false,
      attributionControl: { compact: true },
      // Keeps the canvas readable by map exports and the browser test.
      canvasContextAttributes: { preserveDrawingBuffer: true },
      cooperativeGestures: options.cooperativeGestures ?? false,
      ...(options.locale ? { locale: options.locale } : {}),
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.keyboard.enable();
    if (options.navigation ?? true) this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-right');
    // Tiles may be parsed before 'load': the hatch is added when asked for.
    this.map.on('styleimagemissing', (e: { id: string }) => {
      if (e.id === HATCH && !this.map.hasImage(HATCH)) this.map.addImage(HATCH, hatchImage(), { pixelRatio: 1 });
    });
    // 'style.load', not 'load': 'load' waits for the first level's tiles,
    // and feature states set before they arrive colour their first draw.
    this.loaded = new Promise((resolve) => {
      this.map.once('style.load', () => {
        if (!this.map.hasImage(HATCH)) this.map.addImage(HATCH, hatchImage(), { pixelRatio: 1 });
        resolve();
      });
    });
    this.levels.add(initial);
    this.current = initial;
    this.bindLevel(initial);
    this.map.on('moveend', () => {
      const c = this.map.getCenter();
      this.onMove({ z: this.map.getZoom(), lat: c.lat, lon: c.lng });
    });
  }

  whenLoaded(): Promise<void> {
    return this.loaded;
  }

  sourceId(level: Level): string {
    return `territoires-${tileLayerOf(level)}`;
  }

  fillLayerId(level: Level): string {
    return `aplat-${tileLayerOf(level)}`;
  }

  private ensureLevel(level: Level): void {
    if (this.levels.has(level)) return;
    this.levels.add(level);
    const source = this.sourceId(level);
    this.map.addSource(source, sourceSpec(level, this.tilesets));
    // Under the overlays, which stay on top.
    const below = this.overlays[0]?.id;
    for (const layer of levelLayers(level, source, this.region)) this.map.addLayer(layer, below);
    this.bindLevel(level);
    this.applyPriorities(level);
  }

  /** Adds a layer above every level's; `hitRadius` (px) widens its click target (a finger). */
  addOverlay(layer: LayerSpecification, hitRadius = 0): void {
    this.map.addLayer(layer);
    this.overlays.push({ id: layer.id, hitRadius });
  }

  /** The overlay feature under a point (within its layer's hit radius), if any. */
  overlayAt(p: { x: number; y: number }): MapGeoJSONFeature | null {
    for (const o of this.overlays) {
      if (!this.map.getLayer(o.id)) continue;
      const r = o.hitRadius;
      const hits = this.map.queryRenderedFeatures(
        [
          [p.x - r, p.y - r],
          [p.x + r, p.y + r],
        ],
        { layers: [o.id] },
      );
      if (hits.length === 0) continue;
      // The nearest one, when a finger covers several.
      let best = hits[0] ?? null;
      let bestD = Infinity;
      for (const h of hits) {
        if (h.geometry.type !== 'Point') continue;
        const q = this.map.project(h.geometry.coordinates as [number, number]);
        const d = (q.x - p.x) ** 2 + (q.y - p.y) ** 2;
        if (d < bestD) {
          bestD = d;
          best = h;
        }
      }
      return best;
    }
    return null;
  }

  private bindLevel(level: Level): void {
    const fill = this.fillLayerId(level);
    this.map.on('mousemove', fill, (e) => {
      const f = e.features?.[0];
      if (!f) return;
      this.setHover(level, f.id);
      this.map.getCanvas().style.cursor = 'pointer';
      this.onHover({ feature: f, point: e.point });
    });
    this.map.on('mouseleave', fill, () => {
      this.setHover(level, undefined);
      this.map.getCanvas().style.cursor = '';
      this.onHover(null);
    });
    this.map.on('click', fill, (e) => {
      // A badge over the territory takes the click.
      if (this.overlayAt(e.point)) return;
      this.onClick(e.features?.[0] ?? null);
    });
  }

  /**
   * Outlines the territory pointed at (undefined: none), as the pointer's
   * own hover does: maps side by side show the hover of the one under it.
   */
  hover(level: Level, id: number | string | undefined): void {
    if (this.levels.has(level)) this.setHover(level, id);
  }

  private setHover(level: Level, id: number | string | undefined): void {
    const target = { source: this.sourceId(level), sourceLayer: tileLayerOf(level) };
    if (this.hovered !== undefined && this.hovered !== id) {
      this.map.setFeatureState({ ...target, id: this.hovered }, { hover: false });
    }
    this.hovered = id;
    if (id !== undefined) this.map.setFeatureState({ ...target, id }, { hover: true });
  }

  /**
   * Shows one level's layers, hides the others (their tiles stay cached).
   * Showing the current level again changes nothing: setting a layout
   * property, even to its value, costs a full repaint.
   */
  async showLevel(level: Level): Promise<void> {
    await this.loaded;
    if (level === this.current) return;
    this.ensureLevel(level);
    for (const l of this.levels) {
      const v = l === level ? 'visible' : 'none';
      for (const id of [`aplat-`, `limites-`]) this.setVisibility(id + tileLayerOf(l), v);
      this.setVisibility(`priorites-${tileLayerOf(l)}`, l === level && this.prioritiesOn ? 'visible' : 'none');
      // The hatches come back with a choropleth that has secrets.
      if (l !== level) this.setVisibility(`secret-${tileLayerOf(l)}`, 'none');
    }
    this.current = level;
  }

  private setVisibility(layer: string, v: 'visible' | 'none'): void {
    if ((this.map.getLayoutProperty(layer, 'visibility') ?? 'visible') !== v) this.map.setLayoutProperty(layer, 'visibility', v);
  }

  /**
   * Colours the current level from a choropleth answer by rewriting the
   * feature states only. Returns the time spent, in milliseconds.
   */
  applyChoropleth(ch: Choropleth): number {
    const t0 = performance.now();
    const level = ch.level;
    const target = { source: this.sourceId(level), sourceLayer: tileLayerOf(level) };
    const colorOf = new Map<number, string>();
    for (const c of ch.legend) colorOf.set(c.class, c.color);
    this.map.removeFeatureState(target);
    this.hovered = undefined;
    for (const t of ch.territories) {
      const state: TerritoryState = {
        color: colorOf.get(t.class) ?? MISSING_COLOR,
        cls: t.class,
        secret: t.status === 'secret',
        missing: t.status === 'missing',
      };
      this.map.setFeatureState({ ...target, id: t.id }, { ...state });
    }
    if (this.selected && this.selected.level === level) {
      this.map.setFeatureState({ ...target, id: this.selected.id }, { selected: true });
    }
    if (this.pointed && this.pointed.level === level) {
      this.map.setFeatureState({ ...target, id: this.pointed.id }, { pointed: true });
    }
    // The states above went with the others: the priorities' colours come back.
    this.applyPriorities(level, true);
    this.setVisibility(`secret-${tileLayerOf(level)}`, ch.territories.some((t) => t.status === 'secret') ? 'visible' : 'none');
    return performance.now() - t0;
  }

  select(level: Level, t: ChoroplethTerritory | null): void {
    if (this.selected) {
      this.map.setFeatureState(
        { source: this.sourceId(this.selected.level), sourceLayer: tileLayerOf(this.selected.level), id: this.selected.id },
        { selected: false },
      );
    }
    this.selected = t ? { level, id: t.id } : null;
    if (t) {
      this.map.setFeatureState({ source: this.sourceId(level), sourceLayer: tileLayerOf(level), id: t.id }, { selected: true });
    }
  }

  /** Outlines the territory pointed at in a workshop (null: none). */
  point(level: Level, id: number | null): void {
    if (this.pointed && this.levels.has(this.pointed.level)) {
      const p = this.pointed;
      this.map.setFeatureState({ source: this.sourceId(p.level), sourceLayer: tileLayerOf(p.level), id: p.id }, { pointed: false });
    }
    this.pointed = id === null ? null : { level, id };
    if (id !== null && this.levels.has(level)) {
      this.map.setFeatureState({ source: this.sourceId(level), sourceLayer: tileLayerOf(level), id }, { pointed: true });
    }
  }

  /**
   * Restricts the colours to one région ('' for France): the territories
   * outside it are drawn as context. Their features keep their tiles.
   */
  setStudyArea(region: string): void {
    if (region === this.region) return;
    this.region = region;
    for (const l of this.levels) {
      this.map.setPaintProperty(this.fillLayerId(l), 'fill-color', fillColor(l, region));
      this.map.setPaintProperty(`priorites-${tileLayerOf(l)}`, 'fill-color', priorityColor(l, region));
    }
  }

  /** The région studied ('' for France). */
  studyArea(): string {
    return this.region;
  }

  /** Whether a feature of the current level lies in the région studied. */
  inStudyArea(f: FeatureRef): boolean {
    const field = this.current ? regionField(this.current) : '';
    return !this.region || !field || String(f.properties?.[field] ?? '') === this.region;
  }

  /** Moves the camera to show a whole extent, or to `fallback` without one. */
  fitTo(b: Bounds | null, animate: boolean, fallback?: Camera): void {
    if (b) this.map.fitBounds(boundsOf(b), { padding: FIT_PADDING, duration: animate ? 700 : 0 });
    else if (fallback) this.map.jumpTo({ center: [fallback.lon, fallback.lat], zoom: fallback.z });
  }

  currentLevel(): Level | null {
    return this.current;
  }

  /**
   * The priorities map's colours of one level, by feature id (feature-state
   * `prio`, as the indicator's are `color`): the ids it no longer has lose
   * theirs.
   */
  setPriorityColors(level: Level, colors: Map<number, string>): void {
    const before = this.priorityColors.get(level);
    this.priorityColors.set(level, new Map(colors));
    if (!this.levels.has(level)) return;
    const target = { source: this.sourceId(level), sourceLayer: tileLayerOf(level) };
    for (const id of before?.keys() ?? []) if (!colors.has(id)) this.map.removeFeatureState({ ...target, id }, 'prio');
    for (const [id, color] of colors) if (before?.get(id) !== color) this.map.setFeatureState({ ...target, id }, { prio: color });
  }

  /** Sets every priority colour of a level again (`all`: after the states were wiped). */
  private applyPriorities(level: Level, all = false): void {
    const colors = this.priorityColors.get(level);
    if (!colors || (!all && colors.size === 0)) return;
    const target = { source: this.sourceId(level), sourceLayer: tileLayerOf(level) };
    for (const [id, color] of colors) this.map.setFeatureState({ ...target, id }, { prio: color });
  }

  /** Shows the priorities map instead of the indicator's colours (which stay underneath). */
  showPriorities(on: boolean): void {
    this.prioritiesOn = on;
    if (this.current) this.setVisibility(`priorites-${tileLayerOf(this.current)}`, on ? 'visible' : 'none');
  }

  prioritiesShown(): boolean {
    return this.prioritiesOn;
  }

  /** Features of the current level drawn on screen. */
  renderedTerritories(): MapGeoJSONFeature[] {
    if (!this.current) return [];
    return this.map.queryRenderedFeatures({ layers: [this.fillLayerId(this.current)] });
  }
}
