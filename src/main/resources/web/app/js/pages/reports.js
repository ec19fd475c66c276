import {api, ApiError} from '../api.js';
import {chart} from '../charts.js';
import {clear, emptyState, fmtDuration, fmtMoney, fmtNumber, fmtPercent, h, link, panel, stat} from '../dom.js';
import {peopleLink, readSettings, requestBody, settingsParam} from '../report-model.js';

const TITLES = {
  trends: ['Trends', 'Events, unique people and sessions over time — and how much session-based conversion undercounts people.'],
  funnel: ['Funnels', 'How many people get from the first step to the last, and where they drop off.'],
  retention: ['Retention', 'Of the people who did A, how many came back to do B in each following period.'],
  revenue: ['Revenue & LTV', 'Revenue per period, lifetime value by acquisition source and cohort, and top customers.'],
};

export async function loadPopulations() {
  try {
    const answer = await api('/api/populations', {query: {counts: 'false'}});
    return answer.populations || [];
  } catch (e) {
    return [];
  }
}

function field(label, control) {
  return h('label', {}, label, control);
}

function input(settings, key, props = {}) {
  const el = h('input', Object.assign({value: settings[key] ?? '', name: key}, props));
  el.addEventListener('input', () => {
    settings[key] = props.type === 'number' ? Number(el.value) : el.value;
  });
  return el;
}

function checkbox(settings, key) {
  const el = h('input', {type: 'checkbox', name: key, checked: !!settings[key]});
  el.addEventListener('change', () => { settings[key] = el.checked; });
  return el;
}

function select(settings, key, options) {
  const el = h('select', {name: key}, options.map(([value, label]) => h('option', {value, selected: String(settings[key]) === String(value)}, label)));
  el.addEventListener('change', () => { settings[key] = el.value; });
  return el;
}

function dateRow(settings) {
  return [field('From', input(settings, 'from', {type: 'date'})), field('To', input(settings, 'to', {type: 'date'}))];
}

function populationRow(settings, populations) {
  if (!populations.length) return null;
  return h('div', {class: 'form-row'},
    field('Population', select(settings, 'population', [['', 'Everyone'], ...populations.map((p) => [p.id, p.name])])),
    field('exclude it (not in)', checkbox(settings, 'population_not')));
}

function eventList(settings, key, rerender, placeholder) {
  const list = settings[key];
  return h('div', {},
    list.map((value, i) => h('div', {class: 'form-row'},
      (() => {
        const el = h('input', {value, placeholder, name: `${key}-${i}`, 'data-step': String(i), list: 'event-names'});
        el.addEventListener('input', () => { list[i] = el.value; });
        return el;
      })(),
      list.length > 1 ? h('button', {type: 'button', onclick: () => { list.splice(i, 1); rerender(); }}, 'Remove') : null)),
    h('button', {type: 'button', onclick: () => { list.push(''); rerender(); }}, '+ Add event'));
}

// ---------- builders ----------

function trendsForm(s, rerender, populations) {
  return [
    h('h3', {}, 'Events'), eventList(s, 'events', rerender, 'Event name, e.g. $pageview'),
    h('div', {class: 'form-row'}, ...dateRow(s),
      field('Interval', select(s, 'interval', [['hour', 'Hour'], ['day', 'Day'], ['week', 'Week'], ['month', 'Month']])),
      field('Show', select(s, 'measure', [['people', 'Unique people'], ['events', 'Events'], ['sessions', 'Sessions'], ['events_per_person', 'Events per person']]))),
    h('div', {class: 'form-row'},
      field('Breakdown by', input(s, 'breakdown_property', {placeholder: 'property (optional)'})),
      field('of', select(s, 'breakdown_type', [['event_property', 'the event'], ['person_property', 'the person'], ['acquisition', 'acquisition']]))),
    h('h3', {}, 'People vs sessions'),
    h('p', {class: 'muted small'}, 'Conversion from one event to another counted per person and per session: how much a session-based tool undercounts.'),
    h('div', {class: 'form-row'}, field('Conversion from', input(s, 'compare_from', {placeholder: 'e.g. Viewed Pricing', list: 'event-names'})),
      field('to', input(s, 'compare_to', {placeholder: 'e.g. Purchased', list: 'event-names'}))),
    populationRow(s, populations),
  ];
}

