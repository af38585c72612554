// Quick polls. The facilitator asks (the five themes to rank, sectors of
// the sector focus to pick, or a free question with its choices and kind),
// opens and closes; participants answer: one choice, some, or all of them
// ranked. A ranking is built by touching the choices in order (a finger
// does it as well as a mouse; nothing is dragged), each showing its rank,
// with ↑ ↓ to adjust; the ranked ones are listed first, in their order. Results come live (`poll-results`); a participant
// sees them once they have answered or the poll is closed, so that the
// first answers do not steer the others. A ranking's result is its Borda
// score (n-1 points for a first place … 0 for the last) and the order it
// gives.
import { answerPoll, createPoll, setPollOpen, type PollKind, type PollView } from './board-api';
import { failText, plural, type BoardCtx } from './board-ctx';
import { button, el } from './ui';

export const POLL_KIND_LABELS: Record<PollKind, string> = { single: 'Un seul choix', multiple: 'Plusieurs choix', ranking: 'Classement' };

/** One poll's card, updated in place (an answer being built survives the live results). */
class PollCard {
  readonly root: HTMLElement;
  private readonly title = el('h4', { class: 'sondage-question' });
  private readonly meta = el('p', { class: 'sondage-meta' });
  private readonly answer = el('div', { class: 'sondage-reponse' });
  private readonly results = el('div', { class: 'sondage-resultats', 'aria-live': 'polite' });
  private readonly error = el('p', { class: 'dialogue-erreur', role: 'alert' });
  private readonly toggle: HTMLButtonElement;
  /** The answer being built (indices; a ranking: best first). */
  private picked: number[] = [];
  private editing = false;
  private busy = false;
  private answerKey = '';
  private p: PollView;

  constructor(
    private readonly ctx: BoardCtx,
    p: PollView,
  ) {
    this.p = p;
    this.toggle = button('Clore', { class: 'sondage-ouvrir' }, () => void this.setOpen(!this.p.open));
    this.root = el('article', { class: 'sondage', 'data-poll': String(p.id) }, this.title, this.meta, this.answer, this.error, this.results);
    if (ctx.facilitator) this.root.insertBefore(el('div', { class: 'sondage-outils' }, this.toggle), this.answer);
    this.picked = [...p.mine];
    this.editing = p.mine.length === 0;
    this.update(p);
  }

  update(p: PollView): void {
    const answeredBefore = this.p.mine.length > 0;
    this.p = p;
    this.root.dataset['open'] = String(p.open);
    this.root.dataset['kind'] = p.kind;
    this.title.textContent = p.question;
    const r = p.results;
    this.meta.textContent = `${POLL_KIND_LABELS[p.kind]} · ${p.open ? 'ouvert' : 'clos'} · ${plural(r.respondents, 'réponse', 'réponses')}`;
    this.toggle.textContent = p.open ? 'Clore le sondage' : 'Rouvrir le sondage';
    this.toggle.disabled = this.busy || !this.ctx.open();
    // An answer arrived from elsewhere (this participant's other screen): shown as theirs.
    if (!this.editing && !answeredBefore && p.mine.length > 0) this.picked = [...p.mine];
    // Rebuilt only when what it shows changed: the others' answers do not disturb one being built.
    const key = `${p.open}|${p.mine.join(',')}|${this.ctx.open()}`;
    if (!this.ctx.facilitator && key !== this.answerKey) {
      this.answerKey = key;
      this.renderAnswer();
    }
    const seeResults = this.ctx.facilitator || !p.open || p.mine.length > 0;
    this.results.hidden = !seeResults;
    if (seeResults) this.renderResults();
  }

  private async setOpen(open: boolean): Promise<void> {
    this.busy = true;
    this.error.textContent = '';
    this.update(this.p);
    try {
      const r = await setPollOpen(this.ctx.code, this.ctx.token(), this.p.id, open);
      this.ctx.state.putPoll(r.body, r.seq);
    } catch (err) {
      this.error.textContent = failText(err);
    } finally {
      this.busy = false;
      this.update(this.ctx.state.poll(this.p.id) ?? this.p);
    }
  }

