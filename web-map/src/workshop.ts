// The workshop mode's entry, loaded on demand (main.ts imports it when a
// link names a workshop or a header button asks for one): the « Nouvel
// atelier » and « Rejoindre un atelier » dialogs, and the choice of role
// when a workshop page starts.
import type { AtlasApp } from './app';
import { startFacilitator, type FacilitatorDebug } from './facilitator';
import { startParticipant, type ParticipantDebug } from './participant';
import { showQR } from './qr';
import { button, el, linkField, modal } from './ui';
import { createWorkshop, getWorkshop, normaliseCode, problemText, WorkshopError, type Workshop } from './workshop-api';
import { facilitatorLink, facilitatorToken, participantHash, participantLink, setFacilitatorToken } from './workshop-link';

type App = AtlasApp & { holdProfile(on: boolean): void };
export type WorkshopDebug = FacilitatorDebug | ParticipantDebug;

function publish(d: WorkshopDebug): WorkshopDebug {
  if (window.__atlas) window.__atlas.workshop = d;
  return d;
}

/** Starts the workshop mode of a page opened on a workshop link. */
export function startWorkshop(app: App, code: string, snapshot: Workshop): WorkshopDebug {
  const ft = facilitatorToken(code);
  if (ft && (snapshot.me === undefined || snapshot.me?.role === 'facilitator')) return publish(startFacilitator(app, code, ft, snapshot));
  if (ft) {
    // The server did not recognise this browser's facilitator token.
    setFacilitatorToken(code, null);
    app.say('Lien d’animation non reconnu par le serveur : vous rejoignez comme participant.');
  }
  return publish(startParticipant(app, code, snapshot));
}

/** « Nouvel atelier »: title, territory, settings; then the links, and the page drives it. */
export function openCreateDialog(app: App): void {
  const d = modal('creer-titre', 'creer-dialogue');
  const name = el('input', { id: 'creer-nom', type: 'text', required: '', maxlength: '120', autocomplete: 'off' });
  const study = el('select', { id: 'creer-etude' });
  const ctl = document.getElementById('ctl-etude') as HTMLSelectElement | null;
  for (const o of ctl ? [...ctl.options] : []) study.append(el('option', { value: o.value }, o.textContent ?? o.value));
  study.value = app.state().region;
  // Another territory: the map changes through its own control, so the
  // starting view is what the map then shows.
  study.addEventListener('change', () => {
    if (!ctl) return;
    ctl.value = study.value;
    ctl.dispatchEvent(new Event('change'));
  });
  const anon = el('input', { id: 'creer-anonymes', type: 'checkbox' });
  const pointing = el('input', { id: 'creer-pointage', type: 'checkbox' });
  pointing.checked = true;
  const error = el('p', { class: 'dialogue-erreur', role: 'alert' });
  const submit = el('button', { type: 'submit', class: 'principal' }, 'Créer l’atelier');
  const form = el(
    'form',
    { class: 'dialogue-formulaire' },
    el('label', { for: 'creer-nom' }, 'Titre de l’atelier'),
    name,
    el('label', { for: 'creer-etude' }, 'Territoire d’étude'),
    study,
    el('p', { class: 'aide' }, 'La vue actuelle de la carte (indicateur, période, cadrage…) sera la vue de départ.'),
    el('div', { class: 'case' }, anon, el('label', { for: 'creer-anonymes' }, 'Autoriser les participants anonymes')),
    el('div', { class: 'case' }, pointing, el('label', { for: 'creer-pointage' }, 'Autoriser les participants à montrer un territoire')),
    error,
    el('div', { class: 'dialogue-boutons' }, button('Annuler', {}, () => d.close()), submit),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const title = name.value.trim();
    if (!title) {
      error.textContent = 'Donnez un titre à l’atelier.';
      name.focus();
      return;
    }
    submit.disabled = true;
    error.textContent = '';
    void (async () => {
      try {
        await app.settled();
        const view = app.currentView();
        const r = await createWorkshop({ title, region: view.region, view, allow_anonymous: anon.checked, allow_pointing: pointing.checked });
        const code = r.workshop.code;
        setFacilitatorToken(code, r.facilitator_token);
        const secret = r.links?.facilitator ?? facilitatorLink(code, r.facilitator_token);
        const part = r.links?.participant ?? r.workshop.links?.participant ?? participantLink(code);
        publish(startFacilitator(app, code, r.facilitator_token, { ...r.workshop, links: { ...r.workshop.links, participant: part } }, secret));
        created(d, r.workshop.title, code, part, secret);
      } catch (err) {
        submit.disabled = false;
        error.textContent = problemText(err);
      }
    })();
  });
  d.append(el('h2', { id: 'creer-titre' }, 'Nouvel atelier'), form);
  d.showModal();
  name.focus();
}

