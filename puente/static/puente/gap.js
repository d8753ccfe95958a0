// The gap table: a button on each country's row opens and closes its sectors in place.
// Without script the country's name links to the page filtered to that country, which
// shows them opened.
(function () {
  const script = document.currentScript;
  const table = document.getElementById("gap-table");
  if (!table || !script) return;
  const labels = { open: script.dataset.open, close: script.dataset.close };
  for (const row of table.querySelectorAll("tr.country-total")) {
    const sectors = document.getElementById(row.dataset.sectors);
    if (!sectors) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "fold";
    button.setAttribute("aria-controls", sectors.id);
    const sync = () => {
      const open = !sectors.hidden;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "▾" : "▸";
      button.title = open ? labels.close : labels.open;
      button.setAttribute("aria-label", `${button.title}: ${row.querySelector("th").textContent.trim()}`);
    };
    button.addEventListener("click", () => {
      sectors.hidden = !sectors.hidden;
      sync();
    });
    sync();
    row.querySelector("th").prepend(button);
  }
})();
