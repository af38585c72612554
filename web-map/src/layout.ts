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
//
// A workshop adds panes to the sheet (addPane: its board): each has its tab
// in the handle, next to « Réglages », and the sheet shows one pane at a
// time. On wider screens a pane leaves the sheet for its home (the right
// column), and its tab is hidden with the handle.
import { must } from './ui';
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
  /**
   * Adds a pane to the sheet, opened by `tab` (put in the handle); on wider
   * screens the pane is moved to the start of `home()`.
   */
  addPane(tab: HTMLButtonElement, pane: HTMLElement, home: () => HTMLElement | null): void;
  /** Opens the sheet on a pane added with addPane (phones), or closes it. */
  openPane(pane: HTMLElement, on: boolean): void;
  /** Whether the sheet is open on that pane. */
  paneOpen(pane: HTMLElement): boolean;
}

interface Pane {
  tab: HTMLButtonElement;
  el: HTMLElement;
  home: () => HTMLElement | null;
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
  const panes: Pane[] = [];
  /** The pane the sheet shows; null: the settings. */
  let active: Pane | null = null;

  function apply(): void {
    const mobile = mql.matches;
    const settings = active === null;
    panel.dataset['ouvert'] = String(open);
    panel.dataset['volet'] = settings ? 'reglages' : (active?.el.id ?? '');
    // The name stays « Réglages »; aria-expanded says whether it is open.
    toggle.setAttribute('aria-expanded', String(open && settings));
    arrow.textContent = open && settings ? ' ▾' : ' ▴';
    // A closed sheet is off screen: out of the Tab order and the a11y tree.
    content.inert = mobile && (!open || !settings);
    content.hidden = mobile && !settings;
    for (const p of panes) {
      const shown = !mobile || p === active;
      p.el.hidden = !shown;
      p.el.inert = mobile && (!open || p !== active);
      p.tab.setAttribute('aria-expanded', String(open && p === active));
    }
    mini.setAttribute('aria-expanded', String(open && settings));
    const menuOpen = menuButton.getAttribute('aria-expanded') === 'true';
    menu.inert = mobile && !menuOpen;
    header?.classList.toggle('menu-ouvert', mobile && menuOpen);
  }

  function openSheet(on: boolean): void {
    if (on === open) return;
    open = on;
    apply();
  }

  /** Opens the sheet on a pane (null: the settings), or closes it. */
  function show(pane: Pane | null, on: boolean): void {
    if (on) active = pane;
    open = on;
    apply();
  }

  /** Each pane where it belongs: in the sheet on phones, at home elsewhere. */
  function place(): void {
    for (const p of panes) {
      if (mql.matches) {
        if (p.el.parentElement !== panel) panel.append(p.el);
      } else {
        const home = p.home();
        if (home && home.firstElementChild !== p.el) home.prepend(p.el);
      }
    }
  }

  function showMenu(on: boolean): void {
    menuButton.setAttribute('aria-expanded', String(on));
    apply();
  }

  // « Réglages »: opens the sheet on the settings, or closes it if it shows them.
  toggle.addEventListener('click', () => show(null, !(open && active === null)));
  // The skip link leads into the sheet: open it first.
  document.querySelector('.evitement')?.addEventListener('click', () => {
    if (mql.matches) openSheet(true);
  });
  // The legend line opens the sheet on its legend.
  mini.addEventListener('click', () => {
    show(null, true);
    document.getElementById('legende')?.scrollIntoView({ block: 'start' });
  });
  panel.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !mql.matches || !open || e.defaultPrevented) return;
    const t = e.target as HTMLElement | null;
    if (t?.closest('input, select, textarea, [role="combobox"]')) return;
    e.preventDefault();
    const back = active?.tab ?? toggle;
    openSheet(false);
    back.focus();
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
    place();
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
    addPane(tab, pane, home) {
      pane.classList.add('panneau-volet');
      const p: Pane = { tab, el: pane, home };
      panes.push(p);
      tab.setAttribute('aria-controls', pane.id);
      // In the handle, after « Réglages ».
      toggle.after(tab);
      tab.addEventListener('click', () => show(p, !(open && active === p)));
      place();
      apply();
    },
    openPane(pane, on) {
      const p = panes.find((x) => x.el === pane);
      if (!p || !mql.matches) return;
      if (on) show(p, true);
      else if (active === p) show(p, false);
    },
    paneOpen(pane) {
      return mql.matches && open && active?.el === pane;
    },
  };
}
