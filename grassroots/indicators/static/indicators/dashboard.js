// On a phone the dashboard is a summary: each card's value and status, and
// the details (parts, target, trend, definition), the tables and the map one
// tap away. Charts and the map are drawn open, then folded; they redraw to
// their size when unfolded.
(function () {
  function fold() {
    if (!window.matchMedia("(max-width: 40rem)").matches) return;
    document.querySelectorAll("details.gr-fold").forEach(function (d) {
      d.open = false;
    });
  }
  document.querySelectorAll("details.gr-fold").forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (d.open) window.dispatchEvent(new Event("resize"));
    });
  });
  window.addEventListener("load", function () { setTimeout(fold, 0); });
})();
/* Trend charts (Chart.js) and the map (Leaflet), both vendored. The page is
   complete without them: values, targets and the unit table are plain HTML. */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var charts = data("gr-chart-data") || {};
  if (window.Chart) {
    document.querySelectorAll("canvas[data-trend]").forEach(function (canvas) {
      var item = charts[canvas.dataset.trend];
      if (!item || !item.trend.length) return;
      var labels = item.trend.map(function (p) { return p.month; });
      var datasets = [{
        data: item.trend.map(function (p) { return p.value; }),
        borderColor: "#1a73e8", backgroundColor: "rgba(26,115,232,0.12)",
        fill: true, tension: 0.25, pointRadius: 2, spanGaps: true
      }];
      if (item.target !== null) {
        datasets.push({
          data: labels.map(function () { return item.target; }),
          borderColor: "#c5221f", borderDash: [5, 4], pointRadius: 0, fill: false
        });
      }
      new window.Chart(canvas, {
        type: "line",
        data: { labels: labels, datasets: datasets },
        options: {
          animation: false, maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true }, x: { ticks: { maxTicksLimit: 6 } } }
        }
      });
    });
  }
  var map = data("gr-map-data");
  var box = document.getElementById("gr-map");
  if (!map || !box || !window.L) return;
  var points = [];
  map.layers.forEach(function (layer) {
    layer.features.forEach(function (f) { points.push([f.latitude, f.longitude]); });
  });
  if (!points.length && !map.centre) {
    box.hidden = true;
    document.getElementById("gr-map-empty").hidden = false;
    return;
  }
  var leaflet = window.L.map(box, { attributionControl: !!map.tiles });
  if (map.tiles) {
    window.L.tileLayer(map.tiles, { maxZoom: 18, attribution: map.attribution || "" }).addTo(leaflet);
  } else {
    document.getElementById("gr-map-note").hidden = false;
  }
  if (map.outline) {
    window.L.geoJSON(map.outline, { style: { color: "#5f6368", weight: 1, fill: false } }).addTo(leaflet);
  }
  var overlays = {};
  // Devices (clusters, boards) are small dots drawn first; the units, coloured
  // by the chosen indicator, stay on top and readable.
  var ordered = map.layers.filter(function (l) { return l.code !== "units"; })
    .concat(map.layers.filter(function (l) { return l.code === "units"; }));
  ordered.forEach(function (layer) {
    var group = window.L.layerGroup();
    var unit = layer.code === "units";
    layer.features.forEach(function (f) {
      var marker = window.L.circleMarker([f.latitude, f.longitude], {
        radius: unit ? 9 : 4, color: "#ffffff", weight: unit ? 2 : 1,
        fillColor: f.colour, fillOpacity: 0.95
      });
      var text = document.createElement("div");
      var strong = document.createElement("strong");
      strong.textContent = f.label;
      text.appendChild(strong);
      text.appendChild(document.createElement("br"));
      text.appendChild(document.createTextNode(f.state));
      if (f.url) {
        var link = document.createElement("a");
        link.href = f.url;
        link.textContent = " ›";
        text.appendChild(link);
      }
      marker.bindPopup(text);
      // With few units the names stay on the map, which then reads without tiles.
      // A string would be read as HTML: an area's name goes in as text.
      var tip = document.createElement("span");
      tip.textContent = f.label;
      marker.bindTooltip(tip, { permanent: unit && layer.features.length <= 25, direction: "right" });
      group.addLayer(marker);
    });
    group.addTo(leaflet);
    var name = document.createElement("span");
    name.textContent = layer.label;
    overlays[name.outerHTML] = group;
  });
  if (map.layers.length > 1) window.L.control.layers(null, overlays).addTo(leaflet);
  if (points.length > 1) leaflet.fitBounds(points, { padding: [24, 24], maxZoom: 13 });
  else leaflet.setView(points[0] || map.centre, 11);
})();
