import {api} from '../api.js';
import {loadPopulations} from './reports.js';
import {clear, emptyState, fmtTime, fmtDate, h, keyValues, link, valueText} from '../dom.js';

const POLL_MS = 3000;

function row(event, fresh) {
  const props = h('div', {class: 'event-props', hidden: true}, keyValues(event.properties, 'No properties.'));
  const summary = Object.entries(event.properties || {}).slice(0, 3)
    .map(([k, v]) => `${k}: ${valueText(v)}`).join(' · ');
  const tr = h('div', {class: 'event-row' + (fresh ? ' fresh' : ''), 'data-event': event.name},
    h('span', {class: 'time', title: event.received_at}, fmtDate(event.timestamp) === fmtDate(new Date().toISOString())
      ? fmtTime(event.timestamp) : fmtDate(event.timestamp)),
    h('span', {class: 'name'}, event.name),
    link('/people/' + encodeURIComponent(event.person_id), event.identity),
    h('span', {class: 'identity'}, summary),
    props);
  tr.addEventListener('click', (e) => {
    if (e.target.closest('a') || props.contains(e.target)) return;
    props.hidden = !props.hidden;
  });
  return tr;
}

export async function render(main, ctx) {
  const q = ctx.query;
  const filters = {event: q.get('event') || '', property: q.get('property') || '', value: q.get('value') || '',
    population: q.get('population') || '', population_not: q.get('population_not') === 'true'};
  main.appendChild(h('div', {class: 'page-head'},
    h('div', {}, h('h1', {}, 'Activity'), h('p', {class: 'muted'}, h('span', {class: 'live-dot'}), 'Live: new events appear every few seconds, newest first.'))));

  const populations = await loadPopulations();
  if (!ctx.isCurrent()) return undefined;
  const event = h('input', {id: 'activity-event', placeholder: 'Event name', value: filters.event, list: 'event-names'});
  const property = h('input', {id: 'activity-property', placeholder: 'Property', value: filters.property});
  const value = h('input', {id: 'activity-value', placeholder: 'equals value', value: filters.value});
  const known = populations.some((p) => p.id === filters.population);
  const population = h('select', {id: 'activity-population', 'aria-label': 'Population'},
    h('option', {value: ''}, populations.length ? 'Everyone' : 'Everyone (no populations saved)'),
    populations.map((p) => h('option', {value: p.id, selected: p.id === filters.population}, p.name)),
    filters.population && !known ? h('option', {value: filters.population, selected: true}, 'Unknown population') : null);
  const exclude = h('input', {type: 'checkbox', id: 'activity-population-not', checked: filters.population_not});
  const form = h('form', {class: 'toolbar', id: 'activity-filters'}, event, property, value, population,
    h('label', {class: 'small muted'}, exclude, ' not in it'),
    h('button', {type: 'submit', class: 'primary'}, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    if (event.value.trim()) next.set('event', event.value.trim());
    if (property.value.trim()) next.set('property', property.value.trim());
    if (value.value.trim() && property.value.trim()) next.set('value', value.value.trim());
    if (population.value) {
      next.set('population', population.value);
      if (exclude.checked) next.set('population_not', 'true');
    }
    ctx.navigate('/activity' + (next.toString() ? '?' + next : ''));
  });
  main.appendChild(form);

  const list = h('div', {id: 'activity-list'});
  const more = h('button', {type: 'button', id: 'activity-older', hidden: true}, 'Load older');
  const status = h('p', {class: 'muted small', role: 'status'});
  main.appendChild(h('section', {class: 'panel'}, list, h('div', {class: 'toolbar', style: {marginTop: '10px'}}, more, status)));

  const query = {event: filters.event, property: filters.property, value: filters.value, population: filters.population,
    population_not: filters.population && filters.population_not ? 'true' : ''};
  const filtered = filters.event || filters.property || filters.population;
  const first = await api('/api/activity', {query: {...query, limit: 50}});
  let latest = first.latest;
  let older = first.next_cursor;
  if (!first.events.length) {
    list.appendChild(filtered
      ? emptyState('No matching events yet', h('p', {}, 'Nothing matches these filters. New matching events appear here by themselves; ',
        link('/activity', 'clear the filters'), ' to see everything.'))
      : emptyState('No events yet — paste this snippet',
        h('p', {}, 'This page updates by itself. Send an event (see ', link('/projects', 'Setup'), ') or ', link('/imports', 'import a file'),
          ' and it shows up here.')));
  }
  first.events.forEach((e) => list.appendChild(row(e, false)));
  more.hidden = !older;
  more.addEventListener('click', async () => {
    const page = await api('/api/activity', {query: {...query, before: older, limit: 50}});
    page.events.forEach((e) => list.appendChild(row(e, false)));
    older = page.next_cursor;
    more.hidden = !older;
  });

  let stopped = false;
  let timer = null;
  async function poll() {
    if (stopped) return;
    try {
      const page = await api('/api/activity', {query: {...query, after: latest, limit: 100}});
      if (stopped) return;
      if (page.events.length) {
        if (list.querySelector('.empty')) clear(list);
        const fragment = document.createDocumentFragment();
        page.events.forEach((e) => fragment.appendChild(row(e, true)));
        list.insertBefore(fragment, list.firstChild);
        while (list.children.length > 500) list.removeChild(list.lastChild);
      }
      latest = page.latest || latest;
      status.textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      status.textContent = 'Live updates paused: ' + e.message;
    }
    timer = setTimeout(poll, POLL_MS);
  }
  timer = setTimeout(poll, POLL_MS);
  return () => { stopped = true; clearTimeout(timer); };
}
