// The service worker: the app shell (HTML, CSS, scripts, texts, icons) from the phone when there is no network.
// The host fills in VERSION (a hash of the shell's files) and SHELL (their paths) when it serves this file
// (FieldWork/ServiceWorkerEndpoint.cs): a new deployment changes the hash, the browser installs the new shell
// beside the old one, and the old one is deleted once the new one is active. Answers of /api are never cached here:
// the app keeps what a user may read offline itself (js/fieldcopy.js), and forgets it at logout.
const VERSION = '__SHELL_VERSION__';
const SHELL = __SHELL_FILES__;
const CACHE = `tongxin-shell-${VERSION}`;

// `no-cache`: each file is checked with the host (a 304 when the page has just loaded it), never taken stale from the
// browser's HTTP cache, and not downloaded twice on a first visit.
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: 'no-cache' }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith('tongxin-shell-') && name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The page itself (any hash route) is index.html; every other shell file by its path; anything else goes to the network.
  const path = request.mode === 'navigate' && url.pathname === '/' ? '/index.html' : url.pathname;
  if (!SHELL.includes(path)) return;
  event.respondWith(caches.open(CACHE).then((cache) => cache.match(path)).then((cached) => cached || fetch(request)));
});
