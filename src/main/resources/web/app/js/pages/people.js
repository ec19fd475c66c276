import {api, currentProject} from '../api.js';
import {clear, emptyState, fmtMoney, fmtNumber, h, link, relative, fmtDateTime} from '../dom.js';
import {setupPanels} from './projects.js';
import {loadPopulations} from './reports.js';

const COLUMNS = [
  ['display_name', 'Person', null],
  ['first_seen', 'First seen', 'first_seen'],
  ['last_seen', 'Last seen', 'last_seen'],
  ['event_count', 'Events', 'events'],
  ['ltv', 'LTV', 'ltv'],
];

export function peopleTable(people, sort, onSort) {
  return h('div', {class: 'table-wrap'}, h('table', {id: 'people-table'},
    h('thead', {}, h('tr', {}, COLUMNS.map(([key, label, sortKey]) => h('th', {
      class: [sortKey ? 'sortable' : '', sortKey === sort ? 'active' : '', key === 'event_count' || key === 'ltv' ? 'num' : '',
        key === 'first_seen' ? 'hide-narrow' : ''].join(' ').trim() || null,
      onclick: sortKey && onSort ? () => onSort(sortKey) : null,
      title: sortKey ? 'Sort by ' + label.toLowerCase() : null,
    }, label, sortKey === sort ? ' ▾' : '')))),
    h('tbody', {}, people.map((p) => h('tr', {'data-person': p.id},
      h('td', {}, link('/people/' + encodeURIComponent(p.id), p.display_name || p.id)),
      h('td', {class: 'hide-narrow', title: p.first_seen}, fmtDateTime(p.first_seen)),
      h('td', {title: p.last_seen}, relative(p.last_seen)),
      h('td', {class: 'num'}, fmtNumber(p.event_count)),
      h('td', {class: 'num'}, fmtMoney(p.ltv)))))));
}

export async function render(main, ctx) {
  const query = ctx.query;
  const q = query.get('q') || '';
  const sort = query.get('sort') || 'last_seen';
  const cursor = query.get('cursor') || '';
  const population = query.get('population') || '';
  const go = (changes) => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v); else next.delete(k);
    }
    ctx.navigate('/people' + (next.toString() ? '?' + next : ''));
  };

  main.appendChild(h('div', {class: 'page-head'}, h('div', {}, h('h1', {}, 'People'),
    h('p', {class: 'muted'}, 'Everyone who has sent an event, with all their identities merged.'))));

  const search = h('input', {type: 'search', id: 'people-search', name: 'q', value: q, placeholder: 'Search by email, user id, anonymous id or property value…'});
  const sortSelect = h('select', {id: 'people-sort', 'aria-label': 'Sort'},
    [['last_seen', 'Last seen'], ['first_seen', 'First seen'], ['events', 'Most events'], ['ltv', 'Highest LTV']]
      .map(([v, label]) => h('option', {value: v, selected: v === sort}, label)));
  sortSelect.addEventListener('change', () => go({sort: sortSelect.value, cursor: ''}));
  const populations = await loadPopulations();
  const populationSelect = populations.length ? h('select', {id: 'people-population', 'aria-label': 'Population'},
    h('option', {value: ''}, 'Everyone'),
    populations.map((p) => h('option', {value: p.id, selected: p.id === population}, p.name))) : null;
  if (populationSelect) populationSelect.addEventListener('change', () => go({population: populationSelect.value, cursor: ''}));
  const form = h('form', {class: 'toolbar', role: 'search'}, search, populationSelect, sortSelect, h('button', {type: 'submit', class: 'primary'}, 'Search'));
  form.addEventListener('submit', (e) => { e.preventDefault(); go({q: search.value.trim(), cursor: ''}); });
  main.appendChild(form);

  const results = h('section', {class: 'panel', id: 'people-results'}, h('p', {class: 'muted'}, 'Loading…'));
  main.appendChild(results);
  const page = await api('/api/people', {query: {q, sort, limit: 50, cursor, population}});
  clear(results);
  if (!page.people.length) {
    if (q || cursor || population) {
      results.appendChild(emptyState('No one matches', h('p', {}, 'Try a prefix of an identity (e.g. the start of an email) or a property value.')));
    } else {
      results.appendChild(emptyState('No people yet — paste this snippet', h('p', {}, 'Install the tracker below and people appear here as soon as they visit.')));
      const project = currentProject();
      if (project) setupPanels(project).forEach((p) => main.appendChild(p));
    }
    return;
  }
  results.appendChild(peopleTable(page.people, sort, (s) => go({sort: s, cursor: ''})));
  const offset = cursor.startsWith('o') ? Number(cursor.slice(1)) || 0 : 0;
  results.appendChild(h('div', {class: 'toolbar', style: {marginTop: '12px'}},
    h('span', {class: 'muted'}, `Showing ${offset + 1}–${offset + page.people.length}`),
    cursor ? h('button', {type: 'button', id: 'people-prev', onclick: () => history.back()}, '← Previous') : null,
    page.next_cursor ? h('button', {type: 'button', id: 'people-next', onclick: () => go({cursor: page.next_cursor})}, 'Next →') : null));
  search.focus();
}
