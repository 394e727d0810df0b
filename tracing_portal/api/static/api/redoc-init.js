// ReDoc for /api/v1/redoc/: the schema URL comes from the page, so no inline script is needed.
"use strict";
(function () {
  const container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.schemaUrl, { hideDownloadButton: false }, container);
})();
