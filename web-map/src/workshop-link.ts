// Workshop links and tokens. A workshop lives in the URL fragment, which
// browsers never send to a server (so never into a log):
//
//   participants  /#atelier=CODE
//   facilitator   /#atelier=CODE&animateur=TOKEN
//
// The token of a facilitator link is moved at once to localStorage (one key
// per workshop) and taken out of the address bar, where a shared screen or
// a photo of the projector would show it; a reload finds it there and keeps
// the role. A participant's token, answered at join, is kept the same way,
// so a reload rejoins as the same person without asking for a name again.
import { normaliseCode } from './workshop-api';

export interface WorkshopLink {
  code: string;
  /** The facilitator token the link carried, if any. */
  facilitator: string | null;
}

/** The workshop a fragment names, or null for a plain map link. */
export function parseWorkshopLink(hash: string): WorkshopLink | null {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const raw = p.get('atelier');
  if (raw === null) return null;
  const code = normaliseCode(raw);
  if (!code) return null;
  const t = (p.get('animateur') ?? '').trim();
  return { code, facilitator: t || null };
}

export function participantHash(code: string): string {
  return `#atelier=${encodeURIComponent(code)}`;
}

/** Links are absolute, to be copied or put in a QR code. */
export function participantLink(code: string): string {
  return new URL('/' + participantHash(code), location.href).href;
}

export function facilitatorLink(code: string, token: string): string {
  return new URL(`/${participantHash(code)}&animateur=${encodeURIComponent(token)}`, location.href).href;
}

const key = (role: 'animateur' | 'participant', code: string): string => `atlas.atelier.${code}.${role}`;

function read(k: string): string | null {
  try {
    return localStorage.getItem(k);
  } catch {
    // Storage refused (private mode, policy): the role lasts the page only.
    return null;
  }
}

function write(k: string, v: string | null): void {
  try {
    if (v === null) localStorage.removeItem(k);
    else localStorage.setItem(k, v);
  } catch {
    // see read()
  }
}

export const facilitatorToken = (code: string): string | null => read(key('animateur', code));
export const setFacilitatorToken = (code: string, token: string | null): void => write(key('animateur', code), token);
export const participantToken = (code: string): string | null => read(key('participant', code));
export const setParticipantToken = (code: string, token: string | null): void => write(key('participant', code), token);

/**
 * Reads the workshop of the current URL: stores a facilitator token it
 * carries and rewrites the address bar without it.
 */
export function takeWorkshopLink(): WorkshopLink | null {
  const link = parseWorkshopLink(location.hash);
  if (!link) return null;
  if (link.facilitator) {
    setFacilitatorToken(link.code, link.facilitator);
    history.replaceState(null, '', location.pathname + location.search + participantHash(link.code));
  }
  return link;
}