  private renderAnswer(): void {
    const p = this.p;
    const can = p.open && this.ctx.open();
    if (!can && p.mine.length === 0) {
      this.answer.replaceChildren(el('p', { class: 'aide' }, p.open ? 'Atelier fermé.' : 'Sondage clos : vous n’avez pas répondu.'));
      return;
    }
    if (!this.editing || !can) {
      const mine: Node =
        p.kind === 'ranking'
          ? el('ol', { class: 'sondage-mon-classement' }, ...p.mine.map((c) => el('li', {}, p.choices[c] ?? '')))
          : document.createTextNode(p.mine.map((c) => p.choices[c] ?? '').join(', '));
      const parts: Array<Node | string> = [el('strong', {}, 'Votre réponse : '), mine];
      const edit = button('Modifier ma réponse', { class: 'sondage-modifier' }, () => {
        this.editing = true;
        this.picked = [...p.mine];
        this.renderAnswer();
      });
      this.answer.replaceChildren(el('div', { class: 'sondage-mienne' }, ...parts), ...(can ? [edit] : []));
      return;
    }
    const help =
      p.kind === 'ranking'
        ? 'Touchez les choix dans l’ordre, du plus prioritaire au moins prioritaire ; touchez un choix classé pour le retirer.'
        : p.kind === 'multiple'
          ? 'Touchez un ou plusieurs choix.'
          : 'Touchez un choix.';
    const list = el('ol', { class: `sondage-choix choix-${p.kind}` });
    // A ranking shows its order as it is built: the ranked choices first, best first, then the others.
    const shown = p.kind === 'ranking' ? [...this.picked, ...p.choices.map((_, i) => i).filter((i) => !this.picked.includes(i))] : p.choices.map((_, i) => i);
    shown.forEach((i) => {
      const label = p.choices[i] ?? '';
      const rank = this.picked.indexOf(i);
      const on = rank >= 0;
      const b = button('', { class: 'choix', 'data-choice': String(i), 'aria-pressed': String(on) }, () => this.pick(i));
      const mark = el('span', { class: 'choix-marque', 'aria-hidden': 'true' }, p.kind === 'ranking' ? (on ? String(rank + 1) : '') : on ? '✓' : '');
      b.append(mark, el('span', { class: 'choix-texte' }, label));
      if (p.kind === 'ranking') b.setAttribute('aria-label', on ? `${label} : rang ${rank + 1}` : `${label} : pas encore classé`);
      const li = el('li', {}, b);
      if (p.kind === 'ranking' && on) {
        // Fine adjustments without starting over.
        const up = button('↑', { class: 'choix-monter', 'aria-label': `Monter ${label}` }, () => this.move(i, -1));
        const down = button('↓', { class: 'choix-descendre', 'aria-label': `Descendre ${label}` }, () => this.move(i, 1));
        up.disabled = rank === 0;
        down.disabled = rank === this.picked.length - 1;
        li.append(up, down);
      }
      list.append(li);
    });
    const complete = p.kind === 'ranking' ? this.picked.length === p.choices.length : this.picked.length > 0;
    const send = button(p.mine.length > 0 ? 'Envoyer ma nouvelle réponse' : 'Envoyer ma réponse', { class: 'principal sondage-envoyer' }, () => void this.send());
    send.disabled = this.busy || !complete;
    const tools: HTMLElement[] = [send];
    if (p.kind === 'ranking' && this.picked.length > 0)
      tools.unshift(
        button('Recommencer', { class: 'sondage-recommencer' }, () => {
          this.picked = [];
          this.renderAnswer();
        }),
      );
    if (p.mine.length > 0)
      tools.unshift(
        button('Annuler', {}, () => {
          this.editing = false;
          this.picked = [...p.mine];
          this.renderAnswer();
        }),
      );
    const status =
      p.kind === 'ranking' ? `${this.picked.length} classé${this.picked.length > 1 ? 's' : ''} sur ${p.choices.length}` : '';
    this.answer.replaceChildren(el('p', { class: 'aide' }, help), list, el('div', { class: 'dialogue-boutons' }, ...(status ? [el('span', { class: 'sondage-etat' }, status)] : []), ...tools));
  }

