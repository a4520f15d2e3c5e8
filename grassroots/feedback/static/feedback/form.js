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
