// Import: upload a CSV or JSONL file (POST /api/import), follow the job (GET /api/import/{id})
// with a progress bar, then show what was imported, what was a duplicate and which lines were
// rejected and why. Every value from the file or the server is shown as text.
import {ApiError, api, session, toLogin} from '../api.js';
import {clear, emptyState, fmtNumber, h, link, panel, stat} from '../dom.js';

const POLL_MS = 500;
/** Files up to this size are counted exactly for the progress bar; larger ones are estimated. */
const COUNT_EXACTLY_BYTES = 256 * 1024 * 1024;

const FORMATS = {
  csv: {
    label: 'CSV',
    help: 'A header row, then one event per row. Columns identity, event and timestamp (ISO-8601 or epoch); '
      + 'every other column becomes an event property. An event_id column, when present, is the event id.',
    example: 'identity,event,timestamp,plan,channel\nann@example.com,Called Sales,2024-05-02T14:05:00Z,pro,phone\n'
      + 'bob@example.com,Visited Store,2024-05-03T10:00:00Z,,in person',
  },
  jsonl: {
    label: 'JSONL (Segment messages)',
    help: 'One Segment message per line: track, page, screen, identify or alias. Events need a messageId or a timestamp, '
      + 'so that importing the same file again adds nothing.',
    example: '{"type": "track", "userId": "ann@example.com", "event": "Called Sales", "timestamp": "2024-05-02T14:05:00Z", '
      + '"properties": {"duration": 310}}\n{"type": "identify", "userId": "ann@example.com", "traits": {"plan": "pro"}}',
  },
  kissmetrics: {
    label: 'KISSmetrics CSV',
    help: 'A KISSmetrics export: Identity, Timestamp, Event, Prop:<name> columns and Alias.',
    example: 'Identity,Timestamp,Event,Prop:Plan,Alias\nann@example.com,1714658700,Signed Up,pro,\nanon-1,1714658000,,,ann@example.com',
  },
};

function guessFormat(name) {
  const lower = String(name || '').toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  if (lower.includes('kissmetrics') || lower.includes('kiss')) return 'kissmetrics';
  return 'csv';
}

/** Lines in the file: exact for ordinary sizes, else extrapolated from the first 4 MB. */
async function countLines(file) {
  const exact = file.size <= COUNT_EXACTLY_BYTES;
  const blob = exact ? file : file.slice(0, 4 * 1024 * 1024);
  const reader = blob.stream().getReader();
  let lines = 0;
  let last = 10;
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
    if (value.length) last = value[value.length - 1];
  }
  if (last !== 10) lines++;
  return exact ? lines : Math.round(lines * (file.size / blob.size));
}

/** POST the file as the body with XMLHttpRequest, which (unlike fetch) reports upload progress. */
function upload(file, format, onProgress) {
  return new Promise((resolve, reject) => {
    const state = session();
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/import?format=' + encodeURIComponent(format));
    xhr.setRequestHeader('X-CSRF-Token', state.csrf);
    if (state.project) xhr.setRequestHeader('X-Roster-Project', state.project);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (file.name.toLowerCase().endsWith('.gz')) xhr.setRequestHeader('Content-Encoding', 'gzip');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) { body = {message: xhr.responseText}; }
      if (xhr.status === 401) toLogin();
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    });
    xhr.addEventListener('error', () => reject(new Error('the upload was interrupted (network error)')));
    xhr.send(file);
  });
}

function summary(job) {
  const box = h('div', {id: 'import-summary'});
  const failed = job.status === 'failed';
  box.appendChild(h('p', {id: 'import-outcome', class: failed ? 'error' : (job.rejected_count ? '' : 'good'), role: 'status'},
    failed ? `The import stopped: ${job.error || 'unknown error'}. Rows committed before that are kept.`
      : `Done: ${fmtNumber(job.rows)} row${job.rows === 1 ? '' : 's'} read.`
        + (job.rejected_count ? ' Fix the rejected lines below and import the file again: lines already imported are skipped as duplicates.' : '')));
  box.appendChild(h('div', {class: 'stats'},
    h('div', {class: 'stat', id: 'import-imported'}, h('div', {class: 'value good'}, fmtNumber(job.imported)), h('div', {class: 'label'}, 'Imported')),
    h('div', {class: 'stat', id: 'import-duplicates'}, h('div', {class: 'value'}, fmtNumber(job.duplicates)),
      h('div', {class: 'label'}, 'Duplicates (already stored)')),
    h('div', {class: 'stat', id: 'import-rejected-count'}, h('div', {class: job.rejected_count ? 'value error' : 'value'}, fmtNumber(job.rejected_count)),
      h('div', {class: 'label'}, 'Rejected lines'))));
  const rejected = job.rejected || [];
  if (rejected.length) {
    box.appendChild(h('h3', {}, 'Rejected lines'));
    if (job.rejected_count > rejected.length) {
      box.appendChild(h('p', {class: 'muted small'}, `Showing the first ${fmtNumber(rejected.length)} of ${fmtNumber(job.rejected_count)}.`));
    }
    box.appendChild(h('div', {class: 'table-wrap'}, h('table', {id: 'import-rejected'},
      h('thead', {}, h('tr', {}, h('th', {class: 'num'}, 'Line'), h('th', {}, 'Reason'))),
      h('tbody', {}, rejected.map((r) => h('tr', {'data-line': String(r.line)},
        h('td', {class: 'num mono'}, fmtNumber(r.line)), h('td', {class: 'reason'}, r.reason)))))));
  }
  if (!failed && job.imported) {
    box.appendChild(h('p', {class: 'small'}, 'See the new events in ', link('/activity', 'Activity'), ' and their people in ', link('/people', 'People'), '.'));
  }
  return box;
}