function funnelForm(s, rerender, populations) {
  const steps = h('ol', {id: 'funnel-steps'}, s.steps.map((step, i) => h('li', {},
    h('div', {class: 'form-row'},
      (() => {
        const el = h('input', {value: step.event, placeholder: `Step ${i + 1} event`, name: `step-${i}`, 'data-step': String(i), list: 'event-names'});
        el.addEventListener('input', () => { step.event = el.value; });
        return el;
      })(),
      (() => {
        const f = step.where[0] || {property: '', op: 'eq', value: ''};
        const prop = h('input', {value: f.property, placeholder: 'where property', size: '12'});
        const val = h('input', {value: f.value ?? '', placeholder: '= value', size: '10'});
        const sync = () => { step.where = prop.value ? [{property: prop.value, op: 'eq', value: val.value}] : []; };
        prop.addEventListener('input', sync);
        val.addEventListener('input', sync);
        return [prop, val];
      })(),
      s.steps.length > 2 ? h('button', {type: 'button', onclick: () => { s.steps.splice(i, 1); rerender(); }}, 'Remove') : null))));
  const exclusions = h('div', {}, (s.exclusions || []).map((ex, i) => h('div', {class: 'form-row'},
    (() => { const el = h('input', {value: ex.event, placeholder: 'Excluded event', list: 'event-names'}); el.addEventListener('input', () => { ex.event = el.value; }); return el; })(),
    'between step', (() => {
      const el = h('select', {}, s.steps.slice(0, -1).map((_, j) => h('option', {value: String(j), selected: ex.between[0] === j}, `${j + 1} and ${j + 2}`)));
      el.addEventListener('change', () => { ex.between = [Number(el.value), Number(el.value) + 1]; });
      return el;
    })(),
    h('button', {type: 'button', onclick: () => { s.exclusions.splice(i, 1); rerender(); }}, 'Remove'))));
  return [
    h('h3', {}, 'Steps'), steps,
    h('div', {class: 'toolbar'},
      s.steps.length < 20 ? h('button', {type: 'button', id: 'funnel-add-step', onclick: () => { s.steps.push({event: '', where: []}); rerender(); }}, '+ Add step') : null,
      h('button', {type: 'button', onclick: () => { s.exclusions = s.exclusions || []; s.exclusions.push({event: '', between: [0, 1]}); rerender(); }}, '+ Exclusion')),
    exclusions,
    h('div', {class: 'form-row'}, ...dateRow(s),
      field('Window', (() => {
        const el = h('input', {type: 'number', min: '1', value: s.window.value, size: '4', name: 'window-value'});
        el.addEventListener('input', () => { s.window.value = Number(el.value); });
        return el;
      })()),
      (() => {
        const el = h('select', {name: 'window-unit'}, [['minute', 'minutes'], ['hour', 'hours'], ['day', 'days'], ['week', 'weeks']]
          .map(([v, l]) => h('option', {value: v, selected: s.window.unit === v}, l)));
        el.addEventListener('change', () => { s.window.unit = el.value; });
        return el;
      })(),
      field('Order', select(s, 'order', [['sequential', 'Sequential'], ['strict', 'Strict'], ['any', 'Any order']])),
      field('Count', select(s, 'aggregate', [['people', 'People'], ['sessions', 'Sessions']]))),
    h('div', {class: 'form-row'},
      field('Breakdown by', input(s, 'breakdown_property', {placeholder: 'property (optional)'})),
      field('of', select(s, 'breakdown_type', [['event', 'step-1 event'], ['person', 'person'], ['acquisition', 'acquisition']]))),
    populationRow(s, populations),
  ];
}

