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

// Long area lists (a province has hundreds of hamlets) get a search box:
// typing "tân" keeps the matching choices, without tone marks too.
(function () {
  var MIN = 12;
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function addSearch(list, items, label) {
    if (list.dataset.grSearch) return;
    list.dataset.grSearch = "1";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "gr-choice-search";
    input.placeholder = label;
    input.setAttribute("aria-label", label);
    list.parentNode.insertBefore(input, list);
    input.addEventListener("input", function () {
      var q = fold(input.value.trim());
      items().forEach(function (item) {
        var text = fold(item.textContent || "");
        var keep = !q || text.indexOf(q) !== -1 || (item.querySelector && item.querySelector("input:checked")) || item.selected;
        item.hidden = !keep;
        if (item.tagName === "OPTION") item.style.display = keep ? "" : "none";
      });
    });
  }
  function start() {
    var label = document.documentElement.lang && document.documentElement.lang.indexOf("vi") === 0 ? "Tìm theo tên…" : "Search by name…";
    document.querySelectorAll("select[multiple], select").forEach(function (select) {
      if (select.options.length >= MIN && /area|commune|hamlet|target/.test(select.name)) {
        addSearch(select, function () { return Array.prototype.slice.call(select.options); }, label);
      }
    });
    document.querySelectorAll("div[id^='id_'], ul[id^='id_']").forEach(function (list) {
      var boxes = list.querySelectorAll(":scope > div, :scope > li");
      if (boxes.length >= MIN && list.querySelector("input[type=checkbox]") && /area|target|cluster/.test(list.id)) {
        addSearch(list, function () { return Array.prototype.slice.call(list.querySelectorAll(":scope > div, :scope > li")); }, label);
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
