// What the phone keeps for field work out of signal (docs/adr/0023-offline-field-work.md), in IndexedDB:
//  - `copy`: answers of the GETs a director (their own village's children and files) or a volunteer (their pairings)
//    needs to read offline, by path; cleared at logout and when the account loses access;
//  - `queue`: calls, home visits and sessions recorded while offline, each with its own Idempotency-Key, until the
//    host has stored them (or refused them: then kept, with the reason, until the user has read it).
// Nothing of concerns is ever kept, nor anything of other roles.

const DB_NAME = 'tongxin-field';
const DB_VERSION = 1;

// Paths each role reads offline, exactly as the pages ask for them (the copy is looked up by the same path).
const CHILD_ID = '[A-Za-z0-9_-]+';
const COPY_PATHS = {
  'child-director': [
    /^\/api\/me$/, /^\/api\/modules$/, /^\/api\/regions$/, /^\/api\/followups\/overdue$/, /^\/api\/needs$/,
    /^\/api\/children\?page=\d+&pageSize=\d+$/,
    new RegExp(`^/api/children/${CHILD_ID}$`),
    new RegExp(`^/api/children/${CHILD_ID}/(contacts|care-record|care-arrangement)$`), /^\/api\/care\/failing$/,
  ],
  volunteer: [/^\/api\/me$/, /^\/api\/modules$/, /^\/api\/pairings\?mine=true$/],
};

/** May this role's answer to this GET be kept on the phone? */
export function keepsCopy(role, path) {
  return (COPY_PATHS[role] || []).some((pattern) => pattern.test(path));
}

// Where a queued record may be sent: the two field records, nothing else (a corrupted or tampered entry is set aside).
const QUEUE_PATHS = { contact: new RegExp(`^/api/children/(${CHILD_ID})/contacts$`), session: new RegExp(`^/api/pairings/(${CHILD_ID})/sessions$`) };

let opening = null;
function open() {
  if (!globalThis.indexedDB) return Promise.reject(new Error('IndexedDB is not available'));
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('copy')) db.createObjectStore('copy', { keyPath: 'path' });
      if (!db.objectStoreNames.contains('queue')) db.createObjectStore('queue', { keyPath: 'key' });
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab deleting the database (a test's reset) must not be blocked by this one.
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    request.onerror = () => { opening = null; reject(request.error); };
  });
  return opening;
}

async function run(store, mode, action) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = action(tx.objectStore(store));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// ------------------------------------------------------------------ the copy

/** Keeps a GET's answer for offline reading, as the user it was read by. */
export async function saveCopy(userId, path, body) {
  try {
    await run('copy', 'readwrite', (store) => store.put({ path, userId, body, savedAt: new Date().toISOString() }));
  } catch { /* a full or unavailable store only costs the offline copy */ }
}

/** The kept answer to a GET for this user, or null: `{ body, savedAt }`. */
export async function readCopy(userId, path) {
  try {
    const entry = await run('copy', 'readonly', (store) => store.get(path));
    return entry && entry.userId === userId ? entry : null;
  } catch {
    return null;
  }
}

/** Forgets one answer (the host said the child is no longer the user's to see). */
export async function dropCopy(paths) {
  try {
    await run('copy', 'readwrite', (store) => { for (const path of paths) store.delete(path); });
  } catch { /* nothing kept */ }
}

/** Forgets the whole copy (logout, another user, access lost); queued records stay (they are not yet stored anywhere else). */
export async function clearCopy() {
  try {
    await run('copy', 'readwrite', (store) => store.clear());
  } catch { /* nothing kept */ }
}

/** Paths in the copy (the refresh drops those no longer listed). */
export async function copiedPaths() {
  try {
    return await run('copy', 'readonly', (store) => store.getAllKeys());
  } catch {
    return [];
  }
}

// ------------------------------------------------------------------ the queue

/** Adds a record made offline: `{ key, userId, kind, path, body, label, recordedAt }` waiting to be sent. */
export function enqueue(entry) {
  return run('queue', 'readwrite', (store) => store.put({ ...entry, state: 'waiting', attempts: 0 }));
}

export async function updateEntry(entry) {
  await run('queue', 'readwrite', (store) => store.put(entry));
}

export async function removeEntry(key) {
  await run('queue', 'readwrite', (store) => store.delete(key));
}

/** Every queued entry, oldest first; an entry that cannot be read as a field record is returned as set aside. */
export async function queuedEntries() {
  let raw;
  try {
    raw = await run('queue', 'readonly', (store) => store.getAll());
  } catch {
    return [];
  }
  return raw.map(checkEntry).sort((a, b) => String(a.recordedAt).localeCompare(String(b.recordedAt)));
}

/** An entry as stored, or the same marked `set-aside` when it is not a well-formed field record. */
function checkEntry(entry) {
  const kind = entry?.kind;
  const pattern = QUEUE_PATHS[kind];
  const wellFormed = entry && typeof entry.key === 'string' && entry.key.length > 0 && entry.key.length <= 100
    && typeof entry.userId === 'string' && pattern && typeof entry.path === 'string' && pattern.test(entry.path)
    && entry.body && typeof entry.body === 'object' && typeof entry.body.at === 'string' && !Number.isNaN(Date.parse(entry.body.at));
  if (wellFormed || entry?.state === 'set-aside') return entry;
  return { ...entry, state: 'set-aside', corrupt: true };
}
