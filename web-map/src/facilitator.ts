// The facilitator's page (a laptop): the workshop panel (participants,
// steps, settings, links, close), the bar over the map, and the broadcast
// of the view: every change of the choices and every camera move is sent
// with PUT …/view, the camera as bounds, at most 10 per second while moving
// and always the end of a move. One request at a time, so views reach the
// server in the order they were on screen; when one is in flight, the next
// one sent is the latest state, not a queue of stale ones.
import type { AtlasApp } from './app';
import { WorkshopBar } from './bar';
import { startBoard, type BoardDebug } from './board';
import { PointerView } from './pointer';
import { showSnapshotPointer } from './participant';
import { showQR } from './qr';
import { Session } from './session';
import { button, el, linkField } from './ui';
import { periodLabel } from './labels';
import {
  addStep,
  closeWorkshop,
  deleteStep,
  listParticipants,
  postPointer,
  problemText,
  putView,
  renameStep,
  reopenWorkshop,
  updateWorkshop,
  WorkshopError,
  type Participant,
  type Step,
  type Workshop,
} from './workshop-api';
import { facilitatorLink, participantLink } from './workshop-link';

const MIN_INTERVAL_MS = 100;
const POLL_MS = 5000;

export interface FacilitatorDebug {
  role: 'facilitator';
  code: string;
  connection: () => string;
  seq: () => number;
  sent: () => number;
  lastSentSeq: () => number;
  participants: () => Participant[];
  pointer: () => PointerView['current'];
  status: () => string;
  idle: () => boolean;
  board: () => BoardDebug;
}

/** Sends the view: throttled, serialised, always the latest. */
class Broadcaster {
  private dirty = false;
  private busy = false;
  private last = 0;
  private timer: number | undefined;
  private pausedUntil = 0;
  sent = 0;
  lastSeq = 0;
  enabled = true;
  onError: (err: unknown) => void = () => {};

  constructor(
    private readonly app: AtlasApp,
    private readonly session: Session,
  ) {}

  mark(): void {
    this.dirty = true;
    this.pump();
  }

  /** Nothing waiting and nothing in flight. */
  idle(): boolean {
    return !this.dirty && !this.busy;
  }

  private pump(): void {
    if (!this.enabled || this.busy || !this.dirty) return;
    const wait = Math.max(this.last + MIN_INTERVAL_MS, this.pausedUntil) - performance.now();
    if (wait > 0) {
      if (this.timer === undefined) {
        this.timer = window.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
      }
      return;
    }
    void this.send();
  }

  private async send(): Promise<void> {
    this.dirty = false;
    this.busy = true;
    this.last = performance.now();
    try {
      const r = await putView(this.session.code, this.session.token, this.app.currentView());
      this.sent++;
      this.lastSeq = r?.seq ?? this.lastSeq;
    } catch (err) {
      if (err instanceof WorkshopError && err.status === 429) {
        this.pausedUntil = performance.now() + (err.retryAfterMs ?? 1000);
        this.dirty = true;
      } else if (err instanceof WorkshopError && err.status === 409) {
        // Closed meanwhile: the status event follows; nothing to resend.
        this.enabled = false;
      } else if (!(err instanceof WorkshopError)) {
        // The server is unreachable: the latest view goes when it is back.
        this.dirty = true;
        this.pausedUntil = performance.now() + 1000;
      }
      this.onError(err);
    } finally {
      this.busy = false;
    }
    this.pump();
  }
}

