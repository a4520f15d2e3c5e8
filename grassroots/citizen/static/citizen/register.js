/* Register the citizen app's service worker (the portal works without it). */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!("serviceWorker" in navigator) || !me) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(me.dataset.sw, { scope: "/" }).catch(function () {});
  });
})();
