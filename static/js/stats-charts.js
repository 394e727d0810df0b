// Draws the dashboard's Plotly figures. Each element with data-stats-figure="<id>" gets the
// figure that Django's json_script stored in <script id="<id>">. Without JavaScript the
// page still shows the headline, the league table and the CSV links.
(function () {
  "use strict";
  var config = {
    responsive: true,
    displaylogo: false,
    // No "Share chart" button: it would send the figures to Plotly's cloud.
    showSendToCloud: false,
    showEditInChartStudio: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"],
  };

  // The mode bar's words and the month names in the page's language, from
  // <script id="plotly-locale"> (none in English, plotly.js's own).
  function useLocale() {
    var source = document.getElementById("plotly-locale");
    if (!source) { return; }
    var locale = JSON.parse(source.textContent);
    window.Plotly.register(locale);
    config.locale = locale.name;
  }

  function draw() {
    if (!window.Plotly) { return; }
    useLocale();
    document.querySelectorAll("[data-stats-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.statsFigure);
      if (!source) { return; }
      var fig = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, fig.data, fig.layout, config).then(function () {
        el.dataset.rendered = "1";
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
