// The workshop board on every screen: one panel with tabs — the
// facilitator's « Atelier » (participants, steps, settings, synthesis),
// « Contributions » (phases, the vote, the form, the list) and
// « Sondages » — in the right column on laptops and projectors, in the
// bottom sheet on phones (its own tab in the sheet's handle, next to
// « Réglages »), so the map stays in view. The badges and the priorities
// map are on the map itself.
//
// The state (board-state.ts) starts from the snapshot's board and is kept
// by the stream's board events and this page's own write answers; a new
// snapshot (after a 410 or a long outage) merges over it, so a resumed
// stream or a restart of the server rebuilds the board without going back.
import type { AtlasApp } from './app';
import { Badges } from './badges';
import type { Board } from './board-api';
import type { BoardCtx } from './board-ctx';
import { BoardState } from './board-state';
import { ContributionsView } from './contributions';
import { PhaseView } from './phases';
import { PollsView } from './polls';
import { PriorityMap } from './priorities';
import type { Session } from './session';
import { SynthesisView } from './synthesis';
import { Tabs } from './tabs';
import { button, el } from './ui';
import { getWorkshop, type Workshop } from './workshop-api';

export interface BoardDebug {
  /** The board as this page holds it. */
  state: () => Board;
  version: () => number;
  /** Badges drawn: territory key and count. */
  badges: () => Array<{ key: string; n: number; lngLat: [number, number] }>;
  priorities: () => { on: boolean; colours: Record<string, string> };
  filter: () => string | null;
  tab: () => string;
  target: () => string | null;
  synthesis: () => SynthesisView['last'];
}

export interface BoardHandle {
  debug: BoardDebug;
  /** Whether a phone is waiting for a territory to be touched (the profile stays closed meanwhile). */
  picking(): boolean;
}

export interface BoardOptions {
  app: AtlasApp;
  session: Session;
  facilitator: boolean;
  /** This participant's id (0: the facilitator). */
  me: number;
  snapshot: Workshop;
  /** The facilitator's workshop panel, as the first tab. */
  atelierPanel?: HTMLElement;
  /** Called when a phone starts or stops waiting for a territory to be touched. */
  onPicking?: (on: boolean) => void;
}

const TAB_KEY = (code: string): string => `atlas.atelier.${code}.onglet`;

