// Keep the live cells of a page (list or detail) up to date by polling a cheap endpoint.
// The server renders each cell with the same template as the page, so this only swaps HTML.
(function () {
  "use strict";
  function start(root) {
    var url = root.getAttribute("data-gr-live-url");
    var every = parseInt(root.getAttribute("data-gr-poll-s") || "10", 10) * 1000;
    var stamp = document.querySelector(".gr-updated");
    function poll() {
      if (document.hidden) { return; }
      var cells = document.querySelectorAll("[data-live-id]");
      var ids = {};
      cells.forEach(function (cell) { ids[cell.getAttribute("data-live-id")] = true; });
      var list = Object.keys(ids);
      if (!list.length) { return; }
      var sep = url.indexOf("?") >= 0 ? "&" : "?";
      fetch(url + sep + "cells=1&ids=" + list.join(","), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (data) {
          var byId = {};
          data.clusters.forEach(function (c) { byId[c.id] = c; });
          cells.forEach(function (cell) {
            var info = byId[cell.getAttribute("data-live-id")];
            var field = cell.getAttribute("data-live-field");
            if (info && info.cells && field in info.cells && cell.innerHTML !== info.cells[field]) {
              cell.innerHTML = info.cells[field];
              cell.classList.add("gr-flash");
              setTimeout(function () { cell.classList.remove("gr-flash"); }, 1200);
            }
          });
          if (stamp) { stamp.textContent = " ✓ " + new Date(data.at).toLocaleTimeString("vi-VN"); }
        })
        .catch(function () { if (stamp) { stamp.textContent = " ⚠"; } });
    }
    setInterval(poll, every);
    document.addEventListener("visibilitychange", poll);
  }
  document.querySelectorAll("[data-gr-live-url]").forEach(start);
})();
