// Field work out of signal: records made offline wait in the phone's queue and are sent when the network is back;
// a director's village (a volunteer's pairings) is copied to the phone for reading offline. Storage: fieldcopy.js.
import { t, formatNumber } from './i18n.js';
import { api, allPages, get, newIdempotencyKey, session, ApiError } from './api.js';
import { clearCopy, copiedPaths, dropCopy, enqueue, queuedEntries, removeEntry, updateEntry, keepsCopy } from './fieldcopy.js';
import { h, notify, fmt } from './ui.js';

const RETRY_EVERY_MS = 20_000;
const COPY_FRESH_FOR_MS = 10 * 60_000;
const listeners = [];
let flushing = null;
let timer = null;
let lastCopyAt = 0;

/** Called with the queue whenever it changes (the panel in the page, the child's page). */
export function onQueueChange(listener) {
  listeners.push(listener);
}

async function changed() {
  const entries = await queuedEntries();
  for (const listener of listeners) listener(entries);
  return entries;
}

/**
 * Sends a field record (a contact, a session) with its own Idempotency-Key. Online: as before, and a refusal (bad
 * input) is thrown for the form to show. Out of signal: kept in the queue with the time it was recorded, sent later.
 * Returns { queued: true } when it waits on the phone.
 */
export async function sendFieldRecord({ kind, path, body, label }) {
  const key = newIdempotencyKey();
  try {
    const result = await api(path, { method: 'POST', body, headers: { 'Idempotency-Key': key } });
    return { queued: false, result };
  } catch (error) {
    if (!(error instanceof ApiError) || !isTransient(error)) throw error;
  }
  await enqueue({ key, userId: session.user?.userId, kind, path, body, label, recordedAt: new Date().toISOString() });
  await changed();
  schedule();
  return { queued: true };
}

// No answer, or an answer that says "later": the record stays queued. Every other answer is the host's word on it.
const isTransient = (error) => error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;

/** Sends what waits, oldest first; one send at a time (a second call joins the first). */
export function flush() {
  flushing ??= flushOnce().finally(() => { flushing = null; });
  return flushing;
}

async function flushOnce() {
  const user = session.user;
  if (!session.token || !user) return changed();
  let sent = 0;
  for (const entry of await queuedEntries()) {
    if (entry.state !== 'waiting' || entry.userId !== user.userId) continue;
    try {
      await api(entry.path, { method: 'POST', body: entry.body, headers: { 'Idempotency-Key': entry.key } });
      await removeEntry(entry.key);
      sent++;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (isTransient(error)) break; // still out of signal: try again later, in the same order
      if (error.status === 401) break; // signed out meanwhile: sent after the next sign-in
      // Refused (the file moved to another village, the pairing ended, too old…): kept with the reason until read.
      await updateEntry({ ...entry, state: 'refused', status: error.status, reason: refusalText(error), refusedAt: new Date().toISOString() });
    }
  }
  if (sent > 0) {
    notify(t('queue.sent', { count: formatNumber(sent) }));
    lastCopyAt = 0; // what was sent changes the files: read them again
  }
  const entries = await changed();
  if (entries.some((e) => e.state === 'waiting' && e.userId === user.userId)) schedule();
  return entries;
}

function refusalText(error) {
  const fields = Object.values(error.errors || {}).flat();
  return [error.title, error.detail !== error.title ? error.detail : '', ...fields].filter(Boolean).join(' — ');
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(() => flush().catch(() => {}), RETRY_EVERY_MS);
}

/** The user has read a refused or set-aside record: it leaves the phone. */
export async function dismiss(key) {
  await removeEntry(key);
  await changed();
}

/** The waiting records for one child or pairing (shown on its page as "not yet sent"). */
export async function waitingFor(path) {
  return (await queuedEntries()).filter((e) => e.path === path && e.userId === session.user?.userId && e.state === 'waiting');
}

// ------------------------------------------------------------------ the copy

/**
 * Reads what the user will want offline, so that every page of it is in the copy (the answers are kept by api.js as
 * they arrive): a director's children with their files, contacts and care records; a volunteer's pairings.
 * At most every ten minutes unless forced; answers the host no longer gives (a child moved away) are dropped.
 */
