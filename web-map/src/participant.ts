// A participant's page (phone first): the join dialog, then the map that
// follows the facilitator (follow.ts), the banner, « Montrer » when the
// facilitator allows it, the workshop's steps to look at again, and the
// presence flag the facilitator's panel shows.
import type { AtlasApp } from './app';
import { WorkshopBar } from './bar';
import { startBoard, type BoardDebug, type BoardHandle } from './board';
import { Follower } from './follow';
import { PointerView } from './pointer';
import { Session } from './session';
import { button, charCount, el, modal } from './ui';
import { getWorkshop, joinWorkshop, postPointer, problemText, putPresence, type Step, type Workshop, WorkshopError } from './workshop-api';
import { participantToken, setParticipantToken } from './workshop-link';

export interface ParticipantDebug {
  role: 'participant';
  code: string;
  name: () => string;
  following: () => boolean;
  connection: () => string;
  seq: () => number;
  applied: () => number;
  pointer: () => PointerView['current'];
  presence: () => boolean | null;
  /** The board, once joined. */
  board: () => BoardDebug | null;
}

/** A pointer still showing when the page (re)loads: shown for what is left of it. */
export function showSnapshotPointer(pointers: PointerView, w: Workshop): void {
  const p = w.pointer;
  if (!p) return;
  const left = Math.min(PointerView.remaining(p), Date.parse(p.until) - Date.now());
  if (left > 500) void pointers.show(p, left);
}

/** Asks for a display name (unless anonymous is allowed) and joins. Resolves with the token, or null if dismissed. */
export function askToJoin(w: Workshop): Promise<{ token: string; name: string; id: number } | null> {
  return new Promise((resolve) => {
    const d = modal('rejoindre-titre', 'rejoindre-dialogue');
    const anonymous = w.allow_anonymous === true;
    const closed = w.status === 'closed';
    const title = el('h2', { id: 'rejoindre-titre' }, 'Rejoindre l’atelier');
    const what = el('p', { class: 'atelier-nom' }, w.title);
    const error = el('p', { class: 'dialogue-erreur', role: 'alert' });
    let settled = false;
    const finish = (r: { token: string; name: string; id: number } | null): void => {
      if (settled) return;
      settled = true;
      resolve(r);
      if (d.open) d.close();
    };
    d.addEventListener('close', () => finish(null));
    if (closed) {
      d.append(
        title,
        what,
        el('p', { class: 'atelier-ferme' }, 'Atelier fermé : on ne peut plus le rejoindre. La carte montre sa dernière vue.'),
        button('Voir la carte', { class: 'principal' }, () => finish(null)),
      );
      d.showModal();
      return;
    }
    const input = el('input', {
      id: 'rejoindre-nom',
      name: 'nom',
      type: 'text',
      maxlength: '40',
      autocomplete: 'nickname',
      autocapitalize: 'words',
      enterkeyhint: 'go',
      'aria-describedby': 'rejoindre-aide',
    });
    if (!anonymous) input.required = true;
    const help = el(
      'p',
      { id: 'rejoindre-aide', class: 'aide' },
      anonymous
        ? 'Facultatif (40 caractères au plus) : laissé vide, vous serez « Participant N ».'
        : 'De 1 à 40 caractères ; il s’affiche pour l’animateur et quand vous montrez un territoire.',
    );
    const submit = el('button', { type: 'submit', class: 'principal' }, 'Rejoindre');
    const form = el(
      'form',
      { method: 'dialog', class: 'dialogue-formulaire' },
      el('label', { for: 'rejoindre-nom' }, anonymous ? 'Votre nom (facultatif)' : 'Votre nom'),
      input,
      help,
      error,
      el('div', { class: 'dialogue-boutons' }, submit),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const name = input.value.trim();
      const n = charCount(name);
      if ((n === 0 && !anonymous) || n > 40) {
        error.textContent = n === 0 ? 'Indiquez un nom (1 à 40 caractères).' : 'Le nom fait plus de 40 caractères.';
        input.focus();
        return;
      }
      submit.disabled = true;
      error.textContent = '';
      joinWorkshop(w.code, name).then(
        (r) => finish({ token: r.token, name: r.participant.name, id: r.participant.id }),
        (err: unknown) => {
          submit.disabled = false;
          error.textContent = problemText(err);
        },
      );
    });
    d.append(title, what, form);
    d.showModal();
    input.focus();
  });
}