  private pick(i: number): void {
    const p = this.p;
    const at = this.picked.indexOf(i);
    if (p.kind === 'single') this.picked = [i];
    else if (at >= 0) this.picked.splice(at, 1);
    else this.picked.push(i);
    this.renderAnswer();
    this.answer.querySelector<HTMLButtonElement>(`.choix[data-choice="${i}"]`)?.focus();
  }

  private move(i: number, by: number): void {
    const at = this.picked.indexOf(i);
    const to = at + by;
    if (at < 0 || to < 0 || to >= this.picked.length) return;
    const other = this.picked[to];
    if (other === undefined) return;
    this.picked[to] = i;
    this.picked[at] = other;
    this.renderAnswer();
    this.answer.querySelector<HTMLButtonElement>(`.choix[data-choice="${i}"]`)?.focus();
  }

  private async send(): Promise<void> {
    this.busy = true;
    this.error.textContent = '';
    this.renderAnswer();
    try {
      const r = await answerPoll(this.ctx.code, this.ctx.token(), this.p.id, this.picked);
      this.editing = false;
      this.ctx.state.putMyPoll(r.body, r.seq);
    } catch (err) {
      // The answer being built stays; the server says why.
      this.error.textContent = failText(err);
    } finally {
      this.busy = false;
      this.answerKey = '';
      this.update(this.ctx.state.poll(this.p.id) ?? this.p);
    }
  }

  private renderResults(): void {
    const p = this.p;
    const r = p.results;
    if (r.respondents === 0) {
      this.results.replaceChildren(el('p', { class: 'aide' }, 'Pas encore de réponse.'));
      return;
    }
    const ranking = p.kind === 'ranking' && !!r.scores;
    const top = ranking ? r.respondents * (p.choices.length - 1) : r.respondents;
    const valueOf = (c: number): number => (ranking ? (r.scores?.[c] ?? 0) : (r.counts[c] ?? 0));
    const rows = r.order.map((c) => {
      const value = valueOf(c);
      // Ties share their rank (« 2. » twice, then « 4. »).
      const rank = 1 + r.order.filter((x) => valueOf(x) > value).length;
      const tie = r.order.some((x) => x !== c && valueOf(x) === value);
      const bar = el('span', { class: 'barre', 'aria-hidden': 'true' });
      bar.style.width = `${top > 0 ? Math.round((value / top) * 100) : 0}%`;
      const what = ranking ? `${value.toLocaleString('fr-FR')} point${value > 1 ? 's' : ''}` : `${plural(value, 'choix', 'choix')} (${Math.round((value / r.respondents) * 100)} %)`;
      return el(
        'li',
        { 'data-choice': String(c), 'data-value': String(value) },
        el('span', { class: 'resultat-rang', title: tie ? 'ex æquo' : '' }, `${rank}.`),
        el('span', { class: 'resultat-choix' }, p.choices[c] ?? ''),
        el('span', { class: 'resultat-valeur' }, what),
        el('span', { class: 'barre-fond', 'aria-hidden': 'true' }, bar),
      );
    });
    this.results.replaceChildren(
      el('h5', {}, ranking ? 'Classement (score de Borda)' : 'Résultats'),
      el('ol', { class: 'resultats' }, ...rows),
      el(
        'p',
        { class: 'aide' },
        ranking
          ? `${p.choices.length - 1} points pour une 1re place, … 0 pour la dernière ; ${plural(r.respondents, 'réponse', 'réponses')}.`
          : `Sur ${plural(r.respondents, 'réponse', 'réponses')}.`,
      ),
    );
  }
}

/** The facilitator's form: two presets, or a free question. */
class PollForm {
  readonly root: HTMLElement;
  private readonly error = el('p', { class: 'dialogue-erreur', role: 'alert' });
  private readonly free: HTMLFormElement;

