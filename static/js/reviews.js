// Review pages. No inline script (CSP).

// A submit button that commits something irreversible asks first: <button data-confirm-button="Câu hỏi?">
// (used where one form has two buttons, e.g. approve / return, so the form-level data-confirm cannot be used).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm-button]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm-button"))) {
      event.preventDefault();
    }
  });
})();

// Review survey: re-classify the household as the officer types (POST the form to the preview endpoint,
// swap the returned partial); the endpoint never saves anything.
(function () {
  "use strict";
  var form = document.querySelector("[data-survey-form]");
  if (!form) { return; }
  var url = form.getAttribute("data-preview-url");
  var target = document.getElementById("case-assessment");
  if (!url || !target) { return; }
  var timer = null;
  var sequence = 0;
  var refresh = function () {
    var mine = ++sequence;
    var body = new FormData(form);
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && mine === sequence) {
          target.innerHTML = html;
          // below lg the result card is far down the page: the save bar repeats the class
          var mini = document.querySelector("[data-assessment-mini]");
          var badge = target.querySelector('[data-testid="assessment-class"]');
          if (mini && badge) { mini.innerHTML = badge.innerHTML; }
        }
      })
      .catch(function () { /* keep the last result; saving still works */ });
  };
  var schedule = function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 350);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
