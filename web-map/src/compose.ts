// « Composer un document »: the diagnostic's documents (chiffres clés, focus
// sheets, territory portrait) made by the server from the data, chosen here
// (document, territory, period, themes, sections) as the query of a link to
// /api/v1/documents/…, so the same document can be made again after the next
// data release. The choice is kept in the page's address (`doc=` in the
// hash, beside the view), and the links open the print-ready page or the PDF.
import type { Indicator } from './api';
import { button, el, linkField, modal } from './ui';

/** What the panel reads from the map's view. */
export interface ComposeDeps {
  indicators: Indicator[];
  /** The view: its région ('' for France), level, selection and period. */
  view: () => { region: string; level: string; selection: string; period: string };
}

/** The documents, their route and what they are about. */
const KINDS = [
  { id: 'chiffres-cles', label: 'Chiffres clés', path: 'chiffres-cles', about: 'territory' },
  { id: 'theme', label: 'Focus thématique (territoires de la région)', path: 'focus/theme', about: 'region' },
  { id: 'secteur', label: 'Focus secteur (territoires de la région, par sexe)', path: 'focus/secteur', about: 'region' },
  { id: 'population', label: 'Focus population (femmes ou hommes)', path: 'focus/population', about: 'territory' },
  { id: 'territoire', label: 'Portrait de territoire (face à la région et à la France)', path: 'focus/territoire', about: 'territory' },
] as const;

const SECTIONS = [
  { id: 'chiffres', label: 'Chiffres clés' },
  { id: 'cartes', label: 'Cartes' },
  { id: 'series', label: 'Évolution' },
  { id: 'secteurs', label: 'Focus secteurs' },
];

const SECTORS = [
  ['87', 'Hébergement médico-social et social'],
  ['88', 'Action sociale sans hébergement'],
  ['78.20Z', 'Travail temporaire'],
  ['52.10', 'Entreposage et stockage'],
  ['49', 'Transports terrestres'],
  ['81', 'Nettoyage et aménagement paysager'],
  ['56', 'Restauration'],
  ['F', 'Construction'],
  ['38', 'Collecte, traitement et élimination des déchets'],
  ['CH', 'Métallurgie et fabrication de produits métalliques'],
];

const HASH_KEY = 'doc';

