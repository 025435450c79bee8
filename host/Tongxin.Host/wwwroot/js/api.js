// The one way the app talks to the host: bearer token, Accept-Language, problem+json → ApiError.
// Out of signal, a GET that the phone keeps a copy of (fieldcopy.js) is answered from that copy.
import { lang } from './i18n.js';
import { keepsCopy, readCopy, saveCopy, dropCopy } from './fieldcopy.js';

const TOKEN_KEY = 'tongxin.token';
const USER_KEY = 'tongxin.user';

/** A problem+json answer (RFC 9457): status, title, detail and, for bad input, field → messages. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || String(status));
    this.status = status;
    this.title = problem?.title || '';
    this.detail = problem?.detail || '';
    this.errors = problem?.errors || {};
    this.traceId = problem?.traceId || '';
  }
}

// The token lives in sessionStorage: closing the browser of a shared village phone signs out.
// Who signed in (user id and role) is kept beside it, so that a reload out of signal finds the user's copy.
export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
    if (!value) sessionStorage.removeItem(USER_KEY);
  },
  get user() {
    try { return JSON.parse(sessionStorage.getItem(USER_KEY)) || null; } catch { return null; }
  },
  set user(me) {
    if (me) sessionStorage.setItem(USER_KEY, JSON.stringify({ userId: me.userId, role: me.role }));
  },
  me: null,
};

/** Set when the page on screen was read from the phone's copy: `{ savedAt }` of the oldest answer used, else null. */
export const offline = { servedFromCopy: null };

let onUnauthorized = () => {};
/** Called when a signed-in request answers 401 (the token expired): the app goes back to the login page. */
export function whenUnauthorized(handler) { onUnauthorized = handler; }

/**
 * fetch with the app's conventions. options: method, body (JSON unless a string with contentType),
 * headers, contentType, as ('json' | 'blob' | 'response'). Throws ApiError for every non-2xx answer,
 * and an ApiError with status 0 when the network fails.
 */
export async function api(path, options = {}) {
  const headers = { 'Accept-Language': lang(), Accept: 'application/json, application/problem+json', ...(options.headers || {}) };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let body;
  if (options.body !== undefined) {
    if (typeof Blob !== 'undefined' && options.body instanceof Blob) {
      // A file as it is (an import's sheet): its own type, or the one the caller names.
      body = options.body;
      headers['Content-Type'] = options.contentType || options.body.type || 'application/octet-stream';
    } else if (typeof options.body === 'string') {
      body = options.body;
      headers['Content-Type'] = options.contentType || 'text/plain; charset=utf-8';
    } else {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
  }
  const method = options.method || (body === undefined ? 'GET' : 'POST');
  const user = session.user;
  const copyable = method === 'GET' && !options.as && user && keepsCopy(user.role, path);
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: 'no-store' });
  } catch {
    const copy = copyable ? await readCopy(user.userId, path) : null;
    if (!copy) throw new ApiError(0, null);
    if (!offline.servedFromCopy || copy.savedAt < offline.servedFromCopy.savedAt) offline.servedFromCopy = { savedAt: copy.savedAt };
    return copy.body;
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON: keep the status only */ }
    const error = new ApiError(response.status, problem);
    // A child moved to another village (or a file closed) is no longer the user's to read offline either.
    if (copyable && (response.status === 404 || response.status === 403)) await dropCopy([path]);
    if (response.status === 401 && session.token && !path.startsWith('/api/auth/')) onUnauthorized(error);
    throw error;
  }
  if (options.as === 'response') return response;
  if (options.as === 'blob') return response.blob();
  if (response.status === 204) return null;
  const text = await response.text();
  const result = text ? JSON.parse(text) : null;
  // Not when the user signed out (or another signed in) while the answer was on its way: the copy was cleared then.
  if (copyable && session.user?.userId === user.userId) saveCopy(user.userId, path, result);
  return result;
}

export const get = (path) => api(path);
export const post = (path, body, options = {}) => api(path, { ...options, method: 'POST', body: body ?? {} });
export const put = (path, body) => api(path, { method: 'PUT', body });

/** Every page of a paged list (`{ items, total }`), up to maxPages pages. */
export async function allPages(path, pageSize = 100, maxPages = 10) {
  const items = [];
  let total = 0;
  for (let page = 1; page <= maxPages; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const result = await get(`${path}${sep}page=${page}&pageSize=${pageSize}`);
    items.push(...result.items);
    total = result.total;
    if (items.length >= total || result.items.length === 0) break;
  }
  return { items, total };
}

/** A fresh idempotency key; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) {
    try { return crypto.randomUUID(); } catch { /* insecure context */ }
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Downloads a file answered by an authorised GET (CSV exports) under the name the host proposes. */
export async function download(path, fallbackName) {
  const response = await api(path, { as: 'response', headers: { Accept: 'text/csv, application/problem+json' } });
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = /filename\*=UTF-8''([^;]+)/i.exec(disposition) || /filename="?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