function retentionForm(s, rerender, populations) {
  const breakdown = populations.length ? h('div', {class: 'form-row'}, 'Compare populations:',
    populations.map((p) => {
      const el = h('input', {type: 'checkbox', checked: (s.breakdown_populations || []).includes(p.id)});
      el.addEventListener('change', () => {
        const set = new Set(s.breakdown_populations || []);
        if (el.checked) set.add(p.id); else set.delete(p.id);
        s.breakdown_populations = [...set];
      });
      return h('label', {}, el, p.name);
    })) : null;
  return [
    h('div', {class: 'form-row'},
      field('Cohort event (A)', input(s, 'cohort_event', {placeholder: 'e.g. Signed Up', id: 'retention-cohort', list: 'event-names'})),
      field('first time only', checkbox(s, 'first_time')),
      field('Return event (B)', input(s, 'return_event', {placeholder: 'any event', list: 'event-names'}))),
    h('div', {class: 'form-row'}, ...dateRow(s),
      field('Period', select(s, 'period', [['day', 'Day'], ['week', 'Week'], ['month', 'Month']])),
      field('Periods', input(s, 'periods', {type: 'number', min: '1', max: '52', size: '4'})),
      field('Mode', select(s, 'mode', [['on', 'returned on period N'], ['on_or_after', 'returned on or after N']]))),
    populationRow(s, populations), breakdown,
  ];
}

const FILTER_OPS = [['eq', '='], ['neq', '≠'], ['contains', 'contains'], ['gt', '>'], ['lt', '<'], ['is_set', 'is set'], ['is_not_set', 'is not set']];

/**
 * Property filters in the API's shape, [{property, op, value}], edited in place: "where" filters
 * the events a report reads, "person_where" the people.
 */
function filterList(settings, key, rerender, label, idPrefix) {
  settings[key] = settings[key] || [];
  const list = settings[key];
  return h('div', {class: 'filters', id: idPrefix},
    list.map((f, i) => {
      const prop = h('input', {value: f.property, placeholder: 'property', size: '12', name: `${idPrefix}-property-${i}`});
      const op = h('select', {name: `${idPrefix}-op-${i}`}, FILTER_OPS.map(([v, l]) => h('option', {value: v, selected: f.op === v}, l)));
      const val = h('input', {value: f.value ?? '', placeholder: 'value', size: '10', name: `${idPrefix}-value-${i}`,
        hidden: f.op === 'is_set' || f.op === 'is_not_set'});
      prop.addEventListener('input', () => { f.property = prop.value.trim(); });
      val.addEventListener('input', () => { f.value = val.value; });
      op.addEventListener('change', () => { f.op = op.value; val.hidden = f.op === 'is_set' || f.op === 'is_not_set'; });
      return h('div', {class: 'form-row'}, h('span', {class: 'small muted'}, i === 0 ? label : 'and'), prop, op, val,
        h('button', {type: 'button', onclick: () => { list.splice(i, 1); rerender(); }}, 'Remove'));
    }),
    h('button', {type: 'button', id: `${idPrefix}-add`, onclick: () => { list.push({property: '', op: 'eq', value: ''}); rerender(); }},
      list.length ? '+ and another' : `+ ${label}`));
}

function revenueForm(s, rerender, populations) {
  return [h('div', {class: 'form-row'}, ...dateRow(s),
    field('Group LTV by', select(s, 'group_by', [['channel', 'Channel'], ['utm_source', 'UTM source'], ['utm_campaign', 'UTM campaign'],
      ['referring_domain', 'Referring domain'], ['cohort_month', 'Acquisition month']])),
    field('Interval', select(s, 'interval', [['day', 'Day'], ['week', 'Week'], ['month', 'Month']])),
    field('Churn after (days)', input(s, 'churn_days', {type: 'number', min: '1', size: '4'}))),
  filterList(s, 'where', rerender, 'Only payments where', 'revenue-where'),
  filterList(s, 'person_where', rerender, 'Only people where', 'revenue-person-where'),
  populationRow(s, populations)];
}

