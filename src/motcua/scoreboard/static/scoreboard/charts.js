/* motcua scoreboard: the monthly trend chart, drawn with the vendored Chart.js (no CDN).
   Data comes from a json_script element: {labels, total: [..|null], groups: [{code, name, max, values}]}. */
(function () {
  "use strict";
  var COLORS = ["#8b1a1a", "#0d6efd", "#198754", "#6f42c1", "#fd7e14", "#20c997", "#6c757d"];

  function draw(canvas, data) {
    if (!canvas || !data || typeof window.Chart === "undefined") { return null; }
    var datasets = [{
      label: "Tổng điểm", data: data.total, borderColor: COLORS[0], backgroundColor: COLORS[0],
      borderWidth: 3, tension: 0.2, spanGaps: false
    }];
    (data.groups || []).forEach(function (g, i) {
      datasets.push({
        label: g.name + " (" + g.code + ", tối đa " + g.max + ")", data: g.values,
        borderColor: COLORS[(i + 1) % COLORS.length], backgroundColor: COLORS[(i + 1) % COLORS.length],
        borderWidth: 1.5, tension: 0.2, hidden: true, spanGaps: false
      });
    });
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { min: 0, max: 100, title: { display: true, text: "Điểm" } } },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = ctx.parsed.y;
                return ctx.dataset.label + ": " + (v === null ? "—" : v.toLocaleString("vi-VN", { maximumFractionDigits: 2 }));
              }
            }
          }
        }
      }
    });
  }

  function init() {
    var source = document.getElementById("trend-data");
    var canvas = document.getElementById("trend-chart");
    if (!source || !canvas) { return; }
    window.motcuaTrendChart = draw(canvas, JSON.parse(source.textContent));
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
