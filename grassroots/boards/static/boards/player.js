/* The board player: cycles the playlist, obeys pushes at once, proves what it showed.

   Everything on screen is built with textContent and createElement from
   the playlist's data; bulletin bodies (already reduced on the server to a
   few structural tags) are parsed inertly and copied tag by tag through an
   allow-list, so no markup from a bulletin can run here. The page's
   Content-Security-Policy forbids any script but these files anyway. */
(function () {
  'use strict';
  const G = window.GRBoard;
  const cfg = JSON.parse(document.getElementById('player-config').textContent);
  const L = cfg.labels;
  const $ = (id) => document.getElementById(id);

  const REPORT_EVERY_MS = 30000;
  const SCREENSHOT_EVERY_MS = 5 * 60000;
  const SPLIT_EVENTS_MS = 60000;
  const OUTBOX_MAX = 5000;
  const OFFLINE_NOTICE_AFTER_MS = 60000;

  const state = {
    playlist: null,
    version: null,
    offset: 0,          // server clock minus ours
    tz: 420,            // minutes east of UTC (Asia/Ho_Chi_Minh)
    lastKey: null,
    current: null,      // the entry on screen
    timers: [],
    revoked: false,
    online: true,
    offlineSince: null,
  };
  const emergencies = new Map();

  /* Time ------------------------------------------------------------------- */
  const now = () => Date.now() + state.offset;
  const local = (ms) => new Date(ms + state.tz * 60000); // read with getUTC*
  const pad = (n) => String(n).padStart(2, '0');
  const isoDay = (d) => d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate());
  const hhmm = (d) => pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));

  function syncClock(serverTime) {
    const t = Date.parse(serverTime);
    if (!Number.isNaN(t)) state.offset = t - Date.now();
  }

  function tickClock() {
    const d = local(now());
    $('clock-time').textContent = hhmm(d);
    $('clock-date').textContent =
      L.weekdays[(d.getUTCDay() + 6) % 7] + ', ' + pad(d.getUTCDate()) + '/' +
      pad(d.getUTCMonth() + 1) + '/' + d.getUTCFullYear();
    const clock = document.querySelector('.em-clock');
    if (clock) clock.textContent = hhmm(d);
  }

  /* Safe building of the screen -------------------------------------------- */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  const ALLOWED = new Set(['P', 'BR', 'H2', 'H3', 'B', 'STRONG', 'I', 'EM', 'OL', 'UL', 'LI', 'HR']);
  const DROPPED = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'NOSCRIPT', 'SVG', 'MATH', 'TITLE']);

  function copyAllowed(source) {
    const out = document.createDocumentFragment();
    source.childNodes.forEach((child) => {
      if (child.nodeType === Node.TEXT_NODE) {
        out.append(document.createTextNode(child.data));
      } else if (child.nodeType === Node.ELEMENT_NODE && !DROPPED.has(child.tagName)) {
        const inner = copyAllowed(child);
        if (ALLOWED.has(child.tagName)) {
          const copy = document.createElement(child.tagName.toLowerCase());
          copy.append(inner);
          out.append(copy);
        } else {
          out.append(inner);
        }
      }
    });
    return out;
  }

  /* Return the body as DOM: parsed inertly (nothing runs, nothing loads). */
  function richText(html) {
    const parsed = new DOMParser().parseFromString('<body>' + (html || ''), 'text/html');
    return copyAllowed(parsed.body);
  }

  function plainParagraphs(text) {
    const out = document.createDocumentFragment();
    (text || '').split(/\n\s*\n/).forEach((block) => {
      if (!block.trim()) return;
      const p = el('p');
      block.split('\n').forEach((line, i) => {
        if (i) p.append(el('br'));
        p.append(document.createTextNode(line));
      });
      out.append(p);
    });
    return out;
  }

  /* Schedules ---------------------------------------------------------------- */
  function playable(entry, t) {
    if (entry.valid_until && Date.parse(entry.valid_until) <= t) return false;
    const s = entry.schedule;
    if (!s) return true;
    const d = local(t);
    if (!(s.weekdays || '0123456').includes(String((d.getUTCDay() + 6) % 7))) return false;
    const day = isoDay(d);
    if (s.start_date && day < s.start_date) return false;
    if (s.end_date && day > s.end_date) return false;
    const hm = hhmm(d);
    if (s.start_time && s.end_time) {
      if (s.start_time < s.end_time) return hm >= s.start_time && hm < s.end_time;
      return hm >= s.start_time || hm < s.end_time; // across midnight
    }
    if (s.start_time && hm < s.start_time) return false;
    if (s.end_time && hm >= s.end_time) return false;
    return true;
  }

  /* Proof of display: one event per stretch of time something was shown ---- */
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  const outbox = {
    key: 'grassroots-board-outbox:' + cfg.board.code,
    read() {
      try { return JSON.parse(localStorage.getItem(this.key) || '[]'); } catch (e) { return []; }
    },
    write(list) {
      try { localStorage.setItem(this.key, JSON.stringify(list.slice(-OUTBOX_MAX))); } catch (e) { /* full */ }
    },
    add(event) { if (!cfg.preview) this.write([...this.read(), event]); },
    done(ids) {
      const gone = new Set(ids);
      this.write(this.read().filter((e) => !gone.has(e.id)));
    },
  };

  const shown = {
    current: null,
    begin(key, title) {
      this.end();
      this.current = { id: uuid(), key, title, start: now() };
    },
    end() {
      const c = this.current;
      this.current = null;
      if (!c) return;
      const ms = Math.round(now() - c.start);
      if (ms >= 500) {
        outbox.add({ id: c.id, key: c.key, started_at: new Date(c.start).toISOString(),
                     duration_ms: Math.min(ms, 3600000) });
      }
    },
    split() { // long showings become several events, so none is lost to a crash
      const c = this.current;
      if (c && now() - c.start >= SPLIT_EVENTS_MS) this.begin(c.key, c.title);
    },
  };

  /* Slides -------------------------------------------------------------------- */
  function later(fn, ms) { state.timers.push(setTimeout(fn, ms)); }
  function clearTimers() { state.timers.forEach(clearTimeout); state.timers = []; }

  function stageSize() {
    const stage = $('stage');
    return { w: stage.clientWidth, h: stage.clientHeight, u: G.fit.unit() };
  }

  function progress(slide, seconds) {
    const bar = slide.querySelector('.progress-bar');
    if (bar && bar.animate) {
      bar.animate([{ width: '0%' }, { width: '100%' }], { duration: seconds * 1000, fill: 'forwards' });
    }
  }

  function textSlide(entry) {
    const level = entry.kind === 'bulletin' ? entry.level : 'normal';
    const slide = el('article', 'slide slide-' + (entry.kind === 'bulletin' ? 'bulletin' : 'text') + ' lvl-' + level);
    slide.dataset.key = entry.key;
    const head = el('div', 'slide-head');
    head.append(el('span', 'badge lvl-' + level, L.levels[level] || L.levels.normal));
    if (entry.category) head.append(el('span', 'category', entry.category));
    const pager = el('span', 'pager');
    head.append(pager);
    const title = el('h1', 'slide-title', entry.title);
    const win = el('div', 'pages-window');
    const pages = el('div', 'pages');
    if (entry.kind === 'bulletin') {
      if (entry.summary) pages.append(el('p', 'summary', entry.summary));
      const body = el('div', 'body');
      body.append(richText(entry.body));
      pages.append(body);
    } else {
      pages.append(plainParagraphs(entry.text));
    }
    win.append(pages);
    slide.append(head, title, win);
    if (entry.kind === 'bulletin') {
      const foot = el('div', 'slide-foot');
      foot.append(el('span', null, L.source + ': ' + entry.agency),
                  el('span', null, L.published + ': ' + entry.published));
      slide.append(foot);
    }
    slide.append(el('div', 'progress'));
    return { slide, title, win, pages, pager };
  }

  function runTextSlide(entry) {
    const parts = textSlide(entry);
    place(parts.slide);
    const { h, u } = stageSize();
    G.fit.fitTitle(parts.title, Math.round(8 * u), Math.round(4.4 * u), Math.round(h * 0.27));
    const layout = G.fit.layoutPages(parts.win, parts.pages, {
      max: Math.round(5.4 * u), min: Math.round(3.6 * u), comfortable: Math.round(4 * u),
    });
    const images = entry.images || [];
    const total = layout.count + images.length;
    const words = G.fit.syllables(parts.pages.textContent);
    const floor = (state.playlist && state.playlist.board.page_seconds) || 20;
    const perPage = entry.kind === 'bulletin' ? G.fit.pageSeconds(words, layout.count, floor) : entry.duration_s || floor;
    let index = 0;
    const step = () => {
      parts.slide.querySelectorAll('.figure').forEach((f) => f.remove());
      parts.pager.textContent = total > 1 ? fmt(L.page, { n: index + 1, total }) : '';
      let seconds = perPage;
      if (index < layout.count) {
        G.fit.showPage(parts.pages, layout, index);
      } else {
        const image = images[index - layout.count];
        const figure = el('figure', 'figure');
        const img = el('img');
        img.src = image.src;
        img.alt = image.caption || '';
        figure.append(img, el('figcaption', null, image.caption || ''));
        parts.slide.append(figure);
        seconds = Math.max(8, Math.round(floor / 2));
      }
      parts.slide.querySelector('.progress').replaceChildren(el('div', 'progress-bar'));
      progress(parts.slide, seconds);
      index += 1;
      later(index < total ? step : nextSlide, seconds * 1000);
    };
    step();
  }

  function runMediaSlide(entry) {
    const slide = el('figure', 'slide slide-media figure');
    slide.dataset.key = entry.key;
    if (entry.kind === 'image') {
      const img = el('img');
      img.addEventListener('error', () => {
        if (state.current !== entry) return;
        clearTimers();
        later(nextSlide, 1000);
      });
      img.src = entry.src;
      img.alt = entry.title;
      slide.append(img);
      place(slide);
      later(nextSlide, entry.duration_s * 1000);
      return;
    }
    const video = el('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.src = entry.src;
    video.addEventListener('ended', () => nextSlide());
    video.addEventListener('error', () => later(nextSlide, 2000));
    slide.append(video);
    place(slide);
    video.play().catch(() => later(nextSlide, 2000));
    later(nextSlide, entry.duration_s * 1000);
  }

  function runWebSlide(entry) {
    const slide = el('div', 'slide slide-web');
    slide.dataset.key = entry.key;
    const frame = el('iframe');
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin');
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.title = entry.title;
    frame.src = entry.src;
    slide.append(frame);
    place(slide);
    later(nextSlide, entry.duration_s * 1000);
  }

  function runIdle() {
    const slide = el('div', 'slide slide-idle');
    slide.append(el('div', 'idle-name', cfg.board.name), el('div', null, L.nothing));
    place(slide);
    later(nextSlide, 30000);
  }

  function place(slide) {
    $('stage').replaceChildren(slide);
  }

  function entries() {
    return (state.playlist && state.playlist.entries) || [];
  }

  function begin(entry) {
    state.current = entry;
    state.lastKey = entry.key;
    shown.begin(entry.key, entry.title);
    try {
      if (entry.kind === 'bulletin' || entry.kind === 'text') runTextSlide(entry);
      else if (entry.kind === 'image' || entry.kind === 'video') runMediaSlide(entry);
      else if (entry.kind === 'webpage') runWebSlide(entry);
      else later(nextSlide, 100); // a kind this player does not know: skip it
    } catch (error) {
      // One bad entry must never freeze a public screen: go on with the next.
      clearTimers();
      later(nextSlide, 2000);
    }
  }

  /* Show the next playable entry, or ``prefer`` (a bulletin just published). */
  function nextSlide(prefer) {
    clearTimers();
    shown.end();
    state.current = null;
    if (emergencies.size || state.revoked) return;
    const list = entries();
    const t = now();
    const wanted = typeof prefer === 'string' && list.find((e) => e.key === prefer);
    if (wanted && playable(wanted, t)) {
      begin(wanted);
      return;
    }
    const at = list.findIndex((e) => e.key === state.lastKey);
    for (let i = 1; i <= list.length; i += 1) {
      const entry = list[(at + i + list.length) % list.length];
      if (playable(entry, t)) {
        begin(entry);
        return;
      }
    }
    runIdle();
  }

  /* Emergencies: full screen, above everything, until released -------------- */
  let emergencyTimer = null;
  let emergencyIndex = 0;

  function renderEmergency() {
    clearTimeout(emergencyTimer);
    const box = $('emergency');
    if (!emergencies.size) {
      if (!box.hidden) {
        box.hidden = true;
        box.replaceChildren();
        shown.end();
        nextSlide(); // back to the playlist
      }
      return;
    }
    const wasHidden = box.hidden;
    if (wasHidden) {
      clearTimers();
      shown.end();
      state.current = null;
      $('stage').replaceChildren();
    }
    const list = [...emergencies.values()].sort((a, b) => (a.started_at < b.started_at ? 1 : -1));
    const m = list[emergencyIndex % list.length];
    box.className = 'emergency lvl-' + (m.level || 'emergency');
    const head = el('div', 'em-head');
    head.append(el('span', 'em-badge', L.levels[m.level] || L.levels.emergency));
    if (list.length > 1) head.append(el('span', 'em-count', fmt(L.of, { n: (emergencyIndex % list.length) + 1, total: list.length })));
    head.append(el('span', 'em-clock', hhmm(local(now()))));
    const title = el('h1', 'em-title', m.title);
    const win = el('div', 'pages-window');
    const pages = el('div', 'pages');
    pages.append(plainParagraphs(m.text));
    win.append(pages);
    const foot = el('div', 'em-foot');
    const started = local(Date.parse(m.started_at));
    foot.append(el('span', null, m.level === 'drill' ? L.drill_heading : L.emergency_heading),
                el('span', null, fmt(L.since, { time: hhmm(started) + ' ' + pad(started.getUTCDate()) + '/' + pad(started.getUTCMonth() + 1) })));
    box.replaceChildren(head, title, win, foot);
    box.hidden = false;
    if (!shown.current || shown.current.key !== m.key) shown.begin(m.key, m.title);
    const { h, u } = stageSize();
    G.fit.fitTitle(title, Math.round(8 * u), Math.round(5 * u), Math.round(h * 0.3));
    const layout = G.fit.layoutPages(win, pages, {
      max: Math.round(6.5 * u), min: Math.round(4 * u), comfortable: Math.round(4.4 * u),
    });
    // Where the reader is ("Page 2 of 3"), and time enough to read each page.
    const pageNo = el('span', 'em-page');
    if (layout.count > 1) {
      pageNo.textContent = fmt(L.page, { n: 1, total: layout.count });
      foot.append(pageNo);
    }
    const pageMs = 1000 * G.fit.pageSeconds(G.fit.syllables(m.text), layout.count, 15);
    let page = 0;
    const turn = () => {
      page += 1;
      if (page < layout.count) {
        G.fit.showPage(pages, layout, page);
        pageNo.textContent = fmt(L.page, { n: page + 1, total: layout.count });
        emergencyTimer = setTimeout(turn, pageMs);
      } else if (list.length > 1) {
        emergencyIndex += 1;
        renderEmergency();
      } else {
        page = -1;
        turn();
      }
    };
    if (layout.count > 1 || list.length > 1) emergencyTimer = setTimeout(turn, pageMs);
    if (wasHidden) setTimeout(screenshot, 3000); // a picture of the takeover, as proof
  }

  function setEmergencies(list) {
    const ids = new Set(list.map((m) => m.id));
    let changed = false;
    for (const id of [...emergencies.keys()]) {
      if (!ids.has(id)) { emergencies.delete(id); changed = true; }
    }
    for (const m of list) {
      const old = emergencies.get(m.id);
      if (!old || JSON.stringify(old) !== JSON.stringify(m)) { emergencies.set(m.id, m); changed = true; }
    }
    if (changed) renderEmergency();
  }

  /* Ticker ------------------------------------------------------------------- */
  let tickerText = null;
  function renderTicker() {
    const lines = ((state.playlist && state.playlist.ticker) || [])
      .filter((t) => playable(t, now())).map((t) => t.text);
    const text = lines.join('\u0000');
    if (text === tickerText) return;
    tickerText = text;
    const box = $('ticker');
    const track = $('ticker-track');
    track.getAnimations().forEach((a) => a.cancel());
    track.replaceChildren();
    box.hidden = !lines.length;
    if (!lines.length) return;
    lines.forEach((line, i) => {
      if (i) track.append(el('span', 'sep', '•'));
      track.append(el('span', null, line));
    });
    const distance = track.scrollWidth;
    const speed = window.innerHeight * 0.12; // pixels a second
    track.animate([{ transform: 'translateX(0)' }, { transform: 'translateX(-' + distance + 'px)' }],
                  { duration: (distance / speed) * 1000, iterations: Infinity });
  }

  /* Connection state ------------------------------------------------------------ */
  function setOnline(online) {
    state.online = online;
    if (online) state.offlineSince = null;
    else if (!state.offlineSince) state.offlineSince = Date.now();
    const status = $('status');
    const long = state.offlineSince && Date.now() - state.offlineSince > OFFLINE_NOTICE_AFTER_MS;
    status.textContent = L.offline;
    status.hidden = cfg.preview || !long;
    document.documentElement.dataset.online = online ? 'yes' : 'no';
  }

  function revoke() {
    state.revoked = true;
    clearTimers();
    shown.end();
    push.close();
    emergencies.clear();
    $('emergency').hidden = true;
    $('ticker').hidden = true;
    const slide = el('div', 'slide slide-idle');
    slide.append(el('div', null, L.revoked));
    place(slide);
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: 'purge' });
    }
    try { localStorage.removeItem(outbox.key); } catch (e) { /* nothing kept */ }
  }

  /* The playlist ------------------------------------------------------------------ */
  let refreshing = false;
  let again = false;

  function apply(data, fromNetwork) {
    if (fromNetwork) syncClock(data.server_time);
    state.tz = data.utc_offset_minutes;
    const known = new Set(cfg.frame_origins || []);
    if (fromNetwork && !cfg.preview && (data.frame_origins || []).some((o) => !known.has(o))) {
      location.reload(); // the page's security policy must name the new site
      return;
    }
    const before = state.playlist ? new Set(entries().map((e) => e.key)) : null;
    state.playlist = data;
    state.version = data.version;
    setEmergencies(data.emergencies || []);
    renderTicker();
    if (fromNetwork) keepMedia();
    if (emergencies.size) return;
    // A bulletin published while the board runs is shown at once, then the
    // rotation goes on from it.
    const fresh = before ? entries().find((e) => e.kind === 'bulletin' && !before.has(e.key)) : null;
    if (fresh && playable(fresh, now())) {
      nextSlide(fresh.key);
      return;
    }
    const keys = new Set(entries().map((e) => e.key));
    if (!state.current || !keys.has(state.current.key)) nextSlide(); // withdrawn: off at once
  }

  /* Tell the service worker which media to keep (and which to forget). */
  function keepMedia() {
    const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (worker && state.playlist) {
      worker.postMessage({ type: 'media', urls: state.playlist.media || [] });
    }
  }

  async function refresh() {
    if (state.revoked) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      const headers = state.version ? { 'If-None-Match': '"' + state.version + '"' } : {};
      const response = await fetch(cfg.playlist, { headers, cache: 'no-store' });
      if (response.status === 404 || response.status === 410) { if (!cfg.preview) revoke(); return; }
      if (response.status === 304) { setOnline(true); return; }
      if (!response.ok) return;
      const offline = response.headers.get('X-Board-Offline') === '1';
      setOnline(!offline);
      apply(await response.json(), !offline);
    } catch (error) {
      setOnline(false);
    } finally {
      refreshing = false;
      if (again) { again = false; refresh(); }
    }
  }

  /* Push: server-sent events, reconnected with growing delays ---------------------- */
  const push = {
    source: null,
    attempts: 0,
    lastId: null,
    lastHeard: 0,
    retryTimer: null,
    connect() {
      if (!cfg.events || state.revoked) return;
      this.close();
      const url = cfg.events + (this.lastId ? '?last_event_id=' + encodeURIComponent(this.lastId) : '');
      const source = new EventSource(url);
      this.source = source;
      this.lastHeard = Date.now();
      source.onopen = () => { this.attempts = 0; setOnline(true); };
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) this.retry();
        else setOnline(false);
      };
      const on = (name, handler) => source.addEventListener(name, (event) => {
        this.lastHeard = Date.now();
        if (event.lastEventId) this.lastId = event.lastEventId;
        let data = {};
        try { data = JSON.parse(event.data || '{}'); } catch (e) { return; }
        handler(data);
      });
      on('hello', (data) => {
        syncClock(data.server_time);
        setOnline(true);
        if (data.version !== state.version) refresh();
      });
      on('ping', (data) => syncClock(data.server_time));
      on('refresh', () => setTimeout(refresh, Math.random() * 700));
      on('takeover', (data) => {
        emergencies.set(data.id, data);
        emergencyIndex = 0;
        renderEmergency();
        setTimeout(refresh, 500 + Math.random() * 1500);
      });
      on('release', (data) => {
        if (emergencies.delete(data.id)) renderEmergency();
        setTimeout(refresh, Math.random() * 700);
      });
      on('revoked', () => { this.close(); refresh(); });
      on('command', (data) => {
        if (data.command === 'screenshot') screenshot();
        else if (data.command === 'reload') location.reload();
        else if (data.command === 'reconnect') this.retry(true);
      });
    },
    retry(immediately) {
      this.close();
      const delay = immediately ? 200 : Math.min(60000, 1000 * 2 ** this.attempts) * (0.5 + Math.random() / 2);
      this.attempts = Math.min(this.attempts + 1, 8);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    },
    close() {
      clearTimeout(this.retryTimer);
      if (this.source) this.source.close();
      this.source = null;
    },
    watch() { // a connection that went quiet past two pings is dead: open another
      if (this.source && Date.now() - this.lastHeard > 45000) { setOnline(false); this.retry(); }
    },
  };

  /* Reports: heartbeat + display events; screenshots ---------------------------------- */
  async function report() {
    if (!cfg.report || state.revoked) return;
    shown.split();
    const events = outbox.read().slice(0, 500);
    const body = {
      version: state.version || '',
      viewport: window.innerWidth + 'x' + window.innerHeight,
      showing: shown.current ? { key: shown.current.key, title: shown.current.title || '' } : {},
      events,
    };
    try {
      const response = await fetch(cfg.report, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status === 404 || response.status === 410) { revoke(); return; }
      if (!response.ok) return;
      const answer = await response.json();
      syncClock(answer.server_time);
      outbox.done([...answer.accepted, ...answer.duplicates, ...answer.rejected.map((r) => r.id)]);
      setOnline(true);
    } catch (error) {
      setOnline(false);
    }
  }

  let shooting = false;
  async function screenshot() {
    if (!cfg.screenshot || state.revoked || shooting) return;
    shooting = true;
    try {
      const blob = await G.snapshot.take($('screen'), cfg.css, 960);
      await fetch(cfg.screenshot, { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: blob });
    } catch (error) {
      /* offline, or nothing to draw yet: the next one will do */
    } finally {
      shooting = false;
    }
  }

  /* Start ------------------------------------------------------------------------------ */
  function start() {
    tickClock();
    setInterval(tickClock, 1000);
    setInterval(renderTicker, 60000); // ticker lines with hours of their own
    setInterval(() => shown.split(), 10000);
    if (!cfg.preview && cfg.sw && navigator.serviceWorker) {
      navigator.serviceWorker.register(cfg.sw).catch(() => { /* http on a LAN: no offline copy */ });
      // The first playlist came before the worker took over: let it keep the media now.
      navigator.serviceWorker.addEventListener('controllerchange', keepMedia);
    }
    refresh().then(() => {
      if (cfg.preview) {
        setInterval(refresh, 15000);
        return;
      }
      push.connect();
      setInterval(() => push.watch(), 10000);
      setInterval(report, REPORT_EVERY_MS);
      setTimeout(report, 5000);
      setTimeout(screenshot, 15000);
      setInterval(screenshot, SCREENSHOT_EVERY_MS);
      // Belt and braces: if a push was ever lost, the playlist is read again anyway.
      setInterval(refresh, 5 * 60000);
    });
    window.addEventListener('online', () => { push.retry(true); refresh(); });
    window.addEventListener('offline', () => setOnline(false));
    window.addEventListener('pagehide', () => shown.end());
  }

  G.player = { state, refresh, screenshot, report, emergencies, nextSlide };
  start();
})();
