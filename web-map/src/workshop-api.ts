// Typed client of the live workshop API (/api/v1/workshops…, api/openapi.yaml,
// tag `workshops`). Write and stream routes take a bearer token: the
// facilitator's (given once, at creation) or a participant's (given at
// join). Tokens travel in the Authorization header only, never in a URL
// the server would log.
import { ApiError, type Level, type Method, type Sex } from './api';
import type { Board } from './board-api';
import type { Bounds } from './map';

/** What followers see: the view choices and the camera as bounds. */
export interface WorkshopView {
  indicator: string;
  level: Level;
  period: string;
  sex: Sex;
  sector: string;
  method: Method;
  classes: number;
  palette: string;
  region: string;
  selection: string;
  /** west, south, east, north: each screen fits them to its own shape. */
  bounds: Bounds;
  /** The analysis map shown (absent: the indicator's map). */
  analysis?: WorkshopAnalysis;
}

/** An analysis in a workshop view: the mode and the parameters of that mode. */
export interface WorkshopAnalysis {
  mode: 'evolution' | 'bivariate' | 'sex-gap';
  from?: string;
  to?: string;
  change?: string;
  with?: string;
  with_period?: string;
  gap?: string;
}

export interface Step {
  id: number;
  title: string;
  view: WorkshopView;
  created_at?: string;
}

export interface Pointer {
  level: Level;
  code: string;
  /** The territory's name. */
  name?: string;
  /** Who pointed: a participant's name, or « Animation ». */
  by: string;
  at?: string;
  until: string;
}

export interface WorkshopLinks {
  participant?: string;
  facilitator?: string;
}

export type Role = 'facilitator' | 'participant';

export interface Me {
  role: Role;
  id?: number;
  name?: string;
}

export interface Workshop {
  code: string;
  title: string;
  region?: string;
  status: 'open' | 'closed';
  allow_anonymous?: boolean;
  allow_pointing?: boolean;
  created_at?: string;
  closed_at?: string | null;
  /** The last event this state includes: the stream resumes after it. */
  seq: number;
  view?: WorkshopView | null;
  steps: Step[];
  pointer?: Pointer | null;
  participants?: number;
  links?: WorkshopLinks;
  me?: Me | null;
  /** What this token may see of the board (contributions, votes, polls); null without a token. */
  board?: Board | null;
}

export interface WorkshopCreated {
  workshop: Workshop;
  facilitator_token: string;
  links: WorkshopLinks;
}

export interface Participant {
  id: number;
  name: string;
  joined_at?: string;
  connected: boolean;
  following: boolean;
}

export interface Settings {
  title?: string;
  allow_anonymous?: boolean;
  allow_pointing?: boolean;
}

/** A problem+json answer of the workshop API, with Retry-After when given (429). */
export class WorkshopError extends ApiError {
  constructor(
    status: number,
    title: string,
    detail: string,
    readonly retryAfterMs: number | null,
  ) {
    super(status, title, detail);
  }
}

/** Join codes are 6 letters or digits, case-insensitive: written in capitals. */
export function normaliseCode(s: string): string | null {
  const c = s.trim().toUpperCase();
  return /^[A-Z0-9]{6}$/.test(c) ? c : null;
}

export const base = (code: string): string => `/api/v1/workshops/${encodeURIComponent(code)}`;

async function problem(res: Response): Promise<WorkshopError> {
  let title = res.statusText || `Erreur ${res.status}`;
  let detail = '';
  try {
    const p = (await res.json()) as { title?: string; detail?: string };
    title = p.title ?? title;
    detail = p.detail ?? '';
  } catch {
    // not problem+json: keep the status text
  }
  const ra = res.headers.get('Retry-After');
  const secs = ra !== null && /^\d+$/.test(ra.trim()) ? Number(ra) : null;
  return new WorkshopError(res.status, title, detail, secs === null ? null : secs * 1000);
}

/** An answer of a write with the id of its last event (the Workshop-Seq header; 0 when absent). */
export interface Written<T> {
  body: T;
  seq: number;
}

/**
 * One call of the workshop API, with the Workshop-Seq of its answer: the
 * board applies an answer only over what is older than it, so that an
 * event the stream brings later (or earlier) never undoes a newer state.
 */
export async function callSeq<T>(method: string, path: string, token: string | null, body?: unknown, signal?: AbortSignal): Promise<Written<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers['Authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  if (!res.ok) throw await problem(res);
  const h = res.headers.get('Workshop-Seq');
  const seq = h !== null && /^\d+$/.test(h.trim()) ? Number(h) : 0;
  if (res.status === 204) return { body: undefined as T, seq };
  const text = await res.text();
  return { body: (text ? JSON.parse(text) : undefined) as T, seq };
}

/** One call of the workshop API; a problem+json answer throws a WorkshopError. */
export async function call<T>(method: string, path: string, token: string | null, body?: unknown, signal?: AbortSignal): Promise<T> {
  return (await callSeq<T>(method, path, token, body, signal)).body;
}

/** The message shown for a failed call: the server's French detail when it gives one. */
export function problemText(err: unknown): string {
  if (err instanceof ApiError) return err.detail && err.detail !== err.title ? `${err.title} : ${err.detail}` : err.title;
  if (err instanceof TypeError) return 'serveur injoignable';
  return String(err);
}

export const createWorkshop = (body: {
  title: string;
  region: string;
  view: WorkshopView;
  allow_anonymous: boolean;
  allow_pointing: boolean;
}): Promise<WorkshopCreated> => call('POST', '/api/v1/workshops', null, body);

export const getWorkshop = (code: string, token: string | null, signal?: AbortSignal): Promise<Workshop> =>
  call('GET', base(code), token, undefined, signal);

export const updateWorkshop = (code: string, token: string, s: Settings): Promise<Workshop> => call('PATCH', base(code), token, s);
export const closeWorkshop = (code: string, token: string): Promise<Workshop> => call('POST', `${base(code)}/close`, token);
export const reopenWorkshop = (code: string, token: string): Promise<Workshop> => call('POST', `${base(code)}/reopen`, token);

export const joinWorkshop = (code: string, name: string): Promise<{ participant: { id: number; name: string }; token: string }> =>
  call('POST', `${base(code)}/participants`, null, { name });

export const listParticipants = (code: string, token: string, signal?: AbortSignal): Promise<{ participants: Participant[] }> =>
  call('GET', `${base(code)}/participants`, token, undefined, signal);

export const putPresence = (code: string, token: string, following: boolean): Promise<void> =>
  call('PUT', `${base(code)}/presence`, token, { following });

export const putView = (code: string, token: string, view: WorkshopView): Promise<{ seq: number }> => call('PUT', `${base(code)}/view`, token, view);

export const postPointer = (code: string, token: string, level: Level, territory: string): Promise<{ seq: number }> =>
  call('POST', `${base(code)}/pointer`, token, { level, code: territory });

export const addStep = (code: string, token: string, title: string, view: WorkshopView): Promise<Step> =>
  call('POST', `${base(code)}/steps`, token, { title, view });
export const renameStep = (code: string, token: string, id: number, title: string): Promise<Step> =>
  call('PATCH', `${base(code)}/steps/${id}`, token, { title });
export const deleteStep = (code: string, token: string, id: number): Promise<void> => call('DELETE', `${base(code)}/steps/${id}`, token);

export const qrURL = (code: string): string => `${base(code)}/qr.svg`;
export const eventsURL = (code: string): string => `${base(code)}/events`;
