// The map of one received CAP warning: the source's polygons and circles,
// and the communes and hamlets they were mapped to (Leaflet, vendored).
(function () {
  "use strict";
  function start() {
    var element = document.getElementById("cap-map");
    var source = document.getElementById("cap-map-data");
    if (!element || !source || typeof L === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var map = L.map(element, { zoomSnap: 0.5, attributionControl: !!element.dataset.tiles });
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
    } else {
      element.classList.add("cap-blank");
    }
    var layers = [];
    (data.polygons || []).forEach(function (ring) {
      layers.push(L.polygon(ring, { color: "#cf222e", weight: 2, fillOpacity: 0.15 }));
    });
    (data.circles || []).forEach(function (c) {
      layers.push(L.circle([c[0], c[1]], { radius: c[2] * 1000, color: "#cf222e", weight: 2, fillOpacity: 0.15 }));
    });
    (data.boundaries || []).forEach(function (b) {
      layers.push(L.geoJSON(b, { style: { color: "#0969da", weight: 1, fillOpacity: 0.05 } }));
    });
    (data.points || []).forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lon], { radius: 6, color: "#ffffff", weight: 2, fillColor: "#0969da", fillOpacity: 0.9 });
      m.bindTooltip(p.name);
      layers.push(m);
    });
    var group = L.featureGroup(layers).addTo(map);
    if (layers.length) {
      map.fitBounds(group.getBounds().pad(0.2));
    } else {
      map.setView([10.46, 105.63], 9);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
