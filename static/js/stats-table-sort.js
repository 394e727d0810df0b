// Sortable tables: in a <table data-sortable>, each column heading becomes a button that
// sorts the rows by that column (again to reverse). Cells carry their raw value in data-sort-value; empty values
// go last either way. The table works unsorted without JavaScript.
(function () {
  "use strict";

  function compare(a, b, type) {
    if (a === "" && b === "") { return 0; }
    if (a === "") { return 1; }
    if (b === "") { return -1; }
    if (type === "number") { return parseFloat(a) - parseFloat(b); }
    return a.localeCompare(b, document.documentElement.lang || "vi");
  }

  function sortBy(table, th) {
    var headers = Array.prototype.slice.call(th.parentNode.children);
    var index = headers.indexOf(th);
    var type = th.dataset.sortType || "text";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var a = r1.cells[index].dataset.sortValue || "";
      var b = r2.cells[index].dataset.sortValue || "";
      var order = compare(a, b, type);
      if (a === "" || b === "") { return order; }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function init() {
    document.querySelectorAll("table[data-sortable]").forEach(function (table) {
      table.querySelectorAll("thead th").forEach(function (th) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort-button";
        while (th.firstChild) { button.appendChild(th.firstChild); }
        th.appendChild(button);
        button.addEventListener("click", function () { sortBy(table, th); });
      });
      document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
