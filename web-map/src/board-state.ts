// The workshop board as this page knows it, kept by sequence number.
//
// Two sources change it: the event stream (in order, resumed after a drop
// or a restart with Last-Event-ID, replayed in part after a reconnection)
// and the answers of this page's own writes (a Board, a Contribution or a
// PollView, with the Workshop-Seq of their last event), which may arrive
// before or after the events they made. So every piece — each
// contribution, each poll's question, results and answer, each count of the
// tallies, the phase, the settings, this participant's dots — remembers the
// seq of the state it holds, and a change is applied only over an older
// one. Replays are then harmless, absolute counts stay absolute, and a
// snapshot (after a 410 or a long outage) merges over what is older than
// it: the board is rebuilt without ever going back in time.
import type { Board, Contribution, Phase, PollResults, PollView, Tallies, Target, VoteCount } from './board-api';
import { placeKey } from './board-api';

interface V<T> {
  v: T;
  seq: number;
}

/** Applies `next` over `cur` when it is newer; seq 0 (unknown) applies without dating. */
function newer<T>(cur: V<T>, next: T, seq: number): boolean {
  if (seq > 0 && seq <= cur.seq) return false;
  cur.v = next;
  if (seq > 0) cur.seq = seq;
  return true;
}

const v = <T>(x: T): V<T> => ({ v: x, seq: 0 });

interface PollEntry {
  meta: V<Omit<PollView, 'results' | 'mine'>>;
  results: V<PollResults>;
  mine: V<number[]>;
}

interface Settings {
  budget: number;
  hide_results: boolean;
  results_shown: boolean;
}

/** Kinds of event the board reads from the stream. */
export const BOARD_EVENTS = new Set(['contribution', 'contribution-removed', 'phase', 'board-settings', 'votes', 'vote', 'tallies', 'poll', 'poll-results', 'answer']);

export class BoardState {
  private readonly phase: V<Phase> = v('writing');
  private readonly settings: V<Settings> = v({ budget: 3, hide_results: false, results_shown: false });
  private readonly mine: V<Target[]> = v([]);
  /** null: removed (a tombstone, so that an older event does not bring it back). */
  private readonly contributions = new Map<number, V<Contribution | null>>();
  private readonly polls = new Map<number, PollEntry>();
  private readonly dotsOn = { contributions: new Map<string, V<number>>(), territories: new Map<string, V<number>>() };
  private readonly totals: V<{ voters: number; dots: number }> = v({ voters: 0, dots: 0 });
  private readonly listeners: Array<() => void> = [];
  private pending = false;
  /** Changes applied (tests and the debug read-out). */
  version = 0;

  constructor(
    /** The facilitator sees every contribution (hidden and merged ones marked) and every count. */
    readonly facilitator: boolean,
    /** This participant's id (0: the facilitator). */
    readonly me: number,
  ) {}

  onChange(cb: () => void): void {
    this.listeners.push(cb);
  }

