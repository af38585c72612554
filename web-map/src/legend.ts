// The legend: classes with colours, labels and counts, the secret and
// missing classes, the period and the source line. It is one <table> (with
// a caption and header cells), so screen readers read it as a table.
import type { Choropleth, Indicator } from './api';
import { periodLabel, sexLabel } from './labels';
import { CONTEXT_COLOR } from './map';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Draws the legend of a choropleth into `root`. `titleId` names its title
 * (the table refers to it): a page with several legends (maps side by side)
 * gives each its own. `subtitle` replaces the period line (an analysis map
 * says its own periods).
 */
export function renderLegend(root: HTMLElement, ch: Choropleth, ind: Indicator | undefined, titleId = 'legende-titre', subtitle?: string): void {
  // A regional map says which région its classes were computed in.
  const study = ch.within?.name ?? '';
  root.replaceChildren();
  delete root.dataset['analysis'];
  root.append(el('h2', { id: titleId }, ch.label));
  const sub: string[] = [periodLabel(ch.period)];
  if (study) sub.unshift(study);
  if (ch.sex !== 'ensemble') sub.push(sexLabel(ch.sex));
  if (ch.sector !== 'ensemble') sub.push(`secteur ${ch.sector}`);
  root.append(el('p', { class: 'legende-periode', 'data-period': ch.period }, subtitle ?? sub.join(' · ')));
  if (ch.notice) root.append(el('p', { class: 'legende-avis', role: 'note' }, ch.notice));

  const table = el('table', { class: 'legende-table', 'aria-describedby': titleId });
  table.append(el('caption', {}, `Classes (${ch.unit})`));
  const head = el('thead');
  const hr = el('tr');
  hr.append(el('th', { scope: 'col' }, 'Couleur'), el('th', { scope: 'col' }, 'Classe'), el('th', { scope: 'col' }, 'Territoires'));
  head.append(hr);
  const body = el('tbody');
  for (const c of ch.legend) {
    const tr = el('tr', { 'data-class': String(c.class), 'data-kind': c.kind, 'data-count': String(c.count) });
    const sw = el('span', { class: `pastille pastille-${c.kind}`, 'aria-hidden': 'true' });
    sw.style.backgroundColor = c.color;
    const swCell = el('td');
    swCell.append(sw);
    tr.append(swCell, el('th', { scope: 'row' }, c.label), el('td', { class: 'nombre' }, c.count.toLocaleString('fr-FR')));
    body.append(tr);
  }
  table.append(head, body);
  root.append(table);
  if (study) {
    const p = el('p', { class: 'legende-contexte' });
    const sw = el('span', { class: 'pastille pastille-contexte', 'aria-hidden': 'true' });
    sw.style.backgroundColor = CONTEXT_COLOR;
    p.append(sw, document.createTextNode(` hors de ${study} : contexte, sans couleur ni classe`));
    root.append(p);
  }
  const source = ch.source ?? (ind ? `Source : ${ind.producer} (${periodLabel(ch.period)})` : '');
  if (source) root.append(el('p', { class: 'legende-source' }, source));
}
