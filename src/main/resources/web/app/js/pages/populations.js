import {api, ApiError, session} from '../api.js';
import {chart} from '../charts.js';
import {clear, confirmDialog, emptyState, fmtNumber, h, link, panel} from '../dom.js';
import {peopleTable} from './people.js';

// ---- the condition-tree builder: a tree of {all|any: [...]} groups with SPEC §10 leaves ----

const LEAF_TYPES = [
  ['did', 'Did event'], ['did_not', 'Did not do event'], ['sequence', 'Did event before first doing…'],
  ['first_did', 'First did event'], ['property', 'Person property'], ['ltv', 'Lifetime value'], ['identity', 'Identity is'],
];

function newLeaf(type) {
  switch (type) {
    case 'did': return {did: '', count: {op: 'gte', value: 1}};
    case 'did_not': return {did_not: ''};
    case 'sequence': return {did: '', count: {op: 'gte', value: 3}, before_first: ''};
    case 'first_did': return {first_did: '', within: {last: 30, unit: 'day'}};
    case 'property': return {property: '', op: 'eq', value: ''};
    case 'ltv': return {ltv: {op: 'gt', value: 100}};
    default: return {identity: ''};
  }
}

function leafType(node) {
  if ('before_first' in node) return 'sequence';
  if ('did' in node) return 'did';
  if ('did_not' in node) return 'did_not';
  if ('first_did' in node) return 'first_did';
  if ('property' in node) return 'property';
  if ('ltv' in node) return 'ltv';
  return 'identity';
}

function text(obj, key, placeholder, onChange) {
  const el = h('input', {value: obj[key] ?? '', placeholder, list: placeholder === 'event name' ? 'event-names' : null});
  el.addEventListener('input', () => { obj[key] = el.value; onChange(); });
  return el;
}

function number(obj, key, onChange) {
  const el = h('input', {type: 'number', value: obj[key] ?? 0, min: '0', size: '4', style: {width: '80px'}});
  el.addEventListener('input', () => { obj[key] = el.value === '' ? null : Number(el.value); onChange(); });
  return el;
}

function choice(obj, key, options, onChange) {
  const el = h('select', {}, options.map(([v, l]) => h('option', {value: v, selected: obj[key] === v}, l)));
  el.addEventListener('change', () => { obj[key] = el.value; onChange(); });
  return el;
}

function withinControl(node, onChange) {
  const holder = {mode: !node.within ? 'ever' : ('last' in node.within ? 'last' : 'between')};
  const box = h('span', {});
  const draw = () => {
    clear(box);
    box.appendChild(choice(holder, 'mode', [['ever', 'ever'], ['last', 'in the last'], ['between', 'between']], () => {
      if (holder.mode === 'ever') delete node.within;
      else if (holder.mode === 'last') node.within = {last: 30, unit: 'day'};
      else node.within = {from: new Date(Date.now() - 30 * 864e5).toISOString().slice(0, 10), to: new Date().toISOString().slice(0, 10)};
      draw();
      onChange();
    }));
    if (holder.mode === 'last') box.append(number(node.within, 'last', onChange), choice(node.within, 'unit', [['day', 'days'], ['week', 'weeks'], ['month', 'months']], onChange));
    if (holder.mode === 'between') {
      const from = h('input', {type: 'date', value: node.within.from});
      const to = h('input', {type: 'date', value: node.within.to});
      from.addEventListener('change', () => { node.within.from = from.value; onChange(); });
      to.addEventListener('change', () => { node.within.to = to.value; onChange(); });
      box.append(from, ' and ', to);
    }
  };
  draw();
  return box;
}

function leafEditor(node, onChange) {
  const type = leafType(node);
  if (type === 'did' || type === 'sequence') {
    node.count = node.count || {op: 'gte', value: 1};
    return [text(node, 'did', 'event name', onChange), choice(node.count, 'op', [['gte', 'at least'], ['lte', 'at most'], ['eq', 'exactly']], onChange),
      number(node.count, 'value', onChange), 'times',
      type === 'sequence' ? ['before first doing', text(node, 'before_first', 'event name', onChange)] : withinControl(node, onChange)];
  }
  if (type === 'did_not') return [text(node, 'did_not', 'event name', onChange), withinControl(node, onChange)];
  if (type === 'first_did') return [text(node, 'first_did', 'event name', onChange), withinControl(node, onChange)];
  if (type === 'property') {
    const ops = [['eq', 'equals'], ['neq', 'does not equal'], ['contains', 'contains'], ['starts_with', 'starts with'], ['ends_with', 'ends with'],
      ['gt', '>'], ['lt', '<'], ['is_set', 'is set'], ['is_not_set', 'is not set']];
    return [text(node, 'property', 'property name', onChange), choice(node, 'op', ops, onChange),
      node.op === 'is_set' || node.op === 'is_not_set' ? null : text(node, 'value', 'value', onChange)];
  }
  if (type === 'ltv') return [choice(node.ltv, 'op', [['gt', 'above'], ['lt', 'below']], onChange), number(node.ltv, 'value', onChange)];
  return [text(node, 'identity', 'e.g. ann@example.com', onChange)];
}

