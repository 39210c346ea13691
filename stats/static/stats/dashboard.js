/* The statistics dashboard: draws the figures the page embeds (json_script "stats-data") with ECharts.
   Each chart's container gets data-rendered="1" once ECharts has drawn it (the browser tests wait for it). */
(function () {
  "use strict";
  var source = document.getElementById("stats-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    var chart = window.echarts.init(element);
    chart.on("finished", function () {
      element.setAttribute("data-rendered", "1");
    });
    chart.setOption(option);
    charts.push(chart);
  }

  function bars(keys, series, options) {
    options = options || {};
    // Counts are whole numbers: no 0.5 ticks.
    var values = { type: "value", minInterval: options.minInterval };
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 24, top: series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
      xAxis: options.horizontal ? values : { type: "category", data: keys },
      // Horizontal bars read top down, in the order given (biggest first).
      yAxis: options.horizontal ? { type: "category", data: keys, inverse: true } : values,
      series: series.map(function (s) {
        return { name: s.name, type: "bar", stack: options.stack, data: s.data, barMaxWidth: 36 };
      }),
    };
  }

  draw("chart-months", bars(data.months.keys, data.months.series, { stack: "orders", minInterval: 1 }));
  draw(
    "chart-top-count",
    bars(data.top_count.keys, [{ name: data.top_count.name, data: data.top_count.values }], {
      horizontal: true,
      minInterval: 1,
    })
  );
  draw(
    "chart-top-compensation",
    bars(
      data.top_compensation.keys,
      [{ name: data.top_compensation.name, data: data.top_compensation.values }],
      { horizontal: true }
    )
  );
  draw("chart-abnormal-types", {
    animation: false,
    tooltip: { trigger: "item" },
    legend: { type: "scroll", orient: "vertical", left: 0, top: "middle" },
    series: [
      {
        type: "pie",
        radius: ["25%", "48%"],
        center: ["56%", "52%"],
        label: { formatter: "{b}: {c}" },
        data: data.abnormal_types,
      },
    ],
  });
  // Horizontal: the steps' Chinese names are too long to stand side by side under the bars.
  draw("chart-cycle-times", bars(data.cycle_times.keys, data.cycle_times.series, { horizontal: true }));

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
