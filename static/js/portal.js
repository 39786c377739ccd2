// Small behaviours for the portal; loaded on every page, no inline scripts (CSP).
(function () {
  "use strict";

  // Ask before anything destructive: <form data-confirm="Câu hỏi?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Poll a running job: <div data-job-progress-url="..."> with [data-job-status], progress, [data-job-message].
  var box = document.querySelector("[data-job-progress-url]");
  if (box) {
    var url = box.getAttribute("data-job-progress-url");
    var bar = box.querySelector("progress");
    var status = box.querySelector("[data-job-status]");
    var message = box.querySelector("[data-job-message]");
    var poll = function () {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
          if (status) { status.textContent = data.status_label; }
          if (message) { message.textContent = data.message; }
          if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  }
})();
