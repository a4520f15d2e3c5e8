/* Progressive enhancement of the feedback form: the form works without it.
 * - the hamlet list shows only the chosen commune's hamlets;
 * - a map (Leaflet, vendored) to mark the place; tiles come from a configured
 *   URL, and without tiles the hamlets still show as dots for orientation. */
(function () {
  "use strict";
  // After a failed submit, start at the list of what to fix.
  var summary = document.getElementById("errors");
  if (summary) summary.focus();
  var commune = document.getElementById("id_commune");
  var hamlet = document.getElementById("id_hamlet");
  var points = JSON.parse((document.getElementById("map-points") || {}).textContent || "[]");
  var byId = {};
  points.forEach(function (p) { byId[p.id] = p; });

  function filterHamlets() {
    if (!commune || !hamlet) return;
    var chosen = commune.value;
    var groups = hamlet.querySelectorAll("optgroup");
    groups.forEach(function (group) {
      var show = !chosen || Array.prototype.some.call(group.children, function (o) {
        var p = byId[o.value]; return p && String(p.commune) === chosen;
      });
      group.hidden = !show; group.disabled = !show;
    });
    var selected = byId[hamlet.value];
    if (selected && chosen && String(selected.commune) !== chosen) hamlet.value = "";
  }
  if (commune && hamlet) {
    commune.addEventListener("change", filterHamlets);
    hamlet.addEventListener("change", function () {
      var p = byId[hamlet.value];
      if (p && commune.value !== String(p.commune)) { commune.value = String(p.commune); filterHamlets(); }
    });
    filterHamlets();
  }

  var block = document.getElementById("map-block");
  var el = document.getElementById("map");
  if (!block || !el || typeof L === "undefined") return;
  block.hidden = false;
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var status = document.getElementById("map-status");
  var centre = JSON.parse(el.dataset.centre || "[10.46,105.63]");
  var map = L.map(el, { zoomControl: true }).setView(centre, 11);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "",
      referrerPolicy: "no-referrer" }).addTo(map);
  }
  // Leaflet puts a string tooltip in as HTML: names go in as text, never markup.
  function asText(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }
  var bounds = [];
  points.forEach(function (p) {
    // Orientation only, not controls: no tab stop each (the hamlet list names them).
    L.circleMarker([p.lat, p.lon], { radius: 4, weight: 1, color: "#0b5ea8", fillOpacity: 0.6,
      interactive: false }).addTo(map);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
  var marker = null;
  function mark(latlng, message) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
    lat.value = latlng.lat.toFixed(6); lon.value = latlng.lng.toFixed(6);
    status.textContent = message || status.dataset.marked || "";
  }
  status.dataset.marked = status.textContent;
  if (lat.value && lon.value) mark(L.latLng(parseFloat(lat.value), parseFloat(lon.value)));
  map.on("click", function (e) { mark(e.latlng); });
  document.getElementById("clear-point").addEventListener("click", function () {
    if (marker) { map.removeLayer(marker); marker = null; }
    lat.value = ""; lon.value = "";
  });
  var locate = document.getElementById("locate");
  if (!navigator.geolocation) { locate.hidden = true; return; }
  locate.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
      map.setView(ll, 16); mark(ll);
    }, function () { status.textContent = locate.dataset.failed || status.textContent; },
    { enableHighAccuracy: true, timeout: 10000 });
  });
})();

/* A photo from the camera, and sending while offline: the form is kept in
 * IndexedDB (files included) and posted when the network returns ("online"
 * event, or the next visit). Nothing leaves the phone before that. */
(function () {
  "use strict";
  var form = document.querySelector("form.feedback-form");
  var status = document.getElementById("outbox-status");
  if (!form || !status || !window.indexedDB || !window.FormData) return;
  var files = document.getElementById("id_files");
  var camera = document.getElementById("camera");
  if (camera && files && window.DataTransfer) {
    camera.hidden = false;
    camera.addEventListener("click", function () {
      var shot = document.createElement("input");
      shot.type = "file"; shot.accept = "image/*"; shot.setAttribute("capture", "environment");
      shot.addEventListener("change", function () {
        var all = new DataTransfer();
        Array.prototype.forEach.call(files.files, function (f) { all.items.add(f); });
        Array.prototype.forEach.call(shot.files, function (f) { all.items.add(f); });
        files.files = all.files;
      });
      shot.click();
    });
  }

  function db() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("gr-feedback", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("outbox", { autoIncrement: true }); };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }
  function store(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction("outbox", mode);
        var result = work(tx.objectStore("outbox"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function all() {
    return db().then(function (d) {
      return new Promise(function (resolve) {
        var items = [];
        var cursor = d.transaction("outbox").objectStore("outbox").openCursor();
        cursor.onsuccess = function () {
          var c = cursor.result;
          if (c) { items.push({ key: c.key, fields: c.value }); c.continue(); } else resolve(items);
        };
      });
    });
  }

  form.addEventListener("submit", function (e) {
    if (navigator.onLine) return;  // online: the ordinary post
    e.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") fields.push([name, value]);
    });
    store("readwrite", function (s) { return s.add(fields); }).then(function () {
      status.textContent = status.dataset.saved;
      form.reset();
    });
  });

  var sending = false;
  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function flush() {
    if (sending || !navigator.onLine) return;
    sending = true;
    all().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          var body = new FormData();
          body.append("csrfmiddlewaretoken", csrf());
          item.fields.forEach(function (f) { body.append(f[0], f[1]); });
          return fetch(form.action || location.href, { method: "POST", body: body, credentials: "same-origin" })
            .then(function (response) {
              // An answer (accepted or refused) ends the item; a network error keeps it.
              return store("readwrite", function (s) { return s.delete(item.key); }).then(function () {
                if (response.redirected && response.url.indexOf("new=1") > -1) {
                  status.textContent = status.dataset.sent + " ";
                  var link = document.createElement("a");
                  link.href = response.url; link.textContent = response.url.split("/").slice(-2, -1)[0];
                  status.appendChild(link);
                } else {
                  status.textContent = status.dataset.refused;
                }
              });
            });
        });
      }, Promise.resolve());
    }).catch(function () { /* still offline: the next "online" event tries again */ })
      .then(function () { sending = false; });
  }
  window.addEventListener("online", flush);
  flush();
})();
