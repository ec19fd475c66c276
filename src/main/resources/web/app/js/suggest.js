// Event-name suggestions for every event input: one <datalist id="event-names"> per page load
// and project, filled from GET /api/event-names. Inputs opt in with list="event-names".
import {api, session} from './api.js';
import {clear, h} from './dom.js';

let loadedFor = null;

export function loadEventNames() {
  const project = session().project;
  if (loadedFor === project) return;
  loadedFor = project;
  let list = document.getElementById('event-names');
  if (!list) {
    list = h('datalist', {id: 'event-names'});
    document.body.appendChild(list);
  }
  api('/api/event-names', {query: {limit: 300}}).then((answer) => {
    clear(list);
    answer.events.forEach((e) => list.appendChild(h('option', {value: e.name})));
  }).catch(() => { loadedFor = null; });
}
