/* The citizen app: my place (kept on this phone), its bulletins, warnings by push.
 * Every text comes from the page (#app-text, translated by the server). */
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("app-text").textContent);
  var PLACE_KEY = "gr-citizen-place";
  var LIST_KEY = "gr-citizen-list";
  var $ = function (id) { return document.getElementById(id); };

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }
  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: kept for this visit */ }
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      var saved = !!r.headers.get("X-Saved-Copy");
      return r.json().then(function (data) { return { data: data, saved: saved }; });
    });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function time(d) {
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function dmy(d) {
    return ("0" + d.getDate()).slice(-2) + "/" + ("0" + (d.getMonth() + 1)).slice(-2) + "/" + d.getFullYear();
  }

  // Choosing the place ------------------------------------------------------
  var selects = { province: $("province"), commune: $("commune"), hamlet: $("hamlet") };

  function fill(select, areas, chosen) {
    select.textContent = "";
    select.appendChild(el("option", { value: "" }, T.choose));
    areas.forEach(function (a) {
      var o = el("option", { value: a.path }, a.name);
      if (a.path === chosen) o.selected = true;
      select.appendChild(o);
    });
    select.disabled = areas.length === 0;
  }
  function children(select, parent, chosen) {
    if (!parent) { fill(select, [], null); return Promise.resolve(); }
    return getJSON("/api/v1/areas/?parent=" + encodeURIComponent(parent))
      .then(function (got) { fill(select, got.data, chosen); });
  }
  function placeError(text) { $("place-error").textContent = text; $("place-error").hidden = !text; }

  function showForm() {
    var place = load(PLACE_KEY) || {};
    $("place").hidden = false; $("mine").hidden = true;
    getJSON("/api/v1/areas/").then(function (got) {
      var provinces = got.data;
      var chosen = place.province && place.province.path;
      if (!chosen && provinces.length === 1) chosen = provinces[0].path;
      fill(selects.province, provinces, chosen);
      return children(selects.commune, chosen, place.commune && place.commune.path);
    }).then(function () {
      return children(selects.hamlet, selects.commune.value, place.hamlet && place.hamlet.path);
    }).catch(function () { placeError(T.failed); });
  }
  selects.province.addEventListener("change", function () {
    children(selects.commune, selects.province.value).then(function () { fill(selects.hamlet, [], null); });
  });
  selects.commune.addEventListener("change", function () { children(selects.hamlet, selects.commune.value); });
  function picked(select) {
    var o = select.options[select.selectedIndex];
    return o && o.value ? { path: o.value, name: o.textContent } : null;
  }
  $("place-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!selects.commune.value) { placeError(T.need_commune); selects.commune.focus(); return; }
    placeError("");
    save(PLACE_KEY, { province: picked(selects.province), commune: picked(selects.commune), hamlet: picked(selects.hamlet) });
    showMine(true);
  });
  $("change-place").addEventListener("click", function () { showForm(); selects.province.focus(); });

  // My bulletins --------------------------------------------------------------
  var player = null;
  function listen(button, url) {
    if (player && player.button === button) {
      player.audio.pause(); button.textContent = T.listen; button.setAttribute("aria-pressed", "false"); player = null; return;
    }
    if (player) { player.audio.pause(); player.button.textContent = T.listen; player.button.setAttribute("aria-pressed", "false"); }
    var audio = new Audio(url);
    player = { audio: audio, button: button };
    audio.addEventListener("ended", function () { button.textContent = T.listen; button.setAttribute("aria-pressed", "false"); player = null; });
    audio.play().catch(function () {});
    button.textContent = T.stop; button.setAttribute("aria-pressed", "true");
  }

  function card(b, emergency) {
    var item = el("article", { "class": emergency ? "alert" : "card lvl-" + b.level });
    if (!emergency && b.level !== "normal") {
      var meta = el("p", { "class": "card-meta" });
      meta.appendChild(el("span", { "class": "badge lvl-" + b.level }, T[b.level] || b.level));
      item.appendChild(meta);
    }
    var h = el("h3", { "class": "card-title" });
    h.appendChild(el("a", { href: b.url }, b.title));
    item.appendChild(h);
    if (b.summary) item.appendChild(el("p", { "class": "card-summary" }, b.summary));
    var when = new Date(b.published_at);
    var foot = el("p", { "class": emergency ? "alert-meta" : "card-foot" },
      (b.issuing_agency || b.issuing_area.name) + " · " + dmy(when) + " " + time(when));
    item.appendChild(foot);
    var audio = (b.attachments || []).filter(function (a) { return a.kind === "audio"; })[0];
    if (audio) {
      var button = el("button", { type: "button", "class": "btn listen", "aria-pressed": "false" }, T.listen);
      button.setAttribute("aria-label", T.listen + ": " + b.title);
      button.addEventListener("click", function () { listen(button, audio.url); });
      item.appendChild(button);
    }
    return item;
  }

  function render(data) {
    var emergencies = $("emergency-list"), today = $("today-list"), recent = $("recent-list");
    var list = emergencies.querySelector(".list");
    list.textContent = ""; today.textContent = ""; recent.textContent = "";
    var now = new Date(), counts = { e: 0, t: 0, r: 0 };
    data.results.forEach(function (b) {
      if (b.level === "emergency") { list.appendChild(card(b, true)); counts.e++; return; }
      var d = new Date(b.published_at);
      if (d.toDateString() === now.toDateString()) { today.appendChild(card(b)); counts.t++; }
      else { recent.appendChild(card(b)); counts.r++; }
    });
    emergencies.hidden = counts.e === 0;
    if (!counts.t) today.appendChild(el("p", { "class": "empty" }, T.none_today));
    if (!counts.r) recent.appendChild(el("p", { "class": "empty" }, T.none_recent));
  }

  function placeOf(place) { return place.hamlet || place.commune; }

  function showMine(moveFocus) {
    var place = load(PLACE_KEY);
    if (!place || !place.commune) { showForm(); return; }
    $("place").hidden = true; $("mine").hidden = false;
    $("mine-h").textContent = [place.hamlet && place.hamlet.name, place.commune.name].filter(Boolean).join(", ");
    if (moveFocus) { $("mine-h").setAttribute("tabindex", "-1"); $("mine-h").focus(); }
    var where = placeOf(place).path;
    var kept = load(LIST_KEY);
    if (kept && kept.path === where) render(kept.data);
    $("load-status").textContent = T.loading;
    getJSON("/api/v1/public/bulletins?page_size=50&area=" + encodeURIComponent(where))
      .then(function (got) {
        render(got.data);
        if (got.saved) {
          // The service worker answered from its copy: the network is down.
          $("offline-note").hidden = false;
          if (kept) $("load-status").textContent = fmt(T.stale, { time: dmy(new Date(kept.at)) + " " + time(new Date(kept.at)) });
          return;
        }
        var at = new Date();
        save(LIST_KEY, { path: where, at: at.toISOString(), data: got.data });
        $("load-status").textContent = fmt(T.loaded, { time: time(at) });
        onlineNote();
      })
      .catch(function () {
        $("offline-note").hidden = false;
        if (kept && kept.path === where) {
          $("load-status").textContent = fmt(T.stale, { time: dmy(new Date(kept.at)) + " " + time(new Date(kept.at)) });
        } else { $("load-status").textContent = T.failed; }
      });
    pushState();
  }

  function onlineNote() { $("offline-note").hidden = navigator.onLine; }
  window.addEventListener("online", function () { onlineNote(); if (!$("mine").hidden) showMine(false); });
  window.addEventListener("offline", onlineNote);
  onlineNote();

  // Warnings by Web Push ---------------------------------------------------------
  var canPush = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  function b64(text) {
    var pad = "=".repeat((4 - text.length % 4) % 4);
    var raw = atob((text + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  function pushStatus(text) { $("push-status").textContent = text; }
  function pushState() {
    $("push").hidden = !canPush;
    if (!canPush) return;
    navigator.serviceWorker.ready.then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) { $("push-off").hidden = !sub; });
  }
  $("push-on").addEventListener("click", function () {
    var place = load(PLACE_KEY);
    if (!place) return;
    var scope = document.querySelector("input[name=push-scope]:checked").value;
    var area = scope === "commune" || !place.hamlet ? place.commune : place.hamlet;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { pushStatus(T.push_denied); throw null; }
      return Promise.all([navigator.serviceWorker.ready, getJSON("/api/v1/citizen/push/key")]);
    }).then(function (both) {
      return both[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64(both[1].data.public_key) });
    }).then(function (sub) {
      var body = sub.toJSON(); body.areas = [area.path];
      return fetch("/api/v1/citizen/push/subscriptions", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      });
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      pushStatus(fmt(T.push_on, { place: area.name })); $("push-off").hidden = false;
    }).catch(function (e) { if (e !== null) pushStatus(T.push_failed); });
  });
  $("push-off").addEventListener("click", function () {
    navigator.serviceWorker.ready.then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) {
        if (!sub) return null;
        return fetch("/api/v1/citizen/push/unsubscribe", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ endpoint: sub.endpoint })
        }).then(function () { return sub.unsubscribe(); });
      }).then(function () { pushStatus(T.push_off); $("push-off").hidden = true; });
  });

  showMine(false);
})();
