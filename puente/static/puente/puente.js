// Submit the language form as soon as a language is picked (the button stays for no-JS).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
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