// ---------- results ----------

function clickable(value, href, id) {
  return h('a', {href, 'data-link': true, class: 'clickable', id, title: 'See these people'}, value);
}

function renderFunnel(out, result, s, charts) {
  const steps = result.steps || [];
  if (!steps.length || !steps[0].count) {
    out.appendChild(emptyState('Nobody entered this funnel', h('p', {}, 'No one did the first step in this date range. Widen the range or check the event name.')));
  }
  const el = h('div', {class: 'chart', id: 'funnel-chart'});
  out.appendChild(el);
  charts.push(chart(el, {
    xAxis: {type: 'category', data: steps.map((st, i) => `${i + 1}. ${st.event}`), axisLabel: {interval: 0, overflow: 'truncate', width: 120}},
    yAxis: {type: 'value', minInterval: 1},
    tooltip: {trigger: 'axis'},
    series: [{type: 'bar', name: s.aggregate === 'sessions' ? 'sessions' : 'people', data: steps.map((st) => st.count), barMaxWidth: 80,
      label: {show: true, position: 'top', formatter: (p) => p.dataIndex === 0 ? String(steps[0].count)
        : `${steps[p.dataIndex].count} (${fmtPercent(steps[p.dataIndex].conversion_from_previous)})`}}],
  }));
  out.appendChild(h('div', {class: 'table-wrap'}, h('table', {id: 'funnel-table'},
    h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {class: 'num'}, s.aggregate === 'sessions' ? 'Sessions' : 'People'),
      h('th', {class: 'num'}, '% of first'), h('th', {class: 'num'}, '% of previous'),
      h('th', {class: 'num hide-narrow'}, 'Median time'), h('th', {class: 'num hide-narrow'}, 'Average time'))),
    h('tbody', {}, steps.map((st, i) => h('tr', {},
      h('td', {}, `${i + 1}. `, st.event),
      h('td', {class: 'num'}, clickable(fmtNumber(st.count), peopleLink('funnel', s, `steps/${i}`, null, `Step ${i + 1}: ${st.event}`), `funnel-count-${i}`)),
      h('td', {class: 'num'}, fmtPercent(st.conversion_from_first)),
      h('td', {class: 'num'}, i === 0 ? '–' : fmtPercent(st.conversion_from_previous)),
      h('td', {class: 'num hide-narrow'}, i === 0 ? '–' : fmtDuration(st.median_seconds_from_previous)),
      h('td', {class: 'num hide-narrow'}, i === 0 ? '–' : fmtDuration(st.average_seconds_from_previous))))))));
  const breakdown = result.breakdown || [];
  if (breakdown.length) {
    out.appendChild(h('h3', {}, 'Breakdown'));
    out.appendChild(h('div', {class: 'table-wrap'}, h('table', {id: 'funnel-breakdown'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Value'), steps.map((st, i) => h('th', {class: 'num'}, `${i + 1}. `, st.event)))),
      h('tbody', {}, breakdown.map((b, bi) => h('tr', {}, h('td', {}, b.value === null || b.value === undefined ? '(none)' : String(b.value)),
        (b.steps || []).map((st, i) => h('td', {class: 'num'},
          clickable(fmtNumber(st.count), peopleLink('funnel', s, `breakdown/${bi}/steps/${i}`, null, `${b.value} · step ${i + 1}`)),
          ' ', h('span', {class: 'muted small'}, fmtPercent(st.conversion_from_first))))))))));
  }
}

function heat(rate) {
  const alpha = Math.max(0.04, Math.min(1, Number(rate) || 0));
  return {background: `rgba(79, 91, 213, ${alpha.toFixed(2)})`, color: alpha > 0.5 ? '#fff' : 'inherit'};
}

