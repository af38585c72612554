// Typed client of the workshop board (api/openapi.yaml, the contributions,
// phase, board, votes, polls and synthesis routes under
// /api/v1/workshops/{code}). Every write answers with the Workshop-Seq of
// its last event (callSeq): the board state applies an answer only over
// what is older than it.
import type { Level } from './api';
import { base, callSeq, WorkshopError, type WorkshopView, type Written } from './workshop-api';

export type Phase = 'writing' | 'reveal' | 'vote' | 'closed';
export const PHASES: readonly Phase[] = ['writing', 'reveal', 'vote', 'closed'];

export type Kind = 'constat' | 'hypothese' | 'question' | 'source' | 'piste';

/** The kinds, in the diagnostic's order, with their French names (as the server's). */
export const KINDS: ReadonlyArray<{ id: Kind; label: string }> = [
  { id: 'constat', label: 'Constat' },
  { id: 'hypothese', label: 'Hypothèse' },
  { id: 'question', label: 'Question' },
  { id: 'source', label: 'Source de terrain' },
  { id: 'piste', label: 'Piste d’action' },
];

export function kindLabel(k: string): string {
  return KINDS.find((x) => x.id === k)?.label ?? k;
}

export interface Place {
  level: Level;
  code: string;
  name: string;
}

/** The view a contribution was made on, and the value the map showed there (null when secret). */
export interface Stamp {
  indicator: string;
  label: string;
  level: Level | string;
  period: string;
  sex: string;
  sector: string;
  value: number | null;
  /** '' when the map was of another level than the territory. */
  status: 'published' | 'secret' | 'missing' | '' | string;
  unit: string;
  decimals: number;
}

export interface Contribution {
  id: number;
  kind: Kind;
  text: string;
  territory: Place;
  stamp: Stamp | null;
  /** 0: the facilitator. */
  author: number;
  author_name: string;
  created_at: string;
  edited_at?: string;
  revealed: boolean;
  hidden: boolean;
  merged_into?: number;
  retained: boolean;
}

/** What a dot goes on: a contribution, or a territory to prioritise. */
export type Target = { contribution: number } | { level: Level; code: string };

/** Dots counted; JSON object keys are strings (contribution ids, "level:code"). */
export interface Tallies {
  contributions: Record<string, number>;
  territories: Record<string, number>;
  voters: number;
  dots: number;
}

export type PollKind = 'single' | 'multiple' | 'ranking';

export interface PollResults {
  poll: number;
  respondents: number;
  counts: number[];
  /** A ranking's Borda scores: n-1 points for a first place, 0 for the last. */
  scores?: number[];
  /** The choices from the best. */
  order: number[];
}

export interface PollView {
  id: number;
  question: string;
  kind: PollKind;
  choices: string[];
  open: boolean;
  created_at: string;
  results: PollResults;
  /** This participant's answer (choice indices; a ranking: all, best first). */
  mine: number[];
}

export interface Board {
  phase: Phase;
  budget: number;
  hide_results: boolean;
  results_shown: boolean;
  contributions: Contribution[];
  /** Null while the facilitator keeps the results hidden. */
  tallies: Tallies | null;
  polls: PollView[];
  my_votes: Target[];
  remaining: number;
}

/** The counts one dot changed, absolute: applying one twice is harmless. */
export interface VoteCount {
  /** Absent for a dot on a territory. */
  contribution?: number;
  contribution_dots: number;
  /** "level:code" */
  territory: string;
  territory_dots: number;
  voters: number;
  dots: number;
}

export interface BoardSettings {
  vote_budget?: number;
  hide_results?: boolean;
  results_shown?: boolean;
}

export type SynthesisFormat = 'md' | 'csv' | 'json' | 'html';

/** "level:code": the tallies' key of a territory. */
export const placeKey = (level: string, code: string): string => `${level}:${code}`;

/** A target's identity, to compare dots. */
export function targetKey(t: Target): string {
  return 'contribution' in t ? `c${t.contribution}` : placeKey(t.level, t.code);
}

export const contribute = (
  code: string,
  token: string,
  c: { kind: Kind; text: string; level: Level; code: string; view: WorkshopView },
): Promise<Written<Contribution>> => callSeq('POST', `${base(code)}/contributions`, token, c);

/** The author's change: kind and text. */
export const editContribution = (code: string, token: string, id: number, e: { kind?: Kind; text?: string }): Promise<Written<Contribution>> =>
  callSeq('PATCH', `${base(code)}/contributions/${id}`, token, e);

/** The facilitator's moderation: hide, retain for the synthesis, merge into another (0: unmerge). */
export const moderate = (
  code: string,
  token: string,
  id: number,
  m: { hidden?: boolean; retained?: boolean; merged_into?: number },
): Promise<Written<Contribution>> => callSeq('PATCH', `${base(code)}/contributions/${id}`, token, m);

export const deleteContribution = (code: string, token: string, id: number): Promise<Written<void>> =>
  callSeq('DELETE', `${base(code)}/contributions/${id}`, token);

export const putPhase = (code: string, token: string, phase: Phase): Promise<Written<Board>> => callSeq('PUT', `${base(code)}/phase`, token, { phase });

export const patchBoard = (code: string, token: string, s: BoardSettings): Promise<Written<Board>> => callSeq('PATCH', `${base(code)}/board`, token, s);

/** A participant's dots, in the order they were put, and what is left of the budget. */
export interface Ballot {
  my_votes: Target[];
  remaining: number;
}

export const vote = (code: string, token: string, t: Target): Promise<Written<Ballot>> => callSeq('POST', `${base(code)}/votes`, token, t);

export function unvote(code: string, token: string, t: Target): Promise<Written<Ballot>> {
  const q = 'contribution' in t ? new URLSearchParams({ contribution: String(t.contribution) }) : new URLSearchParams({ level: t.level, code: t.code });
  return callSeq('DELETE', `${base(code)}/votes?${q.toString()}`, token);
}

export const createPoll = (
  code: string,
  token: string,
  p: { question: string; kind: PollKind; choices?: string[]; preset?: 'themes' | 'sectors' },
): Promise<Written<PollView>> => callSeq('POST', `${base(code)}/polls`, token, p);

export const setPollOpen = (code: string, token: string, id: number, open: boolean): Promise<Written<PollView>> =>
  callSeq('PATCH', `${base(code)}/polls/${id}`, token, { open });

export const answerPoll = (code: string, token: string, id: number, choices: number[]): Promise<Written<PollView>> =>
  callSeq('PUT', `${base(code)}/polls/${id}/answer`, token, { choices });

/** The synthesis as a file: read with the token (it is never put in a URL). */
export async function fetchSynthesis(code: string, token: string, format: SynthesisFormat): Promise<Blob> {
  const res = await fetch(`${base(code)}/synthesis?format=${format}`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (!res.ok) {
    let title = res.statusText || `Erreur ${res.status}`;
    let detail = '';
    try {
      const p = (await res.json()) as { title?: string; detail?: string };
      title = p.title ?? title;
      detail = p.detail ?? '';
    } catch {
      // not problem+json
    }
    throw new WorkshopError(res.status, title, detail, null);
  }
  return res.blob();
}
