// DOM helpers. Every user value becomes a text node or an attribute set through the DOM API:
// nothing here ever parses a string as HTML, so data can never turn into markup or script.

const SAFE_ATTRIBUTES = /^(class|id|type|name|value|placeholder|title|for|min|max|step|colspan|rowspan|role|aria-[a-z-]+|data-[a-z-]+|disabled|checked|selected|autocomplete|size|rows|hidden|open|tabindex|required|list|autofocus|maxlength|pattern)$/;

/** Internal links only: a same-origin path. Anything else ("javascript:", "//evil") becomes "#". */
export function safeHref(href) {
  const text = String(href ?? '');
  return text.startsWith('/') && !text.startsWith('//') && !text.startsWith('/\\') ? text : '#';
}

/** h('a', {href: '/people', class: 'x', onclick: fn}, 'text', child) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'href') {
      el.setAttribute('href', safeHref(value));
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'style' && typeof value === 'object') {
      Object.assign(el.style, value);
    } else if (SAFE_ATTRIBUTES.test(key)) {
      if (key === 'value') el.value = String(value);
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    } else {
      throw new Error('attribute not allowed: ' + key);
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** An internal link handled by the router. */
export function link(href, ...children) {
  return h('a', {href, 'data-link': true}, ...children);
}

export function fmtNumber(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '–';
  return Number(n).toLocaleString('en-US', {maximumFractionDigits: digits, minimumFractionDigits: 0});
}

export function fmtMoney(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en-US', {style: 'currency', currency: 'USD', maximumFractionDigits: 2});
}

export function fmtPercent(x) {
  if (x === null || x === undefined) return '–';
  return (Number(x) * 100).toLocaleString('en-US', {maximumFractionDigits: 1}) + '%';
}

export function fmtDate(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toISOString().slice(0, 10);
}

export function fmtDateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

export function fmtTime(iso) {
  return new Date(iso).toISOString().slice(11, 19);
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Number(seconds);
  if (s < 60) return Math.round(s) + 's';
  if (s < 3600) return Math.round(s / 60) + 'm';
  if (s < 86400) return (s / 3600).toFixed(1) + 'h';
  return (s / 86400).toFixed(1) + 'd';
}

export function relative(iso) {
  if (!iso) return '–';
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  if (seconds < 0) return 'in the future';
  if (seconds < 60) return Math.round(seconds) + 's ago';
  if (seconds < 3600) return Math.round(seconds / 60) + 'm ago';
  if (seconds < 86400) return Math.round(seconds / 3600) + 'h ago';
  if (seconds < 86400 * 60) return Math.round(seconds / 86400) + 'd ago';
  return fmtDate(iso);
}

/** Any JSON value as display text. */
export function valueText(value) {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A definition list of an object's keys and values, all as text. */
export function keyValues(object, emptyText = 'None') {
  const entries = Object.entries(object || {}).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (!entries.length) return h('p', {class: 'muted'}, emptyText);
  return h('dl', {class: 'kv'}, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, valueText(v))]));
}

export function emptyState(title, ...body) {
  return h('div', {class: 'empty'}, h('h2', {}, title), ...body);
}

export function panel(title, ...children) {
  return h('section', {class: 'panel'}, title ? h('h2', {}, title) : null, ...children);
}

export function stat(label, value) {
  return h('div', {class: 'stat'}, h('div', {class: 'value'}, value), h('div', {class: 'label'}, label));
}

/** A modal confirmation; resolves true when confirmed. */
export function confirmDialog(title, message, confirmLabel = 'Confirm', danger = true) {
  return new Promise((resolve) => {
    const close = (answer) => { backdrop.remove(); resolve(answer); };
    const backdrop = h('div', {class: 'dialog-backdrop', role: 'dialog'},
      h('div', {class: 'dialog'},
        h('h2', {}, title),
        h('p', {}, message),
        h('div', {class: 'toolbar'},
          h('button', {type: 'button', class: danger ? 'danger' : 'primary', id: 'dialog-confirm', onclick: () => close(true)}, confirmLabel),
          h('button', {type: 'button', id: 'dialog-cancel', onclick: () => close(false)}, 'Cancel'))));
    document.body.appendChild(backdrop);
  });
}

export function downloadText(filename, text, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = h('a', {});
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** RFC 4180 CSV; also defuses spreadsheet formulas in cells. */
export function toCsv(rows) {
  return rows.map((row) => row.map((cell) => {
    let text = cell === null || cell === undefined ? '' : (typeof cell === 'object' ? JSON.stringify(cell) : String(cell));
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }).join(',')).join('\r\n') + '\r\n';
}