function retentionMatrix(out, answer, s, prefix, label) {
  const cohorts = answer.cohorts || [];
  const periods = Math.max(0, ...cohorts.map((c) => (c.counts || []).length), (answer.average || []).length);
  if (label) out.appendChild(h('h3', {}, label));
  out.appendChild(h('div', {class: 'table-wrap'}, h('table', {class: 'heat', id: prefix ? null : 'retention-matrix'},
    h('thead', {}, h('tr', {}, h('th', {}, 'Cohort'), h('th', {class: 'num'}, 'People'),
      Array.from({length: periods}, (_, n) => h('th', {class: 'num'}, `${s.period} ${n}`)))),
    h('tbody', {},
      cohorts.map((c, ci) => h('tr', {}, h('td', {}, c.start), h('td', {class: 'num'},
        clickable(fmtNumber(c.size), peopleLink('retention', s, `${prefix}cohorts/${ci}`, null, `Cohort ${c.start}`))),
        (c.counts || []).map((count, n) => h('td', {class: 'cell', style: heat(c.rates && c.rates[n]), title: `${count} people`},
          h('a', {href: peopleLink('retention', s, `${prefix}cohorts/${ci}`, n, `Cohort ${c.start}, ${s.period} ${n}`), 'data-link': true,
            style: {color: 'inherit'}}, fmtPercent(c.rates && c.rates[n])), h('div', {class: 'small'}, fmtNumber(count)))))),
      h('tr', {}, h('td', {}, h('strong', {}, 'Weighted average')), h('td', {class: 'num'}, fmtNumber(cohorts.reduce((a, c) => a + (c.size || 0), 0))),
        (answer.average || []).map((rate) => h('td', {class: 'cell', style: heat(rate)}, h('strong', {}, fmtPercent(rate)))))))));
}

function renderRetention(out, result, s, charts) {
  const cohorts = result.cohorts || [];
  if (!cohorts.some((c) => c.size)) {
    out.appendChild(emptyState('No one is in these cohorts', h('p', {}, 'Nobody did the cohort event in this range. Check the event name or widen the range.')));
  }
  const curves = [{name: 'Everyone', data: (result.average || []).map((r) => Number(r) * 100)}];
  (result.breakdown || []).forEach((b) => curves.push({name: b.name || b.population || b.value || 'population', data: (b.average || []).map((r) => Number(r) * 100)}));
  const el = h('div', {class: 'chart small', id: 'retention-chart'});
  out.appendChild(el);
  charts.push(chart(el, {
    legend: {top: 0},
    xAxis: {type: 'category', data: (result.average || []).map((_, n) => `${s.period} ${n}`)},
    yAxis: {type: 'value', axisLabel: {formatter: '{value}%'}},
    series: curves.map((c) => ({type: 'line', name: c.name, data: c.data, smooth: true})),
  }));
  retentionMatrix(out, result, s, '', null);
  (result.breakdown || []).forEach((b, i) => retentionMatrix(out, b, s, `breakdown/${i}/`, b.name || b.population || String(b.value)));
}

const TREND_MEASURES = [['people', 'People'], ['events', 'Events'], ['sessions', 'Sessions'], ['events_per_person', 'Events per person']];

function seriesLabel(sr) {
  const value = sr.breakdown_value;
  if (value === undefined) return sr.event;
  return `${sr.event} · ${value === null ? '(none)' : value}`;
}

function fmtMeasure(measure, value) {
  return measure === 'events_per_person' ? fmtNumber(value, 2) : fmtNumber(value);
}

/** Bucket starts are local dates ("2024-01-01") or hours ("2024-01-01T13:00"). */
function bucketLabel(start) {
  return String(start ?? '').replace('T', ' ');
}

