// The JSON API client: adds the CSRF token and the chosen project, and turns errors into ApiError.

const state = {csrf: null, project: localStorage.getItem('roster.project') || null, projects: [], user: null};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || ('HTTP ' + status));
    this.status = status;
    this.code = body && body.error;
    this.path = body && body.path;
    this.body = body;
  }
}

export function session() {
  return state;
}

export function setProject(id) {
  state.project = id;
  localStorage.setItem('roster.project', id);
}

export function currentProject() {
  return state.projects.find((p) => p.id === state.project) || null;
}

export async function loadSession() {
  const response = await fetch('/auth/session', {credentials: 'same-origin', cache: 'no-store'});
  if (response.status === 401) {
    toLogin();
    throw new ApiError(401, {message: 'not logged in'});
  }
  const body = await response.json();
  state.csrf = body.csrf_token;
  state.user = body.user;
  state.projects = body.projects;
  if (!state.projects.some((p) => p.id === state.project)) {
    state.project = state.projects.length ? state.projects[0].id : null;
  }
  return state;
}

export function toLogin() {
  const next = location.pathname + location.search;
  location.assign('/login?next=' + encodeURIComponent(next));
}

/** api('/api/people', {query: {q}}) or api('/api/reports/funnel', {method: 'POST', body: {...}}) */
export async function api(path, options = {}) {
  const method = options.method || 'GET';
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(options.query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  const headers = {'Accept': 'application/json'};
  if (state.project) headers['X-Roster-Project'] = state.project;
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
  let body;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(url, {method, headers, body, credentials: 'same-origin', cache: 'no-store'});
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = {message: text}; }
  if (response.status === 401) {
    toLogin();
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export async function logout() {
  await fetch('/auth/logout', {method: 'POST', headers: {'X-CSRF-Token': state.csrf}, credentials: 'same-origin'});
  location.assign('/login');
}
