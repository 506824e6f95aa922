// Report charts: reads the JSON block the page renders and draws it with Chart.js (served locally).
(function () {
  "use strict";

  var source = document.getElementById("report-charts");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f3b73", "#2e86de", "#10ac84", "#f39c12", "#c0392b", "#8e44ad"];

  function percent(value) {
    return value === null || value === undefined ? "—" : Math.round(value * 100) + "%";
  }

  var usageCanvas = document.getElementById("chart-usage");
  if (usageCanvas && data.usage) {
    new Chart(usageCanvas, {
      type: "line",
      data: {
        labels: data.usage.labels,
        datasets: data.usage.datasets.map(function (set, i) {
          return {
            label: set.label,
            data: set.data,
            borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length],
            tension: 0,
            pointRadius: data.usage.labels.length > 40 ? 0 : 2
          };
        })
      },
      options: {
        responsive: true,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  var funnelCanvas = document.getElementById("chart-funnel");
  if (funnelCanvas && data.funnel) {
    new Chart(funnelCanvas, {
      type: "bar",
      data: {
        labels: data.funnel.labels,
        datasets: [{ label: "Assets", data: data.funnel.data, backgroundColor: palette.slice(0, 4) }]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  var stageCanvas = document.getElementById("chart-stages");
  if (stageCanvas && data.stages && data.stages.rows.length) {
    var rows = data.stages.rows;
    new Chart(stageCanvas, {
      type: "bar",
      data: {
        labels: rows.map(function (row) { return row.stage; }),
        datasets: [
          {
            label: "With content",
            data: rows.map(function (row) { return row.with_rate === null ? null : row.with_rate * 100; }),
            deals: rows.map(function (row) { return row.with_deals; }),
            backgroundColor: palette[2]
          },
          {
            label: "Without content",
            data: rows.map(function (row) { return row.without_rate === null ? null : row.without_rate * 100; }),
            deals: rows.map(function (row) { return row.without_deals; }),
            backgroundColor: "#adb5bd"
          }
        ]
      },
      options: {
        responsive: true,
        aspectRatio: 3,
        scales: { y: { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (context) {
                var deals = context.dataset.deals[context.dataIndex];
                var rate = context.raw === null ? null : context.raw / 100;
                return context.dataset.label + ": " + percent(rate) + " (" + deals + " deals)";
              }
            }
          }
        }
      }
    });
  }
})();
