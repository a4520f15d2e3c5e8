// While the operator chooses the time and the targets, show the airings it
// would clash with, above the "I have checked" box: one submission decides.
(function () {
  function start() {
    var box = document.getElementById("id_confirm_clashes");
    var form = box && box.form;
    if (!form || !box.dataset.clashesUrl) return;
    var out = document.createElement("div");
    out.id = "gr-clashes";
    out.setAttribute("aria-live", "polite");
    var field = box.closest(".w-panel") || box.closest(".w-field__wrapper") || box.parentNode;
    field.parentNode.insertBefore(out, field);
    var timer = null;
    function check() {
      var params = new URLSearchParams(new FormData(form));
      params.delete("csrfmiddlewaretoken");
      fetch(box.dataset.clashesUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { out.innerHTML = html; })
        .catch(function () {});
    }
    function openCustom() {
      // "Tùy chỉnh" chosen: unfold the panel holding the date, time and repetition.
      var chosen = form.querySelector("input[name=when]:checked");
      if (!chosen || chosen.value !== "custom") return;
      var rule = document.getElementById("id_rule");
      var panel = rule && rule.closest("section.w-panel, .w-panel");
      var toggle = panel && panel.querySelector("[aria-expanded=false]");
      if (toggle) toggle.click();
    }
    form.addEventListener("change", function (e) {
      if (e.target === box) return;
      if (e.target.name === "when") openCustom();
      clearTimeout(timer);
      timer = setTimeout(check, 250);
    });
    openCustom();
    check();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
