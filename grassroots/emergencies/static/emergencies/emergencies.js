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
