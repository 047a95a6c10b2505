// Shared behaviour of the pages (progressive enhancement: every page works without it).
"use strict";

// The CSRF token of the session, for requests made from scripts.
function chandungCsrf() {
  const field = document.querySelector('input[name="csrf_token"]');
  return field ? field.value : "";
}

// Send a JSON request to the app's own API; resolves to the parsed answer or throws the error.
async function chandungApi(method, url, body) {
  const options = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
  if (method !== "GET") options.headers["X-CSRF-Token"] = chandungCsrf();
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.message || response.statusText), { data });
  return data;
}

// Follow a background task: elements with data-job="ID" show its progress, and the page
// goes to data-job-done (with ?job=ID) once it has finished.
function chandungFollowJob(element) {
  const id = element.dataset.job;
  const bar = element.querySelector("progress");
  const status = element.querySelector("[data-job-status]");
  const tick = async () => {
    let job;
    try { job = await chandungApi("GET", "/api/v1/jobs/" + id); }
    catch (e) { if (status) status.textContent = e.message; return; }
    if (bar && job.total) { bar.max = job.total; bar.value = job.done; }
    if (job.status === "done" || job.status === "failed") {
      const next = element.dataset.jobDone;
      if (next) window.location.assign(next + (next.includes("?") ? "&" : "?") + "job=" + id);
      else if (status) status.textContent = job.status === "failed" ? job.error.message : "";
      return;
    }
    setTimeout(tick, 500);
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-job]").forEach(chandungFollowJob);
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
