// The map of tile files alone: `atlas serve --mbtiles` has no database, so
// no indicator catalogue, territory search or workshop. Each file's layer
// is drawn from its TileJSON; a file exported with an indicator's values
// is coloured by the class each territory carries, with the legend the
// file holds (its values went through the secret statistique at export:
// secret territories carry a status and no value). A list chooses the
// file shown; everything that needs the database is hidden.
import {
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  type ExpressionSpecification,
  type LayerSpecification,
  type MapGeoJSONFeature,
  type StyleSpecification,
} from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { TileJSON } from './api';
// Also sets MapLibre's worker URL (same origin, no CDN).
import { BACKGROUND, MISSING_COLOR } from './map';

/** One legend line as the export wrote it (indicator.LegendEntry). */
interface LegendEntry {
  class: number;
  kind: string;
  color: string;
  label: string;
  count: number;
}

/** A tile file's TileJSON: its vector layers and what an indicator export says of itself. */
export interface FileTileJSON extends TileJSON {
  vector_layers?: { id: string; description?: string; fields?: Record<string, string> }[];
  /** atlas:… metadata of the file: indicator, label, unit, period, legend (JSON)… */
  atlas?: Record<string, string>;
}

/** What the browser test reads. */
interface FilesDebug {
  map: MapLibreMap;
  shown: () => string;
  show: (name: string) => void;
  firstPaintMs: number | null;
  error: string | null;
}

declare global {
  interface Window {
    __atlasFiles?: FilesDebug;
  }
}

/** Territories of a file without values: one neutral tint. */
const PLAIN_COLOR = '#c9d6df';
const BORDER_COLOR = '#ffffff';

function legendOf(ts: FileTileJSON): LegendEntry[] {
  const raw = ts.atlas?.['legend'];
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as { legend?: LegendEntry[] };
    return Array.isArray(parsed.legend) ? parsed.legend : [];
  } catch {
    return [];
  }
}

function sourceLayer(ts: FileTileJSON): string {
  return ts.vector_layers?.[0]?.id ?? ts.name;
}

/** The fill colour: by class when the file has a legend, else one tint. */
function fillColor(legend: LegendEntry[]): ExpressionSpecification | string {
  if (legend.length === 0) return PLAIN_COLOR;
  const pairs = legend.flatMap((e) => [e.class, e.color]);
  return ['match', ['to-number', ['get', 'class'], -1], ...pairs, MISSING_COLOR] as unknown as ExpressionSpecification;
}

