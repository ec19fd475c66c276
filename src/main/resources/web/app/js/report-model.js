// Report settings <-> URL and request bodies (SPEC §10), shared by the report pages and the
// click-through people list. Settings live in the URL as ?s=<JSON>, so a report can be bookmarked.

export function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

export function daysAgo(n) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - n);
  return isoDay(d);
}

export const DEFAULTS = {
  trends: () => ({events: ['$pageview'], interval: 'day', from: daysAgo(29), to: daysAgo(0), measure: 'people',
    compare_from: '', compare_to: '', breakdown_type: 'event_property', breakdown_property: '', population: '', population_not: false}),
  funnel: () => ({steps: [{event: '', where: []}, {event: '', where: []}], from: daysAgo(29), to: daysAgo(0),
    window: {value: 14, unit: 'day'}, order: 'sequential', exclusions: [], aggregate: 'people',
    breakdown_property: '', breakdown_type: 'event', population: '', population_not: false}),
  retention: () => ({cohort_event: '', return_event: '', first_time: true, period: 'week', periods: 8, mode: 'on',
    from: daysAgo(55), to: daysAgo(0), population: '', population_not: false, breakdown_populations: []}),
  revenue: () => ({from: daysAgo(364), to: daysAgo(0), group_by: 'channel', churn_days: 30, interval: 'month',
    where: [], person_where: [], population: '', population_not: false}),
};

export function readSettings(kind, query) {
  const base = DEFAULTS[kind]();
  const raw = query.get('s');
  if (!raw) return base;
  try {
    const parsed = JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? Object.assign(base, parsed) : base;
  } catch (e) {
    return base;
  }
}

export function settingsParam(settings) {
  return JSON.stringify(settings);
}

function population(settings) {
  if (!settings.population) return undefined;
  return settings.population_not ? {id: settings.population, not: true} : settings.population;
}

function where(filters) {
  return (filters || []).filter((f) => f.property).map((f) => ({property: f.property, op: f.op || 'eq', value: f.value}));
}

/** Filters from the form as the API takes them: no value for is_set/is_not_set, numbers for > and <. */
export function apiFilters(filters) {
  return where(filters).map((f) => {
    if (f.op === 'is_set' || f.op === 'is_not_set') return {property: f.property, op: f.op};
    if ((f.op === 'gt' || f.op === 'lt') && f.value !== '' && !Number.isNaN(Number(f.value))) return {...f, value: Number(f.value)};
    return {...f, value: f.value ?? ''};
  });
}

/** The funnel form's breakdown choices, as the API's breakdown keys (a step-1 event property, a person property or first touch). */
const FUNNEL_BREAKDOWNS = {event: 'event_property', person: 'person_property', acquisition: 'acquisition'};

/** The breakdown keys a trend accepts with a property name (populations are chosen separately). */
export const TRENDS_BREAKDOWNS = ['event_property', 'person_property', 'acquisition'];

/** The JSON body of POST /api/reports/{kind}. */
export function requestBody(kind, s) {
  if (kind === 'funnel') {
    const body = {
      steps: s.steps.filter((step) => step.event).map((step) => ({event: step.event, where: where(step.where)})),
      from: s.from, to: s.to, window: {value: Number(s.window.value), unit: s.window.unit}, order: s.order,
      exclusions: (s.exclusions || []).filter((e) => e.event).map((e) => ({event: e.event, between: [Number(e.between[0]), Number(e.between[1])]})),
      aggregate: s.aggregate,
    };
    if (s.breakdown_property) body.breakdown = {[FUNNEL_BREAKDOWNS[s.breakdown_type] || 'event_property']: s.breakdown_property};
    if (population(s)) body.population = population(s);
    return body;
  }
  if (kind === 'retention') {
    const body = {cohort_event: s.cohort_event, first_time: !!s.first_time, period: s.period, periods: Number(s.periods),
      mode: s.mode, from: s.from, to: s.to};
    if (s.return_event) body.return_event = s.return_event;
    if (population(s)) body.population = population(s);
    if (s.breakdown_populations && s.breakdown_populations.length) body.breakdown = {populations: s.breakdown_populations};
    return body;
  }
  if (kind === 'trends') {
    // POST /api/reports/trends: events by name, every metric (the table shows all four totals) and
    // the people-vs-sessions comparison as "conversion": {from, to}.
    const body = {events: (s.events || []).filter(Boolean), interval: s.interval, from: s.from, to: s.to,
      metrics: ['events', 'people', 'sessions', 'events_per_person']};
    if (s.compare_from && s.compare_to) body.conversion = {from: s.compare_from, to: s.compare_to};
    if (s.breakdown_property) body.breakdown = {[TRENDS_BREAKDOWNS.includes(s.breakdown_type) ? s.breakdown_type : 'event_property']: s.breakdown_property};
    if (population(s)) body.population = population(s);
    return body;
  }
  if (kind === 'revenue') {
    const body = {from: s.from, to: s.to, group_by: s.group_by, churn_days: Number(s.churn_days), interval: s.interval};
    // The same filter shape as every report: "where" on the events read (here the payments),
    // "person_where" on the people, "population" in or not in.
    if (apiFilters(s.where).length) body.where = apiFilters(s.where);
    if (apiFilters(s.person_where).length) body.person_where = apiFilters(s.person_where);
    if (population(s)) body.population = population(s);
    return body;
  }
  throw new Error('unknown report ' + kind);
}

function asId(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return value.person_id || value.id || null;
  return String(value);
}

/**
 * The person ids behind one number of a report answered with "people": true. `path` walks the
 * answer ("steps/2", "cohorts/0", "series/1/points/5"); `index` picks one period of a list of
 * lists (retention cells). The list may be called people, person_ids or converted.
 */
export function extractPeople(result, path, index) {
  let node = result;
  for (const part of String(path || '').split('/').filter(Boolean)) {
    if (node === null || node === undefined) return [];
    node = node[/^\d+$/.test(part) ? Number(part) : part];
  }
  if (!node || typeof node !== 'object') return [];
  // A trends point has "people" as a count and the ids in "person_ids": take the first list.
  let list = Array.isArray(node) ? node
    : [node.people, node.person_ids, node.converted, node.ids].find((candidate) => Array.isArray(candidate));
  if (!Array.isArray(list)) return [];
  if (index !== null && index !== undefined && index !== '' && Array.isArray(list[Number(index)])) {
    list = list[Number(index)];
  } else if (index !== null && index !== undefined && index !== '' && list.length && Array.isArray(list[0])) {
    list = [];
  }
  return list.map(asId).filter(Boolean);
}

/** Link to the people behind a number. */
export function peopleLink(kind, settings, path, index, label) {
  const params = new URLSearchParams({report: kind, s: settingsParam(settings), pick: path, label});
  if (index !== undefined && index !== null) params.set('index', String(index));
  return '/report-people?' + params.toString();
}
