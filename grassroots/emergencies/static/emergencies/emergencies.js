// Drill mode is one switch: on the first screen it turns the page over in place
// (the emergency's form or the drill's), no page load; without JavaScript it is
// a link to the other form.
(function () {
  function start() {
    var page = document.querySelector("[data-emg-start]");
    if (!page) return;
    var sw = page.querySelector("[data-testid=drill-switch]");
    var real = page.querySelector("[data-emg-mode=real]");
    var drill = page.querySelector("[data-emg-mode=drill]");
    if (!sw || !real || !drill) return;
    sw.addEventListener("click", function (event) {
      event.preventDefault();
      var on = sw.getAttribute("aria-checked") !== "true";
      sw.setAttribute("aria-checked", on ? "true" : "false");
      sw.classList.toggle("is-on", on);
      page.classList.toggle("emg-drill", on);
      real.hidden = on;
      drill.hidden = !on;
      sw.setAttribute("href", (on ? real : drill).dataset.url);
      if (window.history && history.replaceState) history.replaceState(null, "", (on ? drill : real).dataset.url);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Ticking an area unticks those it lies in or that lie in it: one area chosen
// inside another would air with it anyway, so the choice means what it shows.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[type=checkbox][data-path]") || !box.checked) return;
  var list = box.closest("div.emg-choices") || box.form;
  list.querySelectorAll("input[type=checkbox][data-path]:checked").forEach(function (other) {
    if (other === box) return;
    var a = other.dataset.path, b = box.dataset.path;
    if (a.indexOf(b) === 0 || b.indexOf(a) === 0) other.checked = false;
  });
});
