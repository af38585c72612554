// What the board's views (contributions, phases, polls, synthesis) share:
// the map page, the workshop and this page's role in it, the board's state,
// and the few things one view asks of the board (show the list, read the
// board again after a refusal).
import type { AtlasApp } from './app';
import type { BoardState } from './board-state';
import { problemText, WorkshopError } from './workshop-api';

export interface BoardCtx {
  app: AtlasApp;
  code: string;
  /** The token writes go with (a participant's is known once joined). */
  token(): string;
  facilitator: boolean;
  state: BoardState;
  /** Whether the workshop is open (closed: read-only). */
  open(): boolean;
  /** A refusal said this page's board is behind (budget, phase): read it again. */
  resync(): Promise<void>;
  /** Shows the contributions (their tab; on phones the sheet), filtered on a territory ("level:code") or not. */
  showContributions(filter?: string | null): void;
  /** Phones: closes the sheet so that a territory can be touched, and comes back to the form after. */
  pickOnMap(): void;
  mobile(): boolean;
}

/** A refusal as the user reads it: the server's French detail, and when to try again. */
export function failText(err: unknown): string {
  if (err instanceof WorkshopError && err.status === 429) {
    const s = err.retryAfterMs ? Math.max(1, Math.ceil(err.retryAfterMs / 1000)) : 1;
    return `Trop de requêtes : réessayez dans ${s} s.`;
  }
  return problemText(err);
}

/** Whether a refusal means the board moved on without this page (its phase, a budget spent elsewhere). */
export function staleRefusal(err: unknown): boolean {
  return err instanceof WorkshopError && (err.status === 403 || err.status === 409 || err.status === 404);
}

export const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('fr-FR')} ${n > 1 ? many : one}`;

/** "3 gommettes", "1 gommette", "0 gommette". */
export const dotsText = (n: number): string => plural(n, 'gommette', 'gommettes');
