// The profile panel of the selected territory: every indicator of its
// profile (/api/v1/territories/{level}/{code}/profile) grouped by theme, with
// the latest value, the rank among its siblings, the comparison with a
// reference territory (its région unless the user chose another: `ref=` in
// the link), the change since the first period with the rank change, women
// and men side by side for the indicators by sex, and a small inline SVG
// time-series chart (no chart library).
//
// The selection lives in the URL (`sel`): the panel follows it. It changes
// the selection by rewriting the hash, which main.ts already listens to, so
// the map, the URL and the panel stay one state.
import { ApiError, getJSON, getTerritory, type Indicator, type Level, type Sex, type TerritoryDetail, type TerritoryRef } from './api';
import { rankChangeText } from './analysis';
import { changeUnit, formatValue, LEVEL_LABELS, periodLabel } from './labels';
import type { AtlasMap } from './map';
import { TerritorySearch } from './search';
import { el as node, svg } from './ui';
import type { ViewState } from './url-state';

export type ProfileStatus = 'published' | 'secret' | 'missing' | 'provisional' | 'estimated';

export interface ProfileReference {
  level: string;
  code: string;
  name: string;
  value?: number | null;
  status: ProfileStatus;
  label?: string;
  reason?: string;
}

export interface SeriesPoint {
  period: string;
  value?: number | null;
  status: ProfileStatus;
}

export interface ProfileEntry {
  indicator: string;
  label: string;
  theme: string;
  theme_label: string;
  unit: string;
  decimals: number;
  polarity: string;
  period: string;
  value?: number | null;
  status: ProfileStatus;
  rank?: { rank: number; of: number; among: string };
  region?: ProfileReference;
  /** The reference territory's value at the same period (the région by default). */
  reference?: ProfileReference;
  /** From the first period of the series to the latest (absolute), with the ranks at both. */
  change?: ProfileChange;
  series?: SeriesPoint[];
  source?: string;
  notice?: string;
}

export interface ProfileChange {
  from: string;
  to: string;
  value?: number | null;
  status: ProfileStatus;
  rank_from?: number;
  rank_to?: number;
  rank_change?: number;
}

export interface Profile {
  territory: TerritoryRef;
  /** The territory compared with: the one asked for, else the région. */
  reference?: TerritoryRef;
  indicators: ProfileEntry[];
}

/** One sex's value of an indicator at a period (GET /indicators/{id}/values). */
interface SexValue {
  sex: Sex;
  value?: number | null;
  status: ProfileStatus;
}

/** The five themes of the catalogue, in their order; labels from the catalogue win. */
const THEMES: ReadonlyArray<[string, string]> = [
  ['emploi-entreprises', 'Emploi et entreprises'],
  ['exposition', 'Expositions professionnelles'],
  ['sinistralite', 'Sinistralité (AT/MP)'],
  ['prevention', 'Prévention'],
  ['maintien-emploi', 'Maintien en emploi'],
];

const LEVEL_PLURALS: Record<Level, [string, string]> = {
  france: ['territoire', 'territoires'],
  region: ['région', 'régions'],
  departement: ['département', 'départements'],
  'zone-emploi': ["zone d'emploi", "zones d'emploi"],
  commune: ['commune', 'communes'],
};

const seg = (s: string): string => encodeURIComponent(s);

/** The profile of a territory, compared with `ref` (`departement:34`, `france`; '' for its région). */
export function getProfile(level: Level, code: string, signal?: AbortSignal, ref = ''): Promise<Profile> {
  const q = ref ? `?ref=${encodeURIComponent(ref)}` : '';
  return getJSON<Profile>(`/api/v1/territories/${seg(level)}/${seg(code)}/profile${q}`, signal);
}

