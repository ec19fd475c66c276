/*! roster.js: the Roster browser tracker. No dependencies. Sends Segment-format batches to the
 * origin it was loaded from. Install:
 * <script async src="https://ROSTER_HOST/roster.js" data-write-key="WRITE_KEY"></script>
 * <script>window.roster=window.roster||{q:[]};["track","identify","page","alias","reset","trackClick","trackSubmit"].forEach(function(m){roster[m]=roster[m]||function(){roster.q.push([m].concat([].slice.call(arguments)))}});</script>
 */
(function (window, document) {
  "use strict";
  var VERSION = "1.0.0";
  var AID = "roster_aid", UID = "roster_uid", SID = "roster_sid", SEEN = "roster_seen";
  var TWO_YEARS = 730 * 24 * 3600;
  var SESSION_IDLE_MS = 30 * 60 * 1000;
  var FLUSH_MS = 1000, MAX_BATCH = 20;

  var existing = window.roster;
  if (existing && existing.__loaded) return;

  var script = document.currentScript || document.querySelector("script[data-write-key]");
  var writeKey = script && script.getAttribute("data-write-key");
  var autoPageview = !script || script.getAttribute("data-auto-pageview") !== "false";
  var origin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var endpoint = origin + "/v1/batch";

  var queue = [], timer = null, lastUrl = null;

  // ---- storage: first-party cookie mirrored in localStorage
  function store(key, value) {
    try { if (value == null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }
  function load(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }
  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }
  function writeCookie(name, value, seconds) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = name + "=" + encodeURIComponent(value) + "; Max-Age=" + seconds + "; Path=/; SameSite=Lax" + secure;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = [];
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") + "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }
  function anonymousId() {
    var id = readCookie(AID) || load(AID);
    if (!id) id = uuid();
    writeCookie(AID, id, TWO_YEARS);
    store(AID, id);
    return id;
  }
  function userId() {
    return load(UID);
  }
  function sessionId() {
    var now = Date.now();
    var id = load(SID), seen = +load(SEEN) || 0;
    if (!id || now - seen > SESSION_IDLE_MS) id = uuid();
    store(SID, id);
    store(SEEN, String(now));
    return id;
  }

  // ---- page context
  function params() {
    var out = {};
    new URLSearchParams(location.search).forEach(function (value, key) { if (!(key in out)) out[key] = value; });
    return out;
  }
  function pageProperties(referrer) {
    var p = params(), props = {
      url: location.href, path: location.pathname, search: location.search,
      referrer: referrer == null ? document.referrer : referrer, title: document.title
    };
    for (var key in p) {
      if (/^utm_(source|medium|campaign|term|content)$/.test(key) || /^(gclid|fbclid|msclkid)$/.test(key)) props[key] = p[key];
    }
    return props;
  }
  function campaign(props) {
    var c = {}, any = false;
    ["source", "medium", "campaign", "term", "content"].forEach(function (f) {
      if (props["utm_" + f]) { c[f === "campaign" ? "name" : f] = props["utm_" + f]; any = true; }
    });
    return any ? c : undefined;
  }
  function assign(target) {
    for (var i = 1; i < arguments.length; i++) {
      var source = arguments[i];
      if (source) for (var k in source) if (Object.prototype.hasOwnProperty.call(source, k)) target[k] = source[k];
    }
    return target;
  }

  // ---- sending
  function enqueue(message) {
    var page = pageProperties(lastUrl);
    message.messageId = uuid();
    message.timestamp = new Date().toISOString();
    message.anonymousId = anonymousId();
    var uid = userId();
    if (uid && !message.userId) message.userId = uid;
    message.context = {
      library: { name: "roster.js", version: VERSION },
      page: page, campaign: campaign(page), userAgent: navigator.userAgent,
      locale: navigator.language, sessionId: sessionId()
    };
    queue.push(message);
    if (queue.length >= MAX_BATCH) flush();
    else if (!timer) timer = setTimeout(flush, FLUSH_MS);
  }
  function body(batch) {
    return JSON.stringify({ batch: batch, sentAt: new Date().toISOString(), writeKey: writeKey });
  }
  function flush(beacon) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!queue.length || !writeKey) return;
    var batch = queue.splice(0, queue.length);
    var payload = body(batch);
    if (beacon && navigator.sendBeacon) {
      // text/plain keeps a beacon a "simple" CORS request: no preflight
      if (navigator.sendBeacon(endpoint, new Blob([payload], { type: "text/plain" }))) return;
    }
    if (!window.fetch) return;
    fetch(endpoint, { method: "POST", body: payload, keepalive: payload.length < 60000, credentials: "omit",
      headers: { "Content-Type": "text/plain" } })
      .then(function (response) { if (response.status >= 500 || response.status === 429) retry(batch); })
      .catch(function () { retry(batch); });
  }
  function retry(batch) {
    batch.forEach(function (m) { m.__retries = (m.__retries || 0) + 1; });
    var again = batch.filter(function (m) { return m.__retries <= 3; });
    if (!again.length) return;
    queue = again.concat(queue);
    if (!timer) timer = setTimeout(flush, FLUSH_MS * 5);
  }

  // ---- the public API (Segment analytics.js names)
  var api = {
    __loaded: true,
    VERSION: VERSION,
    track: function (event, properties) {
      if (!event) return;
      enqueue({ type: "track", event: String(event), properties: assign({}, properties) });
    },
    page: function (properties) {
      enqueue({ type: "page", properties: assign(pageProperties(lastUrl), properties) });
      lastUrl = location.href;
    },
    identify: function (id, traits) {
      if (id && typeof id === "object") { traits = id; id = null; }
      if (id != null && id !== "") store(UID, String(id));
      enqueue({ type: "identify", userId: userId() || undefined, traits: assign({}, traits) });
    },
    alias: function (newId) {
      if (newId == null || newId === "") return;
      var previous = userId() || anonymousId();
      store(UID, String(newId));
      enqueue({ type: "alias", previousId: previous, userId: String(newId) });
    },
    reset: function () {
      flush();
      store(UID, null); store(AID, null); store(SID, null); store(SEEN, null);
      writeCookie(AID, "", 0);
      anonymousId();
    },
    trackClick: function (selector, event, properties) {
      document.addEventListener("click", function (e) {
        var el = e.target && e.target.closest ? e.target.closest(selector) : null;
        if (!el) return;
        api.track(event, assign({ text: (el.innerText || el.value || "").slice(0, 200), href: el.href }, properties));
        if (el.href) flush(true);
      }, true);
    },
    trackSubmit: function (selector, event, properties) {
      document.addEventListener("submit", function (e) {
        var form = e.target;
        if (!form || !form.matches || !form.matches(selector)) return;
        api.track(event, assign({ form_id: form.id || undefined, action: form.action }, properties));
        flush(true);
      }, true);
    },
    anonymousId: anonymousId,
    userId: userId,
    flush: function () { flush(false); }
  };

  // ---- automatic page views, including single-page navigation
  function navigated() {
    if (location.href !== lastUrl) api.page();
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    if (!original) return;
    history[name] = function () {
      var result = original.apply(this, arguments);
      if (name === "pushState" && autoPageview) setTimeout(navigated, 0);
      return result;
    };
  });
  window.addEventListener("popstate", function () { if (autoPageview) navigated(); });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(true); });
  window.addEventListener("pagehide", function () { flush(true); });

  var queued = existing && existing.q ? existing.q : [];
  window.roster = api;

  // ---- KISSmetrics URL API on landing: kmi (identify), kme (event), km_<prop> (properties)
  var p = params(), kmProps = {}, anyKm = false;
  for (var key in p) if (key.indexOf("km_") === 0 && key.length > 3) { kmProps[key.slice(3)] = p[key]; anyKm = true; }

  if (autoPageview) api.page();
  if (p.kmi) api.identify(p.kmi, kmProps);
  else if (anyKm) api.identify(null, kmProps);
  if (p.kme) api.track(p.kme, kmProps);
  for (var i = 0; i < queued.length; i++) {
    var call = queued[i];
    if (call && api[call[0]]) api[call[0]].apply(api, call.slice(1));
  }
})(window, document);
