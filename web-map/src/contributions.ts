// Contributions pinned to a territory: the territory chosen (the map's
// selection, or the search's), the form that writes a constat, an
// hypothèse… of up to 1,000 characters, the filters and the list.
//
// - The form goes with the current view (app.currentView()): the server
//   stamps the contribution with the indicator, period and value the map
//   showed for its territory (through the secret statistique).
// - What people typed is never lost: the draft is kept in sessionStorage as
//   it is typed (a phone reloading keeps it), and a refusal leaves it in
//   place with the server's French reason.
// - Everything typed is shown with textContent, never as markup.
// - The list is keyed by contribution id and updated in place: an edit in
//   progress, a focused button or a scrolled list survive the events that
//   arrive meanwhile.
import type { Level } from './api';
import {
  contribute,
  deleteContribution,
  editContribution,
  KINDS,
  kindLabel,
  moderate,
  placeKey,
  unvote,
  vote,
  type Contribution,
  type Kind,
  type Stamp,
  type Target,
} from './board-api';
import { dotsText, failText, plural, staleRefusal, type BoardCtx } from './board-ctx';
import { BoardState } from './board-state';
import { formatValue, LEVEL_LABELS, periodLabel, sexLabel } from './labels';
import { place, splitKey } from './places';
import { button, charCount, el } from './ui';

export const MAX_TEXT = 1000;

/** "Taux …, 2023 : 34,2 ‰"; a secret value is said, never shown (it never reaches the page). */
export function stampText(st: Stamp): string {
  const parts = [st.label, periodLabel(st.period)];
  if (st.sex && st.sex !== 'ensemble' && (st.sex === 'femmes' || st.sex === 'hommes')) parts.push(sexLabel(st.sex).toLowerCase());
  if (st.sector && st.sector !== 'ensemble') parts.push(`secteur ${st.sector}`);
  const what = parts.filter(Boolean).join(', ');
  if (st.status === 'secret') return `${what} : valeur non diffusée (secret statistique)`;
  if (st.status === 'missing') return `${what} : donnée manquante`;
  if (st.value === null || st.value === undefined) return `Carte affichée : ${what} (autre niveau territorial)`;
  return `${what} : ${formatValue(st.value, st.decimals, st.unit)}`;
}

interface Territory {
  level: Level;
  code: string;
  name: string;
}

const placeLabel = (t: { level: string; code: string; name: string }): string =>
  `${t.name} (${(LEVEL_LABELS[t.level as Level] ?? t.level).toLowerCase()} ${t.code})`;

const countFmt = (n: number): string => n.toLocaleString('fr-FR');

/** The draft of the form, per workshop, kept across reloads of the tab. */
class Draft {
  constructor(private readonly key: string) {}
  read(): { kind: Kind; text: string } {
    try {
      const raw = sessionStorage.getItem(this.key);
      if (raw) {
        const d = JSON.parse(raw) as { kind?: string; text?: string };
        const kind = KINDS.some((k) => k.id === d.kind) ? (d.kind as Kind) : 'constat';
        return { kind, text: typeof d.text === 'string' ? d.text : '' };
      }
    } catch {
      // storage refused or damaged: an empty draft
    }
    return { kind: 'constat', text: '' };
  }
  write(kind: Kind, text: string): void {
    try {
      if (!text) sessionStorage.removeItem(this.key);
      else sessionStorage.setItem(this.key, JSON.stringify({ kind, text }));
    } catch {
      // the draft lasts the page only
    }
  }
}

/** A text area with its counter (characters as people count them). */
function textField(id: string, label: string, value: string): { root: HTMLElement; area: HTMLTextAreaElement; counter: HTMLElement; ok: () => boolean } {
  const area = el('textarea', { id, rows: '4', spellcheck: 'true', 'aria-describedby': `${id}-compteur` });
  area.value = value;
  const counter = el('p', { id: `${id}-compteur`, class: 'compteur', 'aria-live': 'polite' });
  const sync = (): void => {
    const n = charCount(area.value);
    counter.textContent = `${countFmt(n)} / ${countFmt(MAX_TEXT)} caractères`;
    counter.classList.toggle('depasse', n > MAX_TEXT);
    // Read aloud only near the limit, not at every key.
    counter.setAttribute('aria-live', n > MAX_TEXT - 50 ? 'polite' : 'off');
  };
  area.addEventListener('input', sync);
  sync();
  return {
    root: el('div', { class: 'champ-texte' }, el('label', { for: id }, label), area, counter),
    area,
    counter,
    ok: () => charCount(area.value.trim()) > 0 && charCount(area.value) <= MAX_TEXT,
  };
}