export function startFacilitator(app: AtlasApp, code: string, token: string, snapshot: Workshop, secretLink?: string): FacilitatorDebug {
  const session = new Session(code, token, 'facilitator', snapshot);
  const frame = app.atlas.map.getContainer().parentElement as HTMLElement;
  const bar = new WorkshopBar(frame);
  const pointers = new PointerView(app, bar);
  const broadcast = new Broadcaster(app, session);
  let participants: Participant[] = [];
  let w = snapshot;
  document.body.classList.add('atelier', 'atelier-animateur');
  bar.watchHeight((h) => frame.style.setProperty('--atelier-barre', `${h}px`));
  app.setWorkshopUrl(`#atelier=${code}`);
  const partLink = w.links?.participant ?? participantLink(code);
  const animLink = secretLink ?? facilitatorLink(code, token);

  // ---- the panel ----
  const panel = el('aside', { id: 'atelier-panneau', class: 'atelier-panneau', 'aria-labelledby': 'atelier-titre' });
  const title = el('h2', { id: 'atelier-titre' });
  const codeBox = el('p', { class: 'atelier-code-ligne' });
  const closedNote = el('p', { class: 'atelier-ferme', role: 'note' }, 'Atelier fermé : la carte reste utilisable, mais rien n’est diffusé aux participants.');
  const summary = el('p', { class: 'atelier-resume', 'aria-live': 'polite' });
  const list = el('ul', { class: 'atelier-participants', 'aria-label': 'Participants' });
  const steps = el('ol', { class: 'atelier-etapes', 'aria-label': 'Étapes enregistrées' });
  const error = el('p', { class: 'dialogue-erreur', role: 'alert' });
  const anon = el('input', { type: 'checkbox', id: 'atelier-anonymes' });
  const pointing = el('input', { type: 'checkbox', id: 'atelier-pointage' });
  const closeBtn = button('Fermer l’atelier', { id: 'atelier-fermer' }, () => void toggleClosed());
  const pointBtn = button('Montrer', { id: 'atelier-montrer', title: 'Montrer le territoire sélectionné à tout l’atelier' }, () => void point());
  const barPoint = button('Montrer', { class: 'atelier-montrer-barre' }, () => void point());
  const qrBtn = (): HTMLButtonElement => button('QR code', { class: 'atelier-qr' }, () => showQR(code, w.title, partLink));
  const barQr = qrBtn();

  const stepForm = el('form', { class: 'etape-formulaire', hidden: '' });
  const stepTitle = el('input', { type: 'text', id: 'etape-titre', maxlength: '120', required: '' });
  stepForm.append(
    el('label', { for: 'etape-titre' }, 'Titre de l’étape'),
    stepTitle,
    el('div', { class: 'dialogue-boutons' }, el('button', { type: 'submit', class: 'principal' }, 'Enregistrer'), button('Annuler', {}, () => (stepForm.hidden = true))),
  );
  const saveStep = button('Enregistrer cette vue comme étape', { id: 'atelier-etape-ajouter' }, () => {
    const ch = app.choropleth();
    stepTitle.value = ch ? `${ch.label} · ${periodLabel(ch.period)}` : 'Étape';
    stepForm.hidden = false;
    stepTitle.focus();
    stepTitle.select();
  });
  stepForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const t = stepTitle.value.trim();
    if (!t) return;
    stepForm.hidden = true;
    addStep(code, token, t, app.currentView()).then(
      (s) => {
        if (!w.steps.some((x) => x.id === s.id)) w.steps = [...w.steps, s];
        renderSteps();
      },
      (err: unknown) => fail(err),
    );
  });

  const titleForm = el('form', { class: 'atelier-titre-formulaire', hidden: '' });
  const titleInput = el('input', { type: 'text', id: 'atelier-titre-saisie', maxlength: '120', required: '' });
  titleForm.append(
    el('label', { for: 'atelier-titre-saisie' }, 'Titre de l’atelier'),
    titleInput,
    el('div', { class: 'dialogue-boutons' }, el('button', { type: 'submit', class: 'principal' }, 'Renommer'), button('Annuler', {}, () => (titleForm.hidden = true))),
  );
  titleForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const t = titleInput.value.trim();
    if (!t) return;
    titleForm.hidden = true;
    updateWorkshop(code, token, { title: t }).then((x) => session.absorb(x), fail);
  });

  const links = el(
    'details',
    { class: 'atelier-liens' },
    el('summary', {}, 'Liens de l’atelier'),
    linkField('atelier-lien-participants', 'Lien des participants (celui du QR code)', partLink, 'Copier').root,
    linkField('atelier-lien-animation', 'Lien d’animation', animLink, 'Copier').root,
    el('p', { class: 'avertissement' }, 'Lien secret : il donne la main sur l’atelier. Ne le partagez pas ; gardez-le pour reprendre l’animation sur un autre appareil.'),
  );

  panel.append(
    el('div', { class: 'atelier-entete' }, title, button('Renommer', { class: 'lien-bouton', 'aria-label': 'Renommer l’atelier' }, () => {
      titleInput.value = w.title;
      titleForm.hidden = false;
      titleInput.focus();
    })),
    titleForm,
    codeBox,
    closedNote,
    error,
    el('div', { class: 'atelier-actions' }, pointBtn, qrBtn()),
    el('section', { 'aria-labelledby': 'atelier-participants-titre' }, el('h3', { id: 'atelier-participants-titre' }, 'Participants'), summary, list),
    el('section', { 'aria-labelledby': 'atelier-etapes-titre' }, el('h3', { id: 'atelier-etapes-titre' }, 'Étapes'), saveStep, stepForm, steps),
    el(
      'section',
      { 'aria-labelledby': 'atelier-reglages-titre' },
      el('h3', { id: 'atelier-reglages-titre' }, 'Réglages'),
      el('div', { class: 'case' }, pointing, el('label', { for: 'atelier-pointage' }, 'Autoriser les participants à montrer un territoire')),
      el('div', { class: 'case' }, anon, el('label', { for: 'atelier-anonymes' }, 'Autoriser les participants anonymes')),
    ),
    links,
    el('div', { class: 'atelier-fin' }, closeBtn, el('a', { href: '/', class: 'atelier-quitter' }, 'Quitter l’animation')),
  );

  // The panel is the board's first tab: in the right column on a laptop, in the sheet on a phone.
  const board = startBoard({ app, session, facilitator: true, me: 0, snapshot, atelierPanel: panel });

  function fail(err: unknown): void {
    error.textContent = problemText(err);
    window.setTimeout(() => {
      if (error.textContent === problemText(err)) error.textContent = '';
    }, 8000);
  }
  broadcast.onError = (err) => {
    if (err instanceof WorkshopError && err.status === 409) return;
    bar.error(`Vue non diffusée : ${problemText(err)}`);
  };

  function render(): void {
    const open = w.status === 'open';
    title.textContent = w.title;
    codeBox.replaceChildren('Code ', el('strong', { class: 'atelier-code' }, code), ' ', el('span', { class: `atelier-statut statut-${w.status}` }, open ? 'ouvert' : 'fermé'));
    closedNote.hidden = open;
    closeBtn.textContent = open ? 'Fermer l’atelier' : 'Rouvrir l’atelier';
    anon.checked = w.allow_anonymous === true;
    pointing.checked = w.allow_pointing !== false;
    for (const c of [anon, pointing, saveStep]) c.disabled = !open;
    const sel = app.state().selection;
    for (const b of [pointBtn, barPoint]) {
      b.disabled = !open || !sel;
      b.title = sel ? 'Montrer le territoire sélectionné à tout l’atelier' : 'Sélectionnez d’abord un territoire sur la carte';
    }
    const n = participants.length;
    const on = participants.filter((p) => p.connected).length;
    const follow = participants.filter((p) => p.connected && p.following).length;
    const s = (k: number): string => (k > 1 ? 's' : '');
    const follows = `${follow} ${follow > 1 ? 'suivent' : 'suit'}`;
    const text = open ? `Vous animez · ${code} · ${on} connecté${s(on)}, ${follows}` : `Atelier fermé : rien n’est diffusé`;
    bar.set(text, open ? 'anime' : 'ferme', barPoint, barQr);
    summary.textContent = n === 0 ? 'Personne n’a encore rejoint.' : `${n} inscrit${s(n)} · ${on} connecté${s(on)} · ${follows} l’animation`;
  }

  function renderParticipants(): void {
    list.replaceChildren(
      ...participants.map((p) =>
        el(
          'li',
          { 'data-id': String(p.id), 'data-connected': String(p.connected), 'data-following': String(p.following) },
          el('span', { class: 'participant-nom' }, p.name),
          ' ',
          el('span', { class: `participant-etat ${p.connected ? 'connecte' : 'deconnecte'}` }, p.connected ? (p.following ? 'suit' : 'explore seul') : 'déconnecté'),
        ),
      ),
    );
    render();
  }

  function renderSteps(): void {
    const open = w.status === 'open';
    steps.replaceChildren(
      ...w.steps.map((s) => {
        const go = button(s.title, { class: 'etape-aller', 'data-step': String(s.id), title: 'Revenir à cette vue (diffusée)' }, () => goTo(s));
        const rename = button('Renommer', { class: 'lien-bouton', 'aria-label': `Renommer l’étape « ${s.title} »` }, () => renameInline(li, s));
        const del = button('Supprimer', { class: 'lien-bouton', 'aria-label': `Supprimer l’étape « ${s.title} »` }, () => {
          deleteStep(code, token, s.id).then(() => {
            w.steps = w.steps.filter((x) => x.id !== s.id);
            renderSteps();
          }, fail);
        });
        rename.disabled = del.disabled = !open;
        const li = el('li', { 'data-step': String(s.id) }, go, el('span', { class: 'etape-outils' }, rename, del));
        return li;
      }),
    );
  }

  function renameInline(li: HTMLElement, s: Step): void {
    const input = el('input', { type: 'text', maxlength: '120', 'aria-label': `Nouveau titre de l’étape « ${s.title} »` });
    input.value = s.title;
    const form = el('form', { class: 'etape-renommer' }, input, el('button', { type: 'submit' }, 'OK'), button('Annuler', {}, () => renderSteps()));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const t = input.value.trim();
      if (!t) return;
      renameStep(code, token, s.id, t).then((x) => {
        w.steps = w.steps.map((y) => (y.id === s.id ? { ...y, ...x } : y));
        renderSteps();
      }, fail);
    });
    li.replaceChildren(form);
    input.focus();
    input.select();
  }

  /** A step's view on this screen, which the broadcast then sends to everyone. */
  function goTo(s: Step): void {
    app.showBounds(s.view.bounds, 0);
    void app.applyView(s.view);
  }

  async function point(): Promise<void> {
    const s = app.state();
    if (!s.selection) return;
    try {
      await postPointer(code, token, s.level || 'departement', s.selection);
    } catch (err) {
      bar.error(problemText(err));
    }
  }

  async function toggleClosed(): Promise<void> {
    closeBtn.disabled = true;
    try {
      session.absorb(w.status === 'open' ? await closeWorkshop(code, token) : await reopenWorkshop(code, token));
    } catch (err) {
      fail(err);
    } finally {
      closeBtn.disabled = false;
    }
  }

  function setting(box: HTMLInputElement, key: 'allow_anonymous' | 'allow_pointing'): void {
    box.addEventListener('change', () => {
      const want = box.checked;
      updateWorkshop(code, token, { [key]: want }).then(
        (x) => session.absorb(x),
        (err: unknown) => {
          box.checked = !want;
          fail(err);
        },
      );
    });
  }
  setting(anon, 'allow_anonymous');
  setting(pointing, 'allow_pointing');

  // ---- participants: polled (presence changes are not events) ----
  let polling: AbortController | null = null;
  async function poll(): Promise<void> {
    polling?.abort();
    const ac = new AbortController();
    polling = ac;
    try {
      const r = await listParticipants(code, token, ac.signal);
      participants = r.participants ?? [];
      renderParticipants();
    } catch (err) {
      if (!ac.signal.aborted && !(err instanceof TypeError)) console.warn('liste des participants indisponible', err);
    }
  }
  window.setInterval(() => void poll(), POLL_MS);

  // ---- the live session ----
  session.on({
    steps: (s) => {
      w.steps = s;
      renderSteps();
    },
    status: () => {
      w = session.workshop;
      broadcast.enabled = w.status === 'open';
      // Reopened: the participants get the current view at once.
      if (broadcast.enabled) broadcast.mark();
      render();
      renderSteps();
    },
    settings: () => {
      w = session.workshop;
      render();
    },
    snapshot: (x) => {
      w = x;
      render();
      renderSteps();
    },
    pointer: (p) => void pointers.show(p),
    joined: () => void poll(),
    connection: (c) => {
      bar.setNews(c === 'lost' ? 'Connexion perdue, reconnexion…' : c === 'connecting' ? 'Connexion à l’atelier…' : '');
      if (c === 'open') {
        void poll();
        // Views sent while the server was away may be lost: send the current one.
        broadcast.mark();
      }
    },
    fatal: (err) => bar.error(problemText(err), 60_000),
  });

  broadcast.enabled = w.status === 'open';
  app.onViewChange(() => {
    render();
    broadcast.mark();
  });
  const map = app.atlas.map;
  map.on('move', () => broadcast.mark());
  map.on('moveend', () => broadcast.mark());

  render();
  renderSteps();
  showSnapshotPointer(pointers, snapshot);
  session.start();
  void poll();

  return {
    role: 'facilitator',
    code,
    connection: () => session.connection,
    seq: () => session.lastSeq(),
    sent: () => broadcast.sent,
    lastSentSeq: () => broadcast.lastSeq,
    participants: () => participants,
    pointer: () => pointers.current,
    status: () => w.status,
    idle: () => broadcast.idle(),
    board: () => board.debug,
  };
}
