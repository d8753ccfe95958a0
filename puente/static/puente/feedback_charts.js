// Feedback dashboard: items by type, by status and by month, drawn from the figures the
// page carries (json_script). Sensitive complaints are a series apart and null where a
// count under 5 is suppressed. Numbers are written as the page's language writes them.
(function () {
  const root = document.getElementById("feedback-charts");
  const source = document.getElementById("feedback-chart-data");
  if (!root || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const number = new Intl.NumberFormat(root.dataset.locale || "en");
  const format = (value) => (value === null || value === undefined ? "–" : number.format(value));
  const colours = { count: "#0b5cad", sensitive: "#a4161a" };
  const charts = [];

  function series(rows, horizontal) {
    const list = [{ name: data.labels.count, type: "bar", stack: "all", data: rows.map((r) => r.count),
                    itemStyle: { color: colours.count } }];
    if (rows.some((r) => r.sensitive)) {
      list.push({ name: data.labels.sensitive, type: "bar", stack: "all", data: rows.map((r) => r.sensitive),
                  itemStyle: { color: colours.sensitive } });
    }
    for (const s of list) {
      s.label = { show: true, position: horizontal ? "insideRight" : "inside", formatter: (p) => (p.value ? format(p.value) : "") };
      s.barMaxWidth = 28;
    }
    return list;
  }

  function draw(id, rows, horizontal) {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = window.echarts.init(el, null, { renderer: "svg" });
    const categories = rows.map((r) => r.label);
    const categoryAxis = horizontal
      ? { type: "category", data: categories, inverse: true,
          axisLabel: { width: 170, overflow: "break", lineHeight: 14 } }
      : { type: "category", data: categories, axisLabel: { rotate: 45, interval: 0 } };
    const valueAxis = { type: "value", minInterval: 1, axisLabel: { formatter: format } };
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: format },
      legend: { top: 0, data: series(rows, horizontal).map((s) => s.name) },
      grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: series(rows, horizontal),
    });
    charts.push(chart);
    el.dataset.loaded = "true";
  }

  draw("chart-by-type", data.by_type, true);
  draw("chart-by-status", data.by_status, true);
  draw("chart-by-month", data.by_month, false);
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
