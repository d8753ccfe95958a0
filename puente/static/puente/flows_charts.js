// Flow-monitoring dashboard: entries and exits by day, week and nationality; surveys by
// intended destination, need and protection incident; and a map of the points, each a
// circle sized by the people counted there. Figures come from the page (json_script);
// a hidden count (public page, below 5) is null and drawn as nothing.
(function () {
  const root = document.getElementById("flows-charts");
  const source = document.getElementById("flows-chart-data");
  if (!root || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const locales = { en: "en", es: "es", pt: "pt-BR" };
  const locale = locales[(root.dataset.locale || "en").slice(0, 2)] || "en";
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const format = (value) => (value === null || value === undefined ? "<5" : number.format(value));
  const colours = { entry: "#0b5cad", exit: "#e07b00", surveys: "#2a7f62" };
  const charts = [];

  function init(id) {
    const el = document.getElementById(id);
    if (!el) return null;
    const chart = window.echarts.init(el, null, { renderer: "svg" });
    charts.push(chart);
    el.dataset.loaded = "true";
    return chart;
  }

  function directions(id, rows, type, horizontal) {
    const chart = init(id);
    if (!chart) return;
    const categories = rows.map((r) => r.label);
    const categoryAxis = horizontal
      ? { type: "category", data: categories, inverse: true, axisLabel: { width: 150, overflow: "truncate" } }
      : { type: "category", data: categories, axisLabel: { rotate: 45 } };
    const valueAxis = { type: "value", minInterval: 1, axisLabel: { formatter: (v) => number.format(v) } };
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: format },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: ["entry", "exit"].map((key) => ({
        name: data.labels[key],
        type,
        data: rows.map((r) => r[key]),
        itemStyle: { color: colours[key] },
        showSymbol: false,
        barMaxWidth: 24,
      })),
    });
  }

  function surveys(id, rows) {
    const chart = init(id);
    if (!chart) return;
    chart.setOption({
      tooltip: {
        trigger: "axis",
        formatter: (items) => {
          const row = rows[items[0].dataIndex];
          return `${row.label}: ${format(row.surveys)}${row.share === null ? "" : ` (${percent.format(row.share)})`}`;
        },
      },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (v) => number.format(v) } },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => r.label), axisLabel: { width: 170, overflow: "break" } },
      series: [{ name: data.labels.surveys, type: "bar", data: rows.map((r) => r.surveys), barMaxWidth: 22,
                 itemStyle: { color: colours.surveys },
                 label: { show: true, position: "right", formatter: (p) => (p.value ? number.format(p.value) : "") } }],
    });
  }

  directions("chart-by-day", data.by_day, "line", false);
  directions("chart-by-week", data.by_week, "bar", false);
  directions("chart-nationalities", data.nationalities, "bar", true);
  surveys("chart-destinations", data.destinations);
  surveys("chart-needs", data.needs);
  surveys("chart-incidents", data.incidents);

  const mapEl = document.getElementById("chart-map");
  const placed = data.by_point.filter((p) => p.latitude !== null && p.longitude !== null);
  if (mapEl && placed.length) {
    fetch(root.dataset.geoUrl, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((geo) => {
        window.echarts.registerMap("flows", geo);
        const chart = window.echarts.init(mapEl);
        charts.push(chart);
        const largest = Math.max(1, ...placed.map((p) => p.total || 0));
        const lons = placed.map((p) => p.longitude);
        const lats = placed.map((p) => p.latitude);
        const pad = 3;
        chart.setOption({
          tooltip: {
            trigger: "item",
            formatter: (p) => (p.data && p.data.point
              ? `${p.data.point.name}<br>${data.labels.entry}: ${format(p.data.point.entry)}<br>${data.labels.exit}: ${format(p.data.point.exit)}`
              : p.name),
          },
          geo: {
            map: "flows",
            roam: true,
            boundingCoords: [[Math.min(...lons) - pad, Math.max(...lats) + pad], [Math.max(...lons) + pad, Math.min(...lats) - pad]],
            itemStyle: { areaColor: "#eef1f5", borderColor: "#b8c2cc" },
            emphasis: { disabled: true },
          },
          series: [{
            name: data.labels.people,
            type: "scatter",
            coordinateSystem: "geo",
            data: placed.map((p) => ({ name: p.name, value: [p.longitude, p.latitude, p.total], point: p })),
            symbolSize: (value) => (value[2] === null ? 6 : 8 + 32 * Math.sqrt(value[2] / largest)),
            itemStyle: { color: colours.entry, opacity: 0.75 },
          }],
        });
        mapEl.dataset.points = String(placed.length);
        mapEl.dataset.loaded = "true";
      })
      .catch(() => { mapEl.hidden = true; });
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
