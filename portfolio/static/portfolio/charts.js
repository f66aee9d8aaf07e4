"use strict";
// Draws every <canvas data-chart="ID"> of the page with Chart.js (served from the app, see
// vendor/), from the JSON that Django's json_script put in <script id="ID" type="application/json">:
// {"type": "bar" | "line", "labels": [...], "datasets": [{"label": "...", "data": [number | null]}],
//  "currency": "USD" (money) or "unit": "percent" | "count" | "rank" | "money", "stepped": true?}
// A null is an unknown figure: it leaves a gap. Every chart has a table of its figures beside it.
(function () {
  const language = document.documentElement.lang || "en";

  function formatter(spec) {
    if (spec.currency) {
      const money = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
      return (value) => `${money.format(value)} ${spec.currency}`;
    }
    const plain = new Intl.NumberFormat(language, { maximumFractionDigits: 4 });
    if (spec.unit === "percent") return (value) => `${plain.format(value)}%`;
    if (spec.unit === "rank") return (value) => `#${plain.format(value)}`;
    return (value) => plain.format(value);
  }

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    const spec = JSON.parse(source.textContent);
    const format = formatter(spec);
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((dataset) => ({
          ...dataset,
          stepped: spec.stepped ? "before" : false,
          spanGaps: false,
          pointRadius: 4,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: {
            beginAtZero: spec.unit !== "rank",
            reverse: spec.unit === "rank",
            ticks: { callback: (value) => format(value) },
          },
        },
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(item.raw)}` } },
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