/** Two bars side by side, per person and per session, with the ratio in words. */
function peopleVsSessions(pvs) {
  const people = pvs.people || {};
  const sessions = pvs.sessions || {};
  const bar = (id, cls, title, rate, converted, started, unit) => h('div', {class: `pvs-col ${cls}`, id},
    h('div', {class: 'pvs-rate'}, fmtPercent(rate)),
    h('div', {class: 'pvs-track'}, h('div', {class: 'pvs-fill', style: {height: `${Math.max(0, Math.min(100, Number(rate || 0) * 100)).toFixed(1)}%`}})),
    h('div', {class: 'pvs-title'}, title),
    h('div', {class: 'muted small'}, `${fmtNumber(converted)} of ${fmtNumber(started)} ${unit}`));
  let words;
  if (!people.started) {
    words = `Nobody did ${pvs.from_event} in this range, so there is nothing to compare.`;
  } else if (pvs.ratio !== null && pvs.ratio !== undefined) {
    const ratio = Number(pvs.ratio);
    words = ratio > 1.005
      ? `${fmtPercent(people.rate)} of people who did ${pvs.from_event} went on to ${pvs.to_event}, but only ${fmtPercent(sessions.rate)} of sessions did: `
        + `a session-based tool would report ${fmtNumber(ratio, 1)}× too low a conversion, because people come back in a later session to convert.`
      : `${fmtPercent(people.rate)} of people and ${fmtPercent(sessions.rate)} of sessions convert: people finish within the session they started in, so counting sessions loses nothing here.`;
  } else if (people.converted) {
    words = `${fmtPercent(people.rate)} of people who did ${pvs.from_event} went on to ${pvs.to_event}, yet no session did: `
      + 'every conversion happened in a later session, so a session-based tool would report none at all.';
  } else {
    words = `Nobody who did ${pvs.from_event} went on to ${pvs.to_event} in this range.`;
  }
  return h('div', {class: 'pvs-box', id: 'people-vs-sessions'},
    h('h2', {}, 'People vs sessions: ', pvs.from_event, ' → ', pvs.to_event),
    h('div', {class: 'pvs'},
      bar('pvs-people', 'people', 'per person', people.rate, people.converted, people.started, 'people'),
      bar('pvs-sessions', 'sessions', 'per session', sessions.rate, sessions.converted, sessions.started, 'sessions'),
      h('p', {class: 'pvs-words', id: 'pvs-ratio'}, words)));
}

function renderTrends(out, result, s, charts) {
  const series = result.series || [];
  const measure = TREND_MEASURES.some(([m]) => m === s.measure) ? s.measure : 'people';
  const measureName = TREND_MEASURES.find(([m]) => m === measure)[1];
  const pvs = result.people_vs_sessions;
  if (pvs) out.appendChild(peopleVsSessions(pvs));
  if (!series.length) {
    if (!pvs) out.appendChild(emptyState('Nothing to chart', h('p', {}, 'Add an event above, or a conversion to compare people with sessions.')));
    return;
  }
  if (!series.some((sr) => sr.total && sr.total.events)) {
    out.appendChild(emptyState('None of these events happened in this range', h('p', {}, 'Check the event names (they are case-sensitive) or widen the date range.')));
  }
  const labels = (series[0].points || []).map((p) => bucketLabel(p.start));
  out.appendChild(h('h3', {}, `${measureName} per ${result.interval || s.interval}`,
    h('span', {class: 'muted small'}, ` · ${result.from} to ${result.to}${result.time_zone ? ' (' + result.time_zone + ')' : ''}`)));
  const el = h('div', {class: 'chart', id: 'trends-chart'});
  out.appendChild(el);
  const oneBucket = labels.length <= 2;
  charts.push(chart(el, {
    legend: {type: 'scroll', top: 0},
    xAxis: {type: 'category', data: labels, boundaryGap: oneBucket},
    yAxis: {type: 'value', minInterval: measure === 'events_per_person' ? 0 : 1},
    series: series.map((sr) => ({type: oneBucket ? 'bar' : 'line', name: seriesLabel(sr), data: (sr.points || []).map((p) => p[measure] ?? 0),
      smooth: false, showSymbol: labels.length <= 31})),
  }));
  const cell = (value, si, path, label) => {
    const text = fmtMeasure(measure, value);
    return Number(value) > 0 ? clickable(text, peopleLink('trends', s, path, null, label), null) : text;
  };
  out.appendChild(h('div', {class: 'table-wrap'}, h('table', {id: 'trends-table'},
    h('thead', {}, h('tr', {}, h('th', {}, 'Period'), series.map((sr) => h('th', {class: 'num'}, seriesLabel(sr))))),
    h('tbody', {}, labels.map((label, pi) => h('tr', {}, h('td', {}, label), series.map((sr, si) => {
      const p = (sr.points || [])[pi] || {};
      return h('td', {class: 'num'}, cell(p[measure], si, `series/${si}/points/${pi}`, `${seriesLabel(sr)}, ${label}`));
    })))),
    h('tfoot', {}, h('tr', {}, h('th', {}, 'Whole range', h('div', {class: 'muted small'}, measure === 'events' ? 'sum' : 'unique, not the sum of the rows')),
      series.map((sr) => h('th', {class: 'num'}, fmtMeasure(measure, (sr.total || {})[measure]))))))));
  out.appendChild(h('h3', {}, 'Totals over the range'));
  out.appendChild(h('div', {class: 'table-wrap'}, h('table', {id: 'trends-totals'},
    h('thead', {}, h('tr', {}, h('th', {}, 'Event'), TREND_MEASURES.map(([, name]) => h('th', {class: 'num'}, name)))),
    h('tbody', {}, series.map((sr) => h('tr', {}, h('td', {}, seriesLabel(sr)),
      TREND_MEASURES.map(([m]) => h('td', {class: 'num'}, fmtMeasure(m, (sr.total || {})[m])))))))));
}

