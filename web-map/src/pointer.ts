// « Montrer »: a territory pointed at by someone in the workshop is
// outlined on every screen, with a label « Montré par NAME » on the map and
// in the bar, for as long as the server says (`until`). The duration is
// taken from the pointer's own `at` and `until`, not from this device's
// clock, which may be minutes off a phone's.
import { Marker } from 'maplibre-gl';
import { getTerritory, type Level, type TerritoryDetail } from './api';
import type { AtlasApp } from './app';
import type { WorkshopBar } from './bar';
import type { Pointer } from './workshop-api';
import { el } from './ui';

const DEFAULT_MS = 6000;

export class PointerView {
  private marker: Marker | null = null;
  private timer: number | undefined;
  private seq = 0;
  private readonly details = new Map<string, Promise<TerritoryDetail>>();
  /** The pointer on screen (tests read it). */
  current: (Pointer & { shownAt: number; ms: number }) | null = null;

  constructor(
    private readonly app: AtlasApp,
    private readonly bar: WorkshopBar,
  ) {}

  private detail(level: Level, code: string): Promise<TerritoryDetail> {
    const k = `${level}/${code}`;
    let d = this.details.get(k);
    if (!d) {
      d = getTerritory(level, code);
      d.catch(() => this.details.delete(k));
      this.details.set(k, d);
    }
    return d;
  }

  /** How long a pointer still shows, from its own timestamps. */
  static remaining(p: Pointer, now = Date.now()): number {
    const until = Date.parse(p.until);
    const at = p.at ? Date.parse(p.at) : NaN;
    if (Number.isFinite(until) && Number.isFinite(at) && until > at) return Math.min(30_000, until - at);
    if (Number.isFinite(until)) return Math.max(0, Math.min(30_000, until - now));
    return DEFAULT_MS;
  }

  async show(p: Pointer, ms = PointerView.remaining(p)): Promise<void> {
    const my = ++this.seq;
    this.clear();
    if (ms <= 0) return;
    this.current = { ...p, shownAt: Date.now(), ms };
    const by = p.by || 'Animation';
    const name = p.name || p.code;
    this.bar.setPointer(`Montré par ${by} : ${name}`);
    this.timer = window.setTimeout(() => {
      if (my === this.seq) this.clear();
    }, ms);
    let d: TerritoryDetail;
    try {
      d = await this.detail(p.level, p.code);
    } catch {
      return; // the bar says it; no outline for a territory the map does not know
    }
    if (my !== this.seq) return;
    this.app.atlas.point(p.level, d.id);
    if (d.centroid) {
      const label = el(
        'div',
        { class: 'pointeur', 'data-code': p.code },
        el('span', { class: 'pointeur-par' }, `Montré par ${by}`),
        el('span', { class: 'pointeur-nom' }, d.name || name),
      );
      // The anchor carries the arrow, at the territory's centre; the label
      // slides sideways to stay inside the map (a phone is narrow). It is
      // for the eyes: the bar's live region says it aloud.
      const anchor = el('div', { class: 'pointeur-ancre', 'aria-hidden': 'true' }, label);
      const map = this.app.atlas.map;
      this.marker = new Marker({ element: anchor, anchor: 'bottom' }).setLngLat(d.centroid).addTo(map);
      const keepInside = (): void => {
        const box = map.getContainer().getBoundingClientRect();
        const r = anchor.getBoundingClientRect();
        const dx = Math.max(box.left + 4 - r.left, Math.min(0, box.right - 4 - r.right));
        label.style.translate = `${dx}px 0`;
      };
      keepInside();
      map.on('move', keepInside);
      this.unbind = () => map.off('move', keepInside);
    }
  }

  private unbind: () => void = () => {};

  clear(): void {
    window.clearTimeout(this.timer);
    this.unbind();
    this.unbind = () => {};
    this.marker?.remove();
    this.marker = null;
    this.current = null;
    this.app.atlas.point('departement', null);
    this.bar.setPointer('');
  }
}
