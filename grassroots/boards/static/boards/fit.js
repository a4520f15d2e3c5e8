/* Fit text to a board's screen by measuring it, and cut long text into pages.

   Vietnamese words are short syllables with stacked diacritics, so the
   browser lays the text out and we measure it: the largest font size at
   which a text fits its space wins; when even the smallest readable size
   overflows, the text is set at a comfortable size and cut into pages with
   CSS columns (each column one page), and the player turns the pages. */
(function () {
  'use strict';
  const G = (window.GRBoard = window.GRBoard || {});

  /* The unit of sizes: 1% of the screen's height, narrower screens scaled. */
  function unit() {
    return Math.min(window.innerHeight, window.innerWidth * 1.25) / 100;
  }

  /* Return the largest size in [min, max] (px) at which fits() holds, or null. */
  function largest(el, min, max, fits) {
    el.style.fontSize = min + 'px';
    if (!fits()) return null;
    let lo = min;
    let hi = max;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      el.style.fontSize = mid + 'px';
      if (fits()) lo = mid; else hi = mid;
    }
    el.style.fontSize = lo + 'px';
    return lo;
  }

  /* Size a title to at most ``maxLines`` lines and ``maxHeight`` pixels. */
  function fitTitle(el, maxPx, minPx, maxHeight) {
    const size = largest(el, minPx, maxPx, () => el.scrollHeight <= maxHeight + 1);
    if (size === null) {
      el.style.fontSize = minPx + 'px';
      el.style.maxHeight = maxHeight + 'px';
      el.style.overflow = 'hidden';
      return minPx;
    }
    return size;
  }

  /* Lay ``pages`` out inside ``win``; return {size, count, width, gap}. */
  function layoutPages(win, pages, sizes) {
    pages.classList.remove('paged');
    Object.assign(pages.style, { columnWidth: '', columnGap: '', height: '', width: '', transform: '' });
    const height = win.clientHeight;
    const width = win.clientWidth;
    const fits = () => pages.scrollHeight <= height + 1;
    const size = largest(pages, sizes.min, sizes.max, fits);
    if (size !== null) return { size, count: 1, width, gap: 0 };
    const gap = Math.round(sizes.min * 2);
    pages.style.fontSize = sizes.comfortable + 'px';
    pages.classList.add('paged');
    Object.assign(pages.style, {
      height: height + 'px',
      width: width + 'px',
      columnWidth: width + 'px',
      columnGap: gap + 'px',
    });
    const count = Math.max(1, Math.round((pages.scrollWidth + gap) / (width + gap)));
    return { size: sizes.comfortable, count, width, gap };
  }

  function showPage(pages, layout, index) {
    if (layout.count <= 1) return;
    pages.style.transform = 'translateX(' + -index * (layout.width + layout.gap) + 'px)';
  }

  /* Count syllables (Vietnamese words are written one syllable at a time). */
  function syllables(text) {
    const words = (text || '').trim().split(/\s+/);
    return words[0] === '' ? 0 : words.length;
  }

  /* Seconds a page stays: enough to read it (about 5 syllables a second,
     slower from a distance), never less than the board's setting. */
  function pageSeconds(totalSyllables, pageCount, floor) {
    const perPage = totalSyllables / Math.max(1, pageCount);
    return Math.min(90, Math.max(floor, Math.round(perPage * 0.2)));
  }

  G.fit = { unit, fitTitle, layoutPages, showPage, syllables, pageSeconds };
})();
