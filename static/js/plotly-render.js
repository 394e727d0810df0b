// Draws every Plotly figure on the page: an element with data-figure="<id>" gets the
// figure stored as JSON in the <script id="<id>"> made by Django's json_script.
(function () {
  "use strict";
  var config = {
    responsive: true,
    displaylogo: false,
    // No "Share chart" button: it would send the figure to Plotly's cloud.
    showSendToCloud: false,
    showEditInChartStudio: false,
  };

  // The mode bar's words and the month names in the page's language, from
  // <script id="plotly-render-locale"> (none in English, plotly.js's own).
  function useLocale() {
    var source = document.getElementById("plotly-render-locale");
    if (!source) { return; }
    var locale = JSON.parse(source.textContent);
    window.Plotly.register(locale);
    config.locale = locale.name;
  }

  function draw() {
    if (!window.Plotly) { return; }
    useLocale();
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.figure);
      if (!source) { return; }
      var fig = JSON.parse(JSON.parse(source.textContent));
      window.Plotly.newPlot(el, fig.data, fig.layout, config);
      el.dataset.rendered = "1";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