export function startBoard(o: BoardOptions): BoardHandle {
  const { app, session } = o;
  const code = session.code;
  const state = new BoardState(o.facilitator, o.me);
  state.load(o.snapshot.board, o.snapshot.seq);
  let picking = false;

  const root = el('section', { id: 'tableau', class: 'tableau', 'aria-label': 'Tableau de l’atelier' });
  const tabs = new Tabs('Tableau de l’atelier', 'tableau');
  const phoneTab = el('button', { type: 'button', id: 'bouton-atelier', class: 'bouton-atelier' }, 'Atelier');
  const phoneCount = el('span', { class: 'bouton-atelier-compte', 'aria-hidden': 'true' });
  phoneTab.append(phoneCount);

  const ctx: BoardCtx = {
    app,
    code,
    token: () => session.token,
    facilitator: o.facilitator,
    state,
    open: () => session.workshop.status === 'open',
    async resync() {
      try {
        const w = await getWorkshop(code, session.token);
        state.load(w.board, w.seq);
      } catch {
        // The stream brings the board when it can.
      }
    },
    showContributions(filter) {
      if (filter !== undefined) contributions.setFilter(filter);
      tabs.select('contributions');
      if (app.layout.isMobile()) {
        app.profile.holdNow();
        app.layout.openPane(root, true);
      }
    },
    pickOnMap() {
      setPicking(true);
      app.layout.openPane(root, false);
    },
    mobile: () => app.layout.isMobile(),
  };

  const priorities = new PriorityMap(app, state);
  const phases = new PhaseView(ctx, priorities);
  const contributions = new ContributionsView(ctx);
  const polls = new PollsView(ctx);
  const pick = el('p', { class: 'choix-carte', role: 'status' });
  pick.hidden = true;
  const stopPicking = button('Annuler', { class: 'choix-carte-annuler' }, () => {
    setPicking(false);
    app.layout.openPane(root, true);
  });
  pick.append('Touchez le territoire de votre contribution sur la carte. ', stopPicking);

  const contribPanel = el('div', { class: 'onglet-contenu' }, phases.root, contributions.root);
  const pollPanel = el('div', { class: 'onglet-contenu' }, polls.root);
  const panels: HTMLElement[] = [];
  let synthesis: SynthesisView | null = null;
  if (o.facilitator && o.atelierPanel) {
    synthesis = new SynthesisView(ctx);
    const links = o.atelierPanel.querySelector('.atelier-liens');
    if (links) links.before(synthesis.root);
    else o.atelierPanel.append(synthesis.root);
    const atelier = el('div', { class: 'onglet-contenu' }, o.atelierPanel);
    tabs.add('atelier', 'Atelier', atelier);
    panels.push(atelier);
  }
  tabs.add('contributions', 'Contributions', contribPanel);
  tabs.add('sondages', 'Sondages', pollPanel);
  panels.push(contribPanel, pollPanel);
  root.append(tabs.list, ...panels);
  document.body.append(pick);
  // Back on the tab the page was on (a reload in the middle of a session).
  try {
    const t = sessionStorage.getItem(TAB_KEY(code));
    if (t) tabs.select(t);
  } catch {
    // storage refused
  }
  tabs.onSelect((t) => {
    try {
      sessionStorage.setItem(TAB_KEY(code), t);
    } catch {
      // the tab lasts the page only
    }
  });
  app.layout.addPane(phoneTab, root, () => document.querySelector<HTMLElement>('.colonne-droite'));
  // The board's sheet covers the profile's: the profile yields (the selection stays).
  phoneTab.addEventListener('click', () => app.profile.holdNow());
  document.body.classList.add('atelier-tableau');
  app.atlas.map.resize();

  function setPicking(on: boolean): void {
    picking = on;
    pick.hidden = !on;
    o.onPicking?.(on);
  }
  // A phone waiting for a territory: the touch sets the form's, and the sheet comes back.
  app.onViewChange((source) => {
    if (!picking || source !== 'user' || !app.state().selection) return;
    // After the touch's own handlers, which must still see the profile held.
    window.setTimeout(() => {
      setPicking(false);
      tabs.select('contributions');
      app.layout.openPane(root, true);
    }, 0);
  });

  // The tooltip says what the board holds on the territory under the pointer.
  app.addTooltipLine((level, c) => {
    const key = `${level}:${c}`;
    const n = state.countsByPlace().get(key)?.n ?? 0;
    const parts = n > 0 ? [`${n} contribution${n > 1 ? 's' : ''}`] : [];
    const dots = state.dotsOnPlace(key);
    if (dots !== null && (dots > 0 || priorities.isOn())) parts.push(dots === 0 ? 'aucune gommette' : `${dots} gommette${dots > 1 ? 's' : ''}`);
    return parts.length > 0 ? `Atelier : ${parts.join(', ')}` : null;
  });
  const badges = new Badges(app.atlas);
  badges.onPick = (key) => ctx.showContributions(key);
  contributions.onFilter = (key) => badges.setActive(key);

  function render(): void {
    phases.render();
    contributions.render();
    polls.render();
    const places = state.countsByPlace();
    badges.update(places);
    void priorities.refresh();
    const shown = state.list().filter(BoardState.shown).length;
    tabs.setCount('contributions', shown ? String(shown) : '', shown ? `${shown}` : '');
    const waiting = o.facilitator ? 0 : polls.waiting();
    const open = state.pollList().filter((p) => p.open).length;
    tabs.setCount('sondages', o.facilitator ? (open ? String(open) : '') : waiting ? '!' : '', o.facilitator ? (open ? `${open} ouvert${open > 1 ? 's' : ''}` : '') : waiting ? 'un sondage attend votre réponse' : '');
    phoneCount.textContent = waiting ? '!' : shown ? String(shown) : '';
    phoneCount.hidden = !phoneCount.textContent;
    phoneTab.classList.toggle('attente', waiting > 0);
    phoneTab.setAttribute('aria-label', `Atelier : ${shown} contribution${shown > 1 ? 's' : ''}${waiting ? ', un sondage attend votre réponse' : ''}`);
    root.dataset['phase'] = state.getPhase();
  }
  state.onChange(render);
  session.on({
    board: (kind, data, seq) => void state.event(kind, data, seq),
    snapshot: (w) => state.load(w.board, w.seq),
    status: () => render(),
  });
  app.layout.onChange(() => render());
  render();

  return {
    picking: () => picking,
    debug: {
      state: () => state.snapshot(),
      version: () => state.version,
      badges: () => badges.current(),
      priorities: () => ({ on: priorities.isOn(), colours: Object.fromEntries(priorities.colours) }),
      filter: () => contributions.getFilter(),
      tab: () => tabs.selected(),
      target: () => contributions.targetKey(),
      synthesis: () => synthesis?.last ?? null,
    },
  };
}
