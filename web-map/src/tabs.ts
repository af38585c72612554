// Tabs of the workshop board (WAI-ARIA tabs pattern): a tablist whose
// arrow keys, Home and End move between tabs, one tabpanel shown at a time.
// A tab can carry a count (new contributions, an open poll) so that what
// happens in a hidden panel is still seen.
import { el } from './ui';

interface Tab {
  id: string;
  button: HTMLButtonElement;
  count: HTMLElement;
  panel: HTMLElement;
}

export class Tabs {
  readonly list: HTMLElement;
  private readonly tabs: Tab[] = [];
  private current = '';
  private readonly listeners: Array<(id: string) => void> = [];

  constructor(label: string, private readonly prefix: string) {
    this.list = el('div', { role: 'tablist', class: 'onglets', 'aria-label': label });
    this.list.addEventListener('keydown', (e) => {
      const i = this.tabs.findIndex((t) => t.id === this.current);
      let j = -1;
      if (e.key === 'ArrowRight') j = (i + 1) % this.tabs.length;
      else if (e.key === 'ArrowLeft') j = (i - 1 + this.tabs.length) % this.tabs.length;
      else if (e.key === 'Home') j = 0;
      else if (e.key === 'End') j = this.tabs.length - 1;
      if (j < 0) return;
      e.preventDefault();
      const t = this.tabs[j];
      if (t) this.select(t.id, true);
    });
  }

  /** Adds a tab and its panel (the panel's id is `${prefix}-${id}`). */
  add(id: string, label: string, panel: HTMLElement): HTMLButtonElement {
    const count = el('span', { class: 'onglet-compte', 'aria-hidden': 'true' });
    count.hidden = true;
    const button = el('button', { type: 'button', role: 'tab', id: `${this.prefix}-onglet-${id}`, 'aria-controls': `${this.prefix}-${id}`, 'data-onglet': id }, label, count);
    panel.id = `${this.prefix}-${id}`;
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', button.id);
    panel.tabIndex = 0;
    button.addEventListener('click', () => this.select(id));
    this.tabs.push({ id, button, count, panel });
    this.list.append(button);
    if (!this.current) this.select(id);
    else this.sync();
    return button;
  }

  select(id: string, focus = false): void {
    const t = this.tabs.find((x) => x.id === id);
    if (!t) return;
    const changed = id !== this.current;
    this.current = id;
    this.sync();
    if (focus) t.button.focus();
    if (changed) for (const cb of this.listeners) cb(id);
  }

  selected(): string {
    return this.current;
  }

  onSelect(cb: (id: string) => void): void {
    this.listeners.push(cb);
  }

  /** A count on a tab ('' hides it); `said` is its spoken form, added to the tab's name. */
  setCount(id: string, text: string, said = ''): void {
    const t = this.tabs.find((x) => x.id === id);
    if (!t) return;
    t.count.textContent = text;
    t.count.hidden = !text;
    const name = t.button.firstChild?.textContent ?? '';
    if (said) t.button.setAttribute('aria-label', `${name} (${said})`);
    else t.button.removeAttribute('aria-label');
  }

  private sync(): void {
    for (const t of this.tabs) {
      const on = t.id === this.current;
      t.button.setAttribute('aria-selected', String(on));
      t.button.tabIndex = on ? 0 : -1;
      t.panel.hidden = !on;
    }
  }
}