/** Renders a group; `path` is the JSON path of the group ("$", "$.all[1]") for error display. */
function groupEditor(group, path, state) {
  const key = 'all' in group ? 'all' : 'any';
  const children = group[key];
  const el = h('div', {class: 'group'});
  const mode = h('select', {'aria-label': 'Combine with'}, h('option', {value: 'all', selected: key === 'all'}, 'ALL of these (AND)'),
    h('option', {value: 'any', selected: key === 'any'}, 'ANY of these (OR)'));
  mode.addEventListener('change', () => { group[mode.value] = group[key]; delete group[key]; state.redraw(); });
  el.appendChild(h('div', {class: 'form-row'}, mode));
  children.forEach((child, i) => {
    const childPath = `${path}.${key}[${i}]`;
    const remove = h('button', {type: 'button', title: 'Remove', onclick: () => { children.splice(i, 1); state.redraw(); }}, '✕');
    if ('all' in child || 'any' in child) {
      el.appendChild(h('div', {class: 'condition' + (state.errorPath && state.errorPath.startsWith(childPath) ? ' invalid' : '')},
        groupEditor(child, childPath, state), remove));
      return;
    }
    const type = h('select', {}, LEAF_TYPES.map(([v, l]) => h('option', {value: v, selected: leafType(child) === v}, l)));
    type.addEventListener('change', () => { children[i] = newLeaf(type.value); state.redraw(); });
    const invalid = state.errorPath && (state.errorPath === childPath || state.errorPath.startsWith(childPath + '.') || state.errorPath.startsWith(childPath + '['));
    el.appendChild(h('div', {class: 'condition' + (invalid ? ' invalid' : ''), 'data-path': childPath},
      h('div', {class: 'form-row'}, type, leafEditor(child, state.changed), remove),
      invalid ? h('div', {class: 'error small', role: 'alert'}, state.errorMessage) : null));
  });
  el.appendChild(h('div', {class: 'toolbar'},
    h('button', {type: 'button', class: 'add-condition', onclick: () => { children.push(newLeaf('did')); state.redraw(); }}, '+ Condition'),
    h('button', {type: 'button', onclick: () => { children.push({any: [newLeaf('did')]}); state.redraw(); }}, '+ Group')));
  return el;
}

function builder(definition, onPreview) {
  const box = h('div', {id: 'population-builder'});
  const state = {errorPath: null, errorMessage: null, timer: null, touched: false};
  state.draw = () => clear(box).appendChild(groupEditor(definition, '$', state));
  state.redraw = () => { state.draw(); state.changed(); };
  state.changed = () => {
    state.touched = true;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => onPreview(state), 400);
  };
  state.draw();
  return {box, state};
}

// ---- pages ----