function kindPicker(name: string, value: Kind, legend: string): { root: HTMLFieldSetElement; value: () => Kind; set: (k: Kind) => void; onChange: (cb: () => void) => void } {
  const root = el('fieldset', { class: 'types' }, el('legend', {}, legend));
  const inputs: HTMLInputElement[] = [];
  for (const k of KINDS) {
    const id = `${name}-${k.id}`;
    const input = el('input', { type: 'radio', name, id, value: k.id });
    input.checked = k.id === value;
    inputs.push(input);
    root.append(el('label', { for: id, class: `type-choix type-${k.id}` }, input, k.label));
  }
  return {
    root,
    value: () => (inputs.find((i) => i.checked)?.value ?? 'constat') as Kind,
    set: (k) => inputs.forEach((i) => (i.checked = i.value === k)),
    onChange: (cb) => inputs.forEach((i) => i.addEventListener('change', cb)),
  };
}

/** One contribution of the list, updated in place. */
class Item {
  readonly li: HTMLLIElement;
  private readonly kind = el('span', { class: 'contribution-type' });
  private readonly num = el('span', { class: 'contribution-numero' });
  private readonly where = el('button', { type: 'button', class: 'contribution-lieu lien-bouton' });
  private readonly text = el('p', { class: 'contribution-texte' });
  private readonly stamp = el('p', { class: 'contribution-tampon' });
  private readonly meta = el('p', { class: 'contribution-meta' });
  private readonly dots = el('div', { class: 'contribution-votes' });
  private readonly count = el('span', { class: 'gommettes-compte' });
  private readonly mine = el('span', { class: 'gommettes-miennes' });
  private readonly plus: HTMLButtonElement;
  private readonly minus: HTMLButtonElement;
  private readonly actions = el('div', { class: 'contribution-actions' });
  private readonly editBtn: HTMLButtonElement;
  private readonly deleteBtn: HTMLButtonElement;
  private readonly hideBtn: HTMLButtonElement;
  private readonly mergeBtn: HTMLButtonElement;
  private readonly retainBtn: HTMLButtonElement;
  private readonly error = el('p', { class: 'dialogue-erreur contribution-erreur', role: 'alert' });
  private readonly extra = el('div', { class: 'contribution-formulaire' });
  private mode: 'view' | 'edit' | 'merge' | 'delete' = 'view';
  private c: Contribution;
  private busy = false;

  constructor(
    private readonly view: ContributionsView,
    c: Contribution,
  ) {
    this.c = c;
    const ctx = view.ctx;
    this.plus = button('+ Gommette', { class: 'gommette-plus' }, () => void this.vote(true));
    this.minus = button('Retirer', { class: 'gommette-moins' }, () => void this.vote(false));
    this.editBtn = button('Modifier', { class: 'contribution-modifier' }, () => this.setMode('edit'));
    this.deleteBtn = button('Supprimer', { class: 'contribution-supprimer' }, () => this.setMode('delete'));
    this.hideBtn = button('Masquer', { class: 'contribution-masquer' }, () => void this.moderate({ hidden: !this.c.hidden }));
    this.mergeBtn = button('Fusionner…', { class: 'contribution-fusionner' }, () => {
      if (this.c.merged_into) void this.moderate({ merged_into: 0 });
      else this.setMode('merge');
    });
    this.retainBtn = button('Retenir pour la synthèse', { class: 'contribution-retenir', 'aria-pressed': 'false' }, () => void this.moderate({ retained: !this.c.retained }));
    this.where.addEventListener('click', () => view.setFilter(placeKey(this.c.territory.level, this.c.territory.code)));
    this.dots.append(this.count, this.mine, this.plus, this.minus);
    if (ctx.facilitator) this.actions.append(this.hideBtn, this.mergeBtn, this.retainBtn);
    else this.actions.append(this.editBtn, this.deleteBtn);
    this.li = el(
      'li',
      { class: 'contribution', 'data-id': String(c.id) },
      el('div', { class: 'contribution-entete' }, this.kind, this.num, this.where),
      this.text,
      this.stamp,
      this.meta,
      this.dots,
      this.actions,
      this.error,
      this.extra,
    );
    this.update(c);
  }

