// Midway's chart component (ui/plot.py): draws a plotly figure with the vendored plotly.js basic
// build (scatter, bar, pie), not Streamlit's st.plotly_chart, whose 4.7 MB bundle is one 1.1 s
// main-thread task to evaluate (benchmarks/long_tasks.py). Called again on every rerun with the
// figure as JSON: Plotly.react redraws only what changed. A click on a point is sent back as the
// trigger value "point" ({x, y}) when the page asked for clicks.
export default function ({ data, parentElement, setTriggerValue }) {
  const box = parentElement.querySelector(".midway-chart");
  const figure = JSON.parse(data.figure);
  box.style.height = (figure.layout.height || 450) + "px"; // its room is kept while plotly.js loads
  box.__midwaySend = setTriggerValue; // the newest: a listener bound on an earlier run calls this one
  window.__midwayCharted = true; // static/preload.js warms plotly.js no more
  midwayPlotly(document).then(function (Plotly) {
    const config = Object.assign({ displaylogo: false }, data.config);
    return Plotly.react(box, figure.data, figure.layout, config).then(function () {
      if (data.clickable && !box.__midwayClicks) {
        box.__midwayClicks = true;
        box.on("plotly_click", function (event) {
          const p = event && event.points && event.points[0];
          if (p && box.__midwaySend) box.__midwaySend("point", { x: p.x, y: p.y });
        });
      }
      if (!box.__midwayResize) { // the column's width changes with the sidebar and presentation mode
        box.__midwayResize = new ResizeObserver(function () { Plotly.Plots.resize(box); });
        box.__midwayResize.observe(box);
      }
    });
  }).catch(function () { // e.g. a deployment that turned static serving off: say so, as text
    box.style.height = "auto";
    box.textContent = "This chart could not be drawn here. Its caption and its table, below, say what it shows.";
  });
}
