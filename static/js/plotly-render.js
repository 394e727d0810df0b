// Draws every Plotly figure on the page: an element with data-figure="<id>" gets the
// figure stored as JSON in the <script id="<id>"> made by Django's json_script.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.dataset.figure);
      if (!source || !window.Plotly) { return; }
      var fig = JSON.parse(JSON.parse(source.textContent));
      window.Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
      el.dataset.rendered = "1";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
