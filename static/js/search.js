// Live search: results follow typing (debounced). Keystroke fetches carry live=1 and are not recorded
// as searches; once typing settles, the same URL is fetched without it so the search is recorded once.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var target = document.getElementById("search-results");
  if (!form || !input || !target || !window.fetch) { return; }

  var LIVE_DELAY = 250;
  var SETTLE_DELAY = 1200;
  var liveTimer = null;
  var settleTimer = null;
  var sequence = 0;
  var controller = null;
  var lastLive = null;

  function pageUrl() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("page");
    if (!params.get("q")) { params.delete("q"); }
    var query = params.toString();
    return form.getAttribute("data-fragment-url") + (query ? "?" + query : "");
  }

  function load(settled) {
    var url = pageUrl();
    var fetchUrl = url + (url.indexOf("?") >= 0 ? "&" : "?") + "fragment=1" + (settled ? "" : "&live=1");
    if (!settled && url === lastLive) { return; }
    if (!settled) { lastLive = url; }
    var mine = ++sequence;
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(fetchUrl, {
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error("search failed: " + response.status); }
      return response.text();
    }).then(function (html) {
      if (mine !== sequence) { return; }
      target.innerHTML = html;
      window.history.replaceState(null, "", url);
    }).catch(function () {
      // on a network hiccup the form still works: pressing Enter reloads the page
    });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(liveTimer);
    window.clearTimeout(settleTimer);
    liveTimer = window.setTimeout(function () { load(false); }, LIVE_DELAY);
    settleTimer = window.setTimeout(function () { load(true); }, SETTLE_DELAY);
  });

  form.addEventListener("submit", function () {
    // the page load records this search; the pending settle fetch would record it twice
    window.clearTimeout(liveTimer);
    window.clearTimeout(settleTimer);
  });

  document.querySelectorAll(".js-autosubmit").forEach(function (element) {
    element.addEventListener("change", function () { element.form.submit(); });
  });
})();
