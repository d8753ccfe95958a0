// Feedback forms: the area list keeps the chosen country's areas only. Without script
// every area stays, grouped by country, and the server refuses an area of another
// country; with it, changing the country swaps the group shown.
(function () {
  for (const area of document.querySelectorAll("select[name=admin1]")) {
    const country = area.form && area.form.querySelector("select[name=country]");
    if (!country) continue;
    const groups = Array.from(area.querySelectorAll("optgroup"));
    const show = () => {
      const option = country.options[country.selectedIndex];
      const name = option && option.value ? option.text.trim() : "";
      const chosen = area.value;
      for (const group of groups) group.remove();
      for (const group of groups) {
        if (!name || group.label === name) area.append(group);
      }
      area.value = Array.from(area.options).some((o) => o.value === chosen) ? chosen : "";
      area.disabled = Boolean(name) && area.options.length <= 1;
    };
    country.addEventListener("change", show);
    show();
  }
})();
