// Share viewer: shows one page at a time and reports the seconds spent on each page.
// Reports are cumulative per page (the server keeps the highest value), so repeats are harmless.
(function () {
  "use strict";

  var root = document.getElementById("viewer");
  if (!root) {
    return;
  }
  var pages = Array.prototype.slice.call(root.querySelectorAll(".viewer-page"));
  var total = pages.length;
  var assetId = parseInt(root.getAttribute("data-asset"), 10);
  var beaconUrl = root.getAttribute("data-beacon-url");
  var tracked = root.getAttribute("data-tracked") === "1";

  var TICK_MS = 1000;
  var HEARTBEAT_MS = 15000;
  var FIRST_REPORT_MS = 3000;
  var IDLE_MS = 5 * 60 * 1000;
  var MAX_TICK_SECONDS = 5;
  var PAGES_PER_BEACON = 100;

  var times = {};
  try {
    var baseline = JSON.parse(document.getElementById("viewer-baseline").textContent || "{}");
    Object.keys(baseline).forEach(function (page) {
      var value = Number(baseline[page]);
      if (isFinite(value) && value >= 0) {
        times[page] = value;
      }
    });
  } catch (err) {
    times = {};
  }

  var current = 1;
  var dirty = false;
  var lastTick = Date.now();
  var lastActivity = Date.now();
  var counting = document.visibilityState === "visible";

  // add the time since the last tick to the current page, if the page was on screen and in use
  function accrue() {
    var now = Date.now();
    var seconds = (now - lastTick) / 1000;
    lastTick = now;
    if (!counting || now - lastActivity > IDLE_MS || seconds <= 0) {
      return;
    }
    times[current] = (times[current] || 0) + Math.min(seconds, MAX_TICK_SECONDS);
    dirty = true;
  }

  function post(body) {
    var sent = false;
    if (navigator.sendBeacon) {
      try {
        sent = navigator.sendBeacon(beaconUrl, body);
      } catch (err) {
        sent = false;
      }
    }
    if (!sent && window.fetch) {
      window.fetch(beaconUrl, {
        method: "POST",
        body: body,
        keepalive: true,
        credentials: "same-origin",
        headers: { "Content-Type": "text/plain" }
      }).catch(function () {});
    }
  }

  function report() {
    accrue();
    if (!tracked || !dirty) {
      return;
    }
    dirty = false;
    var keys = Object.keys(times);
    for (var start = 0; start < keys.length; start += PAGES_PER_BEACON) {
      var chunk = {};
      keys.slice(start, start + PAGES_PER_BEACON).forEach(function (page) {
        chunk[page] = Math.round(times[page] * 10) / 10;
      });
      post(JSON.stringify({ asset: assetId, pages: chunk }));
    }
  }

  var pager = document.getElementById("viewer-pager");
  var prev = document.getElementById("viewer-prev");
  var next = document.getElementById("viewer-next");
  var position = document.getElementById("viewer-current");

  function prefetch(n) {
    if (n < 1 || n > total) {
      return;
    }
    var img = pages[n - 1].querySelector("img[loading=lazy]");
    if (img) {
      img.loading = "eager";
    }
  }

  function show(n, scroll) {
    n = Math.max(1, Math.min(total, n));
    accrue();
    current = n;
    if (total > 1) {
      pages.forEach(function (page, i) {
        page.hidden = i + 1 !== n;
      });
      prefetch(n + 1);
      prefetch(n - 1);
      position.textContent = String(n);
      prev.disabled = n === 1;
      next.disabled = n === total;
      if (scroll) {
        window.scrollTo(0, 0);
      }
    }
    if (!(n in times)) {
      times[n] = 0;
    }
    dirty = true;
  }

  function activity() {
    lastActivity = Date.now();
  }

  if (total > 1 && pager) {
    pager.hidden = false;
    prev.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () { show(current + 1, true); });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "INPUT" || tag === "TEXTAREA" || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.key === "ArrowRight" || event.key === "PageDown") {
        show(current + 1, true);
        event.preventDefault();
      } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
        show(current - 1, true);
        event.preventDefault();
      }
    });
    // swipe left or right on a phone turns the page (not while zoomed in)
    var touchX = null;
    var touchY = null;
    root.addEventListener("touchstart", function (event) {
      if (event.touches.length !== 1) {
        touchX = null;
        return;
      }
      touchX = event.touches[0].clientX;
      touchY = event.touches[0].clientY;
    }, { passive: true });
    root.addEventListener("touchend", function (event) {
      if (touchX === null || (window.visualViewport && window.visualViewport.scale > 1.05)) {
        return;
      }
      var dx = event.changedTouches[0].clientX - touchX;
      var dy = event.changedTouches[0].clientY - touchY;
      touchX = null;
      if (Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy)) {
        show(current + (dx < 0 ? 1 : -1), true);
      }
    }, { passive: true });
  }

  var start = 1;
  var match = /^#page-(\d+)$/.exec(window.location.hash);
  if (match) {
    start = parseInt(match[1], 10);
  }
  show(start, false);

  ["mousemove", "mousedown", "keydown", "scroll", "touchstart", "wheel"].forEach(function (name) {
    window.addEventListener(name, activity, { passive: true });
  });
  document.addEventListener("visibilitychange", function () {
    accrue();
    counting = document.visibilityState === "visible";
    lastTick = Date.now();
    if (!counting) {
      report();
    } else {
      activity();
    }
  });
  window.addEventListener("pagehide", report);
  window.setInterval(accrue, TICK_MS);
  window.setInterval(report, HEARTBEAT_MS);
  window.setTimeout(report, FIRST_REPORT_MS);
})();
