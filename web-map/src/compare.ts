// Maps side by side: two or four synchronised maps over the main one, each
// with its own indicator, level, period and sex, and its own title, legend
// and source line. What they share is the view's: one camera (a move on any
// map moves the others and the main map, whose camera is in the link), one
// selection (a click on any selects on all), the région studied and the
// classification. The hover of the map under the pointer is outlined on the
// others of the same level, and each panel reads out its own value for it.
//
// Every figure comes from the choropleth route, as the main map's: the
// secret statistique is applied by the server before anything reaches a
// panel. On a phone one panel shows at a time, with a switch (the camera
// stays shared, so switching compares the same place).
import { getChoropleth, type Choropleth, type ChoroplethTerritory, type Indicator, type Level, type TileJSON } from './api';
import { formatValue, LEVEL_LABELS, periodLabel, SEX_LABELS } from './labels';
import { renderLegend } from './legend';
import { AtlasMap, type FeatureRef } from './map';
import type { ComparePanel, ViewState } from './url-state';
import { choroplethQuery, levelOf, resolve } from './view-state';

/** What the comparison needs of the page. */
export interface CompareHost {
  tilesets: readonly TileJSON[];
  indicators: Indicator[];
  /** The main map: its camera is the comparison's, written in the link. */
  main: AtlasMap;
  state(): ViewState;
  isMobile(): boolean;
  /** Records the panels (and the phone's panel) in the view state and the link. */
  setCompare(panels: ComparePanel[], active: number): void;
  /** Selects a territory ('' for none), as a click on the main map does. */
  select(code: string): void;
  /** A failure, for the status line. */
  say(msg: string): void;
}

/** A one-click comparison. */
export interface Preset {
  id: string;
  label: string;
  /** The panels it opens on, from the view; null when the catalogue has nothing for it. */
  panels(s: ViewState, indicators: Indicator[]): ComparePanel[] | null;
}

function bySexes(i: Indicator): boolean {
  return i.sexes.includes('femmes') && i.sexes.includes('hommes');
}

/** The view's indicator if it fits, else the first of the catalogue that does. */
function pick(s: ViewState, indicators: Indicator[], fits: (i: Indicator) => boolean): Indicator | undefined {
  const cur = indicators.find((i) => i.id === s.indicator);
  return cur && fits(cur) ? cur : indicators.find(fits);
}

/** The view's level if the indicators all have it, else the first they share. */
function commonLevel(s: ViewState, inds: Indicator[]): Level | '' {
  const shared = (inds[0]?.levels ?? []).filter((l) => inds.every((i) => i.levels.includes(l)));
  if (s.level && shared.includes(s.level)) return s.level;
  return shared[0] ?? '';
}

/** Work accidents: a sinistralité indicator of territories (not the France-wide sector tables). */
function isAT(i: Indicator): boolean {
  return i.theme === 'sinistralite' && /(^|-)at-/.test(i.id) && i.levels.some((l) => l !== 'france');
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'sexes',
    label: 'Femmes / hommes',
    panels(s, indicators) {
      const ind = pick(s, indicators, bySexes);
      if (!ind) return null;
      const level = commonLevel(s, [ind]);
      const period = ind.id === s.indicator ? s.period : '';
      return [
        { indicator: ind.id, level, period, sex: 'femmes' },
        { indicator: ind.id, level, period, sex: 'hommes' },
      ];
    },
  },
  {
    id: 'plan',
    label: 'Entrée / sortie du plan',
    panels(s, indicators) {
      const ind = pick(s, indicators, (i) => i.vintages.length >= 2);
      if (!ind) return null;
      const level = commonLevel(s, [ind]);
      const sex = ind.sexes.includes(s.sex) ? s.sex : 'ensemble';
      return [
        { indicator: ind.id, level, period: ind.vintages[0] ?? '', sex },
        { indicator: ind.id, level, period: ind.vintages[ind.vintages.length - 1] ?? '', sex },
      ];
    },
  },
  {
    id: 'at-chomage',
    label: 'AT / chômage',
    panels(s, indicators) {
      const at = pick(s, indicators, isAT);
      if (!at) return null;
      // The unemployment indicator that shares a level with the accidents:
      // hover and selection then show on both.
      const chomage =
        indicators.find((i) => i.id.startsWith('chomage') && i.levels.some((l) => at.levels.includes(l))) ??
        indicators.find((i) => i.id.startsWith('chomage'));
      if (!chomage) return null;
      const shared = commonLevel(s, [at, chomage]);
      return [
        { indicator: at.id, level: shared || commonLevel(s, [at]), period: '', sex: 'ensemble' },
        { indicator: chomage.id, level: shared || commonLevel(s, [chomage]), period: '', sex: 'ensemble' },
      ];
    },
  },
];

