// The dashboard shell: session, navigation, project switcher and a small history router.
import {api, loadSession, logout, session, setProject} from './api.js';
import {clear, h} from './dom.js';
import {loadEventNames} from './suggest.js';

const NAV = [
  ['/people', 'People'],
  ['/activity', 'Activity'],
  ['/reports/trends', 'Trends'],
  ['/reports/funnel', 'Funnels'],
  ['/reports/retention', 'Retention'],
  ['/reports/revenue', 'Revenue'],
  ['/populations', 'Populations'],
  ['/health', 'Health'],
  ['/imports', 'Import'],
  ['/projects', 'Setup'],
];

const ROUTES = [
  [/^\/$/, () => import('./pages/home.js')],
  [/^\/people$/, () => import('./pages/people.js')],
  [/^\/people\/([^/]+)$/, () => import('./pages/person.js')],
  [/^\/activity$/, () => import('./pages/activity.js')],
  [/^\/health$/, () => import('./pages/health.js')],
  [/^\/projects$/, () => import('./pages/projects.js')],
  [/^\/reports\/(trends|funnel|retention|revenue)$/, () => import('./pages/reports.js')],
  [/^\/populations$/, () => import('./pages/populations.js')],
  [/^\/populations\/([^/]+)$/, () => import('./pages/populations.js')],
  [/^\/report-people$/, () => import('./pages/report-people.js')],
  [/^\/imports$/, () => import('./pages/import.js')],
];

const main = document.getElementById('main');
let cleanup = null;
let renderCount = 0;

export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route();
}

/** Replaces the query string without a new history entry or a re-render (report settings). */
export function setQuery(params) {
  const url = location.pathname + (params.toString() ? '?' + params.toString() : '');
  history.replaceState(null, '', url);
}

function renderNav() {
  const nav = clear(document.getElementById('nav'));
  for (const [path, label] of NAV) {
    const active = location.pathname === path || (path !== '/' && location.pathname.startsWith(path + '/'));
    nav.appendChild(h('a', {href: path, 'data-link': true, class: active ? 'active' : null}, label));
  }
}

function renderProjects() {
  const select = clear(document.getElementById('project-select'));
  const state = session();
  for (const project of state.projects) {
    select.appendChild(h('option', {value: project.id, selected: project.id === state.project}, project.name));
  }
  if (!state.projects.length) select.appendChild(h('option', {value: ''}, 'No project yet'));
}

async function route() {
  const mine = ++renderCount;
  if (cleanup) {
    try { cleanup(); } catch (e) { /* ignore */ }
    cleanup = null;
  }
  renderNav();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  for (const [pattern, load] of ROUTES) {
    const match = path.match(pattern);
    if (!match) continue;
    const module = await (mine === 1 ? firstPage : load());
    if (mine !== renderCount) return;
    clear(main);
    try {
      const result = await module.render(main, {
        params: match.slice(1).map(decodeURIComponent),
        query: new URLSearchParams(location.search),
        navigate,
        setQuery,
        isCurrent: () => mine === renderCount,
      });
      if (typeof result === 'function') {
        if (mine === renderCount) cleanup = result;
        else result();
      }
    } catch (e) {
      if (mine === renderCount) showError(e);
    }
    // the event-name suggestions of the forms, after the page's own requests rather than beside them
    if (mine === renderCount && session().project) loadEventNames();
    return;
  }
  clear(main).appendChild(h('div', {class: 'empty'}, h('h2', {}, 'Page not found'), h('a', {href: '/', 'data-link': true}, 'Go home')));
}

export function showError(e) {
  main.appendChild(h('div', {class: 'panel error', role: 'alert'}, 'Something went wrong: ', e.message || String(e)));
}

document.addEventListener('click', (event) => {
  const a = event.target.closest('a[data-link]');
  if (!a || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//')) return;
  event.preventDefault();
  navigate(href);
});

window.addEventListener('popstate', route);

document.getElementById('logout').addEventListener('click', logout);
document.getElementById('project-select').addEventListener('change', (event) => {
  setProject(event.target.value);
  navigate(location.pathname.startsWith('/people/') ? '/people' : location.pathname + location.search, true);
});

export async function refreshSession() {
  await loadSession();
  renderProjects();
}

// The first page's module loads while the session is asked for, not after it.
const firstPage = (() => {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const entry = ROUTES.find(([pattern]) => pattern.test(path));
  return entry ? entry[1]() : null;
})();
if (firstPage) firstPage.catch(() => {});

(async () => {
  await loadSession();
  renderProjects();
  await route();
})();

export {api};
