// The code later pages need, fetched while the first page is read. Streamlit's frontend fetches an
// element's code only when a page first draws it, so the first chart or table page after the app
// opened waited for it. Once the browser is idle, this adds a modulepreload link for each module of
// MIDWAY_PRELOAD.later (fetched and compiled, not run) and loads plotly.js (static/plotly_loader.js),
// whose evaluation is most of a chart's first cost. The URLs are the ones Streamlit will ask for, so
// the browser reuses what this fetched; the file names come from ui/frontend_chunks.py, which reads
// them from Streamlit's own static folder.
(function () {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  const win = doc.defaultView || window;
  if (win.__midwayPreload || typeof MIDWAY_PRELOAD !== "object") return;
  win.__midwayPreload = true;
  function load() {
    const main = doc.querySelector('script[type="module"][src*="static/js/index."]');
    if (!main) return;
    for (const file of MIDWAY_PRELOAD.later) {
      const link = doc.createElement("link");
      link.rel = "modulepreload";
      link.crossOrigin = "anonymous";
      link.href = new URL(file, main.src).href;
      doc.head.appendChild(link);
    }
    midwayPlotly(doc).catch(function () {});  // the chart component asks again if this fails
  }
  if (win.requestIdleCallback) win.requestIdleCallback(load, { timeout: 4000 });
  else win.setTimeout(load, 1500);
})();
