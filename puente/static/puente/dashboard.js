// Dashboard: fetch the figures once, draw the map, trend, sector and group charts, and the
// drill-down table. Every number links to "explain this number" where the viewer may see it.
(function () {
  const root = document.getElementById("dashboard");
  if (!root) return;
  const locale = root.dataset.locale || "en";
  const format = (n) => new Intl.NumberFormat(locale).format(n);
  const labels = { monthly: root.dataset.labelMonthly, consolidated: root.dataset.labelConsolidated };

  function chart(id) {
    const el = document.getElementById(id);
    return el && window.echarts ? window.echarts.init(el, null, { renderer: "canvas" }) : null;
  }

  // Every figure of a chart opens its explanation when clicked.
  function explainOnClick(c, rows, find) {
    c.on("click", (params) => {
      const row = find ? find(params) : rows[params.dataIndex];
      if (row && row.explain_url) window.location.href = row.explain_url;
    });
  }

  function bars(id, rows) {
    const c = chart(id);
    if (!c) return;
    c.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [labels.consolidated, labels.monthly] },
      grid: { left: 140, right: 20, top: 30, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map((r) => r.label), inverse: true },
      series: [
        { name: labels.consolidated, type: "bar", data: rows.map((r) => r.consolidated) },
        { name: labels.monthly, type: "bar", data: rows.map((r) => r.monthly) },
      ],
    });
    explainOnClick(c, rows);
  }

  function trend(rows) {
    const c = chart("chart-trend");
    if (!c) return;
    c.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [labels.consolidated, labels.monthly] },
      grid: { left: 70, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: rows.map((r) => r.month) },
      yAxis: { type: "value" },
      series: [
        { name: labels.consolidated, type: "line", data: rows.map((r) => r.consolidated) },
        { name: labels.monthly, type: "bar", data: rows.map((r) => r.monthly) },
      ],
    });
    explainOnClick(c, rows);
  }

  async function map(rows) {
    const c = chart("chart-map");
    if (!c) return;
    const response = await fetch(root.dataset.geoUrl, { credentials: "same-origin" });
    const geo = await response.json();
    window.echarts.registerMap("puente", geo);
    const values = rows.map((r) => r.value);
    c.setOption({
      tooltip: { trigger: "item", formatter: (p) => `${p.data ? p.data.label : p.name}: ${format(p.value || 0)}` },
      visualMap: { min: 0, max: Math.max(1, ...values), calculable: true, left: 10, bottom: 10,
                   inRange: { color: ["#e8f1fb", "#0b5cad"] } },
      series: [{ type: "map", map: "puente", roam: true, nameProperty: "name",
                 data: rows.map((r) => ({ name: r.code, value: r.value, label: r.name })) }],
    });
    explainOnClick(c, rows, (params) => rows.find((r) => r.code === params.name));
  }

  function table(rows) {
    const body = document.querySelector("#drill-table tbody");
    body.replaceChildren();
    for (const row of rows) {
      const tr = document.createElement("tr");
      const name = document.createElement("td");
      if (row.drill_url) {
        const a = document.createElement("a");
        a.href = row.drill_url;
        a.textContent = row.label;
        a.dataset.code = row.code;
        name.append(a);
      } else {
        name.textContent = row.label;
      }
      const monthly = document.createElement("td");
      monthly.className = "num";
      monthly.textContent = format(row.monthly);
      const consolidated = document.createElement("td");
      consolidated.className = "num";
      consolidated.textContent = format(row.consolidated);
      consolidated.dataset.code = row.code;
      const explain = document.createElement("td");
      if (row.explain_url) {
        const a = document.createElement("a");
        a.href = row.explain_url;
        a.className = "explain";
        a.textContent = root.dataset.labelExplain;
        explain.append(a);
      }
      tr.append(name, monthly, consolidated, explain);
      body.append(tr);
    }
  }

  fetch(root.dataset.url, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      document.getElementById("headline-consolidated").textContent = format(data.headline.consolidated);
      document.getElementById("headline-monthly").textContent = format(data.headline.monthly);
      document.getElementById("headline-cva").textContent = format(Math.round(data.headline.cva_value_usd));
      const explain = document.getElementById("headline-explain");
      if (data.headline.explain_url) {
        explain.href = data.headline.explain_url;
        explain.hidden = false;
      }
      const percent = (v) => (v === null || v === undefined ? "–" : new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(v));
      document.getElementById("headline-coverage").textContent = percent(data.headline.coverage);
      if (data.headline.reach_of_need !== null) {
        document.getElementById("headline-need").textContent = `${percent(data.headline.reach_of_need)} ${root.dataset.labelOfNeed}`;
      }
      const coverage = document.querySelector("#coverage-table tbody");
      for (const row of data.by_sector) {
        const tr = document.createElement("tr");
        for (const value of [row.label, format(row.consolidated), row.targeted == null ? "–" : format(row.targeted),
                             percent(row.coverage), row.in_need == null ? "–" : format(row.in_need), percent(row.reach_of_need)]) {
          const td = document.createElement("td");
          td.textContent = value;
          if (tr.children.length) td.className = "num";
          tr.append(td);
        }
        coverage.append(tr);
      }
      table(data.table);
      root.dataset.loaded = "true";
      bars("chart-sector", data.by_sector);
      bars("chart-group", data.by_population_group);
      trend(data.trend);
      map(data.map);
    });
})();
