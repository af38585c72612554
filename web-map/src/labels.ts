// French labels of the API's closed lists, and value formatting.
import type { Level, Method, Sex } from './api';

export const LEVEL_LABELS: Record<Level, string> = {
  france: 'France',
  region: 'Région',
  departement: 'Département',
  'zone-emploi': "Zone d'emploi",
  commune: 'Commune',
};

export const SEX_LABELS: Record<Sex, string> = { ensemble: 'Ensemble', femmes: 'Femmes', hommes: 'Hommes' };

export const METHOD_LABELS: Partial<Record<Method, string>> = {
  quantiles: 'Quantiles (effectifs égaux)',
  jenks: 'Seuils naturels (Jenks)',
  'equal-intervals': 'Intervalles égaux',
  'standard-deviation': 'Écarts à la moyenne',
};

export function sexLabel(s: Sex): string {
  return SEX_LABELS[s];
}

/** "2023-T3" → "3e trimestre 2023"; a year stays as it is. */
export function periodLabel(p: string): string {
  const m = /^(\d{4})-T([1-4])$/.exec(p);
  if (!m) return p;
  return `${m[2] === '1' ? '1er' : `${m[2]}e`} trimestre ${m[1]}`;
}

export function formatValue(v: number, decimals: number, unit: string): string {
  const n = v.toLocaleString('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return `${n}\u00a0${unit}`;
}

/** "2023-T3" → "T3 2023": the short form for narrow lists. */
export function shortPeriodLabel(p: string): string {
  return p.replace(/^(\d{4})-T([1-4])$/, 'T$2 $1');
}

/**
 * The unit of an absolute change: points for a rate (a change of a
 * percentage is not a percentage), else the indicator's own unit.
 */
export function changeUnit(unit: string): string {
  return unit.trim().startsWith('%') ? `points (${unit.trim()})` : unit;
}
