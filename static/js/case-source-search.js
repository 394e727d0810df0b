// Suggests source cases while the user types a code, name or phone (progressive enhancement:
// without it, typing the code works).
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.url;
  var input = document.querySelector("[data-source-search]");
  var list = document.getElementById("source-options");
  if (!url || !input || !list) { return; }
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { return; }
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          list.replaceChildren();
          data.results.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.code;
            option.label = item.label;
            option.textContent = item.label;
            list.appendChild(option);
          });
        });
    }, 200);
  });
})();
