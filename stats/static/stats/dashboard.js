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
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 16, top: series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
      xAxis: options.horizontal ? { type: "value" } : { type: "category", data: keys },
      yAxis: options.horizontal ? { type: "category", data: keys, inverse: true } : { type: "value" },
      series: series.map(function (s) {
        return { name: s.name, type: "bar", stack: options.stack, data: s.data, barMaxWidth: 36 };
      }),
    };
  }

  draw("chart-months", bars(data.months.keys, data.months.series, { stack: "orders" }));
  draw(
    "chart-top-count",
    bars(data.top_count.keys, [{ name: data.top_count.name, data: data.top_count.values }], { horizontal: true })
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
    series: [{ type: "pie", radius: ["35%", "65%"], center: ["65%", "50%"], data: data.abnormal_types }],
  });
  draw("chart-cycle-times", bars(data.cycle_times.keys, data.cycle_times.series));

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
