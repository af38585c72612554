// The board's phases and the vote's settings. The facilitator moves the
// board through writing → reveal → vote → closed (each button says what
// the phase means), sets how many dots each participant has, hides the
// results during the vote and reveals them; participants see the phase,
// what it asks of them, and their dots left (« 3 gommettes »). Both may
// turn the priorities map on once the results are visible to them.
import { patchBoard, putPhase, PHASES, type Phase } from './board-api';
import { dotsText, failText, plural, type BoardCtx } from './board-ctx';
import type { PriorityMap } from './priorities';
import { button, el } from './ui';

export const PHASE_LABELS: Record<Phase, string> = { writing: 'Écriture', reveal: 'Révélation', vote: 'Vote', closed: 'Clos' };

function meaning(p: Phase, budget: number, facilitator: boolean): string {
  switch (p) {
    case 'writing':
      return facilitator
        ? 'Chacun écrit ses contributions ; elles restent visibles par leur auteur et l’animation jusqu’à la révélation.'
        : 'Écrivez vos contributions : elles sont visibles par vous et l’animation jusqu’à la révélation.';
    case 'reveal':
      return 'Toutes les contributions sont visibles par tous : on les lit, on les discute.';
    case 'vote':
      return facilitator
        ? `Chacun pose ses ${dotsText(budget)} sur des contributions ou des territoires à prioriser.`
        : `Posez vos ${dotsText(budget)} sur des contributions ou sur des territoires à prioriser.`;
    case 'closed':
      return facilitator ? 'Plus de contribution ni de vote : la synthèse est prête.' : 'Le tableau est clos : plus de contribution ni de vote.';
  }
}

export class PhaseView {
  readonly root: HTMLElement;
  private readonly explain = el('p', { class: 'phase-explication', 'aria-live': 'polite' });
  private readonly steps = new Map<Phase, HTMLButtonElement>();
  private readonly error = el('p', { class: 'dialogue-erreur', role: 'alert' });
  private readonly dots = el('p', { class: 'gommettes', 'aria-live': 'polite' });
  private readonly totals = el('p', { class: 'vote-total' });
  private readonly budget = el('input', { type: 'number', id: 'vote-budget', min: '1', max: '20', step: '1', inputmode: 'numeric' });
  private readonly hide = el('input', { type: 'checkbox', id: 'vote-masquer' });
  private readonly reveal: HTMLButtonElement;
  private readonly priorities: HTMLButtonElement;
  private readonly settings = el('div', { class: 'vote-reglages' });
  /** The vote's settings unfold when the vote comes (and stay as the facilitator leaves them). */
  private readonly voteBox = el('details', { class: 'vote-details' });
  private shownPhase: Phase | null = null;
  private busy = false;

  constructor(
    private readonly ctx: BoardCtx,
    private readonly map: PriorityMap,
  ) {
    this.priorities = button('Carte des priorités', { class: 'priorites-bouton', 'aria-pressed': 'false', id: 'priorites-bouton' }, () => map.show(!map.isOn()));
    map.onToggle(() => this.render());
    this.reveal = button('Révéler les résultats', { id: 'vote-reveler' }, () => void this.set({ results_shown: !ctx.state.resultsShown() }));
    if (ctx.facilitator) {
      const group = el('div', { class: 'phases-etapes', role: 'group', 'aria-label': 'Phase du tableau' });
      PHASES.forEach((p) => {
        const b = button(PHASE_LABELS[p], { 'data-phase': p, 'aria-pressed': 'false', title: meaning(p, ctx.state.budget(), true) }, () => void this.setPhase(p));
        this.steps.set(p, b);
        group.append(b);
      });
      const minus = button('−', { class: 'budget-moins', 'aria-label': 'Une gommette de moins' }, () => void this.setBudget(ctx.state.budget() - 1));
      const plusB = button('+', { class: 'budget-plus', 'aria-label': 'Une gommette de plus' }, () => void this.setBudget(ctx.state.budget() + 1));
      this.budget.addEventListener('change', () => void this.setBudget(Number(this.budget.value)));
      this.hide.addEventListener('change', () => void this.set({ hide_results: this.hide.checked }));
      this.voteBox.append(el('summary', {}, 'Vote par gommettes'), this.settings, this.totals);
      this.settings.append(
        el('div', { class: 'budget' }, el('label', { for: 'vote-budget' }, 'Gommettes par participant'), el('span', { class: 'budget-saisie' }, minus, this.budget, plusB)),
        el('div', { class: 'case' }, this.hide, el('label', { for: 'vote-masquer' }, 'Masquer les résultats aux participants pendant le vote')),
        this.reveal,
      );
      this.root = el(
        'section',
        { class: 'phases', 'aria-labelledby': 'phases-titre' },
        el('h3', { id: 'phases-titre' }, 'Déroulé'),
        group,
        this.explain,
        this.error,
        this.voteBox,
        this.priorities,
      );
    } else {
      this.root = el('section', { class: 'phases phase-participant', 'aria-label': 'Phase du tableau' }, this.explain, this.dots, this.error, this.priorities);
    }
    this.render();
  }

