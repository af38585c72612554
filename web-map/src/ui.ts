// Small DOM helpers of the workshop mode. Every text goes in with
// textContent (names typed by participants included): no innerHTML.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element with its attributes (and text): the charts drawn without a library. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function button(label: string, attrs: Record<string, string> = {}, onClick?: (e: MouseEvent) => void): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

/**
 * A modal <dialog> (focus kept inside, Escape closes, the page behind
 * inert), removed from the page when closed.
 */
export function modal(labelId: string, className = ''): HTMLDialogElement {
  const d = el('dialog', { class: `atelier-dialogue ${className}`.trim(), 'aria-labelledby': labelId });
  d.addEventListener('close', () => d.remove());
  document.body.append(d);
  return d;
}

/** Copies text; falls back to selecting it (no clipboard API on plain http). */
async function copy(text: string, field?: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!field) return false;
    field.focus();
    field.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** A read-only link field with a copy button and a spoken confirmation. */
export function linkField(id: string, label: string, value: string, copyLabel: string): { root: HTMLElement; input: HTMLInputElement } {
  const input = el('input', { id, type: 'text', readonly: '', class: 'lien-champ', spellcheck: 'false' });
  input.value = value;
  input.addEventListener('focus', () => input.select());
  const said = el('span', { class: 'lien-copie', role: 'status', 'aria-live': 'polite' });
  const b = button(copyLabel, { class: 'lien-copier', 'aria-describedby': id });
  b.addEventListener('click', () => {
    void copy(input.value, input).then((ok) => {
      said.textContent = ok ? 'Copié' : 'Sélectionné : copiez avec Ctrl+C';
      window.setTimeout(() => (said.textContent = ''), 2500);
    });
  });
  const row = el('div', { class: 'lien-ligne' }, input, b, said);
  return { root: el('div', { class: 'lien' }, el('label', { for: id }, label), row), input };
}

/** Number of characters as a person counts them (not UTF-16 units). */
export function charCount(s: string): number {
  return [...s].length;
}

/** The page's element of that id; its absence is a bug of the page, said in French. */
export function must<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`élément #${id} absent de la page`);
  return e as T;
}
