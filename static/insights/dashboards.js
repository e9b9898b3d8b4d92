// Draws the Usage & insights charts from the page's JSON (no inline script: CSP-friendly).
// Each Chart.js instance is kept in window.insightsCharts[id] (the browser tests read it).
(function () {
  "use strict";
  var palette = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"];
  var specs = JSON.parse(document.getElementById("insights-charts").textContent);
  window.insightsCharts = {};
  specs.forEach(function (spec) {
    var canvas = document.querySelector('canvas[data-chart="' + spec.id + '"]');
    if (!canvas || typeof Chart === "undefined") return;
    window.insightsCharts[spec.id] = new Chart(canvas, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          var colour = palette[i % palette.length];
          return { label: s.label, data: s.data, borderColor: colour, backgroundColor: colour, tension: 0.2 };
        })
      },
      options: {
        animation: false,
        responsive: true,
        scales: { x: { stacked: spec.stacked }, y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