/** The dialog's second screen: code, links, QR code. */
function created(d: HTMLDialogElement, title: string, code: string, part: string, secret: string): void {
  const start = button('Commencer l’animation', { class: 'principal' }, () => d.close());
  d.replaceChildren(
    el('h2', { id: 'creer-titre' }, `Atelier créé : ${title}`),
    el('p', { class: 'aide' }, 'Les participants rejoignent avec le code, le lien ou le QR code :'),
    el('p', { class: 'code-geant', id: 'creer-code', 'aria-label': `Code : ${code.split('').join(' ')}` }, code),
    linkField('creer-lien-participants', 'Lien des participants', part, 'Copier le lien').root,
    button('Afficher le QR code', { id: 'creer-qr' }, () => showQR(code, title, part)),
    el('hr'),
    linkField('creer-lien-animation', 'Lien d’animation (secret)', secret, 'Copier le lien d’animation').root,
    el('p', { class: 'avertissement' }, 'Ne partagez pas ce lien : il donne la main sur l’atelier. Gardez-le pour reprendre l’animation sur un autre appareil.'),
    el('div', { class: 'dialogue-boutons' }, start),
  );
  start.focus();
}

/** « Rejoindre un atelier »: the 6-character code, then the join page. */
export function openJoinCodeDialog(_app: App): void {
  const d = modal('code-titre', 'code-dialogue');
  const input = el('input', {
    id: 'code-saisie',
    class: 'code-saisie',
    type: 'text',
    maxlength: '6',
    minlength: '6',
    required: '',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    enterkeyhint: 'go',
    'aria-describedby': 'code-aide',
  });
  const error = el('p', { class: 'dialogue-erreur', role: 'alert' });
  const submit = el('button', { type: 'submit', class: 'principal' }, 'Rejoindre');
  const form = el(
    'form',
    { class: 'dialogue-formulaire' },
    el('label', { for: 'code-saisie' }, 'Code de l’atelier'),
    input,
    el('p', { id: 'code-aide', class: 'aide' }, '6 lettres ou chiffres, affichés par l’animateur (majuscules ou minuscules).'),
    error,
    el('div', { class: 'dialogue-boutons' }, button('Annuler', {}, () => d.close()), submit),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const code = normaliseCode(input.value);
    if (!code) {
      error.textContent = 'Le code fait 6 lettres ou chiffres.';
      input.focus();
      return;
    }
    submit.disabled = true;
    error.textContent = '';
    getWorkshop(code, null).then(
      () => {
        // The page starts again on the workshop's link (main.ts reloads on it).
        location.hash = participantHash(code);
      },
      (err: unknown) => {
        submit.disabled = false;
        error.textContent = err instanceof WorkshopError && err.status === 404 ? `Aucun atelier ne porte le code ${code}.` : problemText(err);
        input.focus();
      },
    );
  });
  d.append(el('h2', { id: 'code-titre' }, 'Rejoindre un atelier'), form);
  d.showModal();
  input.focus();
}
