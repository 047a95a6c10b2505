// The upload form of the data pages: drop a file on it, and see the upload's progress.
// Without this script the form is a plain multipart form and works the same.
"use strict";

function dataDropZone(zone) {
  const input = zone.querySelector('input[type="file"]');
  if (!input) return;
  const over = (event) => {
    event.preventDefault();
    zone.classList.add("data-over");
  };
  const leave = () => zone.classList.remove("data-over");
  zone.addEventListener("dragenter", over);
  zone.addEventListener("dragover", over);
  zone.addEventListener("dragleave", leave);
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    leave();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  input.addEventListener("change", () => {
    const hint = zone.querySelector(".data-drop-hint");
    if (hint && input.files.length) hint.textContent = input.files[0].name;
  });
}

function dataUploadForm(form) {
  const box = form.querySelector("[data-upload-progress]");
  const bar = box ? box.querySelector("progress") : null;
  const status = form.querySelector("[data-upload-status]");
  const failed = form.querySelector("[data-upload-failed]");
  const button = form.querySelector('button[type="submit"]');
  const say = (text) => { if (status) status.textContent = text; };

  form.addEventListener("submit", (event) => {
    if (!window.FormData || !window.XMLHttpRequest) return; // the plain form does the work
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", chandungCsrf());
    if (box) box.hidden = false;
    if (failed) failed.hidden = true;
    if (button) button.disabled = true;
    request.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable || !bar) return;
      const share = Math.round((e.loaded / e.total) * 100);
      bar.value = share;
      say((form.dataset.msgSending || "").replace("{pct}", share));
    });
    request.upload.addEventListener("load", () => {
      if (bar) bar.removeAttribute("value"); // the server checks the file now
      say(form.dataset.msgChecking || "");
    });
    const fail = (message) => {
      if (box) box.hidden = true;
      if (button) button.disabled = false;
      if (failed) {
        failed.textContent = message || form.dataset.msgFailed || "";
        failed.hidden = false;
        failed.focus();
      }
    };
    request.addEventListener("load", () => {
      let data = {};
      try { data = JSON.parse(request.responseText); } catch (e) { data = {}; }
      if (request.status >= 200 && request.status < 300 && data.url) {
        window.location.assign(data.url);
      } else {
        fail(data.message);
      }
    });
    request.addEventListener("error", () => fail(form.dataset.msgFailed));
    request.send(new FormData(form));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-drop]").forEach(dataDropZone);
  document.querySelectorAll("form[data-upload]").forEach(dataUploadForm);
});
