import {api, ApiError} from '../api.js';
import {clear, confirmDialog, fmtDateTime, fmtMoney, fmtNumber, fmtTime, h, keyValues, link, panel, relative, stat} from '../dom.js';

const SESSION_GAP_MS = 30 * 60 * 1000;

async function findPerson(value) {
  try {
    return await api('/api/people/' + encodeURIComponent(value));
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  return api('/api/people', {query: {identity: value}});
}

export async function render(main, ctx) {
  const id = ctx.params[0];
  const person = await api('/api/people/' + encodeURIComponent(id));
  if (!ctx.isCurrent()) return;
  if (person.id !== id) {
    // A merged-away id: show the survivor under its own id.
    ctx.navigate('/people/' + encodeURIComponent(person.id), true);
    return;
  }

  main.appendChild(h('div', {class: 'page-head'},
    h('div', {}, h('p', {class: 'muted small'}, link('/people', '← People')),
      h('h1', {id: 'person-name'}, person.display_name || person.id),
      h('p', {class: 'muted mono small'}, person.id)),
    h('button', {type: 'button', id: 'merge-open', onclick: () => openMerge(main, person, ctx)}, 'Merge with another person…')));

  main.appendChild(h('div', {class: 'stats'},
    stat('First seen', fmtDateTime(person.first_seen)),
    stat('Last seen', relative(person.last_seen)),
    stat('Events', fmtNumber(person.event_count)),
    stat('Sessions', fmtNumber(person.session_count)),
    stat('Lifetime value', fmtMoney(person.ltv))));

  const identities = h('div', {class: 'table-wrap'}, h('table', {id: 'identities'},
    h('thead', {}, h('tr', {}, h('th', {}, 'Identity'), h('th', {}, 'Kind'), h('th', {class: 'hide-narrow'}, 'First seen'),
      h('th', {}, 'Last seen'), h('th', {class: 'num'}, 'Events'))),
    h('tbody', {}, person.identities.map((i) => h('tr', {},
      h('td', {class: 'mono'}, i.id),
      h('td', {}, h('span', {class: i.is_user ? 'pill' : 'pill gray'}, i.is_user ? 'user id' : 'anonymous')),
      h('td', {class: 'hide-narrow'}, fmtDateTime(i.first_seen)),
      h('td', {}, fmtDateTime(i.last_seen)),
      h('td', {class: 'num'}, fmtNumber(i.event_count)))))));

  const populations = h('div', {id: 'person-populations'}, h('p', {class: 'muted small'}, 'Checking saved populations…'));
  main.appendChild(h('div', {class: 'grid'},
    h('div', {class: 'span-2'}, panel('Identities', identities)),
    panel('Acquisition', keyValues(person.acquisition, 'No acquisition data (no first event yet).')),
    panel('Populations', populations),
    panel('Properties', h('div', {id: 'person-properties'}, keyValues(person.properties, 'No properties set yet.')))));
  loadPopulations(populations, person, ctx);

  const timelinePanel = panel('Timeline');
  main.appendChild(timelinePanel);
  const eventFilter = h('input', {id: 'timeline-filter', placeholder: 'Only this event, e.g. Signed Up', list: null});
  const names = h('datalist', {id: 'timeline-event-names'});
  eventFilter.setAttribute('list', 'timeline-event-names');
  const filterForm = h('form', {class: 'toolbar'}, eventFilter, names,
    h('button', {type: 'submit'}, 'Filter'), h('button', {type: 'button', onclick: () => { eventFilter.value = ''; start(); }}, 'Clear'));
  filterForm.addEventListener('submit', (e) => { e.preventDefault(); start(); });
  timelinePanel.appendChild(filterForm);
  const list = h('div', {id: 'timeline'});
  const sentinel = h('div', {class: 'muted small', id: 'timeline-end'});
  timelinePanel.appendChild(list);
  timelinePanel.appendChild(sentinel);

  const seenNames = new Set();
  let cursor = null;
  let done = false;
  let loading = false;
  let last = null; // the oldest rendered event, with its session element
  let generation = 0;

  function start() {
    generation++;
    clear(list);
    cursor = null;
    done = false;
    last = null;
    loadMore();
  }

  async function loadMore() {
    if (loading || done) return;
    loading = true;
    const mine = generation;
    sentinel.textContent = 'Loading…';
    try {
      const page = await api(`/api/people/${encodeURIComponent(person.id)}/timeline`,
        {query: {limit: 100, cursor, event: eventFilter.value.trim()}});
      if (mine !== generation || !ctx.isCurrent()) return;
      page.events.forEach(addEvent);
      cursor = page.next_cursor;
      done = !cursor;
      if (!list.firstChild) {
        sentinel.textContent = eventFilter.value.trim() ? 'No such event for this person.' : 'No events yet.';
      } else {
        sentinel.textContent = done ? 'Beginning of history.' : '';
      }
    } catch (e) {
      sentinel.textContent = 'Could not load the timeline: ' + e.message;
    } finally {
      loading = false;
    }
    if (!done && sentinelVisible()) loadMore();
  }

  function sentinelVisible() {
    const rect = sentinel.getBoundingClientRect();
    return rect.top < window.innerHeight + 200;
  }

  function addEvent(event) {
    if (!seenNames.has(event.name)) {
      seenNames.add(event.name);
      names.appendChild(h('option', {value: event.name}));
    }
    const time = new Date(event.timestamp).getTime();
    const day = event.timestamp.slice(0, 10);
    const newDay = !last || last.day !== day;
    const newSession = newDay || last.time - time > SESSION_GAP_MS
      || (event.session_id && last.sessionId && event.session_id !== last.sessionId);
    if (newDay) {
      list.appendChild(h('div', {class: 'timeline-day'}, new Date(event.timestamp).toLocaleDateString('en-US',
        {weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC'})));
    }
    let session = last && !newSession ? last.session : null;
    if (!session) {
      const head = h('div', {class: 'session-head'});
      session = {el: h('div', {class: 'session'}, head), head, count: 0, end: event.timestamp, start: event.timestamp};
      list.appendChild(session.el);
    }
    session.count++;
    session.start = event.timestamp;
    session.head.textContent = `Session · ${fmtTime(session.start).slice(0, 5)}–${fmtTime(session.end).slice(0, 5)} UTC · `
      + `${session.count} event${session.count === 1 ? '' : 's'}`;
    const props = h('div', {class: 'event-props', hidden: true}, keyValues(event.properties, 'No properties.'));
    const row = h('div', {class: 'event-row', tabindex: '0', role: 'button', 'aria-expanded': 'false', 'data-event': event.name},
      h('span', {class: 'time'}, fmtTime(event.timestamp)),
      h('span', {class: 'name'}, event.name),
      h('span', {class: 'identity'}, 'as ', event.identity),
      props);
    const toggle = () => {
      props.hidden = !props.hidden;
      row.setAttribute('aria-expanded', String(!props.hidden));
    };
    row.addEventListener('click', (e) => { if (!props.contains(e.target)) toggle(); });
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter') toggle(); });
    session.el.appendChild(row);
    last = {day, time, sessionId: event.session_id, session};
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, {rootMargin: '200px'});
  observer.observe(sentinel);
  start();
  return () => observer.disconnect();
}

/** The saved populations this person is in, evaluated now; loaded after the rest of the page. */
async function loadPopulations(box, person, ctx) {
  let answer;
  try {
    answer = await api(`/api/people/${encodeURIComponent(person.id)}/populations`);
  } catch (e) {
    if (ctx.isCurrent()) clear(box).appendChild(h('p', {class: 'error small'}, 'Could not check populations: ' + e.message));
    return;
  }
  if (!ctx.isCurrent()) return;
  clear(box);
  if (!answer.checked) {
    box.appendChild(h('p', {class: 'muted'}, 'No populations saved yet. ', link('/populations', 'Build one'),
      ' (for example “did Purchased at least twice”) to see here whether this person is in it.'));
    return;
  }
  if (!answer.populations.length) {
    box.appendChild(h('p', {class: 'muted'}, `In none of the ${fmtNumber(answer.checked)} saved populations. `,
      link('/populations', 'See all populations'), '.'));
    return;
  }
  box.appendChild(h('div', {class: 'pills'}, answer.populations.map((p) =>
    h('a', {href: '/populations/' + encodeURIComponent(p.id), 'data-link': true, class: 'pill', 'data-population': p.id, title: p.type + ' population'}, p.name))));
  box.appendChild(h('p', {class: 'muted small'}, `In ${fmtNumber(answer.populations.length)} of ${fmtNumber(answer.checked)} saved populations, as of now.`));
}

function openMerge(main, person, ctx) {
  const existing = document.getElementById('merge-other');
  if (existing) {
    existing.focus();
    return;
  }
  const input = h('input', {id: 'merge-other', placeholder: 'Person id or any identity of the other person'});
  const message = h('p', {class: 'error', role: 'alert'});
  const form = h('form', {class: 'toolbar'}, input, h('button', {type: 'submit', class: 'primary'}, 'Review merge'));
  const box = panel('Merge two persons',
    h('p', {class: 'muted'}, 'An admin merge joins two persons even when both are identified users. It cannot be undone.'),
    form, message);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    try {
      const other = await findPerson(input.value.trim());
      if (other.id === person.id) {
        message.textContent = 'That is this person already.';
        return;
      }
      const ok = await confirmDialog('Merge these persons?',
        `“${other.display_name}” (${fmtNumber(other.event_count)} events) will be merged into “${person.display_name}” `
        + `(${fmtNumber(person.event_count)} events). Their identities, events and properties become one person. This cannot be undone.`,
        'Merge');
      if (!ok) return;
      const merged = await api(`/api/people/${encodeURIComponent(person.id)}/merge`, {method: 'POST', body: {other: other.id}});
      ctx.navigate('/people/' + encodeURIComponent(merged.id), true);
    } catch (err) {
      message.textContent = err.message;
    }
  });
  main.insertBefore(box, main.children[1]);
  input.focus();
}