async function listPage(main, ctx) {
  main.appendChild(h('div', {class: 'page-head'}, h('div', {}, h('h1', {}, 'Populations'),
    h('p', {class: 'muted'}, 'Saved groups of people, defined by what they did and who they are. Always current.'))));

  const definition = {all: [newLeaf('did')]};
  const name = h('input', {id: 'population-name', placeholder: 'Name, e.g. Engaged readers'});
  const preview = h('span', {id: 'population-preview', class: 'pill'}, '–');
  const error = h('p', {class: 'error', role: 'alert', id: 'population-error'});
  const {box, state} = builder(definition, async (st) => {
    try {
      const answer = await api('/api/populations/preview', {method: 'POST', body: {definition}});
      preview.textContent = fmtNumber(answer.count) + ' people';
      const hadError = st.errorPath;
      st.errorPath = null;
      error.textContent = '';
      if (hadError) { clear(box).appendChild(groupEditor(definition, '$', st)); }
    } catch (e) {
      preview.textContent = '–';
      if (e instanceof ApiError && e.path && e.path !== st.errorPath) {
        st.errorPath = e.path;
        st.errorMessage = e.message;
        clear(box).appendChild(groupEditor(definition, '$', st));
      }
      error.textContent = e.message;
    }
  });
  const form = h('form', {}, box, h('div', {class: 'toolbar'}, name, 'Live count:', preview,
    h('button', {type: 'submit', class: 'primary', id: 'population-save'}, 'Save population')), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const created = await api('/api/populations', {method: 'POST', body: {name: name.value, definition}});
      ctx.navigate('/populations/' + encodeURIComponent(created.id));
    } catch (err) {
      error.textContent = err.message;
      if (err.path) { state.errorPath = err.path; state.errorMessage = err.message; clear(box).appendChild(groupEditor(definition, '$', state)); }
    }
  });
  main.appendChild(panel('New population', form));

  const listBox = panel('Saved populations');
  main.appendChild(listBox);
  let populations;
  try {
    populations = (await api('/api/populations')).populations;
  } catch (e) {
    listBox.appendChild(h('p', {class: 'error'}, e.message));
    return undefined;
  }
  if (!populations.length) {
    listBox.appendChild(emptyState('No populations yet', h('p', {}, 'Build one above, or click any number in a report and save those people.')));
    return undefined;
  }
  const charts = [];
  const tbody = h('tbody', {});
  listBox.appendChild(h('div', {class: 'table-wrap'}, h('table', {id: 'populations-table'},
    h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Type'), h('th', {class: 'num'}, 'People'), h('th', {class: 'hide-narrow'}, 'Last 30 days'))),
    tbody)));
  populations.forEach((p, i) => {
    const spark = h('div', {class: 'spark'});
    tbody.appendChild(h('tr', {}, h('td', {}, link('/populations/' + encodeURIComponent(p.id), p.name)),
      h('td', {}, h('span', {class: 'pill gray'}, p.type || 'dynamic')), h('td', {class: 'num'}, fmtNumber(p.count)), h('td', {class: 'hide-narrow'}, spark)));
    if (i < 20) {
      api(`/api/populations/${encodeURIComponent(p.id)}/history`, {query: {days: 30}}).then((history) => {
        if (!ctx.isCurrent()) return;
        charts.push(chart(spark, {grid: {left: 0, right: 0, top: 2, bottom: 2}, xAxis: {type: 'category', show: false, data: history.days.map((d) => d.date)},
          yAxis: {type: 'value', show: false}, tooltip: {show: false}, series: [{type: 'line', data: history.days.map((d) => d.count), showSymbol: false, areaStyle: {opacity: 0.15}}]}));
      }).catch(() => {});
    }
  });
  return () => charts.forEach((c) => c.dispose());
}

async function detailPage(main, ctx) {
  const id = ctx.params[0];
  const population = await api('/api/populations/' + encodeURIComponent(id));
  main.appendChild(h('div', {class: 'page-head'}, h('div', {},
    h('p', {class: 'muted small'}, link('/populations', '← Populations')),
    h('h1', {id: 'population-title'}, population.name),
    h('p', {class: 'muted'}, h('span', {class: 'pill', id: 'population-count'}, fmtNumber(population.count) + ' people'), ' ',
      h('span', {class: 'pill gray'}, population.type || 'dynamic'))),
  h('div', {class: 'toolbar'},
    h('a', {href: `/api/populations/${encodeURIComponent(id)}/export.csv?project=${encodeURIComponent(session().project || '')}`, id: 'population-export'}, 'Export CSV'),
    link(`/people?population=${encodeURIComponent(id)}`, 'Search within'),
    h('button', {type: 'button', class: 'danger', onclick: async () => {
      if (await confirmDialog('Delete this population?', `“${population.name}” will be deleted. Reports that use it will stop working.`, 'Delete')) {
        await api('/api/populations/' + encodeURIComponent(id), {method: 'DELETE'});
        ctx.navigate('/populations');
      }
    }}, 'Delete'))));
  const charts = [];
  const historyEl = h('div', {class: 'chart small', id: 'population-history'});
  main.appendChild(panel('Size over the last 90 days', historyEl));
  api(`/api/populations/${encodeURIComponent(id)}/history`, {query: {days: 90}}).then((history) => {
    if (ctx.isCurrent()) charts.push(chart(historyEl, {xAxis: {type: 'category', data: history.days.map((d) => d.date)}, yAxis: {type: 'value', minInterval: 1},
      series: [{type: 'line', name: 'people', data: history.days.map((d) => d.count), showSymbol: false, areaStyle: {opacity: 0.12}}]}));
  }).catch((e) => { historyEl.textContent = e.message; });
  if (population.definition) {
    main.appendChild(panel('Definition', h('pre', {}, JSON.stringify(population.definition, null, 2))));
  }
  const members = panel('Members');
  main.appendChild(members);
  const table = h('div', {});
  const more = h('button', {type: 'button', hidden: true}, 'Show more');
  members.append(table, more);
  const loaded = [];
  let cursor = null;
  async function next() {
    const page = await api(`/api/populations/${encodeURIComponent(id)}/people`, {query: {limit: 50, cursor}});
    loaded.push(...page.people);
    cursor = page.next_cursor;
    clear(table).appendChild(loaded.length ? peopleTable(loaded, null, null) : emptyState('No members right now', h('p', {}, 'People join as soon as they match.')));
    more.hidden = !cursor;
  }
  more.addEventListener('click', next);
  await next();
  return () => charts.forEach((c) => c.dispose());
}

export async function render(main, ctx) {
  return ctx.params.length ? detailPage(main, ctx) : listPage(main, ctx);
}
