// The MapLibre map: a blank offline style (background only: no external
// style, glyph, sprite or basemap URL), one vector source per territorial
// level from /tiles/{layer}.json, and a fill coloured by feature-state. An
// indicator, period, sex… change only rewrites feature states: tiles are
// never fetched again for it.
import { Map as MapLibreMap, NavigationControl, ScaleControl, setWorkerUrl, type MapGeoJSONFeature, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// The worker is a separate module in maplibre-gl 6: ship it as a hashed
// asset of our own build (same origin, no CDN).
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { tileJSONURL, tileLayerOf, type Choropleth, type ChoroplethTerritory, type Level } from './api';
import type { Camera } from './url-state';

export const BACKGROUND = '#dfe6ec';
export const MISSING_COLOR = '#e3e3e3';
const HATCH = 'atlas-hachures-secret';

setWorkerUrl(workerUrl);

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

/** Diagonal hatches drawn on a canvas: the secret statistique pattern. */
function hatchImage(size = 12): ImageData {
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
  return ctx.getImageData(0, 0, size, size);
}

export interface HoverInfo {
  feature: MapGeoJSONFeature;
  point: { x: number; y: number };
}

export class AtlasMap {
  readonly map: MapLibreMap;
  private readonly loaded: Promise<void>;
  private levels = new Set<Level>();
  private current: Level | null = null;
  private hovered: number | string | undefined;
  private selected: { level: Level; id: number } | null = null;
  onHover: (info: HoverInfo | null) => void = () => {};
  onClick: (feature: MapGeoJSONFeature | null) => void = () => {};
  onMove: (c: Camera) => void = () => {};

  constructor(container: HTMLElement, camera: Camera) {
    this.map = new MapLibreMap({
      container,
      style: blankStyle,
      center: [camera.lon, camera.lat],
      zoom: camera.z,
      minZoom: 2,
      maxZoom: 14,
      dragRotate: false,
      pitchWithRotate: false,
      attributionControl: { compact: true },
      // Keeps the canvas readable by map exports and the browser test.
      canvasContextAttributes: { preserveDrawingBuffer: true },
      cooperativeGestures: false,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.keyboard.enable();
    this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-right');
    this.loaded = new Promise((resolve) => {
      this.map.once('load', () => {
        this.map.addImage(HATCH, hatchImage(), { pixelRatio: 1 });
        resolve();
      });
    });
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
    const sourceLayer = tileLayerOf(level);
    this.map.addSource(source, { type: 'vector', url: tileJSONURL(level) });
    const fill = this.fillLayerId(level);
    this.map.addLayer({
      id: fill,
      type: 'fill',
      source,
      'source-layer': sourceLayer,
      paint: {
        'fill-color': ['to-color', ['coalesce', ['feature-state', 'color'], MISSING_COLOR]],
        'fill-opacity': 1,
        'fill-antialias': true,
      },
    });
    this.map.addLayer({
      id: `secret-${sourceLayer}`,
      type: 'fill',
      source,
      'source-layer': sourceLayer,
      paint: {
        'fill-pattern': HATCH,
        'fill-opacity': ['case', ['boolean', ['feature-state', 'secret'], false], 1, 0],
      },
    });
    this.map.addLayer({
      id: `limites-${sourceLayer}`,
      type: 'line',
      source,
      'source-layer': sourceLayer,
      paint: {
        'line-color': [
          'case',
          ['boolean', ['feature-state', 'selected'], false],
          '#0b3d91',
          ['boolean', ['feature-state', 'hover'], false],
          '#111111',
          '#5b5b5b',
        ],
        'line-width': [
          'interpolate',
          ['linear'],
          ['zoom'],
          3,
          ['case', ['boolean', ['feature-state', 'selected'], false], 3, ['boolean', ['feature-state', 'hover'], false], 2.5, 0.3],
          8,
          ['case', ['boolean', ['feature-state', 'selected'], false], 3.5, ['boolean', ['feature-state', 'hover'], false], 3, 1.2],
        ],
      },
    });
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
    this.map.on('click', fill, (e) => this.onClick(e.features?.[0] ?? null));
  }

  private setHover(level: Level, id: number | string | undefined): void {
    const target = { source: this.sourceId(level), sourceLayer: tileLayerOf(level) };
    if (this.hovered !== undefined && this.hovered !== id) {
      this.map.setFeatureState({ ...target, id: this.hovered }, { hover: false });
    }
    this.hovered = id;
    if (id !== undefined) this.map.setFeatureState({ ...target, id }, { hover: true });
  }

  /** Shows one level's layers, hides the others (their tiles stay cached). */
  async showLevel(level: Level): Promise<void> {
    await this.loaded;
    this.ensureLevel(level);
    for (const l of this.levels) {
      const v = l === level ? 'visible' : 'none';
      for (const id of [`aplat-`, `secret-`, `limites-`]) {
        this.map.setLayoutProperty(id + tileLayerOf(l), 'visibility', v);
      }
    }
    this.current = level;
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

  currentLevel(): Level | null {
    return this.current;
  }

  /** Features of the current level drawn on screen. */
  renderedTerritories(): MapGeoJSONFeature[] {
    if (!this.current) return [];
    return this.map.queryRenderedFeatures({ layers: [this.fillLayerId(this.current)] });
  }
}