function renderRevenue(out, r, s, charts) {
  out.appendChild(h('div', {class: 'stats', id: 'revenue-stats'},
    stat('Revenue', fmtMoney(r.total_revenue)), stat('Paying people', fmtNumber(r.paying_people)),
    stat('ARPU', fmtMoney(r.arpu)), stat('ARPPU', fmtMoney(r.arppu)), stat(`LTV (churn after ${s.churn_days} days)`, fmtMoney(r.churn_ltv))));
  if (!r.total_revenue) {
    out.appendChild(emptyState('No revenue in this range', h('p', {}, 'Send a numeric "revenue" property on purchase events (Segment "revenue"/"total" and KISSmetrics "Billing Amount" also work).')));
  }
  if ((r.periods || []).length) {
    const el = h('div', {class: 'chart small', id: 'revenue-periods'});
    out.appendChild(panel('Revenue per ' + s.interval, el));
    charts.push(chart(el, {xAxis: {type: 'category', data: r.periods.map((p) => p.start)}, yAxis: {type: 'value'},
      series: [{type: 'bar', name: 'revenue', data: r.periods.map((p) => p.revenue)}]}));
  }
  const groups = r.groups || [];
  const groupChart = h('div', {class: 'chart small'});
  out.appendChild(panel('Average LTV by ' + s.group_by.replace('_', ' '), groupChart,
    h('div', {class: 'table-wrap'}, h('table', {id: 'revenue-groups'},
      h('thead', {}, h('tr', {}, h('th', {}, s.group_by), h('th', {class: 'num'}, 'People'), h('th', {class: 'num'}, 'Paying'),
        h('th', {class: 'num'}, 'Revenue'), h('th', {class: 'num'}, 'Avg LTV'))),
      h('tbody', {}, groups.map((g) => h('tr', {}, h('td', {}, g.value ?? '(none)'), h('td', {class: 'num'}, fmtNumber(g.people)),
        h('td', {class: 'num'}, fmtNumber(g.paying_people)), h('td', {class: 'num'}, fmtMoney(g.revenue)), h('td', {class: 'num'}, fmtMoney(g.ltv_average)))))))));
  charts.push(chart(groupChart, {xAxis: {type: 'category', data: groups.map((g) => g.value ?? '(none)')}, yAxis: {type: 'value'},
    series: [{type: 'bar', name: 'average LTV', data: groups.map((g) => g.ltv_average)}]}));
  const curves = r.cohort_curves || [];
  if (curves.length) {
    const el = h('div', {class: 'chart small', id: 'revenue-curves'});
    out.appendChild(panel('Cumulative LTV by months since acquisition', el));
    charts.push(chart(el, {legend: {type: 'scroll', top: 0}, xAxis: {type: 'category', data: ['1', '3', '6', '12'], name: 'months'},
      yAxis: {type: 'value'}, series: curves.map((c) => ({type: 'line', name: c.cohort, data: ['1', '3', '6', '12'].map((m) => c.ltv_at_months[m])}))}));
  }
  out.appendChild(panel('Top customers', h('table', {id: 'top-customers'}, h('tbody', {}, (r.top_customers || []).map((c) => h('tr', {},
    h('td', {}, link('/people/' + encodeURIComponent(c.person_id), c.display_name || c.person_id)), h('td', {class: 'num'}, fmtMoney(c.ltv))))))));
}

