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
    midwayPlotly(doc).then(function (Plotly) {
      idle(function () { warm(Plotly, MIDWAY_PRELOAD.warm); }, 200);
    }).catch(function () {});  // the chart component asks again if this fails
  }
  // A first drawing runs code V8 has not compiled yet: 0.1-0.2 s more than a later one, on the first
  // chart page. The figures of MIDWAY_PRELOAD.warm (ui/charts.warm_up_figures: the parts Midway's
  // charts use) are drawn off screen, hidden from assistive technology, one per idle moment, and
  // never in the way of a page: not while the app runs a page's script (its drawing follows), and
  // not at all once a real chart is drawn (static/chart.js), which warms the same code.
  function warm(Plotly, figures) {
    if (!figures || !figures.length || win.__midwayCharted) return;
    const app = doc.querySelector('[data-testid="stApp"]');
    const state = app ? app.getAttribute("data-test-script-state") : null;  // Streamlit's own marker
    if (state === "running" || state === "rerunRequested") {
      win.setTimeout(function () { idle(function () { warm(Plotly, figures); }, 200); }, 300);
      return;
    }
    const box = doc.createElement("div");
    box.setAttribute("aria-hidden", "true");
    box.style.cssText = "position:fixed;left:-10000px;top:0;width:1000px;visibility:hidden";
    doc.body.appendChild(box);
    const done = function () {
      Plotly.purge(box);
      box.remove();
      win.__midwayWarmed = (win.__midwayWarmed || 0) + 1;  // the browser test counts them
      idle(function () { warm(Plotly, figures.slice(1)); }, 200);
    };
    Plotly.newPlot(box, figures[0].data, figures[0].layout, { displayModeBar: false }).then(done, done);
  }
  // `fn` once the browser is idle; where it cannot tell (no requestIdleCallback), after `wait` ms
  function idle(fn, wait) {
    if (win.requestIdleCallback) win.requestIdleCallback(fn, { timeout: 4000 });
    else win.setTimeout(fn, wait);
  }
  idle(load, 1500);
})();
