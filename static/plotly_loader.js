// How a page gets Midway's plotly.js (static/vendor/, served by Streamlit's static serving): one
// script element per browser tab, whoever asks first. static/preload.js asks once the first page is idle
// (evaluating it is a 0.14 s task that would otherwise fall on the first chart page); the chart
// component (ui/plot.py) asks when it draws, and waits for the same promise if preload.js asked first.
function midwayPlotly(doc) {
  const win = doc.defaultView || window;
  if (!win.__midwayPlotly) {
    win.__midwayPlotly = new Promise(function (resolve, reject) {
      if (win.Plotly) return resolve(win.Plotly);
      // Streamlit's own bundle is at BASE/static/js/index.HASH.js, the app's static folder at BASE/app/static/
      const main = doc.querySelector('script[type="module"][src*="static/js/index."]');
      const base = main ? main.src.slice(0, main.src.lastIndexOf("static/js/")) : new URL("./", doc.baseURI).href;
      const script = doc.createElement("script");
      script.src = base + "app/static/vendor/" + MIDWAY_PLOTLY_FILE;
      script.onload = function () { resolve(win.Plotly); };
      script.onerror = function () { win.__midwayPlotly = null; reject(new Error("plotly.js did not load")); };
      doc.head.appendChild(script);
    });
  }
  return win.__midwayPlotly;
}
