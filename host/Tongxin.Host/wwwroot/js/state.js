// What every page shares: the signed-in user, the service lines and the regions (cached per language).
import { get, session } from './api.js';
import { lang } from './i18n.js';

let modulesCache = { lang: null, promise: null };
let regionsCache = null;

/** GET /api/modules in the current language (labels of each line's fields come localised from the host). */
export function modules() {
  if (modulesCache.lang !== lang() || !modulesCache.promise) {
    modulesCache = { lang: lang(), promise: get('/api/modules').catch((error) => { modulesCache.promise = null; throw error; }) };
  }
  return modulesCache.promise;
}

export async function moduleByKey(key) {
  return (await modules()).find((m) => m.key === key);
}

/** The name of a line in the current language, or its key for a line that is no longer loaded. */
export async function lineNames() {
  const list = await modules();
  return (key) => list.find((m) => m.key === key)?.name ?? key;
}

/** GET /api/regions (the caller's subtree). */
export function regions() {
  if (!regionsCache) regionsCache = get('/api/regions').catch((error) => { regionsCache = null; throw error; });
  return regionsCache;
}

export async function regionNames() {
  const list = await regions().catch(() => []);
  return (code) => list.find((r) => r.code === code)?.name ?? code;
}

export function forgetUser() {
  session.token = null;
  session.me = null;
  regionsCache = null;
}

export const me = () => session.me;
