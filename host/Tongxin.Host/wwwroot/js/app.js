// The app's shell: language, session, a hash router, the navigation of each role.
import { loadLanguage, translate, t, lang } from './i18n.js';
import { get, session, whenUnauthorized, offline } from './api.js';
import { forgetUser } from './state.js';
import { h, loading, pageView, problemView, notify, fmt } from './ui.js';
import { flush, forgetCopy, onQueueChange, queuePanel, refreshCopy } from './sync.js';
import * as login from './pages/login.js';
import * as director from './pages/director.js';
import * as provider from './pages/provider.js';
import * as programme from './pages/programme.js';
import * as contracts from './pages/contracts.js';
import * as dashboard from './pages/dashboard.js';
import * as concerns from './pages/concerns.js';
import * as admin from './pages/admin.js';
import * as reports from './pages/reports.js';
import * as accounts from './pages/accounts.js';
import * as roster from './pages/roster.js';
import * as comparisons from './pages/comparisons.js';
import * as notifications from './pages/notifications.js';

const FILE_STAFF = ['child-director', 'supervisor', 'civil-affairs'];
const PROVIDER_SIDE = ['volunteer', 'programme-owner', 'social-work-org'];
const ALL = ['admin', 'civil-affairs', 'supervisor', 'child-director', 'programme-owner', 'social-work-org', 'volunteer'];

// [pattern, page, roles allowed (null: anyone, signed in or not)]
const ROUTES = [
  ['/login', login.loginPage, null],
  ['/children', director.childrenPage, FILE_STAFF],
  ['/children/new', director.newChildPage, ['child-director']],
  ['/children/import', roster.rosterPage, ['civil-affairs', 'supervisor']],
  ['/children/:id', director.childPage, FILE_STAFF],
  ['/children/:id/request', director.requestHelpPage, ['child-director']],
  ['/needs', director.needsPage, FILE_STAFF],
  ['/needs/:id', director.needPage, FILE_STAFF],
  ['/offers', provider.offersPage, PROVIDER_SIDE],
  ['/pairings', provider.pairingsPage, PROVIDER_SIDE],
  ['/programmes', programme.programmesPage, ['programme-owner', 'civil-affairs', 'supervisor']],
  ['/volunteers', programme.volunteersPage, ['programme-owner', 'social-work-org', 'civil-affairs']],
  ['/contracts', contracts.contractsPage, ['social-work-org', 'civil-affairs', 'supervisor']],
  ['/contracts/:id', contracts.contractPage, ['social-work-org', 'civil-affairs', 'supervisor']],
  ['/dashboard', dashboard.dashboardPage, ['supervisor', 'civil-affairs']],
  ['/reports', reports.reportsPage, ['supervisor', 'civil-affairs', 'programme-owner']],
  ['/comparisons', comparisons.comparisonsPage, FILE_STAFF],
  ['/comparisons/:id', comparisons.comparisonPage, FILE_STAFF],
  ['/concerns', concerns.concernsPage, ALL.filter((r) => r !== 'admin')],
  ['/concerns/new', concerns.raiseConcernPage, ALL.filter((r) => r !== 'admin')],
  ['/concerns/:id', concerns.concernsPage, ALL.filter((r) => r !== 'admin')],
  ['/admin', admin.adminPage, ['admin']],
  ['/users', accounts.usersPage, ['admin', 'civil-affairs']],
  ['/password', accounts.passwordPage, ALL],
  ['/notifications', notifications.inboxPage, ALL],
  ['/notifications/settings', notifications.settingsPage, ALL],
];

const HOME = {
  'child-director': '/children',
  volunteer: '/offers',
  'programme-owner': '/programmes',
  'social-work-org': '/contracts',
  supervisor: '/dashboard',
  'civil-affairs': '/dashboard',
  admin: '/admin',
};

const NAV = {
  'child-director': [['/children', 'nav.children'], ['/needs', 'nav.needs'], ['/comparisons', 'nav.comparisons'], ['/concerns', 'nav.concerns']],
  volunteer: [['/offers', 'nav.offers'], ['/pairings', 'nav.pairings'], ['/concerns', 'nav.concerns']],
  'programme-owner': [['/programmes', 'nav.programmes'], ['/volunteers', 'nav.volunteers'], ['/offers', 'nav.offers'], ['/pairings', 'nav.pairings'], ['/reports', 'nav.reports'], ['/concerns', 'nav.concerns']],
  'social-work-org': [['/contracts', 'nav.contracts'], ['/volunteers', 'nav.volunteers'], ['/offers', 'nav.offers'], ['/pairings', 'nav.pairings'], ['/concerns', 'nav.concerns']],
  supervisor: [['/dashboard', 'nav.dashboard'], ['/children', 'nav.children'], ['/needs', 'nav.needs'], ['/reports', 'nav.reports'], ['/comparisons', 'nav.comparisons'], ['/contracts', 'nav.contracts'], ['/concerns', 'nav.concerns']],
  'civil-affairs': [['/dashboard', 'nav.dashboard'], ['/children', 'nav.children'], ['/needs', 'nav.needs'], ['/reports', 'nav.reports'], ['/comparisons', 'nav.comparisons'], ['/contracts', 'nav.contracts'], ['/programmes', 'nav.programmes'], ['/volunteers', 'nav.volunteers'], ['/concerns', 'nav.concerns']],
  admin: [['/admin', 'nav.admin'], ['/users', 'nav.users']],
};
NAV['civil-affairs'].push(['/users', 'nav.users']);
// Everyone changes their own password.
for (const items of Object.values(NAV)) items.push(['/password', 'nav.password']);

export const homeOf = (role) => HOME[role] || '/login';

export function navigate(path) {
  if (location.hash === `#${path}`) render(); else location.hash = `#${path}`;
}