  /** Listeners run once per task, after a burst of events. */
  private changed(): void {
    this.version++;
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      for (const cb of this.listeners) cb();
    });
  }

  // ---- what the views read ----

  getPhase(): Phase {
    return this.phase.v;
  }

  budget(): number {
    return this.settings.v.budget;
  }

  hideResults(): boolean {
    return this.settings.v.hide_results;
  }

  resultsShown(): boolean {
    return this.settings.v.results_shown;
  }

  /** Whether this page may see the counts (the server sends them only then). */
  resultsVisible(): boolean {
    const s = this.settings.v;
    return this.facilitator || !s.hide_results || s.results_shown;
  }

  myVotes(): Target[] {
    return this.mine.v;
  }

  remaining(): number {
    return Math.max(0, this.settings.v.budget - this.mine.v.length);
  }

  /** This participant's dots on a target. */
  myDotsOn(t: Target): number {
    return this.mine.v.filter((x) => ('contribution' in t ? 'contribution' in x && x.contribution === t.contribution : 'level' in x && x.level === t.level && x.code === t.code)).length;
  }

  contribution(id: number): Contribution | null {
    return this.contributions.get(id)?.v ?? null;
  }

  /** Every contribution this page holds, newest first. */
  list(): Contribution[] {
    const out: Contribution[] = [];
    for (const e of this.contributions.values()) if (e.v) out.push(e.v);
    return out.sort((a, b) => b.id - a.id);
  }

  /** Shown to the room: neither hidden nor merged. */
  static shown(c: Contribution): boolean {
    return !c.hidden && !c.merged_into;
  }

  /** Contributions shown, by territory ("level:code"). */
  countsByPlace(): Map<string, { level: string; code: string; name: string; n: number }> {
    const m = new Map<string, { level: string; code: string; name: string; n: number }>();
    for (const c of this.list()) {
      if (!BoardState.shown(c)) continue;
      const k = placeKey(c.territory.level, c.territory.code);
      const e = m.get(k);
      if (e) e.n++;
      else m.set(k, { level: c.territory.level, code: c.territory.code, name: c.territory.name, n: 1 });
    }
    return m;
  }

  /** The counts, or null when hidden to this page. */
  tallies(): Tallies | null {
    if (!this.resultsVisible()) return null;
    const t: Tallies = { contributions: {}, territories: {}, voters: this.totals.v.voters, dots: this.totals.v.dots };
    for (const [k, e] of this.dotsOn.contributions) if (e.v > 0) t.contributions[k] = e.v;
    for (const [k, e] of this.dotsOn.territories) if (e.v > 0) t.territories[k] = e.v;
    return t;
  }

  dotsOnContribution(id: number): number | null {
    if (!this.resultsVisible()) return null;
    return this.dotsOn.contributions.get(String(id))?.v ?? 0;
  }

  dotsOnPlace(key: string): number | null {
    if (!this.resultsVisible()) return null;
    return this.dotsOn.territories.get(key)?.v ?? 0;
  }

  pollList(): PollView[] {
    const out: PollView[] = [];
    for (const p of this.polls.values()) out.push({ ...p.meta.v, results: p.results.v, mine: p.mine.v });
    return out.sort((a, b) => b.id - a.id);
  }

  poll(id: number): PollView | null {
    const p = this.polls.get(id);
    return p ? { ...p.meta.v, results: p.results.v, mine: p.mine.v } : null;
  }

  /** The whole board as this page holds it (tests compare it across screens). */
  snapshot(): Board {
    return {
      phase: this.phase.v,
      budget: this.settings.v.budget,
      hide_results: this.settings.v.hide_results,
      results_shown: this.settings.v.results_shown,
      contributions: this.list(),
      tallies: this.tallies(),
      polls: this.pollList(),
      my_votes: this.mine.v,
      remaining: this.remaining(),
    };
  }

  // ---- changes ----

  /** A whole board at `seq` (a snapshot, or the answer of a phase, settings or vote write). */
  load(b: Board | null | undefined, seq: number): void {
    if (!b) return;
    let ch = newer(this.phase, b.phase, seq);
    ch = newer(this.settings, { budget: b.budget, hide_results: b.hide_results, results_shown: b.results_shown }, seq) || ch;
    if (!this.facilitator) ch = newer(this.mine, b.my_votes ?? [], seq) || ch;
    const ids = new Set<number>();
    for (const c of b.contributions ?? []) {
      ids.add(c.id);
      ch = this.putContribution(c, seq, false) || ch;
    }
    // What the board no longer holds, older than it: gone (deleted, or hidden from this page).
    for (const [id, e] of this.contributions) {
      if (!ids.has(id) && e.v && (seq === 0 || e.seq < seq)) ch = newer(e, null, seq) || ch;
    }
    for (const p of b.polls ?? []) ch = this.putPoll(p, seq, false, true) || ch;
    if (b.tallies) ch = this.putTallies(b.tallies, seq, false) || ch;
    if (ch) this.changed();
  }

  /** This participant's dots (the answer of a vote or of taking one back: a Ballot, or a whole Board). */
  putBallot(b: { my_votes?: Target[] }, seq: number): void {
    if (!this.facilitator && b.my_votes && newer(this.mine, b.my_votes, seq)) this.changed();
  }

  /** A contribution (event or write answer). Hidden or merged, it leaves a participant's board. */
  putContribution(c: Contribution, seq: number, notify = true): boolean {
    let e = this.contributions.get(c.id);
    if (!e) {
      e = { v: null, seq: 0 };
      this.contributions.set(c.id, e);
    }
    const keep = this.facilitator || BoardState.shown(c);
    const ch = newer(e, keep ? c : null, seq);
    if (ch && notify) this.changed();
    return ch;
  }

  removeContribution(id: number, seq: number): void {
    let e = this.contributions.get(id);
    if (!e) {
      e = { v: null, seq: 0 };
      this.contributions.set(id, e);
    }
    if (newer(e, null, seq)) this.changed();
  }

  /** A poll; `withMine` when it carries this participant's answer (a board, their own write), not a `poll` event's empty one. */
  putPoll(p: PollView, seq: number, notify = true, withMine = false): boolean {
    let e = this.polls.get(p.id);
    if (!e) {
      e = { meta: v({ id: p.id, question: p.question, kind: p.kind, choices: p.choices, open: p.open, created_at: p.created_at }), results: v(p.results), mine: v<number[]>([]) };
      this.polls.set(p.id, e);
    }
    let ch = newer(e.meta, { id: p.id, question: p.question, kind: p.kind, choices: p.choices, open: p.open, created_at: p.created_at }, seq);
    if (p.results) ch = newer(e.results, p.results, seq) || ch;
    if (withMine && !this.facilitator) ch = newer(e.mine, p.mine ?? [], seq) || ch;
    if (ch && notify) this.changed();
    return ch;
  }

  /** The answer of this participant's own poll write. */
  putMyPoll(p: PollView, seq: number): void {
    this.putPoll(p, seq, true, true);
  }

  private putTallies(t: Tallies, seq: number, notify = true): boolean {
    let ch = newer(this.totals, { voters: t.voters, dots: t.dots }, seq);
    for (const [field, map] of [
      ['contributions', this.dotsOn.contributions],
      ['territories', this.dotsOn.territories],
    ] as const) {
      const next = t[field] ?? {};
      for (const [k, n] of Object.entries(next)) {
        let e = map.get(k);
        if (!e) map.set(k, (e = v(0)));
        ch = newer(e, n, seq) || ch;
      }
      // A count the tallies no longer have is zero (a dot taken back, a contribution gone).
      for (const [k, e] of map) if (!(k in next) && e.v !== 0) ch = newer(e, 0, seq) || ch;
    }
    if (ch && notify) this.changed();
    return ch;
  }

  private putVote(vc: VoteCount, seq: number): void {
    let ch = newer(this.totals, { voters: vc.voters, dots: vc.dots }, seq);
    const set = (map: Map<string, V<number>>, k: string, n: number): void => {
      let e = map.get(k);
      if (!e) map.set(k, (e = v(0)));
      ch = newer(e, n, seq) || ch;
    };
    if (vc.contribution) set(this.dotsOn.contributions, String(vc.contribution), vc.contribution_dots);
    if (vc.territory) set(this.dotsOn.territories, vc.territory, vc.territory_dots);
    if (ch) this.changed();
  }

  /** One event of the stream; returns false for kinds that are not the board's. */
  event(kind: string, data: Record<string, unknown>, seq: number): boolean {
    switch (kind) {
      case 'contribution':
        this.putContribution(data as unknown as Contribution, seq);
        return true;
      case 'contribution-removed':
        this.removeContribution(Number(data['id']), seq);
        return true;
      case 'phase': {
        const phase = data['phase'] as Phase;
        let ch = newer(this.phase, phase, seq);
        for (const c of (data['revealed'] ?? []) as Contribution[]) ch = this.putContribution(c, seq, false) || ch;
        // The facilitator also holds the hidden ones, revealed with the rest (not sent again).
        if (this.facilitator && phase !== 'writing') {
          for (const e of this.contributions.values()) if (e.v && !e.v.revealed && e.seq < seq) ch = newer(e, { ...e.v, revealed: true }, seq) || ch;
        }
        if (ch) this.changed();
        return true;
      }
      case 'board-settings': {
        const s = { budget: Number(data['vote_budget']), hide_results: data['hide_results'] === true, results_shown: data['results_shown'] === true };
        if (newer(this.settings, s, seq)) this.changed();
        return true;
      }
      case 'votes':
        if (!this.facilitator && newer(this.mine, (data['my_votes'] ?? []) as Target[], seq)) this.changed();
        return true;
      case 'vote':
        this.putVote(data as unknown as VoteCount, seq);
        return true;
      case 'tallies':
        this.putTallies(data as unknown as Tallies, seq);
        return true;
      case 'poll':
        this.putPoll(data as unknown as PollView, seq);
        return true;
      case 'poll-results': {
        const r = data as unknown as PollResults;
        const e = this.polls.get(r.poll);
        if (e && newer(e.results, r, seq)) this.changed();
        return true;
      }
      case 'answer': {
        const e = this.polls.get(Number(data['poll']));
        if (e && !this.facilitator && newer(e.mine, (data['mine'] ?? []) as number[], seq)) this.changed();
        return true;
      }
      default:
        return false;
    }
  }
}
