// Exports of the current view: the map as a PNG with its title, legend,
// notice and source line drawn beside it on one canvas; the data as a CSV
// link to the values endpoint (semicolons and a BOM: French Excel).
import type { Choropleth, Indicator, LegendClass } from './api';
import { LEVEL_LABELS, periodLabel, sexLabel } from './labels';
import type { Insets } from './insets';
import { CONTEXT_COLOR, hatchPattern, type AtlasMap } from './map';

export interface ExportDeps {
  atlas: AtlasMap;
  indicators: Indicator[];
  /** The choropleth on screen (null before the first one). */
  choropleth: () => Choropleth | null;
  /** The overseas insets, drawn on the image where they are on screen. */
  insets?: Insets;
  /** Told what each composed image holds (read by the browser test). */
  onComposed?: (info: ComposedInfo) => void;
}

/** Where the map lies in a composed image and how many names were drawn on it. */
export interface ComposedInfo {
  mapTop: number;
  mapWidth: number;
  mapHeight: number;
  labels: number;
  insets: number;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
const LEGEND_WIDTH = 360; // CSS pixels
const PAD = 16;

/** The values endpoint for a choropleth's selection, as CSV for French Excel. */
export function valuesCSVURL(ch: Pick<Choropleth, 'indicator' | 'level' | 'period' | 'sex' | 'sector' | 'within'>): string {
  const p = new URLSearchParams({ level: ch.level, period: ch.period, sex: ch.sex, sector: ch.sector, format: 'csv', sep: ';' });
  // A regional map exports its région's territories, as shown.
  if (ch.within) p.set('within', `${ch.within.level}:${ch.within.code}`);
  return `/api/v1/indicators/${encodeURIComponent(ch.indicator)}/values?${p.toString()}`;
}

function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}

export function fileStem(ch: Choropleth): string {
  const parts = [ch.indicator, ch.level, ch.period];
  if (ch.within) parts.push(ch.within.name);
  if (ch.sex !== 'ensemble') parts.push(ch.sex);
  if (ch.sector !== 'ensemble') parts.push(`secteur-${ch.sector}`);
  return 'atlas-' + slug(parts.join('-'));
}

/** Title, subtitle, notice and source of a choropleth, as in the legend. */
export function describeMap(ch: Choropleth, ind: Indicator | undefined): { title: string; subtitle: string; notice: string; source: string } {
  const sub = [periodLabel(ch.period), LEVEL_LABELS[ch.level]];
  if (ch.within) sub.unshift(ch.within.name);
  if (ch.sex !== 'ensemble') sub.push(sexLabel(ch.sex));
  if (ch.sector !== 'ensemble') sub.push(`secteur ${ch.sector}`);
  return {
    title: ch.label,
    subtitle: sub.join(' · '),
    notice: ch.notice ?? ind?.notice ?? '',
    source: ch.source ?? (ind ? `Source : ${ind.producer} (${periodLabel(ch.period)})` : ''),
  };
}

/** Greedy word wrap to a width in canvas units. */
function wrap(ctx: CanvasRenderingContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const t = line ? `${line} ${word}` : word;
    if (ctx.measureText(t).width <= width || !line) line = t;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The map canvas once a frame has been rendered (preserveDrawingBuffer keeps it readable). */
function renderedMap(atlas: AtlasMap): Promise<HTMLCanvasElement> {
  return new Promise((resolve) => {
    atlas.map.once('render', () => resolve(atlas.map.getCanvas()));
    atlas.map.triggerRepaint();
  });
}

/**
 * Draws the territory names shown over the map (HTML labels, see
 * place-labels.ts) where they are on screen, with the same font and a
 * white halo, so the image reads like the map.
 */
function drawPlaceLabels(ctx: CanvasRenderingContext2D, container: HTMLElement, top: number, s: number): number {
  const frame = container.getBoundingClientRect();
  let drawn = 0;
  ctx.save();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.lineJoin = 'round';
  for (const el of container.querySelectorAll<HTMLElement>('.etiquette-territoire:not([hidden])')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right < frame.left || r.left > frame.right || r.bottom < frame.top || r.top > frame.bottom) continue;
    const cs = getComputedStyle(el);
    const size = parseFloat(cs.fontSize) * s;
    const lineH = (parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.15) * s;
    ctx.font = `${cs.fontWeight} ${size}px ${cs.fontFamily}`;
    // The label wraps like on screen: same content width.
    const lines = wrap(ctx, el.textContent ?? '', el.clientWidth * s + 1);
    const cx = (r.left + r.width / 2 - frame.left) * s;
    let y = top + (r.top - frame.top) * s + (r.height * s - lines.length * lineH) / 2 + (lineH - size) / 2;
    for (const l of lines) {
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.95)';
      ctx.lineWidth = 3 * s;
      ctx.strokeText(l, cx, y);
      ctx.fillStyle = cs.color;
      ctx.fillText(l, cx, y);
      y += lineH;
    }
    drawn++;
  }
  ctx.restore();
  return drawn;
}

