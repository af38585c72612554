// One live workshop as this page knows it: the last snapshot, kept current
// by the event stream, and the listeners of each kind of event. Shared by
// the facilitator's and the participants' pages.
import { BOARD_EVENTS } from './board-state';
import { LiveStream, type Connection, type SseEvent } from './sse';
import {
  eventsURL,
  getWorkshop,
  type Pointer,
  type Role,
  type Settings,
  type Step,
  type Workshop,
  type WorkshopError,
  type WorkshopView,
} from './workshop-api';

export interface SessionListener {
  view?(v: WorkshopView): void;
  steps?(steps: Step[]): void;
  status?(status: Workshop['status']): void;
  settings?(s: Settings): void;
  pointer?(p: Pointer): void;
  joined?(p: { id: number; name: string }): void;
  connection?(c: Connection): void;
  /** An event of the board (board-state.ts BOARD_EVENTS), with its seq. */
  board?(kind: string, data: Record<string, unknown>, seq: number): void;
  /** A new snapshot replaced the state (after a 410 or a long outage). */
  snapshot?(w: Workshop): void;
  fatal?(err: WorkshopError): void;
}

export class Session {
  private readonly listeners: SessionListener[] = [];
  private stream: LiveStream | null = null;
  connection: Connection = 'connecting';

  constructor(
    readonly code: string,
    readonly token: string,
    readonly role: Role,
    /** Kept current: title, status, settings, steps, the latest view and pointer. */
    public workshop: Workshop,
  ) {}

  on(l: SessionListener): void {
    this.listeners.push(l);
  }

  private emit<K extends keyof SessionListener>(k: K, ...args: Parameters<NonNullable<SessionListener[K]>>): void {
    for (const l of this.listeners) {
      const f = l[k] as ((...a: typeof args) => void) | undefined;
      f?.apply(l, args);
    }
  }

  /** Opens the stream after the snapshot's last event. */
  start(): void {
    this.stream = new LiveStream(eventsURL(this.code), this.token, this.workshop.seq, {
      onEvents: (events) => this.dispatch(events),
      resync: async () => {
        const w = await getWorkshop(this.code, this.token);
        this.workshop = w;
        this.emit('snapshot', w);
        return w.seq;
      },
      onConnection: (c) => {
        if (c === this.connection) return;
        this.connection = c;
        this.emit('connection', c);
      },
      onFatal: (err) => this.emit('fatal', err),
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.stream?.nudge();
    });
  }

  stop(): void {
    this.stream?.stop();
  }

  lastSeq(): number {
    return this.stream?.lastId() ?? this.workshop.seq;
  }

  /** Updates the state from an answer of a write (PATCH, close, reopen). */
  absorb(w: Workshop): void {
    const before = this.workshop;
    this.workshop = { ...before, ...w, seq: before.seq, view: before.view ?? w.view };
    if (w.status !== before.status) this.emit('status', w.status);
    this.emit('settings', { title: w.title, allow_anonymous: w.allow_anonymous, allow_pointing: w.allow_pointing });
  }

  private dispatch(events: SseEvent[]): void {
    // A replayed backlog may hold several views: only the last one counts.
    let lastView = -1;
    events.forEach((e, i) => {
      if (e.event === 'view') lastView = i;
    });
    events.forEach((e, i) => {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(e.data) as Record<string, unknown>;
      } catch {
        return;
      }
      switch (e.event) {
        case 'view': {
          if (i !== lastView) return;
          const v = (data['view'] ?? data) as WorkshopView;
          this.workshop.view = v;
          this.emit('view', v);
          break;
        }
        case 'pointer': {
          const p = data as unknown as Pointer;
          this.workshop.pointer = p;
          this.emit('pointer', p);
          break;
        }
        case 'steps': {
          const steps = (data['steps'] ?? []) as Step[];
          this.workshop.steps = steps;
          this.emit('steps', steps);
          break;
        }
        case 'status': {
          const status = data['status'] === 'closed' ? 'closed' : 'open';
          this.workshop.status = status;
          this.workshop.closed_at = (data['closed_at'] as string | null | undefined) ?? null;
          this.emit('status', status);
          break;
        }
        case 'settings': {
          const s = data as Settings;
          if (typeof s.title === 'string') this.workshop.title = s.title;
          if (typeof s.allow_anonymous === 'boolean') this.workshop.allow_anonymous = s.allow_anonymous;
          if (typeof s.allow_pointing === 'boolean') this.workshop.allow_pointing = s.allow_pointing;
          this.emit('settings', s);
          break;
        }
        case 'joined': {
          const p = data['participant'] as { id: number; name: string } | undefined;
          if (p) this.emit('joined', p);
          break;
        }
        default:
          // The board's events go to its state; kinds of a later server are ignored.
          if (BOARD_EVENTS.has(e.event)) this.emit('board', e.event, data, Number(e.id) || 0);
      }
    });
  }
}
