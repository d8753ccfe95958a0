// The plan's countries on a map: every admin-1 area coloured by its country's requirement.
(function () {
  const root = document.getElementById("plan-map");
  const source = document.getElementById("plan-map-data");
  if (!root || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const format = (value) => new Intl.NumberFormat(root.dataset.locale || "en").format(Math.round(value));
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
                     inRange: { color: ["#e8f1fb", "#0b5cad"] } },
        series: [{ type: "map", map: "plan", roam: true, nameProperty: "name", data: rows }],
      });
      window.addEventListener("resize", () => chart.resize());
      root.dataset.areas = String(rows.length);
      root.dataset.loaded = "true";
    })
    .catch(() => { root.hidden = true; });
})();