/** Women's and men's values of one territory at one period (the API gates them as every value). */
async function sexValues(id: string, level: Level, code: string, period: string, signal: AbortSignal): Promise<SexValue[]> {
  const p = new URLSearchParams({ level, within: `${level}:${code}`, period, sector: 'ensemble' });
  const body = await getJSON<{ values: Array<SexValue & { code: string }> }>(`/api/v1/indicators/${seg(id)}/values?${p.toString()}`, signal);
  return body.values.filter((v) => v.code === code && (v.sex === 'femmes' || v.sex === 'hommes'));
}

/** « Région Occitanie », « Département Hérault », « France ». */
export function referenceName(r: { level: string; code: string; name: string }): string {
  if (r.level === 'france') return 'France';
  const label = LEVEL_LABELS[r.level as Level] ?? r.level;
  return `${label} ${r.name || r.code}`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}


function hasValue(s: ProfileStatus, v: number | null | undefined): v is number {
  return (s === 'published' || s === 'provisional' || s === 'estimated') && typeof v === 'number' && Number.isFinite(v);
}

function number(v: number, decimals: number): string {
  return v.toLocaleString('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** The value as the panel shows it: formatted with unit, or why there is none. */
export function valueText(status: ProfileStatus, value: number | null | undefined, decimals: number, unit: string): string {
  if (status === 'secret') return 'secret statistique';
  if (!hasValue(status, value)) return 'donnée manquante';
  const v = formatValue(value, decimals, unit);
  if (status === 'provisional') return `${v} (provisoire)`;
  if (status === 'estimated') return `${v} (estimation)`;
  return v;
}

function ordinal(n: number, feminine: boolean): string {
  return n === 1 ? (feminine ? '1re' : '1er') : `${n}e`;
}

/** « 3e sur 13 départements de la région Occitanie ». */
export function rankText(rank: { rank: number; of: number; among: string }, level: Level, regionName: string | undefined): string {
  const [one, many] = LEVEL_PLURALS[level];
  const feminine = level === 'region' || level === 'zone-emploi' || level === 'commune';
  const what = rank.of > 1 ? many : one;
  const head = `${ordinal(rank.rank, feminine)} sur ${rank.of.toLocaleString('fr-FR')} ${what}`;
  const m = /^région (.+)$/.exec(rank.among);
  if (m) return `${head} de la région ${regionName ?? m[1]}`;
  if (rank.among === 'ensemble des régions') return `${head} (France entière)`;
  return rank.among ? `${head} (${rank.among})` : head;
}

function comparisonText(e: ProfileEntry, aggregation: string | undefined, ownRegion: string | undefined): string {
  const r = e.reference ?? e.region;
  if (!r) return '';
  // The territory's own région (not another one chosen as the reference).
  const isRegion = r.level === 'region' && (!e.reference || r.code === ownRegion);
  const title = referenceName(r);
  if (!hasValue(r.status, r.value)) {
    const why = r.status === 'secret' ? 'secret statistique' : r.reason ? r.reason : 'donnée manquante';
    return `${title} : ${why}`;
  }
  const ref = `${title} : ${formatValue(r.value, e.decimals, e.unit)}`;
  if (!hasValue(e.status, e.value)) return ref;
  // A count's share of a total that contains it (its région, France);
  // another territory's count is compared by difference, like a rate.
  if (aggregation === 'sum' && (isRegion || r.level === 'france')) {
    if (r.value === 0) return ref;
    const share = (100 * e.value) / r.value;
    return `${ref}, soit ${number(share, 1)}\u00a0% ${isRegion ? 'du total régional' : 'du total national'}`;
  }
  const diff = e.value - r.value;
  const rounded = Number(diff.toFixed(e.decimals));
  const of = r.level === 'france' ? 'de la France' : r.level === 'region' ? 'de la région' : 'de la référence';
  if (rounded === 0) return `${ref} (valeur égale à celle ${of})`;
  const sign = rounded > 0 ? '+' : '−';
  return `${ref} ; écart ${sign}${number(Math.abs(diff), e.decimals)} (${rounded > 0 ? 'au-dessus' : 'en dessous'} ${of})`;
}

/** « Évolution 2020 → 2023 : +1,2 … ; rang 5 → 3 (gagne 2 places) »; secret or missing say so. */
function changeText(e: ProfileEntry): string {
  const c = e.change;
  if (!c) return '';
  const head = `Évolution ${periodLabel(c.from)} → ${periodLabel(c.to)}`;
  if (c.status === 'secret') return `${head} : secret statistique`;
  if (!hasValue(c.status, c.value)) return `${head} : donnée manquante`;
  const v = c.value;
  const abs = formatValue(Math.abs(v), e.decimals, changeUnit(e.unit));
  let text = `${head} : ${v > 0 ? '+' : v < 0 ? '−' : ''}${abs}`;
  if (typeof c.rank_from === 'number' && typeof c.rank_to === 'number') {
    text += ` ; rang ${c.rank_from} → ${c.rank_to} (${rankChangeText(c.rank_change ?? c.rank_from - c.rank_to)})`;
  }
  return text;
}

/** A period as a decimal year ("2023-T3" → 2023.5); NaN when not a date. */
export function periodTime(p: string): number {
  const m = /^(\d{4})(?:-T([1-4]))?$/.exec(p);
  if (!m) return NaN;
  return Number(m[1]) + (m[2] ? (Number(m[2]) - 1) / 4 : 0);
}

/**
 * A small time-series chart: one path per run of values (secret and missing
 * periods are gaps), the minimum and maximum on the y axis, the first and
 * last periods on the x axis.
 */
export function seriesChart(series: SeriesPoint[], decimals: number, unit: string, label: string): SVGSVGElement | HTMLElement {
  const values = series.filter((p) => hasValue(p.status, p.value)).map((p) => p.value as number);
  const gaps = series.length - values.length;
  if (series.length < 2 || values.length === 0) {
    const only = series[0];
    return el(
      'p',
      { class: 'profil-serie-vide' },
      series.length === 0 ? 'Pas de série temporelle.' : series.length === 1 && only ? `Série : une seule période (${periodLabel(only.period)}).` : 'Série sans valeur publiée.',
    );
  }
  const W = 300;
  const H = 92;
  const left = 58;
  const right = 6;
  const top = 8;
  const bottom = 20;
  const pw = W - left - right;
  const ph = H - top - bottom;
  let min = Math.min(...values);
  let max = Math.max(...values);
  const first = series[0];
  const last = series[series.length - 1];
  const desc =
    `${label} : évolution de ${periodLabel(first?.period ?? '')} à ${periodLabel(last?.period ?? '')}, ` +
    `minimum ${formatValue(min, decimals, unit)}, maximum ${formatValue(max, decimals, unit)}` +
    (gaps > 0 ? ` ; ${gaps} période${gaps > 1 ? 's' : ''} sans valeur publiée (secret ou manquante)` : '');
  const root = svg('svg', { class: 'profil-serie', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': desc });
  root.append(svg('title', {}, desc));
  const lo = min;
  const hi = max;
  if (max === min) {
    min -= 1;
    max += 1;
  }
  // Periods placed by date, not by rank: census years (1936, 1954, 1962…) are
  // irregular, and an even spacing would bend the trend.
  const times = series.map((p) => periodTime(p.period));
  const t0 = times[0] ?? 0;
  const span = (times[times.length - 1] ?? 0) - t0;
  const byDate = times.every((t) => Number.isFinite(t)) && span > 0;
  const x = (i: number): number =>
    left + (series.length === 1 ? pw / 2 : byDate ? (((times[i] ?? t0) - t0) * pw) / span : (i * pw) / (series.length - 1));
  root.dataset['axis'] = byDate ? 'date' : 'rang';
  const y = (v: number): number => top + ph - ((v - min) / (max - min)) * ph;
  // Axes and their labels.
  root.append(
    svg('line', { class: 'axe', x1: left, y1: top, x2: left, y2: top + ph }),
    svg('line', { class: 'axe', x1: left, y1: top + ph, x2: left + pw, y2: top + ph }),
    svg('text', { class: 'etiquette', x: left - 4, y: y(hi) + 3, 'text-anchor': 'end', 'data-axis': 'max' }, number(hi, decimals)),
    svg('text', { class: 'etiquette', x: left - 4, y: y(lo) + 3, 'text-anchor': 'end', 'data-axis': 'min' }, number(lo, decimals)),
    svg('text', { class: 'etiquette', x: left, y: H - 4, 'text-anchor': 'start' }, first?.period ?? ''),
    svg('text', { class: 'etiquette', x: left + pw, y: H - 4, 'text-anchor': 'end' }, last?.period ?? ''),
  );
  // Runs of consecutive values; a lone value between gaps is a dot.
  let run: string[] = [];
  let runStart = -1;
  let runs = 0;
  const flush = (): void => {
    if (run.length === 1) {
      const [cx, cy] = (run[0] ?? '0,0').split(',');
      root.append(svg('circle', { class: 'serie-point', cx: cx ?? 0, cy: cy ?? 0, r: 1.8, 'data-run': runs }));
    } else if (run.length > 1) {
      root.append(svg('polyline', { class: 'serie-ligne', points: run.join(' '), 'data-run': runs, 'data-from': runStart }));
    }
    if (run.length > 0) runs++;
    run = [];
  };
  series.forEach((p, i) => {
    if (hasValue(p.status, p.value)) {
      if (run.length === 0) runStart = i;
      run.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
    } else {
      flush();
      // A faint tick on the x axis marks the gap.
      root.append(svg('line', { class: `serie-trou serie-trou-${p.status}`, x1: x(i), y1: top + ph - 3, x2: x(i), y2: top + ph + 3 }));
    }
  });
  flush();
  root.dataset['runs'] = String(runs);
  root.dataset['gaps'] = String(gaps);
  if (last && hasValue(last.status, last.value)) {
    root.append(svg('circle', { class: 'serie-dernier', cx: x(series.length - 1), cy: y(last.value), r: 2.6 }));
  }
  return root;
}

export interface ProfileContext {
  atlas: AtlasMap;
  /** The current view state (main.ts owns it). */
  state: () => ViewState;
  indicators: Indicator[];
  /**
   * While true, a new selection made elsewhere (a followed workshop view)
   * is taken as seen without opening the panel.
   */
  hold?: () => boolean;
  /** Chooses the reference territory ('' for the région): main.ts keeps it in the state and the link. */
  setReference?: (ref: string) => void;
}

export class ProfilePanel {
  private readonly root: HTMLElement;
  private shownKey = '';
  private inflight: AbortController | null = null;
  private returnFocus: HTMLElement | null = null;
  private link: HTMLAnchorElement | null = null;
  private focusOnOpen = false;
  /** The shown territory's région code (what a count is a share of). */
  private ownRegion: string | undefined;

  constructor(private readonly ctx: ProfileContext) {
    const root = document.getElementById('profil');
    if (!root) throw new Error('élément #profil absent de la page');
    this.root = root;
    this.root.setAttribute('aria-label', 'Profil du territoire');
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        this.close();
      }
    });
    // Escape closes the panel from anywhere, except inside a form field,
    // where it belongs to the field (the search box closes its list).
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.defaultPrevented || this.root.hidden) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.closest('input, select, textarea, [role="combobox"]') || this.root.contains(t))) return;
      e.preventDefault();
      this.close();
    });
  }

  /**
   * Selects a territory of the current level by its feature id (null:
   * none) the way a click on the map does: main.ts updates its state, the
   * URL and the highlight, then the panel follows.
   */
  select(id: number | null): void {
    this.ctx.atlas.onClick(id === null ? null : { id });
  }

  isOpen(): boolean {
    return !this.root.hidden;
  }

  /** Opens the next profile with the focus on its title (keyboard users). */
  focusNext(): void {
    this.focusOnOpen = true;
  }

  /** Follows the state: opens, reloads or closes the panel. Idempotent. */
  sync(): void {
    const s = this.ctx.state();
    const level: Level = s.level || 'departement';
    const key = s.selection ? `${level}/${s.selection}?${s.reference}` : '';
    if (key === this.shownKey) {
      if (this.link) this.link.href = location.href;
      return;
    }
    this.shownKey = key;
    if (!key || this.ctx.hold?.()) {
      this.hide();
      this.shownKey = key;
      return;
    }
    void this.load(level, s.selection, s.reference);
  }

  /** Hides the panel but keeps the selection (a phone going back to following). */
  holdNow(): void {
    if (this.root.hidden) return;
    const key = this.shownKey;
    this.hide();
    this.shownKey = key;
  }

  /** Clears the selection (the URL, the map and the panel follow). */
  close(): void {
    const focus = this.returnFocus;
    this.inflight?.abort();
    // State first, then hide: hiding resizes the map, whose moveend writes
    // main.ts's state to the URL, which must already have no selection.
    this.select(null);
    if (!this.root.hidden) this.hide();
    if (focus && document.contains(focus)) focus.focus();
  }

  private hide(): void {
    this.inflight?.abort();
    this.inflight = null;
    this.shownKey = '';
    this.root.hidden = true;
    this.root.replaceChildren();
    this.link = null;
    delete this.root.dataset['level'];
    delete this.root.dataset['code'];
    this.root.dataset['state'] = 'closed';
  }

  private async load(level: Level, code: string, ref: string): Promise<void> {
    this.inflight?.abort();
    const ac = new AbortController();
    this.inflight = ac;
    if (this.root.hidden) {
      const active = document.activeElement;
      this.returnFocus = active instanceof HTMLElement && active !== document.body ? active : null;
    }
    this.root.hidden = false;
    this.root.dataset['state'] = 'loading';
    this.root.dataset['level'] = level;
    this.root.dataset['code'] = code;
    this.root.replaceChildren(this.header(code, `${LEVEL_LABELS[level]} ${code}`), el('p', { class: 'profil-chargement', role: 'status' }, 'Chargement du profil…'));
    try {
      const [detail, profile] = await Promise.all([getTerritory(level, code, ac.signal), getProfile(level, code, ac.signal, ref)]);
      if (ac.signal.aborted) return;
      this.render(level, detail, profile, ref);
      this.root.dataset['state'] = 'ready';
      void this.fillSexes(level, code, profile, ac.signal);
    } catch (err) {
      if (ac.signal.aborted) return;
      const msg =
        err instanceof ApiError && err.status === 404
          ? `Aucun territoire « ${code} » au niveau ${LEVEL_LABELS[level].toLowerCase()}.`
          : `Profil indisponible : ${err instanceof ApiError ? `${err.title} ${err.detail}` : String(err)}`;
      this.root.replaceChildren(this.header(code, LEVEL_LABELS[level]), el('p', { class: 'profil-erreur', role: 'alert' }, msg));
      this.root.dataset['state'] = 'error';
    }
    if (this.focusOnOpen) {
      this.focusOnOpen = false;
      document.getElementById('profil-titre')?.focus();
    }
  }

  private header(title: string, subtitle: string): HTMLElement {
    const head = el('div', { class: 'profil-entete' });
    const h = el('h2', { id: 'profil-titre', tabindex: '-1' }, title);
    const close = el('button', { type: 'button', class: 'profil-fermer', 'aria-label': 'Fermer le profil (Échap)', title: 'Fermer (Échap)' }, '×');
    close.addEventListener('click', () => this.close());
    head.append(h, close);
    const wrap = el('div');
    wrap.append(head, el('p', { class: 'profil-niveau' }, subtitle));
    return wrap;
  }

  private render(level: Level, detail: TerritoryDetail, profile: Profile, ref: string): void {
    const region = detail.parents?.find((p) => p.level === 'region');
    this.ownRegion = detail.level === 'region' ? undefined : region?.code;
    const t = profile.territory;
    this.root.setAttribute('aria-label', `Profil du territoire : ${t.name}`);
    const sub = [`${LEVEL_LABELS[level]} ${t.code}`];
    if (region) sub.push(`région ${region.name}`);
    const parts: HTMLElement[] = [this.header(t.name, sub.join(' · '))];

    const link = el('a', { class: 'profil-lien', href: location.href }, 'Lien vers cette vue');
    const refresh = (): void => {
      link.href = location.href;
    };
    link.addEventListener('focus', refresh);
    link.addEventListener('pointerdown', refresh);
    this.link = link;
    const p = el('p', { class: 'profil-lien-ligne' });
    p.append(link);
    parts.push(p);
    parts.push(this.referenceBox(profile, ref, region));

    const catalogue = new Map(this.ctx.indicators.map((i) => [i.id, i]));
    const themeLabel = new Map<string, string>(THEMES);
    for (const i of this.ctx.indicators) themeLabel.set(i.theme, i.theme_label);
    for (const e of profile.indicators) if (e.theme_label) themeLabel.set(e.theme, e.theme_label);
    const order = [...THEMES.map(([id]) => id)];
    for (const e of profile.indicators) if (!order.includes(e.theme)) order.push(e.theme);

    if (profile.indicators.length === 0) {
      parts.push(el('p', { class: 'profil-vide' }, 'Aucun indicateur disponible pour ce territoire.'));
    }
    for (const theme of order) {
      const entries = profile.indicators.filter((e) => e.theme === theme);
      const section = el('section', { class: 'profil-theme', 'data-theme': theme, 'aria-labelledby': `profil-theme-${theme}` });
      section.append(el('h3', { id: `profil-theme-${theme}` }, themeLabel.get(theme) ?? theme));
      if (entries.length === 0) {
        section.append(el('p', { class: 'profil-vide' }, 'Aucun indicateur de ce thème pour ce territoire.'));
      }
      for (const e of entries) {
        const info = catalogue.get(e.indicator) as (Indicator & { aggregation?: string }) | undefined;
        section.append(this.entry(e, level, region?.name, info?.aggregation));
      }
      parts.push(section);
    }
    this.root.replaceChildren(...parts);
  }

  /**
   * « Comparer avec » : the reference territory named, a choice of the
   * région or France, and a search box for any other territory (all levels).
   */
  private referenceBox(profile: Profile, ref: string, region: TerritoryRef | undefined): HTMLElement {
    const box = el('section', { class: 'profil-ref', 'aria-labelledby': 'profil-ref-titre', 'data-ref': ref });
    box.append(el('h3', { id: 'profil-ref-titre' }, 'Comparer avec'));
    const r = profile.reference;
    box.append(el('p', { class: 'profil-ref-actuelle', 'data-level': r?.level ?? '', 'data-code': r?.code ?? '' }, r ? referenceName(r) + (ref ? '' : ' (par défaut)') : 'aucune référence'));
    const set = this.ctx.setReference;
    if (!set) return box;
    const quick = el('div', { class: 'profil-ref-choix' });
    const choice = (label: string, value: string): HTMLButtonElement => {
      const b = el('button', { type: 'button', 'aria-pressed': String(ref === value), 'data-ref': value }, label);
      b.addEventListener('click', () => set(value));
      return b;
    };
    quick.append(choice(region ? `Région ${region.name}` : 'Sa région', ''), choice('France', 'france'));
    box.append(quick);
    const search = el('div', { class: 'profil-ref-recherche' });
    new TerritorySearch(search, { atlas: this.ctx.atlas, state: this.ctx.state }, {
      id: 'profil-ref',
      label: 'Autre territoire de référence',
      level: () => '',
      choose: (t) => set(t.level === 'france' ? 'france' : `${t.level}:${t.code}`),
    });
    box.append(search);
    return box;
  }

  /** Women's and men's values of the indicators by sex, side by side. */
  private async fillSexes(level: Level, code: string, profile: Profile, signal: AbortSignal): Promise<void> {
    if (level === 'commune' || level === 'france') return;
    await Promise.all(
      profile.indicators.map(async (e) => {
        const dl = this.root.querySelector<HTMLElement>(`article[data-indicator="${CSS.escape(e.indicator)}"] .profil-sexes`);
        if (!dl) return;
        try {
          const vals = await sexValues(e.indicator, level, code, e.period, signal);
          if (signal.aborted) return;
          const f = vals.find((v) => v.sex === 'femmes');
          const h = vals.find((v) => v.sex === 'hommes');
          dl.replaceChildren(
            node('div', { 'data-sex': 'femmes', 'data-status': f?.status ?? 'missing' }, node('dt', {}, 'Femmes'), node('dd', {}, sexCell(f, e))),
            node('div', { 'data-sex': 'hommes', 'data-status': h?.status ?? 'missing' }, node('dt', {}, 'Hommes'), node('dd', {}, sexCell(h, e))),
          );
          dl.dataset['state'] = 'ready';
        } catch {
          if (signal.aborted) return;
          dl.replaceChildren(node('div', {}, node('dt', {}, 'Par sexe'), node('dd', {}, 'indisponible')));
          dl.dataset['state'] = 'error';
        }
      }),
    );
    if (!signal.aborted) this.root.dataset['sexes'] = 'ready';
  }

  private entry(e: ProfileEntry, level: Level, regionName: string | undefined, aggregation: string | undefined): HTMLElement {
    const art = el('article', { class: 'profil-indicateur', 'data-indicator': e.indicator, 'data-status': e.status, 'data-period': e.period });
    if (hasValue(e.status, e.value)) art.dataset['value'] = String(e.value);
    art.append(el('h4', {}, e.label));
    const v = el('p', { class: 'profil-valeur' });
    v.append(el('strong', { class: `profil-statut-${e.status}` }, valueText(e.status, e.value, e.decimals, e.unit)));
    if (e.period) v.append(' ', el('span', { class: 'profil-periode' }, `(${periodLabel(e.period)})`));
    art.append(v);
    if (e.rank) {
      art.append(el('p', { class: 'profil-rang', 'data-rank': String(e.rank.rank), 'data-of': String(e.rank.of) }, rankText(e.rank, level, regionName)));
    }
    const cmp = comparisonText(e, aggregation, this.ownRegion);
    if (cmp) art.append(el('p', { class: 'profil-region profil-reference', 'data-ref': e.reference ? `${e.reference.level}:${e.reference.code}` : '' }, cmp));
    const change = changeText(e);
    if (change) {
      art.append(el('p', { class: 'profil-evolution', 'data-status': e.change?.status ?? '', 'data-rank-change': String(e.change?.rank_change ?? '') }, change));
    }
    // Women and men side by side, filled once their values arrive.
    const info = this.ctx.indicators.find((i) => i.id === e.indicator);
    if (info && info.sexes.includes('femmes') && info.sexes.includes('hommes') && e.period) {
      art.append(el('dl', { class: 'profil-sexes', 'data-state': 'loading' }));
    }
    art.append(seriesChart(e.series ?? [], e.decimals, e.unit, e.label));
    if (e.notice) art.append(el('p', { class: 'profil-avis', role: 'note' }, e.notice));
    return art;
  }
}

/** The value of one sex as the panel shows it. */
function sexCell(v: SexValue | undefined, e: ProfileEntry): string {
  return v ? valueText(v.status, v.value, e.decimals, e.unit) : 'donnée manquante';
}

/** Creates the panel and wires it to the map clicks, the URL and the map's idle events. */
export function initProfile(ctx: ProfileContext): ProfilePanel {
  const panel = new ProfilePanel(ctx);
  const previous = ctx.atlas.onClick;
  ctx.atlas.onClick = (f) => {
    previous(f);
    panel.sync();
  };
  window.addEventListener('hashchange', () => panel.sync());
  // After every refresh (level, indicator…) and every move: cheap when nothing changed.
  ctx.atlas.map.on('idle', () => panel.sync());
  panel.sync();
  return panel;
}
