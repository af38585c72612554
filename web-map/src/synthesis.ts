// The workshop's synthesis, for the facilitator: Markdown, CSV (French
// spreadsheets), JSON, and the printable HTML page. The route takes the
// bearer token, which never goes in a URL (it would reach logs and the
// history): each file is fetched with it and handed over as a Blob — a
// download, or the HTML page opened in a new tab from its Blob URL (the tab
// is opened at the click, so that popup blockers let it through).
import { fetchSynthesis, type SynthesisFormat } from './board-api';
import { failText, type BoardCtx } from './board-ctx';
import { button, el } from './ui';

const FILES: ReadonlyArray<{ format: SynthesisFormat; label: string; hint: string }> = [
  { format: 'md', label: 'Markdown (.md)', hint: 'texte à reprendre dans un document' },
  { format: 'csv', label: 'Tableur (.csv)', hint: 'une ligne par contribution, priorité, étape, réponse' },
  { format: 'json', label: 'Données (.json)', hint: 'pour un traitement' },
];

export class SynthesisView {
  readonly root: HTMLElement;
  private readonly status = el('p', { class: 'synthese-etat', role: 'status' });
  private readonly error = el('p', { class: 'dialogue-erreur', role: 'alert' });
  /** The last file handed over (tests). */
  last: { format: SynthesisFormat; size: number } | null = null;

  constructor(private readonly ctx: BoardCtx) {
    const page = button('Page imprimable (HTML)', { class: 'synthese-html', 'data-format': 'html' }, () => void this.openPage());
    const files = FILES.map((f) =>
      button(f.label, { class: 'synthese-fichier', 'data-format': f.format, title: f.hint }, () => void this.download(f.format)),
    );
    this.root = el(
      'section',
      { class: 'synthese', 'aria-labelledby': 'synthese-titre' },
      el('h3', { id: 'synthese-titre' }, 'Synthèse'),
      el('p', { class: 'aide' }, 'Étapes et chiffres présentés, contributions par territoire, territoires à prioriser, sondages, constats et pistes retenus ; aucun chiffre couvert par le secret statistique.'),
      el('div', { class: 'synthese-boutons' }, page, ...files),
      this.status,
      this.error,
    );
  }

  private filename(format: SynthesisFormat): string {
    return `synthese-atelier-${this.ctx.code}.${format}`;
  }

  private async download(format: SynthesisFormat): Promise<void> {
    this.error.textContent = '';
    this.status.textContent = 'Préparation…';
    try {
      const blob = await fetchSynthesis(this.ctx.code, this.ctx.token(), format);
      const url = URL.createObjectURL(blob);
      const a = el('a', { href: url, download: this.filename(format) });
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      // Revoked later: the download reads the Blob after the click returns.
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.last = { format, size: blob.size };
      this.status.textContent = `${this.filename(format)} téléchargé.`;
    } catch (err) {
      this.status.textContent = '';
      this.error.textContent = failText(err);
    }
  }

  private async openPage(): Promise<void> {
    this.error.textContent = '';
    // Opened now, within the click; filled when the page has come.
    const tab = window.open('', '_blank');
    this.status.textContent = 'Préparation…';
    try {
      const blob = await fetchSynthesis(this.ctx.code, this.ctx.token(), 'html');
      const url = URL.createObjectURL(new Blob([blob], { type: 'text/html;charset=utf-8' }));
      this.last = { format: 'html', size: blob.size };
      if (tab) {
        tab.location.href = url;
        window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
        this.status.textContent = 'Page de synthèse ouverte dans un nouvel onglet (à imprimer ou enregistrer en PDF).';
      } else {
        // Popups refused: a link, which the person opens themselves (never this page, the workshop would stop).
        this.status.replaceChildren(el('a', { href: url, target: '_blank', rel: 'noopener' }, 'Ouvrir la page de synthèse'));
      }
    } catch (err) {
      tab?.close();
      this.status.textContent = '';
      this.error.textContent = failText(err);
    }
  }
}