function drawSwatch(ctx: CanvasRenderingContext2D, c: LegendClass, x: number, y: number, w: number, h: number, s: number): void {
  ctx.fillStyle = c.color;
  ctx.fillRect(x, y, w, h);
  if (c.kind === 'secret') {
    // The map's own hatches.
    ctx.fillStyle = hatchPattern(ctx);
    ctx.fillRect(x, y, w, h);
  }
  ctx.strokeStyle = '#555555';
  ctx.lineWidth = s;
  ctx.strokeRect(x + s / 2, y + s / 2, w - s, h - s);
}

/** Draws lines of text one under the other; returns the y below them. */
function drawLines(ctx: CanvasRenderingContext2D, lines: string[], x: number, y: number, step: number): number {
  for (const l of lines) {
    ctx.fillText(l, x, y);
    y += step;
  }
  return y;
}

/** Draws the map with its title, legend, notice and source line. */
export async function composeImage(deps: ExportDeps): Promise<HTMLCanvasElement> {
  const ch = deps.choropleth();
  if (!ch) throw new Error('aucune carte à exporter');
  const ind = deps.indicators.find((i) => i.id === ch.indicator);
  const d = describeMap(ch, ind);
  const mapCanvas = await renderedMap(deps.atlas);
  const s = mapCanvas.width / Math.max(1, mapCanvas.clientWidth || mapCanvas.width); // device pixel ratio of the map
  const mapW = mapCanvas.width;
  const mapH = mapCanvas.height;
  const pad = PAD * s;
  const out = document.createElement('canvas');
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('canvas 2D indisponible');
  const font = (px: number, weight = 'normal'): string => `${weight} ${Math.round(px * s)}px ${FONT}`;
  // Wide enough for the longest class label (swatch, label, count), within limits.
  ctx.font = font(14);
  const longest = Math.max(0, ...ch.legend.map((c) => ctx.measureText(c.label).width));
  const legendW = Math.min(Math.max(LEGEND_WIDTH * s, longest + 2 * pad + 42 * s + 56 * s), 620 * s);
  const width = mapW + legendW;

  // Measure the wrapped texts before sizing the canvas.
  ctx.font = font(22, 'bold');
  const titleLines = wrap(ctx, d.title, width - 2 * pad);
  ctx.font = font(13, 'bold');
  const noticeLines = d.notice ? wrap(ctx, d.notice, width - 2 * pad) : [];
  ctx.font = font(12);
  const sourceLines = d.source ? wrap(ctx, d.source, width - 2 * pad) : [];
  const titleH = pad + titleLines.length * 28 * s + 22 * s + pad / 2;
  const rowH = 24 * s;
  const contextRow = ch.within ? 1 : 0;
  const legendH = pad + 22 * s + (ch.legend.length + 1 + contextRow) * rowH + pad;
  const footH = pad / 2 + noticeLines.length * 18 * s + sourceLines.length * 16 * s + 18 * s + pad / 2;
  const bodyH = Math.max(mapH, legendH);
  out.width = Math.ceil(width);
  out.height = Math.ceil(titleH + bodyH + footH);

  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.textBaseline = 'top';

  // Title band.
  let y = pad;
  ctx.fillStyle = '#0b3d91';
  ctx.font = font(22, 'bold');
  y = drawLines(ctx, titleLines, pad, y, 28 * s);
  ctx.fillStyle = '#1a1a1a';
  ctx.font = font(16, '600');
  ctx.fillText(d.subtitle, pad, y);

  // Map.
  ctx.drawImage(mapCanvas, 0, titleH);
  const labels = drawPlaceLabels(ctx, deps.atlas.map.getContainer(), titleH, s);
  const insets = deps.insets?.drawInto(ctx, titleH, s) ?? 0;
  deps.onComposed?.({ mapTop: titleH, mapWidth: mapW, mapHeight: mapH, labels, insets });
  ctx.textBaseline = 'top';
  ctx.strokeStyle = '#999999';
  ctx.lineWidth = s;
  ctx.strokeRect(s / 2, titleH + s / 2, mapW - s, mapH - s);

  // Legend: caption, then one row per class (colour, label, count).
  const lx = mapW + pad;
  const countX = width - pad;
  y = titleH + pad;
  ctx.fillStyle = '#1a1a1a';
  ctx.font = font(15, 'bold');
  ctx.fillText(`Classes (${ch.unit})`, lx, y);
  y += 22 * s;
  ctx.font = font(12, 'bold');
  ctx.fillStyle = '#444444';
  ctx.textAlign = 'right';
  ctx.fillText('Territoires', countX, y + 4 * s);
  ctx.textAlign = 'left';
  y += rowH;
  for (const c of ch.legend) {
    drawSwatch(ctx, c, lx, y, 32 * s, 18 * s, s);
    ctx.fillStyle = '#1a1a1a';
    ctx.font = font(14);
    ctx.fillText(c.label, lx + 42 * s, y + 2 * s, countX - (lx + 42 * s) - 48 * s);
    ctx.textAlign = 'right';
    ctx.fillText(c.count.toLocaleString('fr-FR'), countX, y + 2 * s);
    ctx.textAlign = 'left';
    y += rowH;
  }
  if (ch.within) {
    // The territories outside the région studied are context (see legend.ts).
    drawSwatch(ctx, { class: -1, kind: 'value', color: CONTEXT_COLOR, label: '', count: 0 }, lx, y, 32 * s, 18 * s, s);
    ctx.fillStyle = '#1a1a1a';
    ctx.font = font(14);
    ctx.fillText(`hors de ${ch.within.name} : contexte`, lx + 42 * s, y + 2 * s, countX - (lx + 42 * s));
  }

  // Footer: demonstration notice, source, export line.
  y = titleH + bodyH + pad / 2;
  ctx.fillStyle = '#8a1c00';
  ctx.font = font(13, 'bold');
  y = drawLines(ctx, noticeLines, pad, y, 18 * s);
  ctx.fillStyle = '#333333';
  ctx.font = font(12);
  y = drawLines(ctx, sourceLines, pad, y, 16 * s);
  ctx.fillStyle = '#555555';
  ctx.font = font(11);
  ctx.fillText(`Atlas Santé-Travail – carte exportée le ${new Date().toLocaleDateString('fr-FR')}`, pad, y + 2 * s);
  return out;
}

