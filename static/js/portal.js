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

  // Poll a running job: <div data-job-progress-url="..."> with [data-job-status], progress, [data-job-message];
  // with data-job-no-reload, the page's [data-job-done] notice is shown when it ends instead of reloading.
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
          if (!data.finished) { window.setTimeout(poll, 2000); return; }
          // A page with a form being typed in is not reloaded under the officer's hands: it says the job ended.
          var done = document.querySelector("[data-job-done]");
          if (box.hasAttribute("data-job-no-reload") && done) { done.hidden = false; } else { window.location.reload(); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  }
})();

// Add a member form: clone the <template> and renumber __prefix__ (Django formset convention).
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var container = document.querySelector('[data-formset="' + prefix + '"]');
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!container || !template || !total) { return; }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      container.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = container.lastElementChild.querySelector("input:not([type=hidden]), select");
      if (first) { first.focus(); }
    });
  });
})();