  update(c: Contribution): void {
    this.c = c;
    const ctx = this.view.ctx;
    const st = ctx.state;
    const phase = st.getPhase();
    const mine = !ctx.facilitator && c.author === st.me;
    const open = ctx.open() && phase !== 'closed';
    this.li.dataset['kind'] = c.kind;
    this.li.dataset['mine'] = String(mine);
    this.li.dataset['hidden'] = String(c.hidden);
    this.li.dataset['merged'] = String(!!c.merged_into);
    this.li.dataset['retained'] = String(c.retained);
    this.kind.textContent = kindLabel(c.kind);
    this.kind.className = `contribution-type type-${c.kind}`;
    this.num.textContent = `n° ${c.id}`;
    this.where.textContent = c.territory.name || c.territory.code;
    this.where.title = `Filtrer la liste sur ${placeLabel(c.territory)}`;
    this.where.setAttribute('aria-label', `${placeLabel(c.territory)} : filtrer la liste sur ce territoire`);
    this.text.textContent = c.text;
    this.stamp.textContent = c.stamp ? stampText(c.stamp) : '';
    this.stamp.hidden = !c.stamp;
    const meta: string[] = [`par ${c.author_name || (c.author === 0 ? 'Animation' : `Participant ${c.author}`)}`];
    if (c.edited_at) meta.push('modifiée');
    if (!c.revealed) meta.push(mine || ctx.facilitator ? 'privée : visible par son auteur et l’animation jusqu’à la révélation' : 'privée');
    if (c.hidden) meta.push('masquée (les participants ne la voient pas)');
    if (c.merged_into) meta.push(`fusionnée dans la n° ${c.merged_into}`);
    if (c.retained) meta.push('retenue pour la synthèse');
    this.meta.textContent = meta.join(' · ');

    // Dots: the count when visible; a participant's own, in the vote phase.
    const n = st.dotsOnContribution(c.id);
    const shown = BoardState.shown(c);
    const target: Target = { contribution: c.id };
    const my = ctx.facilitator ? 0 : st.myDotsOn(target);
    const voting = !ctx.facilitator && phase === 'vote' && ctx.open() && shown;
    this.count.textContent = n === null ? '' : n === 0 ? 'aucune gommette' : `● ${dotsText(n)}`;
    this.count.hidden = n === null || !shown || (n === 0 && phase !== 'vote' && phase !== 'closed');
    this.count.classList.toggle('zero', n === 0);
    this.mine.textContent = my > 0 ? `dont ${my} de vous` : '';
    this.mine.hidden = my === 0;
    this.plus.hidden = !voting;
    this.plus.disabled = this.busy || st.remaining() === 0;
    this.plus.title = st.remaining() === 0 ? 'Plus de gommette : retirez-en une pour voter ailleurs' : 'Poser une gommette sur cette contribution';
    this.plus.setAttribute('aria-label', `Poser une gommette sur la contribution n° ${c.id}`);
    this.minus.hidden = !voting || my === 0;
    this.minus.disabled = this.busy;
    this.minus.setAttribute('aria-label', `Retirer une gommette de la contribution n° ${c.id}`);
    this.dots.hidden = this.count.hidden && this.plus.hidden && this.mine.hidden;

    // Actions: the author's, or the facilitator's.
    this.editBtn.hidden = this.deleteBtn.hidden = !mine || !open;
    this.editBtn.disabled = this.deleteBtn.disabled = this.busy;
    this.hideBtn.textContent = c.hidden ? 'Afficher' : 'Masquer';
    this.mergeBtn.textContent = c.merged_into ? 'Défusionner' : 'Fusionner…';
    this.mergeBtn.hidden = !c.merged_into && this.view.mergeTargets(c).length === 0;
    this.retainBtn.setAttribute('aria-pressed', String(c.retained));
    this.retainBtn.textContent = c.retained ? '★ Retenue pour la synthèse' : '☆ Retenir pour la synthèse';
    for (const b of [this.hideBtn, this.mergeBtn, this.retainBtn]) b.disabled = this.busy || !ctx.open();
    this.actions.hidden = [...this.actions.children].every((b) => (b as HTMLElement).hidden);
    if (this.mode === 'edit' && !mine) this.setMode('view');
  }