  private async setPhase(p: Phase): Promise<void> {
    if (this.busy) return;
    await this.send(() => putPhase(this.ctx.code, this.ctx.token(), p));
  }

  private async setBudget(n: number): Promise<void> {
    if (!Number.isFinite(n)) return;
    const b = Math.min(20, Math.max(1, Math.round(n)));
    if (b === this.ctx.state.budget()) {
      this.render();
      return;
    }
    await this.set({ vote_budget: b });
  }

  private async set(s: { vote_budget?: number; hide_results?: boolean; results_shown?: boolean }): Promise<void> {
    await this.send(() => patchBoard(this.ctx.code, this.ctx.token(), s));
  }

  /** Sends one of the facilitator's changes; the answer is the whole board. */
  private async send(req: () => ReturnType<typeof patchBoard>): Promise<void> {
    this.busy = true;
    this.error.textContent = '';
    this.render();
    try {
      const r = await req();
      this.ctx.state.load(r.body, r.seq);
    } catch (err) {
      this.error.textContent = failText(err);
    } finally {
      this.busy = false;
      this.render();
    }
  }

  render(): void {
    const st = this.ctx.state;
    const phase = st.getPhase();
    const open = this.ctx.open();
    this.root.dataset['phase'] = phase;
    const visible = st.resultsVisible();
    this.priorities.hidden = !visible;
    this.priorities.setAttribute('aria-pressed', String(this.map.isOn()));
    this.priorities.textContent = this.map.isOn() ? 'Revenir à l’indicateur' : 'Carte des priorités';
    if (this.ctx.facilitator) {
      if (phase !== this.shownPhase) {
        this.voteBox.open = phase === 'vote' || (this.shownPhase === null && st.hideResults());
        this.shownPhase = phase;
      }
      for (const [p, b] of this.steps) {
        b.setAttribute('aria-pressed', String(p === phase));
        b.disabled = this.busy || !open;
        b.title = meaning(p, st.budget(), true);
      }
      this.explain.replaceChildren(el('strong', {}, `${PHASE_LABELS[phase]} : `), meaning(phase, st.budget(), true));
      // While a change is on its way, the controls keep what was just asked.
      if (document.activeElement !== this.budget && !this.busy) this.budget.value = String(st.budget());
      this.budget.disabled = this.busy || !open;
      if (!this.busy) this.hide.checked = st.hideResults();
      this.hide.disabled = this.busy || !open;
      this.reveal.hidden = !st.hideResults();
      this.reveal.textContent = st.resultsShown() ? 'Masquer à nouveau les résultats' : 'Révéler les résultats';
      this.reveal.disabled = this.busy || !open;
      const t = st.tallies();
      this.totals.textContent = t ? `${dotsText(t.dots)} posée${t.dots > 1 ? 's' : ''} par ${plural(t.voters, 'participant', 'participants')}` : '';
      this.totals.textContent += st.hideResults() && !st.resultsShown() ? ' · résultats masqués aux participants' : '';
      return;
    }
    this.explain.replaceChildren(el('strong', {}, `Phase : ${PHASE_LABELS[phase].toLowerCase()}`), ` — ${meaning(phase, st.budget(), false)}`);
    this.dots.hidden = phase !== 'vote';
    const left = st.remaining();
    const budget = st.budget();
    const marks = el('span', { class: 'gommettes-points', 'aria-hidden': 'true' }, '●'.repeat(left) + '○'.repeat(Math.max(0, budget - left)));
    if (left === 0)
      this.dots.replaceChildren(
        el('strong', { class: 'gommettes-reste', 'data-reste': '0' }, 'Plus de gommette'),
        ` : ${budget === 1 ? 'la vôtre est posée' : `les ${budget} sont posées`} (retirez-en une pour voter ailleurs).`,
      );
    else
      this.dots.replaceChildren('Il vous reste ', marks, ' ', el('strong', { class: 'gommettes-reste', 'data-reste': String(left) }, dotsText(left)), ` sur ${budget}`);
    if (phase === 'vote' && !visible) this.dots.append(el('span', { class: 'aide' }, ' · résultats masqués jusqu’à leur révélation'));
  }
}
