// The postMessage API v1 of the embeddable map (embed.ts), host side in
// public/atlas-embed.js. Every message is an object
// `{ type: 'atlas:…', version: 1, id?, replyTo?, … }`:
//
//   host → embed  atlas:hello     {id}          → atlas:ready {replyTo}
//                 atlas:get-view  {id}          → atlas:view  {replyTo, view}
//                 atlas:set-view  {id, view}    → atlas:view  {replyTo, view} once drawn,
//                                                 or atlas:error {replyTo, error}
//   embed → host  atlas:ready  {view, height}   once drawn, to the parent if its origin is allowed
//                 atlas:view   {view, source}   after the view changed (source 'user' or 'host')
//                 atlas:click  {territory}      a territory clicked (null: outside the map's territories)
//                 atlas:hover  {territory}      the territory under the pointer changed (null: none)
//                 atlas:resize {height, width}  the height the embed's content wants at this width
//                 atlas:error  {error}          a request refused, or the map failed to load
//
// Origins are compared exactly with the allowlist (embed.ts); this module
// only reads and checks shapes, so that nothing a host sends reaches the
// map unchecked. Values are those the map shows: a secret or missing
// territory has no figure.
import type { Level, Method, Sex, Status } from './api';

export const PROTOCOL_VERSION = 1;

/** [west, south, east, north] in degrees. */
export type BoundsArray = [number, number, number, number];

/** The view as the embed reports it. */
export interface EmbedView {
  indicator: string;
  level: Level;
  /** The period shown (the latest when the link named none). */
  period: string;
  sex: Sex;
  sector: string;
  method: Method;
  classes: number;
  palette: string;
  /** INSEE code of the région studied, '' for France. */
  region: string;
  /** Code of the selected territory, or ''. */
  selection: string;
  camera: { lon: number; lat: number; z: number };
  bounds: BoundsArray;
}

/** What a host may change: any field of the view; bounds win over camera. */
export type ViewChange = Partial<Omit<EmbedView, 'camera' | 'bounds'>> & {
  camera?: { lon: number; lat: number; z: number };
  bounds?: BoundsArray;
};

/** A territory as the map shows it (tooltip, selection). */
export interface TerritoryInfo {
  level: Level;
  code: string;
  name: string;
  status: Status;
  /** The figure, only for a published value (never a secret one). */
  value: number | null;
  /** As the map writes it: "12,3 %", "secret statistique", "donnée manquante". */
  valueText: string;
  unit: string;
  /** The legend class's label, for a published value. */
  classLabel: string | null;
}

export interface EmbedError {
  /** 'version' | 'type' | 'invalid' | 'unknown' | 'load' */
  code: string;
  /** The field of the request at fault (view.level, id…), when there is one. */
  field?: string;
  /** In French, for people. */
  message: string;
}

export type HostRequest =
  | { type: 'atlas:hello'; id: string }
  | { type: 'atlas:get-view'; id: string }
  | { type: 'atlas:set-view'; id: string; view: ViewChange };

/** What reading a host's message gave: a request, a refusal to reply with, or nothing to answer. */
export type Parsed = { request: HostRequest } | { refusal: EmbedError; id: string | null } | null;

const LEVELS: readonly Level[] = ['france', 'region', 'departement', 'zone-emploi', 'commune'];
const SEXES: readonly Sex[] = ['ensemble', 'femmes', 'hommes'];
const METHODS: readonly Method[] = ['quantiles', 'jenks', 'equal-intervals', 'standard-deviation'];
const VIEW_FIELDS = ['indicator', 'level', 'period', 'sex', 'sector', 'method', 'classes', 'palette', 'region', 'selection', 'camera', 'bounds'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finite(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
}

class Invalid extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function text(v: unknown, field: string, max: number, pattern?: RegExp): string {
  if (typeof v !== 'string' || v.length > max || (pattern && !pattern.test(v))) {
    throw new Invalid(field, `${field} : texte attendu${pattern ? ' de la forme ' + String(pattern) : ''}, ${max} caractères au plus`);
  }
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Invalid(field, `${field} : une valeur parmi ${allowed.join(', ')}`);
  }
  return v as T;
}

