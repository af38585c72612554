// The priorities map: the territories of the level shown, coloured by the
// dots they received (on themselves and on their contributions: the
// tallies' `territories`), as a choropleth of its own with its legend over
// the map. Colours are feature-state `prio` on the level's tiles, drawn by
// a fill layer over the indicator's (map.ts), so turning it on or off
// changes one layer's visibility and the indicator's colours are never
// touched. Everyone may show it while the results are visible to them.
import type { Level } from './api';
import type { AtlasApp } from './app';
import type { BoardState } from './board-state';
import { LEVEL_LABELS } from './labels';
import { PRIORITY_NONE_COLOR } from './map';
import { place, splitKey } from './places';
import { button, el } from './ui';

/** Sequential, readable by colour-blind people, distinct from the indicators' palettes. */
export const PRIORITY_COLORS = ['#d8cce6', '#b49bd0', '#8f6bb8', '#6a409c', '#3f1d6e'];

export interface PriorityClass {
  from: number;
  to: number;
  color: string;
  territories: number;
}

/** Classes of dot counts: one per count up to five, else five equal ranges of 1…max. */
export function priorityClasses(values: number[]): PriorityClass[] {
  const max = Math.max(0, ...values);
  if (max === 0) return [];
  const n = Math.min(5, max);
  const classes: PriorityClass[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * max) / n) + 1;
    const to = Math.floor(((i + 1) * max) / n);
    const color = PRIORITY_COLORS[n === 1 ? PRIORITY_COLORS.length - 1 : Math.round((i * (PRIORITY_COLORS.length - 1)) / (n - 1))] ?? '#000';
    classes.push({ from, to, color, territories: values.filter((x) => x >= from && x <= to).length });
  }
  return classes;
}

const dots = (n: number): string => `${n.toLocaleString('fr-FR')} gommette${n > 1 ? 's' : ''}`;

export class PriorityMap {
  readonly legend: HTMLElement;
  private on = false;
  private seq = 0;
  private readonly listeners: Array<(on: boolean) => void> = [];
  /** What the map shows (tests): territory key → colour, at the level drawn. */
  colours = new Map<string, string>();

  constructor(
    private readonly app: AtlasApp,
    private readonly state: BoardState,
  ) {
    this.legend = el('section', { class: 'priorites-legende', id: 'priorites-legende', 'aria-labelledby': 'priorites-titre' });
    this.legend.hidden = true;
    const frame = app.atlas.map.getContainer().parentElement;
    frame?.append(this.legend);
    // Another level or indicator: the colours follow the level drawn.
    app.onViewChange(() => void app.settled().then(() => this.refresh()));
  }

  isOn(): boolean {
    return this.on;
  }

  onToggle(cb: (on: boolean) => void): void {
    this.listeners.push(cb);
  }

  /** Shows the priorities map (when the results are visible) or the indicator's. */
  show(on: boolean): void {
    const want = on && this.state.resultsVisible();
    if (want === this.on) return;
    this.on = want;
    this.app.atlas.showPriorities(want);
    this.legend.hidden = !want;
    void this.refresh();
    for (const cb of this.listeners) cb(want);
  }

  /** Colours and legend again, from the board's tallies. */
  async refresh(): Promise<void> {
    if (this.on && !this.state.resultsVisible()) {
      this.show(false);
      return;
    }
    const my = ++this.seq;
    const level: Level = this.app.atlas.currentLevel() ?? 'departement';
    const t = this.state.tallies()?.territories ?? {};
    const here: Array<{ code: string; n: number }> = [];
    const elsewhere = new Map<string, { n: number; places: number }>();
    for (const [key, n] of Object.entries(t)) {
      if (n <= 0) continue;
      const p = splitKey(key);
      if (p.level === level) here.push({ code: p.code, n });
      else {
        const e = elsewhere.get(p.level) ?? { n: 0, places: 0 };
        e.n += n;
        e.places++;
        elsewhere.set(p.level, e);
      }
    }
    const classes = priorityClasses(here.map((x) => x.n));
    const colourOf = (n: number): string => classes.find((c) => n >= c.from && n <= c.to)?.color ?? PRIORITY_NONE_COLOR;
    // Feature ids: the choropleth's when it is of this level, else the territory's own.
    const ch = this.app.choropleth();
    const ids = new Map<string, number>();
    if (ch?.level === level) for (const x of ch.territories) ids.set(x.code, x.id);
    const colors = new Map<number, string>();
    const colours = new Map<string, string>();
    for (const x of here) {
      let id = ids.get(x.code);
      if (id === undefined) {
        try {
          id = (await place(level, x.code)).id;
        } catch {
          continue;
        }
        if (my !== this.seq) return;
      }
      colors.set(id, colourOf(x.n));
      colours.set(`${level}:${x.code}`, colourOf(x.n));
    }
    if (my !== this.seq) return;
    this.app.atlas.setPriorityColors(level, colors);
    this.colours = colours;
    if (this.on) this.renderLegend(level, classes, here.length, elsewhere);
  }

  private renderLegend(level: Level, classes: PriorityClass[], voted: number, elsewhere: Map<string, { n: number; places: number }>): void {
    const rows = classes.map((c) => {
      const sw = el('span', { class: 'pastille', 'aria-hidden': 'true' });
      sw.style.backgroundColor = c.color;
      const label = c.from === c.to ? dots(c.from) : `${c.from.toLocaleString('fr-FR')} à ${dots(c.to)}`;
      return el('tr', { 'data-de': String(c.from), 'data-a': String(c.to) }, el('td', {}, sw), el('th', { scope: 'row' }, label), el('td', { class: 'nombre' }, String(c.territories)));
    });
    const none = el('span', { class: 'pastille', 'aria-hidden': 'true' });
    none.style.backgroundColor = PRIORITY_NONE_COLOR;
    rows.push(el('tr', {}, el('td', {}, none), el('th', { scope: 'row' }, 'aucune gommette'), el('td', { class: 'nombre' }, '')));
    const lv = LEVEL_LABELS[level].toLowerCase();
    const t = this.state.tallies();
    const notes: HTMLElement[] = [];
    if (voted === 0) notes.push(el('p', { class: 'aide' }, `Aucune gommette sur un territoire de niveau ${lv}.`));
    for (const [l, e] of elsewhere) {
      notes.push(el('p', { class: 'aide' }, `Aussi ${dots(e.n)} sur ${e.places} territoire${e.places > 1 ? 's' : ''} de niveau ${LEVEL_LABELS[l as Level]?.toLowerCase() ?? l} (non affiché).`));
    }
    this.legend.replaceChildren(
      el('h2', { id: 'priorites-titre' }, 'Carte des priorités'),
      el('p', { class: 'priorites-sous-titre' }, `Gommettes par territoire (${lv}), sur lui et sur ses contributions${t ? ` · ${dots(t.dots)}, ${t.voters} votant${t.voters > 1 ? 's' : ''}` : ''}`),
      el(
        'table',
        { class: 'legende-table' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Couleur'), el('th', { scope: 'col' }, 'Gommettes'), el('th', { scope: 'col' }, 'Territoires'))),
        el('tbody', {}, ...rows),
      ),
      ...notes,
      button('Revenir à l’indicateur', { class: 'priorites-fermer' }, () => this.show(false)),
    );
  }
}
