// The live preview of a convention's deadlines: posts the form (nothing is saved) and shows the answer.
(function () {
  "use strict";
  var form = document.getElementById("convention-form");
  var target = document.getElementById("preview");
  if (!form || !target) { return; }
  var timer = null;
  function refresh() {
    var data = new FormData(form);
    fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (html) { target.innerHTML = html; } })
      .catch(function () { /* the preview is a help: the form still works without it */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
})();
