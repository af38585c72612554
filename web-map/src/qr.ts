// « Afficher le QR code »: a full-screen overlay for the projector, with the
// server's QR code of the participants' link (made offline by the server,
// an <img>: nothing drawn here), the join code in very large letters and
// the link, for those who type it.
import { qrURL } from './workshop-api';
import { button, el, modal } from './ui';

export function showQR(code: string, title: string, link: string): HTMLDialogElement {
  const d = modal('qr-titre', 'qr-plein-ecran');
  const img = el('img', {
    class: 'qr-image',
    src: qrURL(code),
    alt: `QR code du lien des participants : ${link}`,
    width: '600',
    height: '600',
  });
  const close = button('Fermer (Échap)', { class: 'qr-fermer' }, () => d.close());
  // The code is spelled out for screen readers (« K 7 M 2 … »).
  const big = el('p', { class: 'qr-code', 'aria-label': `Code : ${code.split('').join(' ')}` }, code);
  d.append(
    el(
      'div',
      { class: 'qr-contenu' },
      el('h2', { id: 'qr-titre' }, title ? `Rejoindre « ${title} »` : 'Rejoindre l’atelier'),
      el('div', { class: 'qr-corps' }, img, el('div', { class: 'qr-texte' }, el('p', { class: 'qr-aide' }, 'Scannez, ou tapez le code sur la carte (« Rejoindre un atelier ») :'), big, el('p', { class: 'qr-lien' }, link))),
      close,
    ),
  );
  // A click on the backdrop closes too.
  d.addEventListener('click', (e) => {
    if (e.target === d) d.close();
  });
  d.showModal();
  close.focus();
  return d;
}
