/* Live SMS preview and counter: the text a person will receive, its length and parts.
 *
 * Mirrors tracing_portal/notifications/text.py (strip_diacritics, sms_count): GSM-7 is 160
 * septets alone or 153 a part, with ^{}\[~]|€ and form feed taking two; anything outside
 * the GSM alphabet makes the message UCS-2, 70 units alone or 67 a part. A two-unit
 * character is never cut across parts. Progressive enhancement: without this script the
 * page shows the server's preview and its "Preview" button.
 */
(function () {
  "use strict";

  var GSM7_BASIC =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ" +
    " !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§" +
    "¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENSION = "\f^{}\\[~]|€";
  var PUNCTUATION = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " "
  };

  function stripDiacritics(text) {
    text = text.replace(/đ/g, "d").replace(/Đ/g, "D");
    text = text.replace(/[\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0]/g, function (c) {
      return PUNCTUATION[c];
    });
    return text.normalize("NFD").replace(/\p{Mn}/gu, "").normalize("NFC");
  }

  function parts(units, partSize) {
    var count = 1, used = 0;
    units.forEach(function (size) {
      if (used + size > partSize) { count += 1; used = 0; }
      used += size;
    });
    return count;
  }

  function smsCount(text) {
    var chars = Array.from(text);
    var gsm = chars.every(function (c) {
      return GSM7_BASIC.indexOf(c) !== -1 || GSM7_EXTENSION.indexOf(c) !== -1;
    });
    var units = chars.map(function (c) {
      if (gsm) { return GSM7_EXTENSION.indexOf(c) !== -1 ? 2 : 1; }
      return c.codePointAt(0) > 0xffff ? 2 : 1;
    });
    var single = gsm ? 160 : 70, part = gsm ? 153 : 67;
    var length = units.reduce(function (a, b) { return a + b; }, 0);
    var segments = length === 0 ? 0 : (length <= single ? 1 : parts(units, part));
    return {
      encoding: gsm ? "gsm7" : "ucs2",
      length: length,
      segments: segments,
      limit: segments <= 1 ? single : part * segments
    };
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) { return values[name]; });
  }

  function setUp(form) {
    var variantsNode = document.getElementById(form.dataset.smsVariants || "sms-variants");
    var preview = document.querySelector(form.dataset.smsPreview || "[data-sms-preview]");
    if (!variantsNode || !preview) { return; }
    var variants = JSON.parse(variantsNode.textContent);
    var kind = form.querySelector("[name=template_kind]");
    var diacritics = form.querySelector("[name=with_diacritics]");
    var textNode = preview.querySelector("[data-sms-text]");
    var countNode = preview.querySelector("[data-sms-count]");
    var errorNode = preview.querySelector("[data-sms-error]");
    var sendButton = form.querySelector("[data-sms-send]");
    var resendButton = form.querySelector("[data-sms-resend]");
    var sentNote = form.querySelector("[data-sms-sent-note]");

    function update() {
      var variant = variants[kind.value] || {};
      var hasText = typeof variant.text === "string";
      errorNode.textContent = variant.error || "";
      errorNode.hidden = !variant.error;
      if (!hasText) {
        textNode.textContent = "";
        countNode.textContent = "";
      } else {
        var text = diacritics && diacritics.checked ? variant.text : stripDiacritics(variant.text);
        var count = smsCount(text);
        textNode.textContent = text;
        countNode.textContent = fill(countNode.dataset.template, {
          length: count.length,
          limit: count.limit,
          parts: count.segments,
          encoding: count.encoding === "gsm7" ? countNode.dataset.gsm7 : countNode.dataset.ucs2
        });
      }
      if (sendButton && resendButton) {
        sendButton.hidden = Boolean(variant.sent);
        resendButton.hidden = !variant.sent;
        form.querySelectorAll("[data-sms-send] button, [data-sms-resend] button").forEach(
          function (button) { button.disabled = !hasText; }
        );
      }
      if (sentNote) { sentNote.hidden = !variant.sent; sentNote.textContent = variant.sent || ""; }
    }

    kind.addEventListener("change", update);
    if (diacritics) { diacritics.addEventListener("change", update); }
    // One submit: a second click while the first request is on its way does nothing.
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitted) { event.preventDefault(); return; }
      var submitter = event.submitter;
      if (submitter && submitter.value !== "preview") {
        form.dataset.submitted = "1";
        window.setTimeout(function () { delete form.dataset.submitted; }, 5000);
      }
    });
    update();
  }

  window.smsCount = smsCount;
  window.smsStripDiacritics = stripDiacritics;
  document.querySelectorAll("form[data-sms-form]").forEach(setUp);
})();
