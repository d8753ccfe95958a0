// Submit the language form as soon as a language is picked (the button stays for no-JS).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});

// The correction form: picking another field reloads the page with that field chosen, so
// its value is asked for as its type asks (choices by label, a date picker). Without
// JS, each answer's "correct" link does the same.
document.addEventListener("change", (event) => {
  const target = event.target;
  const form = target instanceof HTMLSelectElement ? target.closest("form[data-pick-param]") : null;
  if (form && target.name === "path") {
    const url = new URL(window.location.href);
    url.searchParams.set(form.dataset.pickParam, target.value);
    url.hash = form.id;
    window.location.assign(url.toString());
  }
});

// Import progress: poll the batch's progress and reload when it is finished.
const bar = document.getElementById("import-progress");
if (bar) {
  const text = document.getElementById("import-progress-text");
  const poll = async () => {
    try {
      const response = await fetch(bar.dataset.progressUrl, { credentials: "same-origin" });
      const state = await response.json();
      if (state.total) {
        bar.value = Math.round((100 * state.done) / state.total);
        text.textContent = `${state.phase} ${state.done.toLocaleString()} / ${state.total.toLocaleString()}`;
      }
      if (state.state !== "queued" && state.state !== "running") {
        window.location.reload();
        return;
      }
    } catch (error) {
      // a dropped connection: try again on the next tick
    }
    setTimeout(poll, 1500);
  };
  poll();
}

// Main menu: one area open at a time; Escape or a click elsewhere closes it.
const menus = document.querySelectorAll(".mainnav details, .account");
const closeMenus = (except) => {
  menus.forEach((menu) => {
    if (menu !== except) menu.removeAttribute("open");
  });
};
// A click on an area's summary (or Enter on it) closes the other areas at once; a click
// outside the menus closes them all.
document.addEventListener("click", (event) => {
  closeMenus(event.target.closest(".mainnav details, .account"));
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.querySelector(".mainnav details[open], .account[open]");
  if (open) {
    open.removeAttribute("open");
    open.querySelector("summary").focus();
  }
});
