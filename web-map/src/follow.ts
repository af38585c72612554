// Follow mode of a participant's screen, on the contract every follow mode
// studied converges to (research/workshops.md §1): the screen follows the
// facilitator's view until the person moves the map or touches a control
// themselves; a banner always says which of the two it is; one click goes
// back to the facilitator's latest view.
//
// - The camera comes as bounds, fitted to this screen's own shape
//   (fitBounds): a phone in portrait shows the same area as the projector,
//   not the same centre and zoom.
// - Short moves are eased (250 ms: at the facilitator's 10 views a second
//   the map glides instead of jumping); long ones jump, so nobody watches a
//   three-second flight across France.
// - Views arriving faster than frames are coalesced: only the latest is
//   drawn.
// - Only MapLibre events carrying an `originalEvent` (mouse, touch, wheel,
//   keyboard, the zoom buttons) are manual. Our own fitBounds has none, so a
//   followed move never counts as leaving.
import type { AtlasApp } from './app';
import type { Bounds } from './map';
import type { WorkshopView } from './workshop-api';

const EASE_MS = 250;

export class Follower {
  private following = true;
  private latest: WorkshopView | null = null;
  private frame = 0;
  private readonly listeners: Array<(following: boolean) => void> = [];
  /** Views drawn (tests and the debug read-out). */
  applied = 0;

  constructor(
    private readonly app: AtlasApp,
    /** Space at the top of the map covered by the workshop bar. */
    private readonly coveredTop: () => number,
  ) {
    const map = app.atlas.map;
    const manual = (e: { originalEvent?: unknown }): void => {
      if (e.originalEvent) this.leave();
    };
    for (const ev of ['movestart', 'move', 'zoomstart', 'rotatestart', 'pitchstart', 'dragstart'] as const) map.on(ev, manual);
    app.onUserChange(() => this.leave());
    // Another shape of screen (rotation, a panel opening): fit again.
    map.on('resize', () => {
      if (this.following && this.latest) this.fit(this.latest.bounds, 0);
    });
  }

  isFollowing(): boolean {
    return this.following;
  }

  onChange(cb: (following: boolean) => void): void {
    this.listeners.push(cb);
  }

  /** A view of the facilitator (event, snapshot): drawn now if this screen follows. */
  view(v: WorkshopView | null | undefined): void {
    if (!v) return;
    this.latest = v;
    if (this.following) this.schedule();
  }

  latestView(): WorkshopView | null {
    return this.latest;
  }

  leave(): void {
    if (!this.following) return;
    this.following = false;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    for (const cb of this.listeners) cb(false);
  }

  /** « Revenir à l'animation »: the latest view at once, then follow again. */
  rejoin(): void {
    if (this.following) return;
    this.following = true;
    for (const cb of this.listeners) cb(true);
    if (this.latest) this.draw(this.latest, true);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.following && this.latest) this.draw(this.latest, false);
    });
  }

  private draw(v: WorkshopView, jump: boolean): void {
    this.applied++;
    this.fit(v.bounds, jump ? 0 : this.motion(v.bounds));
    void this.app.applyView(v);
  }

  private fit(b: Bounds, ms: number): void {
    const map = this.app.atlas.map;
    const c = map.getContainer();
    const top = this.coveredTop();
    // Bounds below the bar when there is room for them.
    const pad = c.clientHeight - top > 120 ? { top, bottom: 0, left: 0, right: 0 } : undefined;
    this.app.showBounds(b, ms, pad);
  }

  /** Ease when the new view overlaps this one at a similar scale; else jump. */
  private motion(b: Bounds): number {
    if (window.matchMedia?.('(prefers-reduced-motion: reduce)').matches) return 0;
    const cur = this.app.atlas.map.getBounds();
    const cw = cur.getEast() - cur.getWest();
    const ch = cur.getNorth() - cur.getSouth();
    const nw = b[2] - b[0];
    if (!(cw > 0 && ch > 0 && nw > 0)) return 0;
    const scale = Math.abs(Math.log2(nw / cw));
    const dx = Math.abs((b[0] + b[2]) / 2 - (cur.getWest() + cur.getEast()) / 2) / cw;
    const dy = Math.abs((b[1] + b[3]) / 2 - (cur.getSouth() + cur.getNorth()) / 2) / ch;
    return scale < 1.5 && dx < 1 && dy < 1 ? EASE_MS : 0;
  }
}
