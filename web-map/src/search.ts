// The territory search box: a combobox that queries
// /api/v1/territories?q=…&level=<current level> as the user types (the
// server ignores accents and case), a listbox navigable with the arrow keys,
// Enter to choose. Choosing flies the map to the territory's bounding box
// and selects it, which opens its profile.
import { getTerritory, type Level, type TerritoryRef } from './api';
import { LEVEL_LABELS } from './labels';
import type { AtlasMap } from './map';
import type { ProfilePanel } from './profile';
import type { ViewState } from './url-state';

export interface SearchContext {
  atlas: AtlasMap;
  state: () => ViewState;
  /** When given, the chosen territory's profile gets the focus. */
  profile?: ProfilePanel;
}

/**
 * A second search box (the profile's reference territory): its own ids,
 * label and levels, and what choosing does instead of selecting.
 */
export interface SearchOptions {
  /** Prefix of the box's element ids ('recherche' for the map's own). */
  id: string;
  label: string;
  /** The level searched; '' searches every level. */
  level: () => Level | '';
  choose: (t: TerritoryRef) => void;
}

interface SearchItem extends TerritoryRef {
  parents?: Record<string, string>;
}

const DEBOUNCE_MS = 180;
const LIMIT = 8;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export class TerritorySearch {
  private readonly input: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private readonly status: HTMLElement;
  private items: SearchItem[] = [];
  private active = -1;
  private timer: number | undefined;
  private inflight: AbortController | null = null;
  private seq = 0;
  /** Resolves when the last choice has been applied (tests, chaining). */
  lastChoice: Promise<void> = Promise.resolve();

  private readonly id: string;

  constructor(
    root: HTMLElement,
    private readonly ctx: SearchContext,
    private readonly opts?: SearchOptions,
  ) {
    const id = (this.id = opts?.id ?? 'recherche');
    root.classList.add('recherche');
    root.setAttribute('role', 'search');
    const label = el('label', { for: `${id}-saisie` }, opts?.label ?? 'Rechercher un territoire');
    this.input = el('input', {
      id: `${id}-saisie`,
      type: 'search',
      autocomplete: 'off',
      spellcheck: 'false',
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': 'false',
      'aria-controls': `${id}-resultats`,
      'aria-describedby': `${id}-aide`,
      placeholder: 'nom ou code',
    });
    const where = opts && !opts.level() ? 'Tous niveaux' : 'Au niveau affiché';
    const help = el('p', { id: `${id}-aide`, class: 'recherche-aide' }, `${where} ; flèches pour parcourir, Entrée pour choisir.`);
    this.list = el('ul', { id: `${id}-resultats`, role: 'listbox', 'aria-label': 'Territoires trouvés', class: 'recherche-resultats' });
    this.list.hidden = true;
    this.status = el('p', { class: 'recherche-etat', role: 'status', 'aria-live': 'polite' });
    root.replaceChildren(label, this.input, help, this.list, this.status);

    this.input.addEventListener('input', () => this.schedule());
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('blur', () => {
      // Let a click on an option land first.
      window.setTimeout(() => {
        if (document.activeElement !== this.input) this.showList(false);
      }, 150);
    });
    this.input.addEventListener('focus', () => {
      if (this.items.length > 0 && this.input.value.trim()) this.showList(true);
    });
  }

  private level(): Level | '' {
    return this.opts ? this.opts.level() : this.ctx.state().level || 'departement';
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.query(), DEBOUNCE_MS);
  }

  private async query(): Promise<void> {
    const q = this.input.value.trim();
    const my = ++this.seq;
    this.inflight?.abort();
    if (q.length < 2) {
      this.setItems([]);
      this.status.textContent = q.length === 1 ? 'Tapez au moins deux caractères.' : '';
      return;
    }
    const ac = new AbortController();
    this.inflight = ac;
    const level = this.level();
    try {
      const p = new URLSearchParams({ q, limit: String(LIMIT) });
      if (level) p.set('level', level);
      const res = await fetch(`/api/v1/territories?${p.toString()}`, { signal: ac.signal, headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      const body = (await res.json()) as { count: number; territories: SearchItem[] };
      if (my !== this.seq) return;
      this.setItems(body.territories ?? []);
      const lvl = level ? `niveau ${LEVEL_LABELS[level].toLowerCase()}` : 'tous niveaux';
      this.status.textContent =
        this.items.length === 0
          ? `Aucun territoire trouvé (${lvl}).`
          : `${this.items.length} résultat${this.items.length > 1 ? 's' : ''} (${lvl}).`;
    } catch (err) {
      if (ac.signal.aborted) return;
      this.setItems([]);
      this.status.textContent = `Recherche impossible : ${String(err)}`;
    }
  }

  private setItems(items: SearchItem[]): void {
    this.items = items;
    this.active = -1;
    this.list.replaceChildren(
      ...items.map((t, i) => {
        const li = el('li', {
          id: `${this.id}-option-${i}`,
          role: 'option',
          'aria-selected': 'false',
          'data-code': t.code,
          'data-level': t.level,
        });
        li.append(el('span', { class: 'recherche-nom' }, t.name), ' ', el('span', { class: 'recherche-code' }, this.opts && !this.opts.level() ? `${LEVEL_LABELS[t.level]} ${t.code}` : t.code));
        // mousedown: keep the focus in the input, then choose on click.
        li.addEventListener('mousedown', (e) => e.preventDefault());
        li.addEventListener('click', () => this.choose(i));
        return li;
      }),
    );
    this.showList(items.length > 0);
  }

  private showList(on: boolean): void {
    this.list.hidden = !on;
    this.input.setAttribute('aria-expanded', String(on));
    if (!on) this.input.removeAttribute('aria-activedescendant');
  }

  private setActive(i: number): void {
    const n = this.items.length;
    if (n === 0) return;
    this.active = ((i % n) + n) % n;
    this.list.querySelectorAll('[role="option"]').forEach((o, k) => o.setAttribute('aria-selected', String(k === this.active)));
    this.input.setAttribute('aria-activedescendant', `${this.id}-option-${this.active}`);
    this.list.children[this.active]?.scrollIntoView({ block: 'nearest' });
  }

  private onKey(e: KeyboardEvent): void {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (this.list.hidden && this.items.length > 0) this.showList(true);
        this.setActive(this.active + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        if (this.list.hidden && this.items.length > 0) this.showList(true);
        this.setActive(this.active < 0 ? -1 : this.active - 1);
        break;
      case 'Home':
      case 'End':
        if (!this.list.hidden && this.items.length > 0) {
          e.preventDefault();
          this.setActive(e.key === 'Home' ? 0 : this.items.length - 1);
        }
        break;
      case 'Enter':
        e.preventDefault();
        if (this.items.length > 0) this.choose(this.active >= 0 ? this.active : 0);
        break;
      case 'Escape':
        e.preventDefault();
        if (!this.list.hidden) this.showList(false);
        else this.input.value = '';
        break;
    }
  }

  private choose(i: number): void {
    const t = this.items[i];
    if (!t) return;
    this.showList(false);
    this.input.value = t.name;
    this.status.textContent = `${t.name} (${t.code}) sélectionné.`;
    if (this.opts) {
      this.opts.choose(t);
      return;
    }
    this.ctx.profile?.focusNext();
    this.lastChoice = this.flyTo(t.level, t.code);
  }

  /** Selects a territory (the profile opens) and flies the map to its bounding box. */
  async flyTo(level: Level, code: string): Promise<void> {
    const detail = await getTerritory(level, code);
    if (this.ctx.profile) this.ctx.profile.select(detail.id);
    else this.ctx.atlas.onClick({ id: detail.id });
    // The profile panel opens and the map shrinks: fit the bounds after that.
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const map = this.ctx.atlas.map;
    const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
    if (detail.bbox) {
      const [w, s, e, n] = detail.bbox;
      map.fitBounds(
        [
          [w, s],
          [e, n],
        ],
        { padding: 40, maxZoom: 11, duration: reduce ? 0 : 900 },
      );
    } else if (detail.centroid) {
      map.flyTo({ center: detail.centroid, zoom: Math.max(map.getZoom(), 8), duration: reduce ? 0 : 900 });
    }
  }
}

export function initSearch(ctx: SearchContext): TerritorySearch {
  const root = document.getElementById('recherche');
  if (!root) throw new Error('élément #recherche absent de la page');
  return new TerritorySearch(root, ctx);
}
