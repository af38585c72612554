// The workshop bar over the top of the map, on every screen of a workshop:
// who drives and whether this screen follows (the persistent banner every
// follow mode studied has), the one button that leaves or rejoins, « Montrer »,
// and one line of news: connection lost, workshop closed, who points where.
import { el } from './ui';

export type BarTone = 'suit' | 'explore' | 'anime' | 'ferme' | 'neutre';

export class WorkshopBar {
  readonly root: HTMLElement;
  private readonly text: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly news: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly pointer: HTMLElement;
  private resizeObs: ResizeObserver | null = null;

  /** `live`: the banner's changes are read aloud (a participant's « Vous explorez seul »…). */
  constructor(container: HTMLElement, live = false) {
    this.text = el('p', { class: 'atelier-barre-texte', id: 'atelier-barre-texte' });
    if (live) this.text.setAttribute('aria-live', 'polite');
    this.actions = el('div', { class: 'atelier-barre-actions' });
    // Connection and errors: a live region; the pointer has its own, so
    // that one does not cut the other short.
    this.news = el('p', { class: 'atelier-barre-etat', role: 'status', 'aria-live': 'polite' });
    this.alert = el('p', { class: 'atelier-barre-erreur', role: 'alert' });
    this.pointer = el('p', { class: 'atelier-barre-pointeur', role: 'status', 'aria-live': 'polite' });
    this.root = el(
      'section',
      { id: 'atelier-barre', class: 'atelier-barre', 'aria-label': 'Atelier en direct', 'data-ton': 'neutre' },
      el('div', { class: 'atelier-barre-ligne' }, this.text, this.actions),
      this.news,
      this.alert,
      this.pointer,
    );
    for (const p of [this.news, this.alert, this.pointer]) p.hidden = true;
    container.append(this.root);
  }

  /** The banner: its text, its tone (colour) and its buttons. */
  set(text: string, tone: BarTone, ...buttons: HTMLElement[]): void {
    this.text.textContent = text;
    this.root.dataset['ton'] = tone;
    // Same buttons: left in place, so that a focused one keeps the focus.
    const same = buttons.length === this.actions.children.length && buttons.every((b, i) => this.actions.children[i] === b);
    if (!same) this.actions.replaceChildren(...buttons);
  }

  /** Connection state and the like ('' clears). */
  setNews(msg: string): void {
    this.news.textContent = msg;
    this.news.hidden = !msg;
  }

  private alertTimer: number | undefined;
  /** An error answered by the server, for a while. */
  error(msg: string, ms = 8000): void {
    window.clearTimeout(this.alertTimer);
    this.alert.textContent = msg;
    this.alert.hidden = !msg;
    if (msg) this.alertTimer = window.setTimeout(() => this.error(''), ms);
  }

  setPointer(msg: string): void {
    this.pointer.textContent = msg;
    this.pointer.hidden = !msg;
  }

  /** Keeps the map's top-right controls below the bar (they would be under it). */
  watchHeight(cb: (h: number) => void): void {
    this.resizeObs = new ResizeObserver(() => cb(this.root.offsetHeight + this.root.offsetTop));
    this.resizeObs.observe(this.root);
  }

  /** Height of the map covered by the bar, in CSS pixels. */
  covered(): number {
    return this.root.offsetTop + this.root.offsetHeight;
  }
}
