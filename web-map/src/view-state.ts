// A view state made consistent with the indicator catalogue, and the
// choropleth request it stands for: one reading for the map and the embed.
import type { ChoroplethQuery, Indicator, Level } from './api';
import type { ViewState } from './url-state';

/** What a link that names no indicator (or an unknown one) opens on. */
export const DEFAULT_INDICATOR = 'chomage-ze';

/** The state with unknown choices replaced by the indicator's own (a link may outlive an indicator or a period). */
export function resolve(s: ViewState, indicators: Indicator[]): { state: ViewState; ind: Indicator } {
  const ind =
    indicators.find((i) => i.id === s.indicator) ??
    indicators.find((i) => i.id === DEFAULT_INDICATOR) ??
    indicators[0];
  if (!ind) throw new Error('aucun indicateur importé : lancez `atlas import demo`');
  const first = ind.levels[0] ?? 'departement';
  return {
    ind,
    state: {
      ...s,
      indicator: ind.id,
      level: s.level && ind.levels.includes(s.level) ? s.level : first,
      period: ind.vintages.includes(s.period) ? s.period : '',
      sex: ind.sexes.includes(s.sex) ? s.sex : 'ensemble',
      sector: ind.sectors.includes(s.sector) ? s.sector : 'ensemble',
    },
  };
}

/** The level of a state ('' only before resolve() has seen the catalogue). */
export function levelOf(s: ViewState): Level {
  return s.level || 'departement';
}

/** The choropleth request of a state; a regional map classifies its own territories only. */
export function choroplethQuery(s: ViewState): ChoroplethQuery {
  const level = levelOf(s);
  const within = s.region && level !== 'france' ? `region:${s.region}` : undefined;
  return { level, period: s.period, sex: s.sex, sector: s.sector, method: s.method, classes: s.classes, palette: s.palette, within };
}