/** The panels a plain « Comparer » opens on: the first preset the catalogue allows, entry / exit first. */
export function defaultPanels(s: ViewState, indicators: Indicator[]): ComparePanel[] {
  for (const id of ['plan', 'sexes', 'at-chomage']) {
    const p = PRESETS.find((x) => x.id === id)?.panels(s, indicators);
    if (p) return p;
  }
  const i = indicators.find((x) => x.id === s.indicator) ?? indicators[0];
  const one: ComparePanel = { indicator: i?.id ?? '', level: s.level, period: s.period, sex: s.sex };
  return [one, { ...one }];
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function option(value: string, label: string, selected: boolean): HTMLOptionElement {
  const o = el('option', { value }, label);
  o.selected = selected;
  return o;
}

/** One map of the comparison. */
class Panel {
  readonly root: HTMLElement;
  readonly atlas: AtlasMap;
  readonly legend: HTMLElement;
  readonly readout: HTMLElement;
  readonly title: HTMLElement;
  private readonly indicator: HTMLSelectElement;
  private readonly level: HTMLSelectElement;
  private readonly period: HTMLSelectElement;
  private readonly sex: HTMLSelectElement;
  /** The panel's view: the shared one with the panel's own choices, resolved against the catalogue. */
  view: ViewState;
  ind: Indicator;
  ch: Choropleth | null = null;
  byId = new Map<number, ChoroplethTerritory>();
  /** URL of the choropleth shown (a refresh with the same one asks nothing). */
  shown = '';
  onChange: (p: ComparePanel) => void = () => {};

  constructor(
    readonly index: number,
    host: CompareHost,
    view: ViewState,
    ind: Indicator,
  ) {
    this.view = view;
    this.ind = ind;
    const n = String(index + 1);
    this.root = el('section', { class: 'comparaison-panneau', 'data-panneau': n, 'aria-labelledby': `comparaison-titre-${n}` });
    const head = el('div', { class: 'comparaison-entete' });
    this.title = el('h2', { class: 'comparaison-titre', id: `comparaison-titre-${n}` });
    const form = el('form', { class: 'comparaison-choix', 'aria-label': `Réglages de la carte ${n}` });
    form.addEventListener('submit', (e) => e.preventDefault());
    const field = (label: string, cls: string): HTMLSelectElement => {
      const s = el('select', { class: cls, 'aria-label': `${label} (carte ${n})` });
      const l = el('label', {}, label);
      l.append(s);
      form.append(l);
      return s;
    };
    this.indicator = field('Indicateur', 'cmp-indicateur');
    this.level = field('Niveau', 'cmp-niveau');
    this.period = field('Période', 'cmp-periode');
    this.sex = field('Sexe', 'cmp-sexe');
    for (const s of [this.indicator, this.level, this.period, this.sex]) s.addEventListener('change', () => this.onChange(this.choice()));
    head.append(this.title, form);
    const body = el('div', { class: 'comparaison-corps' });
    const frame = el('div', { class: 'comparaison-cadre' });
    const mapEl = el('div', { class: 'comparaison-carte', role: 'region', 'aria-label': `Carte ${n}` });
    this.readout = el('p', { class: 'comparaison-lecture', 'aria-live': 'polite' });
    frame.append(mapEl, this.readout);
    this.legend = el('div', { class: 'legende comparaison-legende', 'aria-label': `Légende de la carte ${n}` });
    body.append(frame, this.legend);
    this.root.append(head, body);
    const c = host.main.map.getCenter();
    this.atlas = new AtlasMap(mapEl, { lon: c.lng, lat: c.lat, z: host.main.map.getZoom() }, host.tilesets, levelOf(view), view.region);
    this.renderChoices(host.indicators);
  }

  /** What the panel's selects say now. */
  choice(): ComparePanel {
    const level = this.level.value as Level;
    return { indicator: this.indicator.value, level, period: this.period.value, sex: this.sex.value as ComparePanel['sex'] };
  }

  renderChoices(indicators: Indicator[]): void {
    const v = this.view;
    this.indicator.replaceChildren(...indicators.map((i) => option(i.id, `${i.theme_label} · ${i.label}`, i.id === v.indicator)));
    this.level.replaceChildren(...this.ind.levels.map((l) => option(l, LEVEL_LABELS[l], l === v.level)));
    const latest = this.ind.vintages[this.ind.vintages.length - 1] ?? '';
    const periods = [...this.ind.vintages].reverse();
    this.period.replaceChildren(...periods.map((p) => option(p, periodLabel(p), p === (v.period || latest))));
    this.sex.replaceChildren(...this.ind.sexes.map((s) => option(s, SEX_LABELS[s], s === v.sex)));
    this.sex.disabled = this.ind.sexes.length < 2;
    this.level.disabled = this.ind.levels.length < 2;
  }

  /** The readout line: the territory hovered, else the one selected. */
  read(t: ChoroplethTerritory | undefined, name: string): void {
    if (!name) {
      this.readout.textContent = '';
      this.readout.hidden = true;
      return;
    }
    let value: string;
    if (!t || t.status === 'missing') value = 'donnée manquante';
    else if (t.status === 'secret') value = 'secret statistique';
    else value = formatValue(t.value ?? 0, this.ind.decimals, this.ind.unit);
    this.readout.textContent = `${name} : ${value}`;
    this.readout.dataset['status'] = t?.status ?? 'missing';
    this.readout.hidden = false;
  }
}

/** What the browser test reads of the comparison. */
export interface CompareDebug {
  panels: () => Array<{ state: ViewState; choropleth: Choropleth | null; map: AtlasMap['map']; atlas: AtlasMap }>;
  refreshes: number;
  error: string | null;
}

export class Comparison {
  private readonly root: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly tabs: HTMLElement;
  private panels: Panel[] = [];
  private syncing = false;
  private hovered: { level: Level; id: number } | null = null;
  private seq = 0;
  readonly debug: CompareDebug = { panels: () => this.panels.map((p) => ({ state: p.view, choropleth: p.ch, map: p.atlas.map, atlas: p.atlas })), refreshes: 0, error: null };

  constructor(
    parent: HTMLElement,
    private readonly host: CompareHost,
  ) {
    this.root = el('section', { id: 'comparaison', class: 'comparaison', 'aria-label': 'Cartes côte à côte' });
    this.root.hidden = true;
    const bar = el('div', { class: 'comparaison-barre', role: 'toolbar', 'aria-label': 'Comparaison' });
    bar.append(el('strong', {}, 'Comparer'));
    for (const p of PRESETS) {
      const b = el('button', { type: 'button', 'data-preset': p.id }, p.label);
      b.addEventListener('click', () => {
        const panels = p.panels(host.state(), host.indicators);
        if (panels) this.host.setCompare(panels, 0);
        else this.host.say(`Comparaison « ${p.label} » : aucun indicateur du catalogue ne s’y prête`);
      });
      bar.append(b);
    }
    const two = el('button', { type: 'button', 'data-cartes': '2' }, '2 cartes');
    const four = el('button', { type: 'button', 'data-cartes': '4' }, '4 cartes');
    two.addEventListener('click', () => this.resize(2));
    four.addEventListener('click', () => this.resize(4));
    const close = el('button', { type: 'button', class: 'comparaison-fermer' }, 'Carte unique');
    close.addEventListener('click', () => this.host.setCompare([], 0));
    bar.append(two, four, close);
    // Phones: one panel at a time, chosen here.
    this.tabs = el('div', { class: 'comparaison-onglets', role: 'tablist', 'aria-label': 'Carte affichée' });
    this.grid = el('div', { class: 'comparaison-grille' });
    this.root.append(bar, this.tabs, this.grid);
    parent.append(this.root);
    // The main map moved by the page (a link, a workshop view): the panels follow.
    host.main.map.on('move', () => this.follow(host.main));
  }

  isOpen(): boolean {
    return !this.root.hidden;
  }

  /** Two or four panels: new ones copy the first two, which the user then changes. */
  private resize(n: number): void {
    const cur = this.host.state().compare;
    const next = cur.slice(0, n);
    for (let i = next.length; i < n; i++) {
      const src = cur[i % 2] ?? cur[0];
      if (src) next.push({ ...src });
    }
    this.host.setCompare(next, Math.min(this.host.state().compareActive, n - 1));
  }

  /** Copies the camera of `from` to every other map (and the main one). */
  private follow(from: AtlasMap): void {
    if (this.syncing || this.root.hidden) return;
    this.syncing = true;
    try {
      const c = from.map.getCenter();
      const z = from.map.getZoom();
      for (const m of [this.host.main, ...this.panels.map((p) => p.atlas)]) {
        if (m !== from) m.map.jumpTo({ center: c, zoom: z });
      }
    } finally {
      this.syncing = false;
    }
  }

  /** Builds, updates or closes the panels from the view state. */
  async update(): Promise<void> {
    const s = this.host.state();
    const my = ++this.seq;
    if (s.compare.length === 0) {
      this.root.hidden = true;
      document.body.classList.remove('comparer');
      for (const p of this.panels) p.atlas.map.remove();
      this.panels = [];
      this.grid.replaceChildren();
      return;
    }
    this.root.hidden = false;
    document.body.classList.add('comparer');
    this.root.dataset['cartes'] = String(s.compare.length);
    while (this.panels.length > s.compare.length) {
      const gone = this.panels.pop();
      gone?.atlas.map.remove();
      gone?.root.remove();
    }
    const views = s.compare.map((c) => resolve({ ...s, ...c, selection: s.selection }, this.host.indicators));
    views.forEach(({ state, ind }, i) => {
      let p = this.panels[i];
      if (!p) {
        p = new Panel(i, this.host, state, ind);
        this.bind(p);
        this.panels.push(p);
        this.grid.append(p.root);
      }
      p.view = state;
      p.ind = ind;
      p.atlas.setStudyArea(state.region);
      p.renderChoices(this.host.indicators);
    });
    this.renderTabs(s.compareActive);
    try {
      await Promise.all(this.panels.map((p) => this.draw(p, my)));
      if (my !== this.seq) return;
      this.showSelection();
      this.debug.error = null;
    } catch (err) {
      if (my !== this.seq) return;
      const msg = String(err instanceof Error ? err.message : err);
      this.debug.error = msg;
      this.host.say(`Erreur de la comparaison : ${msg}`);
    }
    this.debug.refreshes++;
  }

  private async draw(p: Panel, my: number): Promise<void> {
    const q = choroplethQuery(p.view);
    const key = JSON.stringify([p.view.indicator, q]);
    if (key === p.shown && p.ch) return;
    const [ch] = await Promise.all([getChoropleth(p.view.indicator, q), p.atlas.showLevel(q.level)]);
    if (my !== this.seq) return;
    p.ch = ch;
    p.shown = key;
    p.byId = new Map(ch.territories.map((t) => [t.id, t]));
    p.atlas.applyChoropleth(ch);
    renderLegend(p.legend, ch, p.ind, `comparaison-legende-${p.index + 1}`);
    // What tells the panels apart first: a phone's title is cut at two lines.
    const bits = [periodLabel(ch.period)];
    if (ch.sex !== 'ensemble') bits.push(SEX_LABELS[ch.sex]);
    bits.push(ch.label);
    p.title.textContent = bits.join(' · ');
    p.root.dataset['level'] = ch.level;
  }

  private bind(p: Panel): void {
    p.onChange = (c) => {
      const panels = [...this.host.state().compare];
      const before = panels[p.index];
      // Another indicator: its own period and sex, unless it has the panel's.
      const ind = this.host.indicators.find((i) => i.id === c.indicator);
      if (before && ind && before.indicator !== c.indicator) {
        c = {
          indicator: c.indicator,
          level: ind.levels.includes(c.level as Level) ? c.level : '',
          period: ind.vintages.includes(c.period) ? c.period : '',
          sex: ind.sexes.includes(c.sex) ? c.sex : 'ensemble',
        };
      }
      panels[p.index] = c;
      this.host.setCompare(panels, this.host.state().compareActive);
    };
    p.atlas.map.on('move', () => this.follow(p.atlas));
    p.atlas.onHover = (h) => this.hover(p, h?.feature ?? null);
    p.atlas.onClick = (f) => {
      const t = f ? p.byId.get(Number(f.id)) : undefined;
      this.host.select(t?.code ?? '');
    };
  }

  /** The hover of one panel, outlined and read out on every panel of its level. */
  private hover(from: Panel, f: FeatureRef | null): void {
    const level = levelOf(from.view);
    const t = f ? from.byId.get(Number(f.id)) : undefined;
    this.hovered = t ? { level, id: t.id } : null;
    for (const p of this.panels) {
      if (levelOf(p.view) !== level) continue;
      if (p !== from) p.atlas.hover(level, t?.id);
    }
    this.readAll();
  }

  /** Each panel's readout: the territory hovered, else the one selected. */
  private readAll(): void {
    const sel = this.host.state().selection;
    for (const p of this.panels) {
      const level = levelOf(p.view);
      const h = this.hovered && this.hovered.level === level ? p.byId.get(this.hovered.id) : undefined;
      const t = h ?? (sel ? p.ch?.territories.find((x) => x.code === sel) : undefined);
      p.read(t, t?.name ?? '');
      p.root.dataset['lecture'] = t?.code ?? '';
    }
  }

  /** The view's selection, outlined on every panel whose level has it. */
  showSelection(): void {
    const sel = this.host.state().selection;
    for (const p of this.panels) {
      const t = sel ? p.ch?.territories.find((x) => x.code === sel) : undefined;
      p.atlas.select(levelOf(p.view), t ?? null);
    }
    this.readAll();
  }

  private renderTabs(active: number): void {
    this.tabs.replaceChildren();
    this.panels.forEach((p, i) => {
      const b = el('button', { type: 'button', role: 'tab', 'aria-selected': String(i === active), 'aria-controls': `comparaison-titre-${i + 1}` });
      b.textContent = `Carte ${i + 1}`;
      b.addEventListener('click', () => this.host.setCompare(this.host.state().compare, i));
      b.addEventListener('keydown', (e) => {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        const n = this.panels.length;
        const j = (i + (e.key === 'ArrowRight' ? 1 : n - 1)) % n;
        this.host.setCompare(this.host.state().compare, j);
        requestAnimationFrame(() => (this.tabs.children[j] as HTMLElement | undefined)?.focus());
      });
      this.tabs.append(b);
      p.root.dataset['actif'] = String(i === active);
    });
    // A panel shown again after display:none has a canvas of the wrong size.
    requestAnimationFrame(() => this.panels.forEach((p) => p.atlas.map.resize()));
  }
}
