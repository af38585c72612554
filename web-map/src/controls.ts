// The control panel: theme → indicator, level, period (stepper, slider and
// play), sex, sector, classification method and number of classes. Native
// form controls with labels, so everything works with the keyboard and
// screen readers; the panel only reports changes, main.ts owns the state.
import type { Indicator, Level, Method, Sex, TerritoryRef } from './api';
import { LEVEL_LABELS, METHOD_LABELS, periodLabel, SEX_LABELS } from './labels';
import type { ViewState } from './url-state';

export type Change = Partial<Pick<ViewState, 'indicator' | 'level' | 'period' | 'sex' | 'sector' | 'method' | 'classes' | 'palette' | 'region'>>;

function option(value: string, label: string, selected: boolean): HTMLOptionElement {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  o.selected = selected;
  return o;
}

function must<T extends HTMLElement>(root: ParentNode, sel: string): T {
  const e = root.querySelector<T>(sel);
  if (!e) throw new Error(`élément ${sel} absent de la page`);
  return e;
}

export class Controls {
  private readonly study: HTMLSelectElement;
  private readonly theme: HTMLSelectElement;
  private readonly indicator: HTMLSelectElement;
  private readonly level: HTMLSelectElement;
  private readonly period: HTMLInputElement;
  private readonly periodOut: HTMLOutputElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly play: HTMLButtonElement;
  private readonly sex: HTMLSelectElement;
  private readonly sector: HTMLSelectElement;
  private readonly sectorRow: HTMLElement;
  private readonly sexRow: HTMLElement;
  private readonly method: HTMLSelectElement;
  private readonly classes: HTMLInputElement;
  private indicators: Indicator[] = [];
  private vintages: string[] = [];
  private timer: number | undefined;
  onChange: (c: Change) => void = () => {};

  constructor(root: HTMLElement) {
    root.addEventListener('submit', (e) => e.preventDefault());
    this.study = must(root, '#ctl-etude');
    this.theme = must(root, '#ctl-theme');
    this.indicator = must(root, '#ctl-indicateur');
    this.level = must(root, '#ctl-niveau');
    this.period = must(root, '#ctl-periode');
    this.periodOut = must(root, '#ctl-periode-valeur');
    this.prev = must(root, '#ctl-periode-prec');
    this.next = must(root, '#ctl-periode-suiv');
    this.play = must(root, '#ctl-lecture');
    this.sex = must(root, '#ctl-sexe');
    this.sexRow = must(root, '#ligne-sexe');
    this.sector = must(root, '#ctl-secteur');
    this.sectorRow = must(root, '#ligne-secteur');
    this.method = must(root, '#ctl-methode');
    this.classes = must(root, '#ctl-classes');

    this.study.addEventListener('change', () => this.onChange({ region: this.study.value }));
    this.theme.addEventListener('change', () => {
      const first = this.indicators.find((i) => i.theme === this.theme.value);
      if (first) this.onChange({ indicator: first.id });
    });
    this.indicator.addEventListener('change', () => this.onChange({ indicator: this.indicator.value }));
    this.level.addEventListener('change', () => this.onChange({ level: this.level.value as Level }));
    this.period.addEventListener('input', () => this.setPeriodIndex(Number(this.period.value)));
    this.prev.addEventListener('click', () => this.step(-1));
    this.next.addEventListener('click', () => this.step(1));
    this.play.addEventListener('click', () => this.togglePlay());
    this.sex.addEventListener('change', () => this.onChange({ sex: this.sex.value as Sex }));
    this.sector.addEventListener('change', () => this.onChange({ sector: this.sector.value }));
    this.method.addEventListener('change', () => this.onChange({ method: this.method.value as Method }));
    this.classes.addEventListener('change', () => {
      const k = Math.min(9, Math.max(2, Math.round(Number(this.classes.value) || 5)));
      this.classes.value = String(k);
      this.onChange({ classes: k });
    });
  }

  /** Lists the régions that can be studied, keeping the current choice. */
  setRegions(regions: readonly TerritoryRef[], current: string): void {
    const sorted = [...regions].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    this.study.replaceChildren(
      option('', 'France entière', current === ''),
      ...sorted.map((r) => option(r.code, r.name, r.code === current)),
    );
  }

  /** Fills every control from the catalogue and the (resolved) state. */
  render(indicators: Indicator[], s: ViewState, resolvedPeriod: string): void {
    this.indicators = indicators;
    const ind = indicators.find((i) => i.id === s.indicator);
    const themes = new Map<string, string>();
    for (const i of indicators) themes.set(i.theme, i.theme_label);
    this.theme.replaceChildren(...[...themes].map(([id, label]) => option(id, label, ind?.theme === id)));
    this.indicator.replaceChildren(
      ...indicators.filter((i) => i.theme === ind?.theme).map((i) => option(i.id, i.label, i.id === s.indicator)),
    );
    this.level.replaceChildren(...(ind?.levels ?? []).map((l) => option(l, LEVEL_LABELS[l], l === s.level)));
    this.level.disabled = (ind?.levels.length ?? 0) < 2;

    this.vintages = ind?.vintages ?? [];
    const idx = Math.max(0, this.vintages.indexOf(resolvedPeriod));
    this.period.min = '0';
    this.period.max = String(Math.max(0, this.vintages.length - 1));
    this.period.value = String(idx);
    this.period.disabled = this.vintages.length < 2;
    this.period.setAttribute('aria-valuetext', periodLabel(resolvedPeriod));
    this.periodOut.value = periodLabel(resolvedPeriod);
    this.prev.disabled = idx <= 0;
    this.next.disabled = idx >= this.vintages.length - 1;
    this.play.disabled = this.vintages.length < 2;

    const sexes = ind?.sexes ?? ['ensemble'];
    this.sex.replaceChildren(...sexes.map((x) => option(x, SEX_LABELS[x], x === s.sex)));
    this.sexRow.hidden = sexes.length < 2;
    const sectors = ind?.sectors ?? ['ensemble'];
    this.sector.replaceChildren(...sectors.map((x) => option(x, x === 'ensemble' ? 'Tous secteurs' : x, x === s.sector)));
    this.sectorRow.hidden = sectors.length < 2;

    this.method.replaceChildren(
      ...Object.entries(METHOD_LABELS).map(([m, label]) => option(m, label ?? m, m === s.method)),
    );
    this.classes.value = String(s.classes);
    // Before the région list arrives, the option of a linked région exists.
    if (s.region && ![...this.study.options].some((o) => o.value === s.region)) this.study.append(option(s.region, `Région ${s.region}`, true));
    this.study.value = s.region;
  }

  private setPeriodIndex(i: number): void {
    const p = this.vintages[i];
    if (p !== undefined) this.onChange({ period: p });
  }

  private step(d: number): void {
    this.setPeriodIndex(Number(this.period.value) + d);
  }

  private togglePlay(): void {
    if (this.timer !== undefined) {
      window.clearInterval(this.timer);
      this.timer = undefined;
      this.play.textContent = '▶ Lecture';
      this.play.setAttribute('aria-pressed', 'false');
      return;
    }
    this.play.textContent = '⏸ Pause';
    this.play.setAttribute('aria-pressed', 'true');
    if (Number(this.period.value) >= this.vintages.length - 1) this.setPeriodIndex(0);
    this.timer = window.setInterval(() => {
      if (Number(this.period.value) >= this.vintages.length - 1) {
        this.togglePlay();
        return;
      }
      this.step(1);
    }, 1200);
  }
}
