// Presentation mode, facilitator shortcuts and the palette choice: what makes
// the map readable from the back of a room.
//
// - `P` (or the button) toggles presentation mode: larger text, the legend
//   kept, the side controls and the header hidden; `pres=1` in the URL.
// - ←/→ previous/next period, `I` next indicator of the theme, `N`
//   département ⇄ zone d'emploi, `F` fullscreen, `?` help, Échap leaves.
//   Shortcuts are ignored while typing in a field.
// - The palette select (colour-blind-safe schemes of the API); `pal=` in the
//   URL, nothing sent (the indicator's own palette) by default.
//
// Both live in the view state (url-state.ts) like every other choice.
import { must } from './ui';
import type { Indicator, Level } from './api';
import type { Controls } from './controls';
import { LEVEL_LABELS } from './labels';
import type { AtlasMap } from './map';
import type { ViewState } from './url-state';

/** Palettes of internal/indicator/palette.go (ColorBrewer sequential + viridis: colour-blind safe). */
export const PALETTES: ReadonlyArray<{ id: string; label: string }> = [
  { id: 'viridis', label: 'Viridis (jaune → violet)' },
  { id: 'ylorrd', label: 'Jaune → orange → rouge' },
  { id: 'ylgnbu', label: 'Jaune → vert → bleu' },
  { id: 'blues', label: 'Bleus' },
  { id: 'greens', label: 'Verts' },
  { id: 'oranges', label: 'Oranges' },
  { id: 'purples', label: 'Violets' },
  { id: 'reds', label: 'Rouges' },
];
const PALETTE_IDS = new Set(PALETTES.map((p) => p.id));

export const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ['P', 'Entrer dans le mode présentation ou en sortir'],
  ['← / →', 'Période précédente / suivante'],
  ['I', 'Indicateur suivant du thème'],
  ['N', 'Basculer département ⇄ zone d’emploi'],
  ['F', 'Plein écran'],
  ['?', 'Afficher ou masquer cette aide'],
  ['Échap', 'Fermer l’aide, puis quitter le mode présentation'],
];

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable) return true;
  return t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;
}

/** Id without its level suffix: chomage-ze and chomage-departement are one series. */
function stem(id: string): string {
  return id.replace(/-(ze|zone-emploi|departement|dep|region|commune|france)$/, '');
}

export interface PresentationDeps {
  atlas: AtlasMap;
  controls: Controls;
  indicators: Indicator[];
  /** main.ts's view state. */
  state: () => ViewState;
  /** Records presentation mode in the state and the URL (no re-colouring). */
  setPresentation: (on: boolean) => void;
}