function layersOf(ts: FileTileJSON, visible: boolean): LayerSpecification[] {
  const layout = { visibility: visible ? 'visible' : 'none' } as const;
  return [
    {
      id: `aplat-${ts.name}`,
      type: 'fill',
      source: ts.name,
      'source-layer': sourceLayer(ts),
      layout,
      paint: { 'fill-color': fillColor(legendOf(ts)), 'fill-antialias': false },
    },
    {
      id: `bordure-${ts.name}`,
      type: 'line',
      source: ts.name,
      'source-layer': sourceLayer(ts),
      layout,
      paint: { 'line-color': BORDER_COLOR, 'line-width': 0.8 },
    },
  ];
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/** A feature's lines in the tooltip: name, code, and its value or why there is none. */
function describe(f: MapGeoJSONFeature, ts: FileTileJSON): string[] {
  const p = f.properties ?? {};
  const lines = [String(p['name'] ?? ''), String(p['code'] ?? '')];
  if (!ts.atlas?.['indicator']) return lines;
  const status = String(p['status'] ?? 'missing');
  if (status === 'secret') lines.push('secret statistique');
  else if (status === 'missing' || p['value'] === undefined) lines.push('donnée manquante');
  else {
    const unit = ts.atlas['unit'] ? ` ${ts.atlas['unit']}` : '';
    lines.push(`${Number(p['value']).toLocaleString('fr-FR')}${unit}`);
  }
  return lines;
}

/** Starts the map on the tile files the server lists. */
export function startTilesOnly(tilesets: readonly FileTileJSON[]): void {
  const t0 = performance.now();
  const status = document.getElementById('etat');
  const legendBox = document.getElementById('legende');
  const tooltip = document.getElementById('infobulle');
  const container = document.getElementById('carte');
  if (!container || !legendBox) throw new Error('page incomplète : #carte ou #legende absent');
  // What needs the database: indicator controls, search, workshops, exports.
  for (const sel of ['#controles', '#recherche', '.actions-atelier', '.actions-export', '#selection', '#legende-mini']) {
    // display, not hidden: the page's CSS gives some of them a display.
    document.querySelectorAll<HTMLElement>(sel).forEach((e) => (e.style.display = 'none'));
  }
  document.body.dataset['mode'] = 'fichiers';
  let shown = tilesets[0]?.name ?? '';

  const style: StyleSpecification = {
    version: 8,
    name: 'atlas-fichiers',
    sources: Object.fromEntries(
      tilesets.map((ts) => [
        ts.name,
        {
          type: 'vector',
          tiles: ts.tiles,
          minzoom: ts.minzoom,
          maxzoom: ts.maxzoom,
          ...(ts.bounds ? { bounds: ts.bounds } : {}),
          ...(ts.attribution ? { attribution: ts.attribution } : {}),
        },
      ]),
    ),
    layers: [{ id: 'fond', type: 'background', paint: { 'background-color': BACKGROUND } }, ...tilesets.flatMap((ts) => layersOf(ts, ts.name === shown))],
  };
  const first = tilesets[0];
  const center = first?.center;
  const map = new MapLibreMap({
    container,
    style,
    center: center ? [center[0], center[1]] : [2.5, 46.6],
    zoom: center ? center[2] : 5,
    minZoom: 2,
    maxZoom: 14,
    dragRotate: false,
    pitchWithRotate: false,
    attributionControl: { compact: true },
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-right');

  const debug: FilesDebug = { map, shown: () => shown, show, firstPaintMs: null, error: null };
  window.__atlasFiles = debug;

  function renderLegend(): void {
    if (!legendBox) return;
    const ts = tilesets.find((t) => t.name === shown);
    legendBox.replaceChildren();
    legendBox.append(el('h2', 'Fichiers de tuiles'));
    if (tilesets.length > 1) {
      const label = el('label', 'Couche affichée');
      label.htmlFor = 'fichier-couche';
      const select = el('select');
      select.id = 'fichier-couche';
      for (const t of tilesets) {
        const o = el('option', t.name);
        o.value = t.name;
        o.selected = t.name === shown;
        select.append(o);
      }
      select.addEventListener('change', () => show(select.value));
      legendBox.append(label, select);
    }
    if (!ts) return;
    const title = ts.atlas?.['label'] ? `${ts.atlas['label']}, ${ts.atlas['period'] ?? ''}` : ts.name;
    legendBox.append(el('p', title, 'legende-titre'));
    const legend = legendOf(ts);
    if (legend.length > 0) {
      const list = el('ul', undefined, 'legende-classes');
      for (const e of legend) {
        const li = el('li');
        const sw = el('span', undefined, 'pastille');
        sw.style.background = e.color;
        sw.style.display = 'inline-block';
        sw.style.width = '1em';
        sw.style.height = '1em';
        sw.style.marginRight = '0.4em';
        li.append(sw, document.createTextNode(e.label));
        list.append(li);
      }
      legendBox.append(list);
    }
    if (ts.description) legendBox.append(el('p', ts.description, 'legende-note'));
    if (ts.attribution) legendBox.append(el('p', `Source : ${ts.attribution}`, 'legende-source'));
  }

  function show(name: string): void {
    if (!tilesets.some((t) => t.name === name)) return;
    shown = name;
    for (const ts of tilesets) {
      const v = ts.name === name ? 'visible' : 'none';
      map.setLayoutProperty(`aplat-${ts.name}`, 'visibility', v);
      map.setLayoutProperty(`bordure-${ts.name}`, 'visibility', v);
    }
    const ts = tilesets.find((t) => t.name === name);
    // The centre, not the bounds: a layer with overseas territories spans the globe.
    if (ts?.center) map.jumpTo({ center: [ts.center[0], ts.center[1]], zoom: ts.center[2] });
    renderLegend();
  }

  renderLegend();
  if (status) status.textContent = tilesets.length === 0 ? 'Aucun fichier de tuiles servi.' : 'Carte des fichiers de tuiles (sans base de données : ni indicateurs à choisir, ni ateliers).';
  document.title = 'Fichiers de tuiles – Atlas Santé-Travail';

  map.on('mousemove', (e) => {
    if (!tooltip) return;
    const f = map.queryRenderedFeatures(e.point, { layers: [`aplat-${shown}`] })[0];
    const ts = tilesets.find((t) => t.name === shown);
    if (!f || !ts) {
      tooltip.hidden = true;
      return;
    }
    const [name, ...rest] = describe(f, ts);
    tooltip.replaceChildren(el('strong', name), ...rest.map((l) => el('div', l)));
    tooltip.hidden = false;
    tooltip.style.transform = `translate(${e.point.x + 14}px, ${e.point.y + 14}px)`;
  });
  map.on('mouseout', () => {
    if (tooltip) tooltip.hidden = true;
  });
  map.on('error', (e) => {
    debug.error = String(e.error?.message ?? e.error);
    if (status) status.textContent = `Erreur : ${debug.error}`;
  });
  map.once('idle', () => {
    debug.firstPaintMs = performance.now() - t0;
    performance.mark('atlas-fichiers-premier-rendu');
  });
}