function download(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
}

export function initExport(deps: ExportDeps): void {
  const png = document.getElementById('export-png');
  const csv = document.getElementById('export-csv');
  if (!(png instanceof HTMLButtonElement) || !(csv instanceof HTMLAnchorElement)) {
    throw new Error('boutons d’export absents de la page');
  }
  const status = document.getElementById('etat');

  const updateCSV = (): void => {
    const ch = deps.choropleth();
    if (!ch) {
      csv.removeAttribute('href');
      csv.setAttribute('aria-disabled', 'true');
      return;
    }
    csv.href = valuesCSVURL(ch);
    csv.download = `${fileStem(ch)}.csv`;
    csv.removeAttribute('aria-disabled');
  };
  updateCSV();
  // The legend is redrawn after each refresh: keep the link in step with it.
  const legend = document.getElementById('legende');
  if (legend) new MutationObserver(updateCSV).observe(legend, { childList: true });
  csv.addEventListener('click', updateCSV);
  csv.addEventListener('focus', updateCSV);

  png.addEventListener('click', () => {
    png.disabled = true;
    void composeImage(deps)
      .then(
        (canvas) =>
          new Promise<void>((resolve, reject) => {
            canvas.toBlob((blob) => {
              if (!blob) {
                reject(new Error('image non produite'));
                return;
              }
              const url = URL.createObjectURL(blob);
              const ch = deps.choropleth();
              download(url, `${ch ? fileStem(ch) : 'atlas'}.png`);
              window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
              resolve();
            }, 'image/png');
          }),
      )
      .catch((err: unknown) => {
        if (status) status.textContent = `Erreur d’export : ${String(err)}`;
      })
      .finally(() => {
        png.disabled = false;
      });
  });
}