export async function refreshCopy({ force = false } = {}) {
  const user = session.user;
  if (!user || !keepsCopy(user.role, '/api/me') || !navigator.onLine) return;
  if (!force && Date.now() - lastCopyAt < COPY_FRESH_FOR_MS) return;
  lastCopyAt = Date.now();
  try {
    const read = [];
    const readAll = async (paths, batch = 4) => {
      read.push(...paths);
      for (let i = 0; i < paths.length; i += batch) await Promise.all(paths.slice(i, i + batch).map((path) => get(path).catch(() => null)));
    };
    await readAll(['/api/me', '/api/modules']);
    if (user.role === 'child-director') {
      await readAll(['/api/regions', '/api/followups/overdue', '/api/needs', '/api/care/failing']);
      // The list as the children's page asks for it (allPages), then each child's file, contacts and care record.
      const { items } = await allPages('/api/children', 100, 5);
      for (let page = 1; page <= Math.max(1, Math.ceil(items.length / 100)); page++) read.push(`/api/children?page=${page}&pageSize=100`);
      await readAll(items.flatMap((child) => [`/api/children/${child.id}`, `/api/children/${child.id}/contacts`, `/api/children/${child.id}/care-record`, `/api/children/${child.id}/care-arrangement`]));
    } else {
      await readAll(['/api/pairings?mine=true']);
    }
    const keep = new Set(read);
    await dropCopy((await copiedPaths()).filter((path) => !keep.has(path)));
    // When the copy was last complete (the browser tests wait for it before they cut the network).
    document.body.dataset.fieldCopy = new Date().toISOString();
  } catch {
    lastCopyAt = 0; // the signal went in the middle: next time again
  }
}

/** Logout, another user signing in, access lost: the copy leaves the phone. Queued records stay until their user sends them. */
export async function forgetCopy() {
  await clearCopy();
  lastCopyAt = 0;
}

// ------------------------------------------------------------------ the panel

/** The queue as the user sees it: what waits to be sent, what the host refused and why, what could not be read. */
export function queuePanel(entries, userId) {
  const mine = entries.filter((e) => e.userId === userId || e.corrupt);
  const waiting = mine.filter((e) => e.state === 'waiting');
  const refused = mine.filter((e) => e.state === 'refused');
  const setAside = mine.filter((e) => e.state === 'set-aside');
  if (mine.length === 0) return null;
  // Which record: what and whose, when, and the start of its notes (the user may have several waiting).
  const label = (e) => [e.label || t(`queue.kind.${e.kind}`), t('queue.recordedAt', { at: fmt.dateTime(e.body?.at ?? e.recordedAt) }),
    e.body?.notes ? `“${e.body.notes.length > 30 ? `${e.body.notes.slice(0, 30)}…` : e.body.notes}”` : null].filter(Boolean).join(' · ');
  return h('section', { class: 'card queue-panel', id: 'queue-panel', 'aria-live': 'polite' },
    waiting.length ? [
      h('h2', { id: 'queue-waiting-title' }, t('queue.waitingTitle', { count: formatNumber(waiting.length) })),
      h('p', { class: 'small muted' }, navigator.onLine ? t('queue.waitingOnline') : t('queue.waitingOffline')),
      h('ul', { class: 'rows', id: 'queue-waiting' }, waiting.map((e) => h('li', { 'data-key': e.key }, label(e)))),
      navigator.onLine ? h('button', { type: 'button', class: 'btn btn-secondary', id: 'queue-send', onclick: () => flush() }, t('queue.sendNow')) : null,
    ] : null,
    refused.length ? [
      h('h2', {}, t('queue.refusedTitle', { count: formatNumber(refused.length) })),
      h('ul', { class: 'rows', id: 'queue-refused' }, refused.map((e) => h('li', { 'data-key': e.key, class: 'refused' },
        h('div', {}, label(e)),
        h('p', { class: 'problem-detail' }, e.reason || t('error.status', { status: e.status })),
        h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => dismiss(e.key) }, t('queue.dismiss'))))),
    ] : null,
    setAside.length ? [
      h('h2', {}, t('queue.setAsideTitle', { count: formatNumber(setAside.length) })),
      h('ul', { class: 'rows', id: 'queue-set-aside' }, setAside.map((e) => h('li', { 'data-key': e.key },
        h('p', {}, t('queue.setAsideText')),
        h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => dismiss(e.key) }, t('queue.dismiss'))))),
    ] : null);
}
