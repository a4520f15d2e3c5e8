// Give each listing cell its column's name, so that on a phone a row reads as a
// card ("Trạng thái: chờ duyệt"); lists refreshed by filters are labelled again.
(function () {
  function label(root) {
    root.querySelectorAll("table.listing").forEach(function (table) {
      var heads = Array.prototype.map.call(
        table.querySelectorAll("thead th"),
        function (th) {
          var text = th.textContent.replace(/\s+/g, " ").trim();
          return text.charAt(0).toUpperCase() + text.slice(1);
        }
      );
      if (!heads.length) return;
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (td, i) {
          if (td.hasAttribute("data-label")) return;
          if (heads[i]) td.setAttribute("data-label", heads[i]);
          if (!td.textContent.trim() && !td.querySelector("img, svg, input, button")) {
            td.setAttribute("data-empty", "");
          }
        });
      });
    });
  }
  function start() {
    label(document);
    new MutationObserver(function () { label(document); }).observe(document.body, {
      childList: true, subtree: true,
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
