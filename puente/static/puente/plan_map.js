// The plan's countries on a map: every admin-1 area coloured by its country's requirement.
(function () {
  const root = document.getElementById("plan-map");
  const source = document.getElementById("plan-map-data");
  if (!root || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  // Figures as the server writes them (grouped from four digits, "160.415.827" in es/pt),
  // and short on the legend ("160 M", "160 mi").
  const locales = { en: "en", es: "es", pt: "pt-BR" };
  const locale = locales[(root.dataset.locale || "en").slice(0, 2)] || "en";
  const numberFormat = (options) => {
    try {
      return new Intl.NumberFormat(locale, { useGrouping: "always", ...options });
    } catch (error) {
      return new Intl.NumberFormat(locale, options);
    }
  };
  const whole = numberFormat({ maximumFractionDigits: 0 });
  const short = numberFormat({ notation: "compact", maximumFractionDigits: 1 });
  const format = (value) => whole.format(Math.round(value));
  const compact = (value) => (Math.abs(value) < 10000 ? format(value) : short.format(Math.round(value)));
  fetch(root.dataset.geoUrl, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((geo) => {
      window.echarts.registerMap("plan", geo);
      const rows = geo.features
        .map((feature) => {
          const iso2 = String(feature.properties.name).split("-")[0];
          const value = data.countries[iso2];
          return value === undefined ? null : { name: feature.properties.name, value, label: feature.properties.label };
        })
        .filter(Boolean);
      const values = Object.values(data.countries);
      const chart = window.echarts.init(root);
      chart.setOption({
        tooltip: { trigger: "item", formatter: (p) => (p.data ? `${p.data.label}: ${format(p.value)}` : p.name) },
        visualMap: { min: 0, max: Math.max(1, ...values), calculable: true, left: 10, bottom: 10, text: [data.label, ""],
                     itemHeight: 120, formatter: (value) => compact(value),
                     inRange: { color: ["#e8f1fb", "#0b5cad"] } },
        series: [{ type: "map", map: "plan", roam: true, nameProperty: "name", data: rows }],
      });
      window.addEventListener("resize", () => chart.resize());
      root.dataset.areas = String(rows.length);
      root.dataset.legendMax = compact(Math.max(1, ...values));
      root.dataset.loaded = "true";
    })
    .catch(() => { root.hidden = true; });
})();
