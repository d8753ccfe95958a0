// Dashboard: fetch the figures once, draw the map, trend, sector and group charts, and the
// drill-down table. Every number links to "explain this number" where the viewer may see it.
// Every figure, axis label and tooltip is written in the page's language (data-locale), as
// the server writes them with |figure and |percent.
(function () {
  const root = document.getElementById("dashboard");
  if (!root) return;
  // The server's own locales (puente/core/templatetags/figures.py): Spanish groups with "."
  // as the response's Spanish-speaking countries write it, Portuguese is Brazil's.
  const locales = { en: "en", es: "es-CO", pt: "pt-BR" };
  const locale = locales[(root.dataset.locale || "en").slice(0, 2)] || "en";

  function numberFormat(options, language = locale) {
    // Group every figure of four digits or more, as the server does ("4.493", not "4493").
    try {
      return new Intl.NumberFormat(language, { useGrouping: "always", ...options });
    } catch (error) {
      return new Intl.NumberFormat(language, options);
    }
  }
  const whole = numberFormat({ maximumFractionDigits: 0 });
  // Short figures in general Spanish ("20 mil", "1,5 M"): Colombia's CLDR data mixes
  // "5 K" and "10 k".
  const compactFormat = numberFormat(
    { notation: "compact", maximumFractionDigits: 1 },
    locale === "es-CO" ? "es" : locale,
  );
  const percentFormat = numberFormat({ style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const format = (n) => whole.format(n || 0);
  // Axis labels: short ("20K", "20 mil"), never run into each other.
  const compact = (n) => (Math.abs(n) < 10000 ? whole.format(n) : compactFormat.format(n));
  const measures = ["consolidated", "monthly"];
  const percent = (v) => (v === null || v === undefined ? "–" : percentFormat.format(v));
  const monthName = new Intl.DateTimeFormat(locale, { month: "short", timeZone: "UTC" });
  const labels = { monthly: root.dataset.labelMonthly, consolidated: root.dataset.labelConsolidated };
  const charts = [];

  function chart(id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    const c = window.echarts.init(el, null, { renderer: "canvas" });
    charts.push(c);
    return c;
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

  // Every figure of a chart opens its explanation when clicked.
  function explainOnClick(c, rows, find) {
    c.on("click", (params) => {
      const row = find ? find(params) : rows[params.dataIndex];
      if (row && row.explain_url) window.location.href = row.explain_url;
    });
  }

  // One notation along an axis: short figures when its largest is 10,000 or more.
  function valueAxis(rows, keys) {
    const max = Math.max(0, ...rows.flatMap((r) => keys.map((k) => r[k] || 0)));
    return {
      type: "value",
      splitNumber: 4,
      axisLabel: { formatter: max >= 10000 ? (n) => compactFormat.format(n) : (n) => whole.format(n), hideOverlap: true },
    };
  }
  const tooltip = { trigger: "axis", valueFormatter: format, confine: true };

  function bars(id, rows) {
    const el = document.getElementById(id);
    if (!el) return;
    // A row of bars per category, so long sector names have room on their two lines.
    el.style.height = `${Math.max(240, rows.length * 38 + 70)}px`;
    const c = chart(id);
    if (!c) return;
    const labelWidth = Math.min(220, Math.max(110, el.clientWidth * 0.36));
    c.setOption({
      tooltip,
      legend: { data: [labels.consolidated, labels.monthly], top: 0 },
      grid: { left: 8, right: 24, top: 34, bottom: 8, containLabel: true },
      xAxis: valueAxis(rows, measures),
      yAxis: {
        type: "category",
        data: rows.map((r) => r.label),
        inverse: true,
        axisLabel: { width: labelWidth, overflow: "break", lineHeight: 14, interval: 0 },
      },
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
    const month = (key) => monthName.format(new Date(Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1, 1)));
    c.setOption({
      tooltip,
      legend: { data: [labels.consolidated, labels.monthly], top: 0 },
      grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: rows.map((r) => month(r.month)), axisLabel: { hideOverlap: true } },
      yAxis: valueAxis(rows, measures),
      series: [
        { name: labels.consolidated, type: "line", data: rows.map((r) => r.consolidated) },
        { name: labels.monthly, type: "bar", data: rows.map((r) => r.monthly) },
      ],
    });
    explainOnClick(c, rows);
  }

  async function map(rows, selected) {
    const c = chart("chart-map");
    if (!c) return;
    const response = await fetch(root.dataset.geoUrl, { credentials: "same-origin" });
    const geo = await response.json();
    window.echarts.registerMap("puente", geo);
    const max = Math.max(1, ...rows.map((r) => r.value));
    c.setOption({
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: (p) => `${p.data ? p.data.label : p.name}: ${format(p.value || 0)}`,
      },
      visualMap: {
        min: 0,
        max,
        calculable: true,
        left: 8,
        bottom: 8,
        itemHeight: 120,
        formatter: (value) => compact(Math.round(value)),
        inRange: { color: ["#e8f1fb", "#0b5cad"] },
      },
      series: [{
        type: "map",
        map: "puente",
        roam: true,
        nameProperty: "name",
        layoutCenter: ["55%", "50%"],
        layoutSize: "95%",
        selectedMode: selected ? "single" : false,
        // The chosen admin-1 area stands out: a dark outline and its name.
        select: {
          itemStyle: { borderColor: "#d9480f", borderWidth: 2.5, areaColor: "#f59f00" },
          label: { show: true, color: "#1f2933", fontWeight: "bold", formatter: (p) => (p.data ? p.data.label : p.name) },
        },
        emphasis: { itemStyle: { areaColor: "#f59f00" }, label: { show: false } },
        data: rows.map((r) => ({ name: r.code, value: r.value, label: r.name, selected: r.code === selected })),
      }],
    });
    if (selected) c.dispatchAction({ type: "select", seriesIndex: 0, name: selected });
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

  // People trained, outputs per unit and stocks: beside people reached, never added to it.
  function apart(data) {
    const element = document.getElementById("apart-table");
    const body = element.querySelector("tbody");
    const labels = element.dataset;
    const rows = [[labels.labelTrained, labels.labelPeople, format(data.people_trained.monthly), format(data.people_trained.consolidated)]];
    for (const output of data.outputs) rows.push([labels.labelOutputs, output.label, format(output.monthly), format(output.consolidated)]);
    for (const stock of data.stocks) {
      rows.push([stock.name, stock.label, format(stock.monthly), `${format(stock.latest)} (${labels.labelAsOf} ${stock.as_of})`]);
    }
    for (const values of rows) {
      const tr = document.createElement("tr");
      for (const value of values) {
        const td = document.createElement("td");
        td.textContent = value;
        if (tr.children.length > 1) td.className = "num";
        tr.append(td);
      }
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
      document.getElementById("headline-coverage").textContent = percent(data.headline.coverage);
      document.getElementById("headline-need").textContent =
        data.headline.reach_of_need === null
          ? (data.headline.in_need === null ? root.dataset.labelNoNeed : "")
          : `${percent(data.headline.reach_of_need)} ${root.dataset.labelOfNeed}`;
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
      const noTarget = document.getElementById("headline-no-target");
      if (noTarget) noTarget.hidden = data.targets_level !== null;
      const indicators = document.querySelector("#indicator-table tbody");
      for (const row of data.indicators) {
        const tr = document.createElement("tr");
        const measure = row.unit_label ? `${row.measure_label} (${row.unit_label})` : row.measure_label;
        for (const value of [row.code, row.name, measure, row.target == null ? "–" : format(row.target),
                             format(row.reached), percent(row.progress)]) {
          const td = document.createElement("td");
          td.textContent = value;
          if (tr.children.length > 2) td.className = "num";
          tr.append(td);
        }
        indicators.append(tr);
      }
      apart(data.apart);
      table(data.table);
      root.dataset.loaded = "true";
      bars("chart-sector", data.by_sector);
      bars("chart-group", data.by_population_group);
      trend(data.trend);
      map(data.map, data.selected_area);
    });
})();