/** The document chosen, as the query of its route plus `kind`. */
function savedChoice(): URLSearchParams {
  const h = new URLSearchParams(location.hash.replace(/^#/, ''));
  return new URLSearchParams(h.get(HASH_KEY) ?? '');
}

/**
 * Puts the document chosen back into the hash after the view rewrote it
 * (the view's writer knows nothing of it); nothing when none was chosen.
 */
export function keepDocumentChoice(choice: string | null = lastChoice): void {
  if (choice === null) return;
  const h = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (h.get(HASH_KEY) === choice) return;
  h.set(HASH_KEY, choice);
  history.replaceState(null, '', location.pathname + location.search + '#' + h.toString());
}

let lastChoice: string | null = savedChoice().toString() || null;

/** The route and query of a choice (without kind and format). */
export function documentURL(choice: URLSearchParams, format: 'html' | 'pdf'): string {
  const kind = KINDS.find((k) => k.id === choice.get('kind')) ?? KINDS[0];
  const q = new URLSearchParams();
  for (const [k, v] of choice) if (k !== 'kind' && v !== '') q.set(k, v);
  q.set('format', format);
  return `/api/v1/documents/${kind.path}?${q.toString()}`;
}

export function initCompose(deps: ComposeDeps): void {
  const group = document.querySelector('.actions-export');
  if (!group) return;
  const open = button('Composer un document', { id: 'bouton-document', 'aria-haspopup': 'dialog' }, () => show(deps));
  group.insertBefore(open, document.getElementById('bouton-comparer'));
}

function show(deps: ComposeDeps): void {
  const d = modal('composer-titre', 'composer');
  const v = deps.view();
  const saved = savedChoice();
  const region = v.region ? `region:${v.region}` : '';
  const selected = v.selection && v.level && v.level !== 'region' ? `${v.level}:${v.selection}` : '';
  // In the order of the diagnostic documents, as the server prints them.
  const order = ['emploi-entreprises', 'exposition', 'sinistralite', 'prevention', 'maintien-emploi'];
  const themes = [...new Map(deps.indicators.map((i) => [i.theme, i.theme_label])).entries()].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));

  const select = (id: string, label: string, options: [string, string][], value: string): [HTMLElement, HTMLSelectElement] => {
    const s = el('select', { id });
    for (const [val, text] of options) s.append(el('option', { value: val }, text));
    s.value = options.some(([val]) => val === value) ? value : options[0]?.[0] ?? '';
    return [el('p', {}, el('label', { for: id }, label), s), s];
  };
  const [kindRow, kind] = select('doc-type', 'Document', KINDS.map((k) => [k.id, k.label]), saved.get('kind') ?? 'chiffres-cles');
  const places: [string, string][] = [];
  if (region) places.push([region, 'La région étudiée']);
  if (selected) places.push([selected, 'Le territoire sélectionné sur la carte']);
  const typed = saved.get('territory') ?? '';
  if (typed && !places.some(([p]) => p === typed)) places.push([typed, typed]);
  if (places.length === 0) places.push(['region:76', 'Occitanie (région 76)']);
  const [placeRow, place] = select('doc-territoire', 'Territoire', places, typed || selected || region);
  const period = el('input', { id: 'doc-periode', type: 'text', inputmode: 'numeric', placeholder: 'la plus récente', value: saved.get('period') ?? v.period });
  const periodRow = el('p', {}, el('label', { for: 'doc-periode' }, 'Période (année ou trimestre, 2023-T3)'), period);
  const [themeRow, theme] = select('doc-theme', 'Thème', themes, saved.get('theme') ?? themes[0]?.[0] ?? '');
  const [sectorRow, sector] = select('doc-secteur', 'Secteur', SECTORS as [string, string][], saved.get('sector') ?? 'F');
  const [sexRow, sex] = select('doc-sexe', 'Population', [['femmes', 'Femmes'], ['hommes', 'Hommes']], saved.get('sex') ?? 'femmes');

  const checks = (legend: string, items: { id: string; label: string }[], chosen: string[]): [HTMLElement, () => string] => {
    const boxes = items.map((it) => {
      const c = el('input', { type: 'checkbox', value: it.id });
      c.checked = chosen.length === 0 || chosen.includes(it.id);
      return [el('label', { class: 'case' }, c, ` ${it.label}`), c] as const;
    });
    const set = el('fieldset', {}, el('legend', {}, legend), ...boxes.map(([l]) => l));
    // Every box checked is the default: no parameter, so a new theme or
    // section of the next release is in the same link's document.
    const value = (): string => (boxes.every(([, c]) => c.checked) ? '' : boxes.filter(([, c]) => c.checked).map(([, c]) => c.value).join(','));
    return [set, value];
  };
  const [themesSet, themesValue] = checks('Thèmes', themes.map(([id, label]) => ({ id, label })), (saved.get('themes') ?? '').split(',').filter(Boolean));
  const [sectionsSet, sectionsValue] = checks('Sections de chaque thème', SECTIONS, (saved.get('sections') ?? '').split(',').filter(Boolean));

  const html = el('a', { class: 'bouton', target: '_blank', rel: 'noopener' }, 'Ouvrir la page imprimable');
  const pdf = el('a', { class: 'bouton' }, 'Télécharger le PDF');
  const link = linkField('doc-lien', 'Lien du document (à refaire après la prochaine mise à jour des données)', '', 'Copier le lien');

  const choice = (): URLSearchParams => {
    const k = KINDS.find((x) => x.id === kind.value) ?? KINDS[0];
    const c = new URLSearchParams({ kind: k.id });
    c.set('territory', k.about === 'region' ? region || place.value : place.value);
    if (period.value.trim()) c.set('period', period.value.trim());
    if (k.id === 'theme') c.set('theme', theme.value);
    if (k.id === 'secteur') c.set('sector', sector.value);
    if (k.id === 'population') c.set('sex', sex.value);
    if (k.id === 'chiffres-cles' || k.id === 'population') {
      const t = themesValue();
      const s = sectionsValue();
      if (t) c.set('themes', t);
      if (s) c.set('sections', s);
    }
    return c;
  };
  const update = (): void => {
    const k = KINDS.find((x) => x.id === kind.value) ?? KINDS[0];
    themeRow.hidden = k.id !== 'theme';
    sectorRow.hidden = k.id !== 'secteur';
    sexRow.hidden = k.id !== 'population';
    placeRow.hidden = k.about === 'region' && region !== '';
    themesSet.hidden = sectionsSet.hidden = !(k.id === 'chiffres-cles' || k.id === 'population');
    periodRow.hidden = k.id === 'territoire';
    const c = choice();
    html.href = documentURL(c, 'html');
    pdf.href = documentURL(c, 'pdf');
    link.input.value = new URL(documentURL(c, 'pdf'), location.href).href;
    lastChoice = c.toString();
    keepDocumentChoice();
  };
  const form = el('form', { class: 'dialogue-formulaire composer-formulaire' }, kindRow, placeRow, periodRow, themeRow, sectorRow, sexRow, themesSet, sectionsSet);
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  form.addEventListener('submit', (e) => e.preventDefault());
  d.append(
    el('h2', { id: 'composer-titre' }, 'Composer un document'),
    el('p', {}, 'Chiffres clés, fiches focus et portraits faits par le serveur à partir des données : chaque chiffre passe le secret statistique, chaque source est citée.'),
    form,
    el('p', { class: 'composer-liens' }, html, pdf),
    link.root,
    el('p', {}, button('Fermer', {}, () => d.close())),
  );
  update();
  d.showModal();
}