  private async vote(add: boolean): Promise<void> {
    await this.view.dot({ contribution: this.c.id }, add, (msg) => this.fail(msg), (b) => {
      this.busy = b;
      this.update(this.c);
    });
  }

  private async moderate(m: { hidden?: boolean; retained?: boolean; merged_into?: number }): Promise<void> {
    const ctx = this.view.ctx;
    this.busy = true;
    this.fail('');
    this.update(this.c);
    try {
      const r = await moderate(ctx.code, ctx.token(), this.c.id, m);
      ctx.state.putContribution(r.body, r.seq);
      if (this.mode === 'merge') this.setMode('view');
    } catch (err) {
      this.fail(failText(err));
    } finally {
      this.busy = false;
      this.update(ctx.state.contribution(this.c.id) ?? this.c);
    }
  }

  private failTimer: number | undefined;
  /** A refusal, said where it happened, for a while (the next action clears it too). */
  private fail(msg: string): void {
    window.clearTimeout(this.failTimer);
    this.error.textContent = msg;
    if (msg) this.failTimer = window.setTimeout(() => (this.error.textContent = ''), 20_000);
  }

  private setMode(mode: Item['mode']): void {
    this.mode = mode;
    this.fail('');
    this.extra.replaceChildren();
    this.li.dataset['mode'] = mode;
    if (mode === 'edit') this.editForm();
    else if (mode === 'delete') this.deleteForm();
    else if (mode === 'merge') this.mergeForm();
  }

  private editForm(): void {
    const ctx = this.view.ctx;
    const id = `contribution-${this.c.id}-texte`;
    const kinds = kindPicker(`contribution-${this.c.id}-type`, this.c.kind, 'Type');
    const field = textField(id, 'Texte', this.c.text);
    const save = el('button', { type: 'submit', class: 'principal' }, 'Enregistrer');
    const form = el('form', { class: 'contribution-edition' }, kinds.root, field.root, el('div', { class: 'dialogue-boutons' }, button('Annuler', {}, () => this.setMode('view')), save));
    const sync = (): void => {
      save.disabled = !field.ok();
    };
    field.area.addEventListener('input', sync);
    sync();
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!field.ok()) return;
      save.disabled = true;
      this.fail('');
      const edit: { kind?: Kind; text?: string } = { text: field.area.value };
      if (kinds.value() !== this.c.kind) edit.kind = kinds.value();
      editContribution(ctx.code, ctx.token(), this.c.id, edit).then(
        (r) => {
          ctx.state.putContribution(r.body, r.seq);
          this.setMode('view');
          this.update(ctx.state.contribution(this.c.id) ?? r.body);
        },
        (err: unknown) => {
          // The text stays in the form, as typed.
          save.disabled = false;
          this.fail(failText(err));
          if (staleRefusal(err)) void ctx.resync();
        },
      );
    });
    this.extra.append(form);
    field.area.focus();
  }

  private deleteForm(): void {
    const ctx = this.view.ctx;
    const yes = button('Oui, supprimer', { class: 'danger' }, () => {
      yes.disabled = true;
      deleteContribution(ctx.code, ctx.token(), this.c.id).then(
        (r) => ctx.state.removeContribution(this.c.id, r.seq),
        (err: unknown) => {
          yes.disabled = false;
          this.fail(failText(err));
          if (staleRefusal(err)) void ctx.resync();
        },
      );
    });
    this.extra.append(
      el('p', { class: 'confirmation' }, 'Supprimer cette contribution ? Les gommettes posées dessus sont rendues.'),
      el('div', { class: 'dialogue-boutons' }, button('Annuler', {}, () => this.setMode('view')), yes),
    );
    yes.focus();
  }

  private mergeForm(): void {
    const id = `contribution-${this.c.id}-fusion`;
    const select = el('select', { id });
    for (const t of this.view.mergeTargets(this.c)) {
      const short = [...t.text].slice(0, 60).join('') + (charCount(t.text) > 60 ? '…' : '');
      select.append(el('option', { value: String(t.id) }, `n° ${t.id} · ${kindLabel(t.kind)} · ${short}`));
    }
    const go = el('button', { type: 'submit', class: 'principal' }, 'Fusionner');
    const form = el(
      'form',
      { class: 'contribution-fusion' },
      el('label', { for: id }, 'Doublon de :'),
      select,
      el('p', { class: 'aide' }, 'Elle disparaît de la liste des participants ; ses gommettes comptent pour l’autre.'),
      el('div', { class: 'dialogue-boutons' }, button('Annuler', {}, () => this.setMode('view')), go),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const into = Number(select.value);
      if (into) void this.moderate({ merged_into: into });
    });
    this.extra.append(form);
    select.focus();
  }
}