export function startParticipant(app: AtlasApp & { holdProfile(on: boolean): void }, code: string, snapshot: Workshop): ParticipantDebug {
  const frame = app.atlas.map.getContainer().parentElement as HTMLElement;
  const bar = new WorkshopBar(frame, true);
  const pointers = new PointerView(app, bar);
  const follower = new Follower(app, () => bar.covered() + 8);
  let session: Session | null = null;
  let board: BoardHandle | null = null;
  let name = snapshot.me?.name ?? '';
  let me = snapshot.me?.role === 'participant' ? (snapshot.me.id ?? 0) : 0;
  let presence: boolean | null = null;
  let workshop = snapshot;
  document.body.classList.add('atelier', 'atelier-participant');
  bar.watchHeight((h) => frame.style.setProperty('--atelier-barre', `${h}px`));

  // The workshop's block at the top of the settings panel (the sheet on phones).
  const info = el('section', { id: 'atelier-infos', class: 'atelier-infos', 'aria-labelledby': 'atelier-infos-titre' });
  document.getElementById('panneau-contenu')?.prepend(info);

  const followBtn = button('Explorer seul', { id: 'atelier-suivre' }, () => {
    if (follower.isFollowing()) follower.leave();
    else follower.rejoin();
  });
  const pointBtn = button('Montrer', { id: 'atelier-montrer', 'aria-describedby': 'atelier-montrer-aide' }, () => void point());
  const joinBtn = button('Rejoindre', { class: 'principal' }, () => void join());

  function renderBar(): void {
    if (!session) {
      if (workshop.status === 'closed') bar.set('Atelier fermé', 'ferme');
      else bar.set('Vous n’avez pas rejoint l’atelier', 'neutre', joinBtn);
      return;
    }
    const f = follower.isFollowing();
    followBtn.textContent = f ? 'Explorer seul' : 'Revenir à l’animation';
    followBtn.classList.toggle('principal', !f);
    const canPoint = workshop.allow_pointing !== false && workshop.status === 'open';
    pointBtn.hidden = !canPoint;
    pointBtn.disabled = !app.state().selection;
    pointBtn.title = app.state().selection ? 'Montrer ce territoire à tout l’atelier' : 'Touchez d’abord un territoire de la carte';
    if (workshop.status === 'closed') bar.set('Atelier fermé', 'ferme', followBtn, pointBtn);
    else bar.set(f ? 'Vous suivez l’animation' : 'Vous explorez seul', f ? 'suit' : 'explore', followBtn, pointBtn);
  }

  function renderInfo(): void {
    const steps = workshop.steps ?? [];
    const list = el('ol', { class: 'atelier-etapes' });
    for (const s of steps) list.append(el('li', {}, stepButton(s)));
    info.replaceChildren(
      el('h2', { id: 'atelier-infos-titre' }, workshop.title),
      el(
        'p',
        { class: 'atelier-meta' },
        `Code ${workshop.code} · ${workshop.status === 'closed' ? 'fermé' : 'ouvert'}`,
        name ? ` · vous : ` : '',
        name ? el('strong', {}, name) : '',
      ),
      el('p', { id: 'atelier-montrer-aide', class: 'aide' }, workshop.allow_pointing === false ? 'L’animateur n’a pas ouvert « Montrer » aux participants.' : 'Touchez un territoire puis « Montrer » : il s’affiche chez tous.'),
      ...(steps.length > 0 ? [el('h3', {}, 'Étapes de l’animation'), list] : []),
      el('p', {}, el('a', { href: '/', class: 'atelier-quitter' }, 'Quitter l’atelier')),
    );
  }

  /** A step, to look at again alone (it leaves follow mode). */
  function stepButton(s: Step): HTMLButtonElement {
    return button(s.title, { class: 'etape-voir', 'data-step': String(s.id) }, () => {
      follower.leave();
      app.showBounds(s.view.bounds, 0);
      void app.applyView(s.view);
      if (app.layout.isMobile()) app.layout.openSheet(false);
    });
  }

  async function point(): Promise<void> {
    const s = app.state();
    if (!session || !s.selection) return;
    try {
      await postPointer(code, session.token, s.level || 'departement', s.selection);
    } catch (err) {
      bar.error(problemText(err));
    }
  }

  // Presence: the latest value, one request at a time.
  let presenceBusy = false;
  async function sendPresence(): Promise<void> {
    if (!session || presenceBusy) return;
    presenceBusy = true;
    const want = follower.isFollowing();
    try {
      await putPresence(code, session.token, want);
      presence = want;
    } catch (err) {
      if (!(err instanceof WorkshopError && err.status === 429)) console.warn('présence non envoyée', err);
    } finally {
      presenceBusy = false;
    }
    if (presence !== follower.isFollowing()) window.setTimeout(() => void sendPresence(), 300);
  }

  // A following phone keeps the profile closed (it would cover the map), and so does one
  // waiting for the territory of a contribution to be touched (the board's sheet comes back).
  const hold = (): boolean => app.layout.isMobile() && (follower.isFollowing() || board?.picking() === true);
  follower.onChange(() => {
    app.holdProfile(hold());
    renderBar();
    void sendPresence();
  });
  app.onViewChange(() => renderBar());
  app.layout.onChange(() => app.holdProfile(hold()));
  app.holdProfile(app.layout.isMobile());
  app.setWorkshopUrl(`#atelier=${code}`);

  async function begin(token: string): Promise<void> {
    if (board) {
      // A second join (the server forgot the first token): the page starts again with the new one.
      location.reload();
      return;
    }
    if (!workshop.board) {
      // Read without a token (before joining), the snapshot has no board: again, as this participant.
      try {
        workshop = await getWorkshop(code, token);
        me = workshop.me?.id ?? me;
        follower.view(workshop.view);
      } catch (err) {
        bar.error(problemText(err));
      }
    }
    const s = new Session(code, token, 'participant', workshop);
    session = s;
    board = startBoard({ app, session: s, facilitator: false, me, snapshot: workshop, onPicking: () => app.holdProfile(hold()) });
    s.on({
      view: (v) => follower.view(v),
      snapshot: (w) => {
        workshop = w;
        renderInfo();
        renderBar();
        follower.view(w.view);
      },
      steps: (steps) => {
        workshop.steps = steps;
        renderInfo();
      },
      status: () => {
        workshop = s.workshop;
        renderInfo();
        renderBar();
      },
      settings: () => {
        workshop = s.workshop;
        renderInfo();
        renderBar();
      },
      pointer: (p) => void pointers.show(p),
      connection: (c) => {
        bar.setNews(c === 'lost' ? 'Connexion perdue, reconnexion…' : c === 'connecting' ? 'Connexion à l’atelier…' : '');
        if (c === 'open') void sendPresence();
      },
      fatal: (err) => {
        bar.setNews('');
        bar.error(`${problemText(err)}`, 60_000);
        if (err.status === 401) {
          // The server no longer knows this token: join again.
          setParticipantToken(code, null);
          session = null;
          renderBar();
        }
      },
    });
    s.start();
    renderBar();
    renderInfo();
  }

  async function join(): Promise<void> {
    const r = await askToJoin(workshop);
    if (!r) {
      renderBar();
      return;
    }
    setParticipantToken(code, r.token);
    name = r.name;
    me = r.id;
    await begin(r.token);
  }

  renderInfo();
  follower.view(snapshot.view);
  showSnapshotPointer(pointers, snapshot);
  // `me` says whether the server still knows this browser's token.
  const token = snapshot.me === undefined || snapshot.me?.role === 'participant' ? participantToken(code) : null;
  if (token) void begin(token);
  else {
    renderBar();
    void join();
  }

  return {
    role: 'participant',
    code,
    name: () => name,
    following: () => follower.isFollowing(),
    connection: () => session?.connection ?? 'none',
    seq: () => session?.lastSeq() ?? snapshot.seq,
    applied: () => follower.applied,
    pointer: () => pointers.current,
    presence: () => presence,
    board: () => board?.debug ?? null,
  };
}
