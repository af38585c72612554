// The workshop's live events (Server-Sent Events), read with fetch(): the
// stream needs an Authorization header, which EventSource cannot send.
//
// - SseParser cuts a text stream into events the way the HTML standard
//   says (`id:`, `event:`, `data:` lines, a blank line ends an event,
//   lines starting with `:` are comments: the server's heartbeats);
// - LiveStream keeps one stream open: the first connection resumes after
//   the snapshot (`?after=seq`), later ones send `Last-Event-ID` with the
//   last id seen; a drop reconnects after 0.5 s, doubling to 8 s, with
//   jitter (a room of phones waking up together must not knock in step);
//   a 410 or a long outage means the server may no longer hold what was
//   missed, so a new snapshot comes first. Silence longer than three
//   heartbeats counts as a drop (a phone's sleeping radio does not always
//   close the socket).
import { WorkshopError } from './workshop-api';

export interface SseEvent {
  /** The event's own `id:` ('' when it has none: it is then not de-duplicated). */
  id: string;
  event: string;
  data: string;
}

/** Incremental SSE parser: feed() it decoded text, it returns whole events. */
export class SseParser {
  private buf = '';
  private data: string[] = [];
  private event = '';
  private ownId = '';
  /** Last id set by the stream (kept across events, as the standard says). */
  lastId = '';
  /** Comments seen (heartbeats). */
  comments = 0;

  /** The last chunk ended on a CR: an LF starting the next one is its other half. */
  private afterCR = false;

  feed(chunk: string): SseEvent[] {
    if (this.afterCR && chunk.charCodeAt(0) === 10) chunk = chunk.slice(1);
    this.afterCR = false;
    this.buf += chunk;
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buf.slice(start, i), out);
      if (c === 13) {
        if (i === this.buf.length - 1) this.afterCR = true;
        else if (this.buf.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push({ id: this.ownId, event: this.event || 'message', data: this.data.join('\n') });
      this.data = [];
      this.event = '';
      this.ownId = '';
      return;
    }
    if (line.startsWith(':')) {
      this.comments++;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = this.ownId = value;
        break;
      default:
      // `retry` and unknown fields: ignored (the backoff is ours).
    }
  }
}

export type Connection = 'connecting' | 'open' | 'lost' | 'stopped';

export interface LiveHandlers {
  /** Events of one read, in order. A replayed backlog arrives in few reads. */
  onEvents(events: SseEvent[]): void;
  /** Needs a fresh snapshot before resuming (410, long outage); returns its seq. */
  resync(): Promise<number>;
  onConnection(c: Connection, detail?: string): void;
  /** A refusal that retrying will not cure (401, 403, 404). */
  onFatal(err: WorkshopError): void;
}

const FIRST_DELAY = 500;
const MAX_DELAY = 8000;
/** Heartbeats come every 15 s: three missed, the stream is dead. */
const SILENCE_MS = 45_000;
/** Offline longer than this, the backlog may be gone: snapshot first. */
const LONG_OUTAGE_MS = 60_000;

export class LiveStream {
  private last: number;
  private first = true;
  private stopped = false;
  private ac: AbortController | null = null;
  private attempt = 0;
  private lostAt: number | null = null;
  private watchdog: number | undefined;
  private wake: (() => void) | null = null;

  constructor(
    private readonly url: string,
    private readonly token: string,
    after: number,
    private readonly h: LiveHandlers,
  ) {
    this.last = after;
    void this.loop();
  }

  /** The last event id applied. */
  lastId(): number {
    return this.last;
  }

  stop(): void {
    this.stopped = true;
    this.ac?.abort();
    window.clearTimeout(this.watchdog);
    this.wake?.();
    this.h.onConnection('stopped');
  }

  /** Reconnects now rather than at the end of the backoff (the page became visible…). */
  nudge(): void {
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.h.onConnection(this.first ? 'connecting' : 'lost');
      try {
        if (this.lostAt !== null && performance.now() - this.lostAt > LONG_OUTAGE_MS) {
          this.last = await this.h.resync();
          this.first = true;
        }
        await this.connect();
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof WorkshopError) {
          if (err.status === 410) {
            // The server no longer holds what we missed.
            try {
              this.last = await this.h.resync();
              this.first = true;
              continue;
            } catch {
              // fall through to the backoff
            }
          } else if (err.status === 401 || err.status === 403 || err.status === 404) {
            this.h.onFatal(err);
            this.stopped = true;
            return;
          }
        }
      }
      if (this.stopped) return;
      this.lostAt ??= performance.now();
      this.h.onConnection('lost');
      const d = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** this.attempt);
      this.attempt++;
      // Jitter: between 50 % and 100 % of the delay.
      await this.sleep(d * (0.5 + Math.random() * 0.5));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = window.setTimeout(done, ms);
      const self = this;
      function done(): void {
        window.clearTimeout(t);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private async connect(): Promise<void> {
    const ac = new AbortController();
    this.ac = ac;
    const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${this.token}` };
    let url = this.url;
    if (this.first) url += `?after=${this.last}`;
    else headers['Last-Event-ID'] = String(this.last);
    const res = await fetch(url, { headers, signal: ac.signal, cache: 'no-store' });
    if (!res.ok || !res.body) {
      let title = res.statusText;
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
    // Open: from now on a drop is a reconnection, resumed by Last-Event-ID.
    this.first = false;
    this.attempt = 0;
    this.lostAt = null;
    this.h.onConnection('open');
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const arm = (): void => {
      window.clearTimeout(this.watchdog);
      this.watchdog = window.setTimeout(() => ac.abort(), SILENCE_MS);
    };
    arm();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        const events = parser.feed(value).filter((e) => {
          const n = Number(e.id);
          // A replay may overlap what the snapshot already held.
          if (e.id !== '' && Number.isFinite(n)) {
            if (n <= this.last) return false;
            this.last = n;
          }
          return true;
        });
        if (events.length > 0) this.h.onEvents(events);
      }
    } finally {
      window.clearTimeout(this.watchdog);
      reader.cancel().catch(() => {});
    }
  }
}
