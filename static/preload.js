// The chart bundle, loaded while the first page is read. Streamlit's frontend fetches plotly (a
// 4.7 MB module) only when a page first draws a chart, so the first chart page after the app opens
// (the team heatmap, usually) paid about a second for it. Once the browser is idle, this imports the
// same module Streamlit will ask for (same URL, so the same module instance), then does nothing more.
// MIDWAY_CHART_BUNDLE is set by ui/navigation.py from the file name in Streamlit's own static folder.
(function () {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  const win = doc.defaultView || window;
  if (win.__midwayPreload || typeof MIDWAY_CHART_BUNDLE !== "string") return;
  win.__midwayPreload = true;
  function load() {
    const main = doc.querySelector('script[type="module"][src*="static/js/index."]');
    if (!main) return;
    import(new URL(MIDWAY_CHART_BUNDLE, main.src).href).catch(function () {});  // Streamlit loads it itself if this fails
  }
  if (win.requestIdleCallback) win.requestIdleCallback(load, { timeout: 4000 });
  else win.setTimeout(load, 1500);
})();
