/* Live broadcast: the area search, and the speaker's microphone.
 *
 * The microphone is captured with getUserMedia, recorded by MediaRecorder
 * (Opus in WebM or Ogg; MP4 on Safari) in 100 ms chunks and sent as they
 * come over a WebSocket that only this page can open (a one-time token from
 * the server). The level meter reads the same sound. Nothing is loaded from
 * elsewhere.
 */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  function areaSearch(input) {
    var box = document.querySelector(input.getAttribute("data-live-filter"));
    if (!box) return;
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      box.querySelectorAll("label").forEach(function (label) {
        var row = label.closest("li") || label.parentElement;
        row.hidden = wanted !== "" && fold(label.textContent).indexOf(wanted) < 0;
      });
    });
  }

  var TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];

  function pickType() {
    for (var i = 0; i < TYPES.length; i++) {
      if (window.MediaRecorder.isTypeSupported(TYPES[i])) return TYPES[i];
    }
    return "";
  }

  function csrf(section) {
    var field = section.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function microphone(section) {
    var start = section.querySelector("[data-live-start]");
    var stop = section.querySelector("[data-live-stop]");
    var state = section.querySelector("[data-live-state]");
    var meter = section.querySelector("[data-live-meter]");
    var text = function (name) { return section.getAttribute("data-" + name + "-text"); };
    var stream = null, recorder = null, socket = null, audio = null, ended = false;

    function say(message) { state.textContent = message; }

    function release() {
      if (recorder && recorder.state !== "inactive") recorder.stop();
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      if (audio) audio.close();
      recorder = null; stream = null; audio = null;
      meter.style.width = "0";
      stop.hidden = true;
    }

    function finished(message) {
      if (ended) return;
      ended = true;
      release();
      say(message);
      start.hidden = true;
      if (window.htmx) window.htmx.trigger("#live-status", "htmx:load");
    }

    function showLevel(source) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
      var analyser = audio.createAnalyser();
      analyser.fftSize = 1024;
      audio.createMediaStreamSource(source).connect(analyser);
      var samples = new Float32Array(analyser.fftSize);
      (function draw() {
        if (!audio) return;
        analyser.getFloatTimeDomainData(samples);
        var sum = 0;
        for (var i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
        var rms = Math.sqrt(sum / samples.length);
        meter.style.width = Math.min(100, Math.round(rms * 300)) + "%";
        window.requestAnimationFrame(draw);
      })();
    }

    function send(socketUrl, token) {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + window.location.host + socketUrl + "?token=" + encodeURIComponent(token));
      socket.binaryType = "arraybuffer";
      socket.onopen = function () {
        var type = pickType();
        socket.send(JSON.stringify({ type: "start", mime: type }));
        recorder = type ? new MediaRecorder(stream, { mimeType: type, audioBitsPerSecond: 64000 })
          : new MediaRecorder(stream);
        recorder.ondataavailable = function (event) {
          if (event.data && event.data.size && socket.readyState === WebSocket.OPEN) {
            socket.send(event.data);
          }
        };
        recorder.start(100);
        stop.hidden = false;
      };
      socket.onmessage = function (event) {
        var message;
        try { message = JSON.parse(event.data); } catch (e) { return; }
        if (message.type === "on_air") say(text("on-air"));
        if (message.type === "ended") finished(text("ended"));
      };
      socket.onclose = function () { finished(text("lost")); };
    }

    start.addEventListener("click", function () {
      if (!navigator.mediaDevices || !window.MediaRecorder || !window.WebSocket) {
        say(text("unsupported"));
        return;
      }
      start.disabled = true;
      say(text("connecting"));
      navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 }
      }).then(function (captured) {
        stream = captured;
        showLevel(stream);
        return fetch(section.getAttribute("data-microphone-url"), {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRFToken": csrf(section), "Accept": "application/json" }
        });
      }).then(function (answer) {
        return answer.json().then(function (body) {
          if (!answer.ok) throw new Error(body.message || answer.statusText);
          return body;
        });
      }).then(function (body) {
        start.hidden = true;
        send(body.socket, body.token);
      }).catch(function (error) {
        release();
        start.disabled = false;
        say(error && error.name === "NotAllowedError" ? text("denied") : String(error.message || error));
      });
    });

    stop.addEventListener("click", function () {
      stop.disabled = true;
      if (recorder && recorder.state !== "inactive") recorder.stop();
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "end" }));
      } else {
        finished(text("ended"));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live-filter]").forEach(areaSearch);
    document.querySelectorAll("[data-live-mic]").forEach(microphone);
  });
})();