  constructor(private readonly ctx: BoardCtx) {
    const themes = button('Classer les cinq thèmes', { class: 'sondage-preset', 'data-preset': 'themes' }, () =>
      void this.create({ question: 'Quels thèmes prioriser ? Classez-les du plus au moins prioritaire.', kind: 'ranking', preset: 'themes' }),
    );
    const sectors = button('Choisir des secteurs', { class: 'sondage-preset', 'data-preset': 'sectors' }, () =>
      void this.create({ question: 'Quels secteurs cibler en priorité ?', kind: 'multiple', preset: 'sectors' }),
    );
    const question = el('input', { type: 'text', id: 'sondage-question', maxlength: '200', required: '' });
    const choices = el('textarea', { id: 'sondage-choix', rows: '4', 'aria-describedby': 'sondage-choix-aide' });
    const kind = el('select', { id: 'sondage-type' });
    for (const k of ['single', 'multiple', 'ranking'] as const) kind.append(el('option', { value: k }, POLL_KIND_LABELS[k]));
    const submit = el('button', { type: 'submit', class: 'principal' }, 'Lancer la question');
    this.free = el(
      'form',
      { class: 'sondage-libre' },
      el('label', { for: 'sondage-question' }, 'Question'),
      question,
      el('label', { for: 'sondage-choix' }, 'Choix'),
      choices,
      el('p', { id: 'sondage-choix-aide', class: 'aide' }, 'Un choix par ligne, de 2 à 20.'),
      el('label', { for: 'sondage-type' }, 'Réponse'),
      kind,
      el('div', { class: 'dialogue-boutons' }, submit),
    );
    this.free.addEventListener('submit', (e) => {
      e.preventDefault();
      const list = choices.value
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
      void this.create({ question: question.value.trim(), kind: kind.value as PollKind, choices: list }).then((ok) => {
        // Sent: the form is emptied; refused, it keeps what was typed.
        if (ok) {
          question.value = '';
          choices.value = '';
        }
      });
    });
    this.root = el(
      'section',
      { class: 'sondage-nouveau', 'aria-labelledby': 'sondage-nouveau-titre' },
      el('h3', { id: 'sondage-nouveau-titre' }, 'Nouveau sondage'),
      el('div', { class: 'sondage-presets' }, themes, sectors),
      el('details', { class: 'sondage-libre-details' }, el('summary', {}, 'Question libre'), this.free),
      this.error,
    );
  }

  private async create(p: { question: string; kind: PollKind; choices?: string[]; preset?: 'themes' | 'sectors' }): Promise<boolean> {
    this.error.textContent = '';
    try {
      const r = await createPoll(this.ctx.code, this.ctx.token(), p);
      this.ctx.state.putPoll(r.body, r.seq);
      return true;
    } catch (err) {
      this.error.textContent = failText(err);
      return false;
    }
  }
}

export class PollsView {
  readonly root: HTMLElement;
  private readonly list = el('div', { class: 'sondages' });
  private readonly empty = el('p', { class: 'aide' });
  private readonly cards = new Map<number, PollCard>();

  constructor(private readonly ctx: BoardCtx) {
    this.root = el('div', { class: 'sondages-vue' });
    if (ctx.facilitator) this.root.append(new PollForm(ctx).root);
    this.root.append(el('h3', {}, 'Sondages'), this.empty, this.list);
    this.render();
  }

  /** Open polls this participant has not answered (the tab says so). */
  waiting(): number {
    return this.ctx.state.pollList().filter((p) => p.open && p.mine.length === 0).length;
  }

  render(): void {
    const polls = this.ctx.state.pollList();
    // Open ones first, newest first.
    polls.sort((a, b) => Number(b.open) - Number(a.open) || b.id - a.id);
    let prev: Element | null = null;
    for (const p of polls) {
      let card = this.cards.get(p.id);
      if (!card) {
        card = new PollCard(this.ctx, p);
        this.cards.set(p.id, card);
      } else card.update(p);
      const want: Element | null = prev ? prev.nextElementSibling : this.list.firstElementChild;
      if (want !== card.root) this.list.insertBefore(card.root, want);
      prev = card.root;
    }
    this.empty.hidden = polls.length > 0;
    this.empty.textContent = this.ctx.facilitator ? 'Aucun sondage : lancez-en un ci-dessus.' : 'Aucun sondage pour l’instant : l’animation en lancera.';
  }
}
