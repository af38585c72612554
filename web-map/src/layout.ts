// The page's shape on phones. Above the breakpoint nothing here changes the
// layout: the side panel, the map and the right column sit side by side as
// they always did (laptops, projectors). Below it (a phone in portrait, or
// a touch screen lying down), the map takes the whole width and:
//
// - the side panel becomes a bottom sheet: only its handle shows (the
//   « Réglages » button and a one-line legend), a tap opens it over the
//   lower part of the map, another closes it. The sheet slides over the
//   map instead of resizing it, so opening it never moves the camera (a
//   participant who follows the facilitator keeps following);
// - the header's actions fold into a « Menu ».
//
// The CSS does the layout (style.css, @media of MOBILE_QUERY); this module
// keeps ARIA states, focus and `inert` right, since a closed sheet must not
// be reachable with Tab or a screen reader.
import type { Choropleth } from './api';

/** Same query as the @media block of style.css. */
export const MOBILE_QUERY = '(max-width: 760px), (pointer: coarse) and (max-height: 500px)';

export interface Layout {
  /** Whether the phone layout applies now. */
  isMobile(): boolean;
  /** Opens or closes the bottom sheet (no effect on wider screens). */
  openSheet(on: boolean): void;
  sheetOpen(): boolean;
  /** The handle's one-line legend (phones). */
  renderMiniLegend(ch: Choropleth): void;
  /** Called when the layout switches between phone and wide. */
  onChange(cb: (mobile: boolean) => void): void;
}

function must<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`élément #${id} absent de la page`);
  return e as T;
}

export function initLayout(): Layout {
  const mql = window.matchMedia(MOBILE_QUERY);
  const panel = must<HTMLElement>('panneau');
  const content = must<HTMLElement>('panneau-contenu');
  const toggle = must<HTMLButtonElement>('bouton-reglages');
  const mini = must<HTMLButtonElement>('legende-mini');
  const menuButton = must<HTMLButtonElement>('bouton-menu');
  const menu = must<HTMLElement>('menu-entete');
  const header = menuButton.closest('header');
  const arrow = document.createElement('span');
  arrow.setAttribute('aria-hidden', 'true');
  toggle.append(arrow);
  const listeners: Array<(mobile: boolean) => void> = [];
  let open = false;

  function apply(): void {
    const mobile = mql.matches;
    panel.dataset['ouvert'] = String(open);
    // The name stays « Réglages »; aria-expanded says whether it is open.
    toggle.setAttribute('aria-expanded', String(open));
    arrow.textContent = open ? ' ▾' : ' ▴';
    // A closed sheet is off screen: out of the Tab order and the a11y tree.
    content.inert = mobile && !open;
    mini.setAttribute('aria-expanded', String(open));
    const menuOpen = menuButton.getAttribute('aria-expanded') === 'true';
    menu.inert = mobile && !menuOpen;
    header?.classList.toggle('menu-ouvert', mobile && menuOpen);
  }

  function openSheet(on: boolean): void {
    if (on === open) return;
    open = on;
    apply();
  }

  function showMenu(on: boolean): void {
    menuButton.setAttribute('aria-expanded', String(on));
    apply();
  }

  toggle.addEventListener('click', () => openSheet(!open));
  // The skip link leads into the sheet: open it first.
  document.querySelector('.evitement')?.addEventListener('click', () => {
    if (mql.matches) openSheet(true);
  });
  // The legend line opens the sheet on its legend.
  mini.addEventListener('click', () => {
    openSheet(true);
    document.getElementById('legende')?.scrollIntoView({ block: 'start' });
  });
  panel.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !mql.matches || !open || e.defaultPrevented) return;
    const t = e.target as HTMLElement | null;
    if (t?.closest('input, select, textarea, [role="combobox"]')) return;
    e.preventDefault();
    openSheet(false);
    toggle.focus();
  });

  menuButton.addEventListener('click', () => showMenu(menuButton.getAttribute('aria-expanded') !== 'true'));
  // Choosing an action closes the menu; so do Escape and a tap elsewhere.
  menu.addEventListener('click', (e) => {
    if (mql.matches && (e.target as HTMLElement | null)?.closest('button, a')) showMenu(false);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && menuButton.getAttribute('aria-expanded') === 'true') {
      showMenu(false);
      menuButton.focus();
    }
  });
  document.addEventListener('pointerdown', (e) => {
    const t = e.target as Node | null;
    if (menuButton.getAttribute('aria-expanded') === 'true' && t && !menu.contains(t) && !menuButton.contains(t)) showMenu(false);
  });

  mql.addEventListener('change', () => {
    apply();
    for (const cb of listeners) cb(mql.matches);
  });
  apply();

  return {
    isMobile: () => mql.matches,
    openSheet,
    sheetOpen: () => open,
    renderMiniLegend(ch: Choropleth): void {
      const swatches = document.createElement('span');
      swatches.className = 'legende-mini-couleurs';
      swatches.setAttribute('aria-hidden', 'true');
      for (const c of ch.legend.filter((l) => l.kind === 'value')) {
        const s = document.createElement('span');
        s.style.backgroundColor = c.color;
        swatches.append(s);
      }
      const label = document.createElement('span');
      label.className = 'legende-mini-titre';
      label.textContent = ch.label;
      mini.replaceChildren(swatches, label);
      mini.setAttribute('aria-label', `Légende : ${ch.label}. Ouvrir la légende`);
    },
    onChange(cb) {
      listeners.push(cb);
    },
  };
}
