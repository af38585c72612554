// A view state made consistent with the indicator catalogue, and the
// choropleth request it stands for: one reading for the map and the embed.
import type { ChoroplethQuery, Indicator, Level, Sex } from './api';
import { NO_ANALYSIS, type Analysis, type ViewState } from './url-state';

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
  const level = s.level && ind.levels.includes(s.level) ? s.level : first;
  const analysis = resolveAnalysis(s.analysis, ind, indicators, level);
  let sex: Sex = ind.sexes.includes(s.sex) ? s.sex : 'ensemble';
  // A crossing reads both indicators for one sex: the second must have it.
  const other = analysis.mode === 'bivariate' ? indicators.find((i) => i.id === analysis.with) : undefined;
  if (other && !other.sexes.includes(sex)) sex = 'ensemble';
  return {
    ind,
    state: {
      ...s,
      indicator: ind.id,
      level,
      period: ind.vintages.includes(s.period) ? s.period : '',
      sex,
      sector: ind.sectors.includes(s.sector) ? s.sector : 'ensemble',
      analysis,
    },
  };
}

/** The indicators a crossing with `ind` may take as its second one: another indicator of the same level. */
export function crossCandidates(ind: Indicator, indicators: Indicator[], level: Level): Indicator[] {
  return indicators.filter((i) => i.id !== ind.id && i.levels.includes(level));
}

/** Whether an indicator has values for women and for men (the sex-gap map). */
export function hasBothSexes(ind: Indicator): boolean {
  return ind.sexes.includes('femmes') && ind.sexes.includes('hommes');
}

/**
 * The analysis made possible for the indicator: a mode it cannot have is
 * dropped (the plain map), periods it does not have are its defaults, and a
 * crossing keeps its second indicator only when that one has the level.
 */
export function resolveAnalysis(a: Analysis, ind: Indicator, indicators: Indicator[], level: Level): Analysis {
  switch (a.mode) {
    case '':
      return NO_ANALYSIS;
    case 'evolution': {
      if (ind.vintages.length < 2) return NO_ANALYSIS;
      let from = ind.vintages.indexOf(a.from);
      let to = ind.vintages.indexOf(a.to);
      // From before to, as the API wants; a reversed pair goes back to the defaults.
      if (from >= 0 && to >= 0 && from >= to) from = to = -1;
      if (from === ind.vintages.length - 1 && to < 0) from = -1;
      if (to === 0 && from < 0) to = -1;
      return { ...NO_ANALYSIS, mode: 'evolution', from: ind.vintages[from] ?? '', to: ind.vintages[to] ?? '', change: a.change };
    }
    case 'sex-gap':
      return hasBothSexes(ind) ? { ...NO_ANALYSIS, mode: 'sex-gap', gap: a.gap } : NO_ANALYSIS;
    case 'bivariate': {
      const candidates = crossCandidates(ind, indicators, level);
      const w = candidates.find((i) => i.id === a.with) ?? candidates[0];
      if (!w) return NO_ANALYSIS;
      return { ...NO_ANALYSIS, mode: 'bivariate', with: w.id, withPeriod: w.vintages.includes(a.withPeriod) ? a.withPeriod : '' };
    }
  }
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
