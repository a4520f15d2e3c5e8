/* A picture of what the board shows, drawn by the board itself.

   The screen's DOM is copied into an SVG <foreignObject> with the player's
   stylesheet, drawn on a canvas and sent as a small JPEG. It is the board's
   own rendering of its own text, sizes and layout, not a reconstruction on
   the server. Pictures and the current video frame are copied in; pages of
   other sites (iframes) cannot be copied and appear as a named box. */
(function () {
  'use strict';
  const G = (window.GRBoard = window.GRBoard || {});
  let cssText = null;

  async function stylesheet(url) {
    if (cssText === null) {
      const response = await fetch(url);
      cssText = response.ok ? await response.text() : '';
    }
    return cssText;
  }

  function frameOf(media) {
    const canvas = document.createElement('canvas');
    const w = media.videoWidth || media.naturalWidth || 0;
    const h = media.videoHeight || media.naturalHeight || 0;
    if (!w || !h) return null;
    const scale = Math.min(1, 960 / w);
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    try {
      canvas.getContext('2d').drawImage(media, 0, 0, canvas.width, canvas.height);
      return canvas.toDataURL('image/jpeg', 0.8);
    } catch (error) {
      return null;
    }
  }

  function prepare(root) {
    const copy = root.cloneNode(true);
    const originals = root.querySelectorAll('img, video, iframe');
    const copies = copy.querySelectorAll('img, video, iframe');
    originals.forEach((original, i) => {
      const target = copies[i];
      if (original.tagName === 'IFRAME') {
        const box = document.createElement('div');
        box.className = 'snap-frame';
        box.textContent = original.getAttribute('src') || '';
        target.replaceWith(box);
        return;
      }
      const data = frameOf(original);
      const img = document.createElement('img');
      img.className = original.className;
      if (data) img.setAttribute('src', data);
      target.replaceWith(img);
    });
    // Animations (the ticker) are not in the copied styles: freeze them where they are.
    root.querySelectorAll('.ticker-track').forEach((track, i) => {
      const moved = copy.querySelectorAll('.ticker-track')[i];
      if (moved) moved.style.transform = getComputedStyle(track).transform;
    });
    copy.querySelectorAll('[hidden]').forEach((el) => el.remove());
    return copy;
  }

  /* Return a JPEG Blob of ``root`` as it is on screen, ``width`` pixels wide. */
  async function take(root, cssUrl, width) {
    const w = window.innerWidth;
    const h = window.innerHeight;
    const css = await stylesheet(cssUrl);
    const copy = prepare(root);
    const xhtml = new XMLSerializer().serializeToString(copy);
    const style = document.createElement('style');
    // A picture is one instant: animations would restart at their first frame.
    style.textContent = css + '\n*,*::before,*::after{animation:none!important;transition:none!important}';
    const styleXml = new XMLSerializer().serializeToString(style);
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + h + '">' +
      '<foreignObject x="0" y="0" width="100%" height="100%">' +
      '<div xmlns="http://www.w3.org/1999/xhtml" style="width:' + w + 'px;height:' + h + 'px">' +
      styleXml + xhtml + '</div></foreignObject></svg>';
    const image = new Image();
    image.width = w;
    image.height = h;
    image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
    await image.decode();
    const canvas = document.createElement('canvas');
    const scale = Math.min(1, width / w);
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('empty'))), 'image/jpeg', 0.72);
    });
  }

  G.snapshot = { take };
})();