/** Checks the shape of a view change (the catalogue checks its choices: embed.ts). */
export function parseViewChange(v: unknown): ViewChange {
  if (!isObject(v)) throw new Invalid('view', 'view : objet attendu');
  for (const k of Object.keys(v)) {
    if (!VIEW_FIELDS.includes(k)) throw new Invalid(`view.${k}`, `view.${k} : champ inconnu (champs : ${VIEW_FIELDS.join(', ')})`);
  }
  const out: ViewChange = {};
  if (v['indicator'] !== undefined) out.indicator = text(v['indicator'], 'view.indicator', 64, /^[a-z0-9][a-z0-9-]*$/);
  if (v['level'] !== undefined) out.level = oneOf(v['level'], 'view.level', LEVELS);
  if (v['period'] !== undefined) out.period = text(v['period'], 'view.period', 16, /^(\d{4}(-T[1-4])?)?$/);
  if (v['sex'] !== undefined) out.sex = oneOf(v['sex'], 'view.sex', SEXES);
  if (v['sector'] !== undefined) out.sector = text(v['sector'], 'view.sector', 32, /^[A-Za-z0-9-]+$/);
  if (v['method'] !== undefined) out.method = oneOf(v['method'], 'view.method', METHODS);
  if (v['classes'] !== undefined) {
    if (!finite(v['classes'], 2, 9) || !Number.isInteger(v['classes'])) throw new Invalid('view.classes', 'view.classes : entier de 2 à 9');
    out.classes = v['classes'];
  }
  if (v['palette'] !== undefined) out.palette = text(v['palette'], 'view.palette', 32, /^[a-z]*$/);
  if (v['region'] !== undefined) out.region = text(v['region'], 'view.region', 2, /^(\d{2})?$/);
  if (v['selection'] !== undefined) out.selection = text(v['selection'], 'view.selection', 16, /^[0-9A-Za-z]*$/);
  if (v['camera'] !== undefined) {
    const c = v['camera'];
    if (!isObject(c) || !finite(c['lon'], -180, 180) || !finite(c['lat'], -85, 85) || !finite(c['z'], 0, 22)) {
      throw new Invalid('view.camera', 'view.camera : {lon (-180 à 180), lat (-85 à 85), z (0 à 22)} attendu');
    }
    out.camera = { lon: c['lon'], lat: c['lat'], z: c['z'] };
  }
  if (v['bounds'] !== undefined) {
    const b = v['bounds'];
    if (
      !Array.isArray(b) ||
      b.length !== 4 ||
      !finite(b[0], -180, 180) ||
      !finite(b[1], -85, 85) ||
      !finite(b[2], -180, 180) ||
      !finite(b[3], -85, 85) ||
      b[0] >= b[2] ||
      b[1] >= b[3]
    ) {
      throw new Invalid('view.bounds', 'view.bounds : [ouest, sud, est, nord] en degrés attendu, ouest < est et sud < nord');
    }
    out.bounds = [b[0], b[1], b[2], b[3]];
  }
  return out;
}

/**
 * Reads a message from a host whose origin was already found allowed.
 * Messages that are not the API's (no `atlas:` type: other scripts of the
 * host talk to their frames too) give null and are ignored.
 */
export function parseHostMessage(data: unknown): Parsed {
  if (!isObject(data) || typeof data['type'] !== 'string' || !data['type'].startsWith('atlas:')) return null;
  const id = typeof data['id'] === 'string' && /^[\w.:-]{1,64}$/.test(data['id']) ? data['id'] : null;
  if (data['version'] !== PROTOCOL_VERSION) {
    return { id, refusal: { code: 'version', field: 'version', message: `version ${String(data['version'])} : cette carte parle la version ${PROTOCOL_VERSION}` } };
  }
  if (id === null) {
    return { id, refusal: { code: 'invalid', field: 'id', message: 'id : identifiant de requête attendu (1 à 64 lettres, chiffres, . : _ -)' } };
  }
  switch (data['type']) {
    case 'atlas:hello':
      return { request: { type: 'atlas:hello', id } };
    case 'atlas:get-view':
      return { request: { type: 'atlas:get-view', id } };
    case 'atlas:set-view':
      try {
        return { request: { type: 'atlas:set-view', id, view: parseViewChange(data['view']) } };
      } catch (err) {
        if (err instanceof Invalid) return { id, refusal: { code: 'invalid', field: err.field, message: err.message } };
        throw err;
      }
  }
  return { id, refusal: { code: 'type', field: 'type', message: `type ${data['type']} inconnu (atlas:hello, atlas:get-view, atlas:set-view)` } };
}

/** The allowed origins: this server's own and those the server put in the page. */
export function allowedOrigins(doc: Document, own: string): Set<string> {
  const meta = doc.querySelector<HTMLMetaElement>('meta[name="atlas-embed-origins"]');
  const list = (meta?.content ?? '').split(/\s+/).filter((o) => o !== '');
  return new Set([own, ...list]);
}

/**
 * The origin of the page holding this frame, as the browser tells it
 * (location.ancestorOrigins in Chromium and WebKit, else the referrer's
 * origin), if it is allowed; null otherwise: the host then says hello first.
 */
export function parentOrigin(allowed: Set<string>): string | null {
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  let candidate: string | null = ancestors && ancestors.length > 0 ? ancestors.item(0) : null;
  if (!candidate && document.referrer) {
    try {
      candidate = new URL(document.referrer).origin;
    } catch {
      candidate = null;
    }
  }
  return candidate && allowed.has(candidate) ? candidate : null;
}
