// The map of clusters (Leaflet, vendored) and the small map on a cluster's page.
// Tiles come from a configured URL; without one the markers stand on a blank background.
(function () {
  "use strict";
  var COLOURS = { online: "#1a7f37", offline: "#8c959f", alert: "#cf222e", never: "#57606a" };
  // Counts and times as the page's language writes them: 1.234 and 14:05:09 in Vietnamese.
  var lang = document.documentElement.lang || "vi";
  var numbers = new Intl.NumberFormat(lang);

  function baseMap(element, tiles, attribution) {
    var map = L.map(element, { zoomSnap: 0.5, attributionControl: !!tiles });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: attribution || "" }).addTo(map);
    } else {
      element.classList.add("gr-blank");
    }
    return map;
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function marker(c) {
    var colour = COLOURS[c.status] || "#57606a";
    return L.circleMarker([c.lat, c.lon], {
      radius: c.playing ? 9 : 7,
      color: c.in_sync === false ? "#bf8700" : "#ffffff",
      weight: c.in_sync === false ? 3 : 2,
      fillColor: colour,
      fillOpacity: 0.9,
    });
  }

  function startPage(root) {
    var url = root.getAttribute("data-gr-map-url");
    var detail = root.getAttribute("data-gr-detail-url");
    var every = parseInt(root.getAttribute("data-gr-poll-s") || "10", 10) * 1000;
    var map = baseMap(document.getElementById("gr-map"), root.getAttribute("data-tiles"), root.getAttribute("data-attribution"));
    var layer = L.layerGroup().addTo(map);
    var list = root.querySelector("[data-gr-list]");
    var stamp = root.querySelector(".gr-updated");
    var fitted = false;
    function link(c) { return detail.replace(/\/0\/$/, "/" + c.id + "/"); }
    function draw(data) {
      layer.clearLayers();
      var bounds = [];
      var rows = [];
      data.clusters.forEach(function (c) {
        if (c.lat != null && c.lon != null) {
          var m = marker(c);
          m.bindPopup("<strong><a href='" + link(c) + "'>" + escapeHtml(c.code) + "</a></strong><br>" +
            escapeHtml(c.name) + "<br>" + escapeHtml(c.status_text) +
            (c.playing ? "<br>▶ " + escapeHtml(c.playing) : "") + "<br>" + escapeHtml(c.sync_text));
          m.bindTooltip(escapeHtml(c.code));
          m.addTo(layer);
          bounds.push([c.lat, c.lon]);
        }
        rows.push("<tr><td><a href='" + link(c) + "'>" + escapeHtml(c.code) + "</a></td><td>" + escapeHtml(c.hamlet) +
          "</td><td><span class='gr-badge gr-" + c.status + "'>" + escapeHtml(c.status_text) + "</span></td><td>" +
          (c.playing ? "▶ " + escapeHtml(c.playing) : "") + "</td><td>" + (c.volume == null ? "" : c.volume) +
          "</td><td><span class='gr-badge " + (c.in_sync ? "gr-sync" : c.in_sync === false ? "gr-behind" : "gr-none") + "'>" +
          escapeHtml(c.sync_text) + "</span></td></tr>");
      });
      list.innerHTML = rows.join("") || "<tr><td colspan='6'>–</td></tr>";
      Object.keys(data.summary).forEach(function (key) {
        var el = root.querySelector("[data-count='" + key + "']");
        if (el) { el.textContent = numbers.format(data.summary[key]); }
      });
      if (!fitted) {
        if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); } else { map.setView([10.46, 105.63], 9); }
        fitted = true;
      }
      if (stamp) { stamp.textContent = "✓ " + new Date(data.at).toLocaleTimeString(lang); }
    }
    function poll() {
      if (document.hidden && fitted) { return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(draw)
        .catch(function () { if (stamp) { stamp.textContent = "⚠"; } });
    }
    poll();
    setInterval(poll, every);
  }

  function startMini(element) {
    var lat = parseFloat(element.getAttribute("data-lat"));
    var lon = parseFloat(element.getAttribute("data-lon"));
    var map = baseMap(element, element.getAttribute("data-tiles"), element.getAttribute("data-attribution"));
    map.setView([lat, lon], 15);
    L.circleMarker([lat, lon], { radius: 8, color: "#fff", weight: 2, fillColor: "#0969da", fillOpacity: 0.9 }).addTo(map);
  }

  document.querySelectorAll("[data-gr-map-url]").forEach(startPage);
  var mini = document.getElementById("gr-mini-map");
  if (mini) { startMini(mini); }
})();
