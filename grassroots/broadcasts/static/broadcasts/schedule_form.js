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
    form.addEventListener("change", function (e) {
      if (e.target === box) return;
      clearTimeout(timer);
      timer = setTimeout(check, 250);
    });
    check();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