export async function render(main, ctx) {
  main.appendChild(h('div', {class: 'page-head'}, h('div', {}, h('h1', {}, 'Import'),
    h('p', {class: 'muted'}, 'Bring in offline interactions (phone calls, in-person events) or history from another tool. '
      + 'Importing the same file twice adds nothing: known events are counted as duplicates.'))));

  const fileInput = h('input', {type: 'file', id: 'import-file', name: 'file'});
  fileInput.setAttribute('accept', '.csv,.jsonl,.ndjson,.json,.txt,.gz');
  const format = h('select', {id: 'import-format', name: 'format'},
    Object.entries(FORMATS).map(([value, f]) => h('option', {value}, f.label)));
  const help = h('p', {class: 'muted small', id: 'import-help'});
  const example = h('pre', {class: 'small'});
  const showHelp = () => {
    help.textContent = FORMATS[format.value].help;
    example.textContent = FORMATS[format.value].example;
  };
  format.addEventListener('change', showHelp);
  fileInput.addEventListener('change', () => {
    if (fileInput.files[0]) {
      format.value = guessFormat(fileInput.files[0].name);
      showHelp();
    }
  });
  showHelp();
  const start = h('button', {type: 'submit', class: 'primary', id: 'import-start'}, 'Import');
  const form = h('form', {id: 'import-form'},
    h('div', {class: 'form-row'}, h('label', {}, 'File', fileInput), h('label', {}, 'Format', format), start),
    help, h('details', {}, h('summary', {class: 'small'}, 'Example'), example));
  main.appendChild(panel('Upload a file', form));

  const progress = h('progress', {id: 'import-progress', max: '100', hidden: true});
  progress.value = 0;
  const status = h('p', {id: 'import-status', class: 'muted', role: 'status'});
  const result = h('div', {id: 'import-result'});
  const resultPanel = panel('Result', progress, status, result);
  main.appendChild(resultPanel);

  let stopped = false;
  let timer = null;

  function showEmpty() {
    clear(result).appendChild(emptyState('Nothing imported yet',
      h('p', {}, 'Choose a CSV or JSONL file above and press Import. Bad lines are listed here with their line number and reason; the good lines are kept.')));
  }

  async function follow(jobId, expectedRows) {
    let job;
    try {
      job = await api('/api/import/' + encodeURIComponent(jobId));
    } catch (e) {
      progress.hidden = true;
      status.textContent = e.status === 404 ? 'That import is not known to this server (it may belong to another project).' : 'Could not load the import: ' + e.message;
      status.className = 'error';
      start.disabled = false;
      return;
    }
    if (stopped) return;
    if (job.status === 'done' || job.status === 'failed') {
      progress.value = 100;
      progress.hidden = true;
      status.textContent = '';
      clear(result).appendChild(summary(job));
      start.disabled = false;
      return;
    }
    progress.hidden = false;
    if (expectedRows) {
      progress.value = Math.min(99, Math.round((job.rows / expectedRows) * 100));
      status.textContent = `Importing: ${fmtNumber(job.rows)} of about ${fmtNumber(expectedRows)} lines · ${fmtNumber(job.imported)} imported · `
        + `${fmtNumber(job.rejected_count)} rejected`;
    } else {
      progress.removeAttribute('value');
      status.textContent = job.status === 'queued' ? 'Waiting for the import before it to finish…'
        : `Importing: ${fmtNumber(job.rows)} lines read · ${fmtNumber(job.imported)} imported`;
    }
    timer = setTimeout(() => follow(jobId, expectedRows), POLL_MS);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = fileInput.files[0];
    status.className = 'muted';
    if (!file) {
      status.textContent = 'Choose a file first.';
      status.className = 'error';
      return;
    }
    start.disabled = true;
    clear(result);
    progress.hidden = false;
    progress.value = 0;
    status.textContent = `Uploading ${file.name}…`;
    const lines = file.name.toLowerCase().endsWith('.gz') ? Promise.resolve(null) : countLines(file).catch(() => null);
    try {
      const job = await upload(file, format.value, (fraction) => {
        progress.value = Math.round(fraction * 100);
        status.textContent = `Uploading ${file.name}: ${Math.round(fraction * 100)}%`;
      });
      if (stopped) return;
      const params = new URLSearchParams(ctx.query);
      params.set('job', job.id);
      ctx.setQuery(params);
      progress.value = 0;
      follow(job.id, await lines);
    } catch (err) {
      progress.hidden = true;
      start.disabled = false;
      status.className = 'error';
      status.textContent = 'The file was not accepted: ' + err.message;
    }
  });

  const existing = ctx.query.get('job');
  if (existing) {
    status.textContent = 'Loading the import…';
    follow(existing, null);
  } else {
    showEmpty();
  }
  return () => { stopped = true; clearTimeout(timer); };
}