export class ContributionsView {
  readonly root: HTMLElement;
  private target: Territory | null = null;
  private filter: string | null = null;
  private kindFilter: Kind | '' = '';
  private readonly items = new Map<number, Item>();
  private readonly list = el('ol', { class: 'contributions', 'aria-label': 'Contributions' });
  private readonly empty = el('p', { class: 'contributions-vide' });
  private readonly summary = el('p', { class: 'contributions-resume', 'aria-live': 'polite' });
  private readonly placeSelect = el('select', { id: 'filtre-territoire' });
  private readonly kindSelect = el('select', { id: 'filtre-type' });
  private readonly clearFilter: HTMLButtonElement;
  // The territory chosen.
  private readonly card = el('section', { class: 'territoire-choisi', 'aria-labelledby': 'territoire-choisi-titre' });
  private readonly cardName = el('p', { class: 'territoire-nom' });
  private readonly cardCount = el('p', { class: 'territoire-compte' });
  private readonly cardFilter: HTMLButtonElement;
  private readonly cardPick: HTMLButtonElement;
  private readonly cardVote = el('div', { class: 'territoire-vote' });
  private readonly cardPlus: HTMLButtonElement;
  private readonly cardMinus: HTMLButtonElement;
  private readonly cardDots = el('span', { class: 'gommettes-compte' });
  private readonly cardError = el('p', { class: 'dialogue-erreur', role: 'alert' });
  private cardBusy = false;
  // The form.
  private readonly form: HTMLFormElement;
  private readonly formBox: HTMLDetailsElement;
  private readonly kinds: ReturnType<typeof kindPicker>;
  private readonly field: ReturnType<typeof textField>;
  private readonly privacy = el('p', { class: 'avertissement confidentialite' });
  private readonly formError = el('p', { class: 'dialogue-erreur', role: 'alert' });
  private readonly formDone = el('p', { class: 'envoye', role: 'status' });
  private readonly submit: HTMLButtonElement;
  private readonly draft: Draft;
  private sending = false;

