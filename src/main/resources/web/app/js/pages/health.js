import {api} from '../api.js';
import {chart} from '../charts.js';
import {emptyState, fmtDateTime, fmtNumber, h, panel, stat} from '../dom.js';

const KINDS = {
  refused_merge: 'Refused merges (two identified users)',
  placeholder_id: 'Placeholder ids (never linked)',
};

export async function render(main) {
  main.appendChild(h('div', {class: 'page-head'}, h('div', {}, h('h1', {}, 'Health'),
    h('p', {class: 'muted'}, 'Is data arriving, what was rejected, and which identities need a look.'))));
  const [health, warnings] = await Promise.all([
    api('/api/ingestion/health', {query: {minutes: 60}}),
    api('/api/identity-warnings', {query: {limit: 100}}),
  ]);
  const rejected = Object.values(health.rejected_by_reason).reduce((a, b) => a + b, 0);
  main.appendChild(h('div', {class: 'stats'},
    stat('Events, last 60 min', fmtNumber(health.events_in_range)),
    stat('Rejected (server, since start)', fmtNumber(rejected)),
    stat('Duplicates dropped', fmtNumber(health.duplicates)),
    stat('Clamped future timestamps', fmtNumber(health.clamped_timestamps))));

  const chartEl = h('div', {class: 'chart small', id: 'ingest-chart'});
  main.appendChild(panel('Events received per minute', chartEl));
  const instance = chart(chartEl, {
    xAxis: {type: 'category', data: health.per_minute.map((m) => m.minute.slice(11, 16))},
    yAxis: {type: 'value', minInterval: 1},
    series: [{type: 'bar', name: 'events', data: health.per_minute.map((m) => m.events)}],
  });

  const reasons = Object.entries(health.rejected_by_reason);
  main.appendChild(h('div', {class: 'grid'},
    panel('Rejected events by reason',
      reasons.length ? h('table', {id: 'rejections'}, h('tbody', {}, reasons.map(([reason, n]) =>
        h('tr', {}, h('td', {}, reason || '(unknown)'), h('td', {class: 'num'}, fmtNumber(n))))))
        : h('p', {class: 'muted'}, 'Nothing rejected since the server started.'),
      h('p', {class: 'muted small'}, 'Rejections, duplicates and clamps are counted for the whole server since it started.')),
    panel('Ingested by source',
      Object.keys(health.ingested_by_source).length ? h('table', {}, h('tbody', {}, Object.entries(health.ingested_by_source).map(([s, n]) =>
        h('tr', {}, h('td', {}, s), h('td', {class: 'num'}, fmtNumber(n))))))
        : h('p', {class: 'muted'}, 'Nothing ingested since the server started.'))));

  const warningPanel = panel('Identity warnings');
  const counts = Object.entries(warnings.counts);
  if (!counts.length) {
    warningPanel.appendChild(emptyState('No identity warnings',
      h('p', {}, 'Refused merges (two different identified users on one device) and placeholder ids such as “undefined” show up here.')));
  } else {
    warningPanel.appendChild(h('div', {class: 'stats'}, counts.map(([kind, n]) => stat(KINDS[kind] || kind, fmtNumber(n)))));
    warningPanel.appendChild(h('div', {class: 'table-wrap'}, h('table', {id: 'identity-warnings'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Kind'), h('th', {}, 'Identity'), h('th', {}, 'Other'), h('th', {}, 'Detail'),
        h('th', {class: 'num'}, 'Count'), h('th', {}, 'Last seen'))),
      h('tbody', {}, warnings.warnings.map((w) => h('tr', {},
        h('td', {}, h('span', {class: 'pill warn'}, w.kind)), h('td', {class: 'mono'}, w.identity ?? '–'),
        h('td', {class: 'mono'}, w.other ?? '–'), h('td', {}, w.detail), h('td', {class: 'num'}, fmtNumber(w.count)),
        h('td', {}, fmtDateTime(w.last_seen))))))));
  }
  main.appendChild(warningPanel);
  return () => instance.dispose();
}
