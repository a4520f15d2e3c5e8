/* The tracking page: "notify me" subscribes this phone to the item's status changes. */
(function () {
  "use strict";
  var box = document.getElementById("follow");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  box.hidden = false;
  var status = document.getElementById("follow-status");
  function b64(text) {
    var raw = atob((text + "=".repeat((4 - text.length % 4) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  document.getElementById("follow-on").addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { status.textContent = box.dataset.denied; throw null; }
      return Promise.all([navigator.serviceWorker.ready,
        fetch("/api/v1/citizen/push/key").then(function (r) { return r.json(); })]);
    }).then(function (both) {
      return both[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64(both[1].public_key) });
    }).then(function (sub) {
      var body = sub.toJSON(); body.feedback_code = box.dataset.code;
      return fetch("/api/v1/citizen/push/subscriptions", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      });
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      status.textContent = box.dataset.on;
    }).catch(function (e) { if (e !== null) status.textContent = box.dataset.failed; });
  });
})();
