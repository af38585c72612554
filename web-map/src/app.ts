// What the workshop mode (workshop.ts and its modules, loaded on demand)
// may do with the map page that main.ts wires. One interface so that the
// workshop code drives the map through the same paths as the controls and
// never reaches into main.ts's state.
import type { Choropleth, Indicator, Level } from './api';
import type { Layout } from './layout';
import type { AtlasMap, Bounds } from './map';
import type { ProfilePanel } from './profile';
import type { ViewState } from './url-state';
import type { WorkshopView } from './workshop-api';

/** Who changed the view: the person at this screen, or the program (a followed view, a step). */
export type ChangeSource = 'user' | 'program';

export interface AtlasApp {
  atlas: AtlasMap;
  layout: Layout;
  profile: ProfilePanel;
  indicators: Indicator[];
  state(): ViewState;
  choropleth(): Choropleth | null;
  /** The status line of the header. */
  say(msg: string): void;
  /** The view as a workshop broadcasts it: the state's choices and the map's bounds. */
  currentView(): WorkshopView;
  /**
   * Shows a view's choices (indicator, level, period, sex, sector,
   * classification, palette, study territory, selection) through the code
   * the controls use; resolves once it is drawn. The camera is left to the
   * caller (showBounds): a follower and a facilitator move it differently.
   */
  applyView(v: WorkshopView): Promise<void>;
  /** Fits bounds to this screen: eased over `ms` (0: a jump). Never a user move. */
  showBounds(b: Bounds, ms: number, padding?: { top: number; bottom: number; left: number; right: number }): void;
  /** A change of the view's choices (not the camera), after the state is set. */
  onViewChange(cb: (source: ChangeSource) => void): void;
  /** A line more in the territory tooltip (null: none), for the territory of the level shown. */
  addTooltipLine(f: (level: Level, code: string) => string | null): void;
  /** The user acts on the controls or selects a territory (before the change is applied). */
  onUserChange(cb: () => void): void;
  /** The view stops being written to the address bar: a workshop link keeps its fragment. */
  setWorkshopUrl(hash: string | null): void;
  /** Waits until the last refresh is drawn and the camera still. */
  settled(): Promise<void>;
}
