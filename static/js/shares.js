// Shares pages: per-page time charts, copy-link button, revoke confirmation, asset picker filter.
(function () {
  "use strict";

  function chartData() {
    var block = document.getElementById("share-charts");
    if (!block) {
      return {};
    }
    try {
      return JSON.parse(block.textContent || "{}");
    } catch (err) {
      return {};
    }
  }

  function drawCharts() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    var data = chartData();
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var entry = data[canvas.getAttribute("data-chart")];
      if (!entry || !entry.values || !entry.values.length) {
        return;
      }
      var fallback = canvas.closest(".card-body") && canvas.closest(".card-body").querySelector(".chart-fallback");
      if (fallback) {
        fallback.hidden = true;
      }
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: entry.labels,
          datasets: [{ label: "Seconds", data: entry.values, backgroundColor: "#1f3b73" }]
        },
        options: {
          maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, title: { display: true, text: "seconds" } } }
        }
      });
    });
  }

  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var input = document.querySelector(button.getAttribute("data-copy"));
      if (!input) {
        return;
      }
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener("click", function () {
        var done = function () {
          button.textContent = button.getAttribute("data-copied-text") || "Copied";
          window.setTimeout(function () { button.textContent = label; }, 2000);
        };
        input.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () {
            document.execCommand("copy");
            done();
          });
        } else {
          document.execCommand("copy");
          done();
        }
      });
    });
  }

  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  }

  function assetPicker() {
    document.querySelectorAll("[data-filter-list]").forEach(function (input) {
      var list = document.querySelector(input.getAttribute("data-filter-list"));
      if (!list) {
        return;
      }
      input.hidden = false;
      input.addEventListener("input", function () {
        var needle = input.value.trim().toLowerCase();
        list.querySelectorAll("[data-filter-text]").forEach(function (row) {
          row.hidden = needle !== "" && row.getAttribute("data-filter-text").indexOf(needle) === -1;
        });
      });
    });
    // keep ticked assets when searching the server for more
    var search = document.getElementById("asset-search");
    var list = document.getElementById("asset-list");
    if (!search || !list) {
      return;
    }
    search.addEventListener("submit", function () {
      search.querySelectorAll("input[name=asset_id]").forEach(function (hidden) { hidden.remove(); });
      list.querySelectorAll("input[name=asset_id]:checked").forEach(function (box) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "asset_id";
        hidden.value = box.value;
        search.appendChild(hidden);
      });
    });
  }

  drawCharts();
  copyButtons();
  confirmForms();
  assetPicker();
})();