function parse(hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, queryString = ''] = raw.split('?');
  const query = Object.fromEntries(new URLSearchParams(queryString));
  for (const [pattern, page, roles] of ROUTES) {
    const names = [];
    const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, name) => { names.push(name); return '([^/]+)'; })}$`);
    const match = regex.exec(path);
    if (match) return { path, page, roles, query, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1])])) };
  }
  return { path, page: null, query, params: {} };
}

function renderChrome() {
  const me = session.me;
  document.getElementById('logout').hidden = !me;
  document.getElementById('inbox-link').hidden = !me;
  const badge = document.getElementById('user-badge');
  badge.hidden = !me;
  badge.textContent = me ? `${me.userName} · ${t(`role.${me.role}`)}${me.regionName ? ` · ${me.regionName}` : ''}` : '';
  const nav = document.getElementById('nav');
  const list = document.getElementById('nav-list');
  const items = me ? NAV[me.role] || [] : [];
  nav.hidden = items.length === 0;
  const current = location.hash.replace(/^#/, '').split('?')[0];
  list.replaceChildren(...items.map(([path, key]) => h('li', {},
    h('a', { href: `#${path}`, 'aria-current': current === path || current.startsWith(`${path}/`) ? 'page' : null, 'data-nav': path }, t(key)))));
}

let renderCount = 0;
let firstRender = true;

export async function render() {
  const ticket = ++renderCount;
  const route = parse(location.hash);
  const main = document.getElementById('main');
  if (!session.me && route.path !== '/login') {
    location.replace('#/login');
    return;
  }
  if (route.path === '/' || (!route.page && session.me)) {
    if (route.path !== '/') notify(t('error.notFoundPage'));
    location.replace(`#${homeOf(session.me.role)}`);
    return;
  }
  // After a reset the user may only change the one-time password (the host refuses everything else with 403).
  if (session.me?.mustChangePassword && route.path !== '/password') {
    location.replace('#/password');
    return;
  }
  if (session.me && route.path === '/login') {
    location.replace(`#${homeOf(session.me.role)}`);
    return;
  }
  renderChrome();
  if (route.roles && !route.roles.includes(session.me?.role)) {
    main.replaceChildren(pageView(t('error.forbiddenTitle'), {}, h('p', {}, t('error.forbiddenPage'))));
    return;
  }
  main.replaceChildren(loading());
  main.setAttribute('aria-busy', 'true');
  offline.servedFromCopy = null;
  let view;
  try {
    view = await route.page({ params: route.params, query: route.query, me: session.me, navigate, refresh: render, signedIn, homeOf, signOut });
  } catch (error) {
    view = pageView(t('error.title'), {}, problemView(error));
  }
  if (ticket !== renderCount) return; // a later navigation won
  showOfflineBanner();
  main.replaceChildren(view);
  main.removeAttribute('aria-busy');
  const title = main.querySelector('h1')?.textContent;
  document.title = title ? `${title} · ${t('app.name')}` : t('app.name');
  if (!firstRender) main.querySelector('h1')?.focus({ preventScroll: false });
  // The top bar's unread count follows every navigation (not awaited: the page is already shown).
  if (session.me && !session.me.mustChangePassword) {
    notifications.refreshUnread();
    // Field work: send what waits, and keep the phone's copy fresh (each at most as often as it says).
    flush().catch(() => {});
    refreshCopy();
  }
  firstRender = false;
  window.scrollTo?.(0, 0);
}

/** The page on screen came from the phone's copy: say so, and from when. */
function showOfflineBanner() {
  const banner = document.getElementById('offline-banner');
  const copy = offline.servedFromCopy;
  banner.hidden = !copy;
  banner.textContent = copy ? t('offline.fromCopy', { at: fmt.dateTime(copy.savedAt) }) : '';
}

export async function signedIn(token) {
  session.token = token;
  session.me = await get('/api/me');
  session.user = session.me;
  // Nothing of another user stays readable; this user's village (or pairings) is copied in the background.
  await forgetCopy();
  refreshCopy({ force: true });
}

async function signOut(messageKey) {
  forgetUser();
  // The login page shows only once the copy has left the phone.
  await forgetCopy();
  renderChrome();
  if (messageKey) notify(t(messageKey));
  location.hash = '#/login';
}

async function boot() {
  await loadLanguage();
  translate();
  document.getElementById('lang-switch').addEventListener('click', async () => {
    await loadLanguage(lang() === 'zh-CN' ? 'en' : 'zh-CN');
    translate();
    renderChrome();
    await render();
  });
  document.getElementById('logout').addEventListener('click', () => signOut('login.signedOut'));
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main').focus();
  });
  whenUnauthorized(() => signOut('login.expired'));
  if (session.token) {
    try {
      // Out of signal this is the copy's answer (api.js): the app opens as the same user.
      session.me = await get('/api/me');
    } catch {
      forgetUser();
      forgetCopy();
    }
  }
  // The records waiting on the phone, shown above every page; sent as soon as the network is back.
  onQueueChange((entries) => {
    document.getElementById('queue-area').replaceChildren(queuePanel(entries, session.user?.userId) ?? '');
  });
  window.addEventListener('online', () => {
    flush().catch(() => {});
    refreshCopy({ force: true });
    if (offline.servedFromCopy) render(); // the page on screen was the phone's copy: read it from the host again
  });
  window.addEventListener('offline', () => flush().catch(() => {}));
  // The app shell is served by the service worker when there is no network (sw.js, from the host).
  navigator.serviceWorker?.register('/sw.js').catch(() => { /* no secure context: the app still works online */ });
  window.addEventListener('hashchange', render);
  await render();
  document.body.dataset.ready = 'true';
}

boot();