export function initPresentation(deps: PresentationDeps): void {
  const toggle = must<HTMLButtonElement>('bouton-presentation');
  const help = must<HTMLElement>('aide-raccourcis');
  const helpClose = must<HTMLButtonElement>('aide-fermer');
  const paletteSelect = must<HTMLSelectElement>('ctl-palette');
  const status = must<HTMLElement>('etat');
  // The help overlay lists the shortcuts.
  const list = help.querySelector('dl');
  if (list) {
    list.replaceChildren(
      ...SHORTCUTS.flatMap(([k, what]) => {
        const dt = document.createElement('dt');
        const kbd = document.createElement('kbd');
        kbd.textContent = k;
        dt.append(kbd);
        const dd = document.createElement('dd');
        dd.textContent = what;
        return [dt, dd];
      }),
    );
  }

  paletteSelect.replaceChildren(
    ...[{ id: '', label: 'Palette de l’indicateur' }, ...PALETTES].map((p) => {
      const o = document.createElement('option');
      o.value = p.id;
      o.textContent = p.label;
      return o;
    }),
  );
  paletteSelect.value = deps.state().palette;
  paletteSelect.addEventListener('change', () => {
    deps.controls.onChange({ palette: PALETTE_IDS.has(paletteSelect.value) ? paletteSelect.value : '' });
  });

  let lastFocus: HTMLElement | null = null;
  function showHelp(on: boolean): void {
    if (on === !help.hidden) return;
    help.hidden = !on;
    if (on) {
      lastFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      helpClose.focus();
    } else {
      lastFocus?.focus();
    }
  }
  helpClose.addEventListener('click', () => showHelp(false));
  document.getElementById('bouton-aide')?.addEventListener('click', () => showHelp(help.hidden));
  help.addEventListener('click', (e) => {
    if (e.target === help) showHelp(false);
  });

  const presenting = (): boolean => deps.state().presentation;
  let shown: boolean | null = null;
  // Only a real change of mode resizes the map: a resize moves the camera,
  // which rewrites the URL, and must not race a URL being edited by hand.
  function applyPresentation(): void {
    const on = presenting();
    if (on === shown) return;
    shown = on;
    document.body.classList.toggle('presentation', on);
    toggle.setAttribute('aria-pressed', String(on));
    toggle.textContent = on ? 'Quitter la présentation (Échap)' : 'Mode présentation (P)';
    deps.atlas.map.resize();
  }
  function setPresentation(on: boolean): void {
    deps.setPresentation(on);
    applyPresentation();
  }
  toggle.addEventListener('click', () => setPresentation(!presenting()));
  applyPresentation();

  // A URL pasted or edited by hand: main.ts re-reads the state first (its
  // listener may run after this one), then the page follows it.
  window.addEventListener('hashchange', () => {
    window.setTimeout(() => {
      paletteSelect.value = deps.state().palette;
      applyPresentation();
    });
  });

  function say(msg: string): void {
    status.textContent = msg;
    window.setTimeout(() => {
      if (status.textContent === msg) status.textContent = '';
    }, 2500);
  }

  function stepPeriod(d: -1 | 1): void {
    const b = must<HTMLButtonElement>(d < 0 ? 'ctl-periode-prec' : 'ctl-periode-suiv');
    if (b.disabled) say(d < 0 ? 'Première période atteinte' : 'Dernière période atteinte');
    else b.click();
  }

  function nextIndicator(): void {
    const { indicator } = deps.state();
    const ind = deps.indicators.find((i) => i.id === indicator);
    const same = deps.indicators.filter((i) => i.theme === ind?.theme);
    if (same.length < 2) {
      say('Un seul indicateur dans ce thème');
      return;
    }
    const next = same[(same.findIndex((i) => i.id === indicator) + 1) % same.length];
    if (next) deps.controls.onChange({ indicator: next.id });
  }

  function toggleLevel(): void {
    const { indicator, level } = deps.state();
    const target: Level = level === 'zone-emploi' ? 'departement' : 'zone-emploi';
    const ind = deps.indicators.find((i) => i.id === indicator);
    if (ind?.levels.includes(target)) {
      deps.controls.onChange({ level: target });
      return;
    }
    // Another indicator of the same series at that level (chomage-ze ⇄ chomage-departement).
    const sibling = deps.indicators.find(
      (i) => i.id !== indicator && i.theme === ind?.theme && stem(i.id) === stem(indicator) && i.levels.includes(target),
    );
    if (sibling) deps.controls.onChange({ indicator: sibling.id, level: target });
    else say(`Niveau « ${LEVEL_LABELS[target]} » indisponible pour cet indicateur`);
  }

  function toggleFullscreen(): void {
    const p = document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen?.();
    void p?.catch(() => say('Plein écran refusé par le navigateur'));
  }

  // Capture phase: in presentation mode the arrows step periods even when the
  // map has the focus (MapLibre would pan with them).
  window.addEventListener(
    'keydown',
    (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || isTyping(e.target)) return;
      const inMap = e.target instanceof Node && deps.atlas.map.getContainer().contains(e.target);
      // Maps side by side (compare.ts) cover the main map: its period,
      // indicator and level would change unseen, and the panels' maps and
      // tabs keep their arrows.
      const comparing = document.body.classList.contains('comparer');
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      if (!help.hidden && key !== 'Escape' && key !== '?') return;
      let done = true;
      switch (key) {
        case 'p':
          setPresentation(!presenting());
          break;
        case 'ArrowLeft':
        case 'ArrowRight':
          if (comparing || (inMap && !presenting())) {
            done = false;
            break;
          }
          stepPeriod(key === 'ArrowLeft' ? -1 : 1);
          break;
        case 'i':
          if (comparing) done = false;
          else nextIndicator();
          break;
        case 'n':
          if (comparing) done = false;
          else toggleLevel();
          break;
        case 'f':
          toggleFullscreen();
          break;
        case '?':
          showHelp(help.hidden);
          break;
        case 'Escape':
          if (!help.hidden) showHelp(false);
          else if (presenting()) setPresentation(false);
          else done = false;
          break;
        default:
          done = false;
      }
      if (done) {
        e.preventDefault();
        e.stopPropagation();
      }
    },
    { capture: true },
  );
}
