import {api} from '../api.js';
import {clear, downloadText, emptyState, h, link, toCsv} from '../dom.js';
import {extractPeople, readSettings, requestBody} from '../report-model.js';
import {peopleTable} from './people.js';

const PAGE = 50;

async function details(ids) {
  const people = [];
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await Promise.all(ids.slice(i, i + 10).map((id) =>
      api('/api/people/' + encodeURIComponent(id)).catch(() => ({id, display_name: id}))));
    people.push(...batch);
  }
  return people;
}

export async function render(main, ctx) {
  const kind = ctx.query.get('report');
  const label = ctx.query.get('label') || 'People';
  const settings = readSettings(kind, ctx.query);
  const back = `/reports/${kind}?s=${encodeURIComponent(ctx.query.get('s') || '')}`;
  main.appendChild(h('div', {class: 'page-head'}, h('div', {},
    h('p', {class: 'muted small'}, link(back, '← Back to the report')),
    h('h1', {id: 'report-people-title'}, label))));
  const box = h('section', {class: 'panel', id: 'report-people'}, h('p', {class: 'muted'}, 'Finding the people…'));
  main.appendChild(box);

  const result = await api(`/api/reports/${kind}`, {method: 'POST', body: Object.assign(requestBody(kind, settings), {people: true})});
  const ids = extractPeople(result, ctx.query.get('pick'), ctx.query.get('index'));
  clear(box);
  if (!ids.length) {
    box.appendChild(emptyState('No people behind this number', h('p', {}, 'Nobody is counted here, or the report did not list people.')));
    return;
  }

  const name = h('input', {id: 'population-name', value: label.slice(0, 100), placeholder: 'Population name'});
  const message = h('span', {role: 'status', class: 'muted'});
  const save = h('form', {class: 'toolbar'}, h('strong', {id: 'report-people-count'}, `${ids.length} people`), name,
    h('button', {type: 'submit', class: 'primary', id: 'save-population'}, 'Save as population'),
    h('button', {type: 'button', id: 'export-csv', onclick: async () => {
      message.textContent = 'Preparing CSV…';
      const people = await details(ids);
      downloadText('people.csv', toCsv([['person_id', 'display_name', 'first_seen', 'last_seen', 'event_count', 'ltv'],
        ...people.map((p) => [p.id, p.display_name, p.first_seen, p.last_seen, p.event_count, p.ltv])]));
      message.textContent = `Exported ${people.length} people.`;
    }}, 'Export CSV'), message);
  save.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const population = await api('/api/populations/static', {method: 'POST', body: {name: name.value, people: ids}});
      clear(message).appendChild(h('span', {class: 'good'}, 'Saved: ', link('/populations/' + encodeURIComponent(population.id), population.name)));
    } catch (err) {
      message.textContent = err.message;
      message.className = 'error';
    }
  });
  box.appendChild(save);

  const table = h('div', {});
  const more = h('button', {type: 'button', id: 'report-people-more'}, 'Show more');
  box.appendChild(table);
  box.appendChild(more);
  let shown = 0;
  const loaded = [];
  async function next() {
    const people = await details(ids.slice(shown, shown + PAGE));
    shown += people.length;
    loaded.push(...people);
    clear(table).appendChild(peopleTable(loaded, null, null));
    more.hidden = shown >= ids.length;
  }
  more.addEventListener('click', next);
  await next();
}