const KINDS = {
  trends: {form: trendsForm, render: renderTrends, ready: (s) => s.events.some(Boolean) || !!(s.compare_from && s.compare_to)},
  funnel: {form: funnelForm, render: renderFunnel, ready: (s) => s.steps.filter((st) => st.event).length >= 2},
  retention: {form: retentionForm, render: renderRetention, ready: (s) => !!s.cohort_event},
  revenue: {form: revenueForm, render: renderRevenue, ready: () => true},
};

export async function render(main, ctx) {
  const kind = ctx.params[0];
  const spec = KINDS[kind];
  const settings = readSettings(kind, ctx.query);
  const runs = !!ctx.query.get('s') || spec.ready(settings);
  // The report is requested before the population list of the form is awaited, so the two
  // requests overlap instead of the report waiting for the list.
  const pending = runs ? api(`/api/reports/${kind}`, {method: 'POST', body: requestBody(kind, settings)}) : null;
  if (pending) pending.catch(() => {});
  const populations = await loadPopulations();
  const charts = [];
  main.appendChild(h('div', {class: 'page-head'}, h('div', {}, h('h1', {}, TITLES[kind][0]), h('p', {class: 'muted'}, TITLES[kind][1]))));
  const formBox = h('form', {class: 'panel', id: 'report-form'});
  const out = h('section', {class: 'panel', id: 'report-result'});
  main.appendChild(formBox);
  main.appendChild(out);

  function rerender() {
    clear(formBox);
    formBox.appendChild(h('div', {}, spec.form(settings, rerender, populations)));
    formBox.appendChild(h('div', {class: 'toolbar', style: {marginTop: '10px'}}, h('button', {type: 'submit', class: 'primary', id: 'run-report'}, 'Run report')));
  }
  formBox.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.navigate(`/reports/${kind}?s=${encodeURIComponent(settingsParam(settings))}`);
  });
  rerender();

  if (!runs) {
    out.appendChild(emptyState('Build a report', h('p', {}, 'Fill in the form above and run it. The settings go into the address bar, so you can bookmark or share the report.')));
    return () => charts.forEach((c) => c.dispose());
  }
  out.appendChild(h('p', {class: 'muted'}, 'Running…'));
  try {
    const result = await pending;
    if (!ctx.isCurrent()) return undefined;
    clear(out);
    spec.render(out, result, settings, charts);
  } catch (e) {
    clear(out);
    if (e instanceof ApiError && e.status === 404 && e.code === 'not_found') {
      out.appendChild(emptyState('This report is not available on this server yet', h('p', {}, e.message)));
    } else {
      out.appendChild(h('p', {class: 'error', role: 'alert', id: 'report-error'}, e.message, e.path ? ` (at ${e.path})` : ''));
    }
  }
  return () => charts.forEach((c) => c.dispose());
}