  constructor(readonly ctx: BoardCtx) {
    this.draft = new Draft(`atlas.atelier.${ctx.code}.brouillon`);
    const d = this.draft.read();

    this.cardFilter = button('Voir la liste', { class: 'territoire-filtrer' }, () => {
      if (this.target) this.setFilter(placeKey(this.target.level, this.target.code));
    });
    this.cardPick = button('Choisir sur la carte', { class: 'territoire-choisir' }, () => ctx.pickOnMap());
    this.cardPlus = button('+ Gommette à ce territoire', { class: 'gommette-plus' }, () => void this.territoryDot(true));
    this.cardMinus = button('Retirer', { class: 'gommette-moins' }, () => void this.territoryDot(false));
    this.cardVote.append(el('span', { class: 'territoire-vote-titre' }, 'À prioriser :'), this.cardDots, this.cardPlus, this.cardMinus);
    this.card.append(
      el('h3', { id: 'territoire-choisi-titre' }, 'Territoire'),
      this.cardName,
      this.cardCount,
      el('div', { class: 'territoire-actions' }, this.cardFilter, this.cardPick),
      this.cardVote,
      this.cardError,
    );

    this.kinds = kindPicker('contribution-type', d.kind, 'Type de contribution');
    this.field = textField('contribution-texte', 'Votre contribution', d.text);
    this.submit = el('button', { type: 'submit', class: 'principal', id: 'contribution-envoyer' }, 'Envoyer');
    this.form = el(
      'form',
      { class: 'contribution-nouvelle', 'aria-label': 'Nouvelle contribution' },
      this.kinds.root,
      this.field.root,
      this.privacy,
      this.formError,
      this.formDone,
      el('div', { class: 'dialogue-boutons' }, this.submit),
    );
    const keep = (): void => {
      this.draft.write(this.kinds.value(), this.field.area.value);
      this.formDone.textContent = '';
      this.syncForm();
    };
    this.field.area.addEventListener('input', keep);
    this.kinds.onChange(keep);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });

    this.clearFilter = button('Tous les territoires', { class: 'lien-bouton filtre-effacer' }, () => this.setFilter(null));
    this.placeSelect.addEventListener('change', () => this.setFilter(this.placeSelect.value || null));
    this.kindSelect.addEventListener('change', () => {
      this.kindFilter = this.kindSelect.value as Kind | '';
      this.render();
    });
    const filters = el(
      'div',
      { class: 'filtres', role: 'group', 'aria-label': 'Filtrer les contributions' },
      el('div', { class: 'filtre' }, el('label', { for: 'filtre-territoire' }, 'Territoire'), this.placeSelect),
      el('div', { class: 'filtre' }, el('label', { for: 'filtre-type' }, 'Type'), this.kindSelect),
    );
    // The facilitator mostly reads the room's contributions: the form folds (open, it stays open).
    this.formBox = el('details', { class: 'contribution-bloc', id: 'contribution-nouvelle' }, el('summary', {}, el('h3', {}, 'Contribuer')), this.form);
    this.formBox.open = !ctx.facilitator || !!d.text;
    this.root = el(
      'div',
      { class: 'contributions-vue' },
      this.card,
      this.formBox,
      el('section', { class: 'contributions-liste', 'aria-labelledby': 'contributions-titre' }, el('h3', { id: 'contributions-titre' }, 'Contributions'), filters, this.summary, this.list, this.empty),
    );

    // The territory: the map's selection (this person's, or a followed one while nothing is being typed).
    ctx.app.onViewChange((source) => {
      const s = ctx.app.state();
      if (s.selection && (source === 'user' || !this.field.area.value.trim())) this.setTarget(s.level || 'departement', s.selection);
      else this.renderCard();
    });
    const s = ctx.app.state();
    if (s.selection) this.setTarget(s.level || 'departement', s.selection);
    this.render();
  }

  /** The territory of the next contribution. */
  setTarget(level: Level, code: string): void {
    if (this.target?.level === level && this.target.code === code) return;
    const fromMap = this.ctx.app.choropleth()?.level === level ? this.ctx.app.choropleth()?.territories.find((t) => t.code === code) : undefined;
    this.target = { level, code, name: fromMap?.name ?? code };
    if (!fromMap) {
      place(level, code).then(
        (d) => {
          if (this.target?.level === level && this.target.code === code) {
            this.target.name = d.name;
            this.render();
          }
        },
        () => {},
      );
    }
    this.render();
  }

  targetKey(): string | null {
    return this.target ? placeKey(this.target.level, this.target.code) : null;
  }

  setFilter(key: string | null): void {
    this.filter = key;
    this.render();
    this.onFilter(key);
  }

  getFilter(): string | null {
    return this.filter;
  }

  /** The badge of the filtered territory follows. */
  onFilter: (key: string | null) => void = () => {};

  /** What a contribution may be merged into: another one shown, not merged itself. */
  mergeTargets(c: Contribution): Contribution[] {
    return this.ctx.state.list().filter((x) => x.id !== c.id && !x.merged_into && !x.hidden);
  }

  /** Puts or takes back one dot; the server's refusal is said where the button is. */
  async dot(t: Target, add: boolean, fail: (msg: string) => void, busy: (b: boolean) => void): Promise<void> {
    const ctx = this.ctx;
    fail('');
    busy(true);
    try {
      const r = add ? await vote(ctx.code, ctx.token(), t) : await unvote(ctx.code, ctx.token(), t);
      // The counts come with the stream's `vote` event; the answer says this participant's dots.
      ctx.state.putBallot(r.body, r.seq);
    } catch (err) {
      fail(failText(err));
      // Spent elsewhere (another screen of this participant), or the vote closed meanwhile.
      if (staleRefusal(err)) void ctx.resync();
    } finally {
      busy(false);
    }
  }

  private async territoryDot(add: boolean): Promise<void> {
    const t = this.target;
    if (!t) return;
    await this.dot({ level: t.level, code: t.code }, add, (m) => (this.cardError.textContent = m), (b) => {
      this.cardBusy = b;
      this.renderCard();
    });
  }

  private async send(): Promise<void> {
    const ctx = this.ctx;
    const t = this.target;
    if (!t || !this.field.ok() || this.sending) return;
    this.sending = true;
    this.formError.textContent = '';
    this.formDone.textContent = '';
    this.syncForm();
    const kind = this.kinds.value();
    const text = this.field.area.value;
    try {
      const r = await contribute(ctx.code, ctx.token(), { kind, text, level: t.level, code: t.code, view: ctx.app.currentView() });
      ctx.state.putContribution(r.body, r.seq);
      // Sent: the draft goes (unless something new was typed meanwhile).
      if (this.field.area.value === text) {
        this.field.area.value = '';
        this.field.area.dispatchEvent(new Event('input'));
      }
      this.draft.write(this.kinds.value(), this.field.area.value);
      // The facilitator's form folds again: the list is what the room looks at.
      if (ctx.facilitator && !this.field.area.value) this.formBox.open = false;
      this.formDone.textContent = r.body.revealed
        ? `Contribution n° ${r.body.id} envoyée : visible par tous.`
        : `Contribution n° ${r.body.id} envoyée : visible par vous et l’animation jusqu’à la révélation.`;
    } catch (err) {
      // The draft stays as typed; the server says why.
      this.formError.textContent = failText(err);
      if (staleRefusal(err)) void ctx.resync();
    } finally {
      this.sending = false;
      this.syncForm();
    }
  }

  private syncForm(): void {
    const st = this.ctx.state;
    const phase = st.getPhase();
    const open = this.ctx.open() && phase !== 'closed';
    this.submit.disabled = this.sending || !open || !this.target || !this.field.ok();
    this.submit.textContent = this.sending ? 'Envoi…' : 'Envoyer';
    this.field.area.disabled = !open;
    this.form.classList.toggle('ferme', !open);
    if (!this.ctx.open()) this.privacy.textContent = 'Atelier fermé : lecture seule.';
    else if (phase === 'closed') this.privacy.textContent = 'Contributions closes : l’animation a clos le tableau.';
    else if (phase === 'writing')
      this.privacy.textContent = this.ctx.facilitator
        ? 'Phase d’écriture : chaque contribution reste visible par son auteur et l’animation jusqu’à la révélation.'
        : 'Phase d’écriture : votre contribution est visible par vous et l’animation jusqu’à la révélation.';
    else this.privacy.textContent = 'Les contributions sont visibles par tous.';
    this.privacy.classList.toggle('avertissement', phase === 'writing' || !open);
    if (!this.target) this.submit.title = 'Choisissez d’abord un territoire';
    else this.submit.removeAttribute('title');
  }

  private renderCard(): void {
    const st = this.ctx.state;
    const t = this.target;
    const mobile = this.ctx.mobile();
    this.cardPick.hidden = !mobile;
    if (!t) {
      this.cardName.textContent = mobile
        ? 'Touchez un territoire sur la carte (« Choisir sur la carte ») ou cherchez-le dans Réglages.'
        : 'Sélectionnez un territoire sur la carte ou dans la recherche : la contribution y sera épinglée.';
      this.cardName.classList.add('aide');
      this.cardCount.hidden = true;
      this.cardFilter.hidden = true;
      this.cardVote.hidden = true;
      return;
    }
    this.cardName.classList.remove('aide');
    this.cardName.replaceChildren(el('strong', {}, t.name), ` · ${LEVEL_LABELS[t.level].toLowerCase()} ${t.code}`);
    const key = placeKey(t.level, t.code);
    const n = st.countsByPlace().get(key)?.n ?? 0;
    this.cardCount.hidden = false;
    this.cardCount.textContent = n === 0 ? 'Aucune contribution ici pour l’instant.' : plural(n, 'contribution', 'contributions');
    this.cardFilter.hidden = n === 0 || this.filter === key;
    const voting = !this.ctx.facilitator && st.getPhase() === 'vote' && this.ctx.open();
    const dots = st.dotsOnPlace(key);
    const target: Target = { level: t.level, code: t.code };
    const my = this.ctx.facilitator ? 0 : st.myDotsOn(target);
    this.cardVote.hidden = !voting && (dots === null || dots === 0);
    this.cardDots.classList.toggle('zero', dots === 0);
    this.cardDots.textContent =
      dots === null ? (my > 0 ? `vous : ${my}` : '') : dots === 0 ? 'aucune gommette' : `● ${dotsText(dots)}${my > 0 ? `, dont ${my} de vous` : ''}`;
    this.cardPlus.hidden = !voting;
    this.cardPlus.disabled = this.cardBusy || st.remaining() === 0;
    this.cardPlus.setAttribute('aria-label', `Poser une gommette sur ${t.name} (territoire à prioriser)`);
    this.cardMinus.hidden = !voting || my === 0;
    this.cardMinus.disabled = this.cardBusy;
  }

  private formPhase: string | null = null;

  /** The whole view, from the board's state. */
  render(): void {
    const st = this.ctx.state;
    // The form unfolds for writing and folds for the vote (unless a draft is there); the person's choice stands in between.
    if (st.getPhase() !== this.formPhase) {
      const writing = st.getPhase() === 'writing' || st.getPhase() === 'reveal';
      if (this.formPhase !== null || !this.ctx.facilitator) this.formBox.open = (writing && !this.ctx.facilitator) || !!this.field.area.value.trim();
      this.formPhase = st.getPhase();
    }
    this.renderCard();
    this.syncForm();
    const all = st.list();
    // Filters: territories with contributions, kinds with their counts.
    const places = st.countsByPlace();
    const opts: HTMLOptionElement[] = [el('option', { value: '' }, `Tous les territoires (${countFmt(all.filter(BoardState.shown).length)})`)];
    const sorted = [...places.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name, 'fr'));
    if (this.filter && !places.has(this.filter)) {
      const p = splitKey(this.filter);
      const name = all.find((c) => placeKey(c.territory.level, c.territory.code) === this.filter)?.territory.name ?? p.code;
      sorted.push([this.filter, { level: p.level, code: p.code, name, n: 0 }]);
    }
    for (const [k, p] of sorted) opts.push(el('option', { value: k }, `${p.name} (${countFmt(p.n)})`));
    this.placeSelect.replaceChildren(...opts);
    this.placeSelect.value = this.filter ?? '';
    const kindOpts = [el('option', { value: '' }, 'Tous les types')];
    for (const k of KINDS) {
      const n = all.filter((c) => c.kind === k.id && BoardState.shown(c)).length;
      kindOpts.push(el('option', { value: k.id }, `${k.label} (${countFmt(n)})`));
    }
    this.kindSelect.replaceChildren(...kindOpts);
    this.kindSelect.value = this.kindFilter;

    const shown = all.filter(
      (c) => (!this.filter || placeKey(c.territory.level, c.territory.code) === this.filter) && (!this.kindFilter || c.kind === this.kindFilter),
    );
    // Keyed, in place: new ones created, gone ones removed, the rest updated.
    const keep = new Set(shown.map((c) => c.id));
    for (const [id, item] of this.items) {
      if (!keep.has(id)) {
        item.li.remove();
        this.items.delete(id);
      }
    }
    let prev: Element | null = null;
    for (const c of shown) {
      let item = this.items.get(c.id);
      if (!item) {
        item = new Item(this, c);
        this.items.set(c.id, item);
      } else item.update(c);
      const want: Element | null = prev ? prev.nextElementSibling : this.list.firstElementChild;
      if (want !== item.li) this.list.insertBefore(item.li, want);
      prev = item.li;
    }
    const filtered = this.filter ? (places.get(this.filter)?.name ?? splitKey(this.filter).code) : '';
    const parts = [plural(shown.length, 'contribution', 'contributions')];
    if (filtered) parts.push(`sur ${filtered}`);
    this.summary.replaceChildren(parts.join(' '), ...(this.filter ? [' · ', this.clearFilter] : []));
    this.empty.hidden = shown.length > 0;
    const phase = st.getPhase();
    this.empty.textContent =
      all.length === 0
        ? phase === 'writing' && !this.ctx.facilitator
          ? 'Vos contributions s’affichent ici ; celles des autres, à la révélation.'
          : 'Aucune contribution pour l’instant.'
        : 'Aucune contribution ne correspond aux filtres.';
  }
}
