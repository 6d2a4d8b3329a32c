// The local page's script. Everything works without it (the form posts, progress pages refresh
// themselves); with it, files can be dropped on the page, an upload over the limit is caught before
// it is sent, and progress updates live.
"use strict";

function sizeText(bytes) {
  const units = [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]];
  for (const [unit, scale] of units) {
    if (bytes >= scale) return (bytes / scale).toFixed(1).replace(/\.0$/, "") + " " + unit;
  }
  return bytes + " bytes";
}

function setUpForm(form) {
  const input = form.querySelector("input[type=file]");
  const drop = form.querySelector(".drop");
  const error = form.querySelector(".error-message");
  const limit = Number(form.dataset.limit);
  form.querySelector(".drop__js").hidden = false;
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("drop--over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("drop--over"));
  }
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) input.files = event.dataTransfer.files;
  });
  form.addEventListener("submit", (event) => {
    const total = [...input.files].reduce((sum, file) => sum + file.size, 0);
    if (total > limit) {
      event.preventDefault();
      error.textContent = "These files come to " + sizeText(total) + "; this page takes at most " +
        sizeText(limit) + " at once. Upload fewer portfolios at a time.";
      error.hidden = false;
      return;
    }
    form.querySelector("button[type=submit]").textContent = "Uploading…";
  });
}

async function follow(progress) {
  const url = progress.dataset.status;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    let status;
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) { location.reload(); return; }
      status = await response.json();
    } catch (problem) {
      continue;  // the server is busy or restarting: ask again
    }
    if (status.state === "done" || status.state === "failed") { location.reload(); return; }
    const queue = document.getElementById("step-queue");
    const check = document.getElementById("step-check");
    queue.querySelector(".step__text").textContent = status.queue_text;
    check.querySelector(".step__text").textContent = status.check_text;
    queue.className = "step " + (status.state === "queued" ? "step--current" : "step--done");
    check.className = "step " + (status.state === "checking" ? "step--current" : "");
    const bar = document.getElementById("bar");
    if (status.total) {
      bar.hidden = false;
      bar.max = status.total;
      bar.value = status.done;
      bar.textContent = status.done + " of " + status.total;
    }
  }
}

async function followRows(rows) {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    let waiting = false;
    for (const row of rows) {
      if (!row.classList.contains("run--queued") && !row.classList.contains("run--checking")) continue;
      waiting = true;
      try {
        const response = await fetch(row.dataset.status, { credentials: "same-origin", cache: "no-store" });
        if (!response.ok) continue;
        const status = await response.json();
        row.className = "run run--" + status.state;
        row.querySelector(".run__where").textContent = status.where_text;
        row.querySelector(".run__result").textContent = status.result_text;
      } catch (problem) { /* asked again next time */ }
    }
    if (!waiting) return;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.upload");
  if (form) setUpForm(form);
  const progress = document.getElementById("progress");
  if (progress) follow(progress);
  const rows = [...document.querySelectorAll("tr.run")];
  if (rows.length) followRows(rows);
});
