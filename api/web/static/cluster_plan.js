/* The cluster plan's edit page: one more criterion row, a row removed. Without this file
   the page keeps two blank rows and a row cleared of every field is dropped on save. */
(function () {
  "use strict";
  var body = document.querySelector("[data-criteria-rows]");
  if (!body) return;
  var max = parseInt(body.getAttribute("data-max") || "200", 10);

  function renumber() {
    Array.prototype.forEach.call(body.querySelectorAll("[data-criterion-row]"), function (row, i) {
      Array.prototype.forEach.call(row.querySelectorAll("input, textarea, button"), function (el) {
        if (el.name) el.name = el.name.replace(/^tc-\d+-/, "tc-" + i + "-");
        var label = el.getAttribute("aria-label") || "";
        el.setAttribute("aria-label", label.replace(/dòng \d+$/, "dòng " + (i + 1)));
      });
    });
  }

  body.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-remove-row]");
    if (!button) return;
    var rows = body.querySelectorAll("[data-criterion-row]");
    var row = button.closest("[data-criterion-row]");
    if (rows.length > 1) {
      row.parentNode.removeChild(row);
    } else {
      Array.prototype.forEach.call(row.querySelectorAll("input, textarea"), function (el) {
        if (el.type === "checkbox") el.checked = false; else el.value = "";
      });
    }
    renumber();
  });

  var add = document.querySelector("[data-add-criterion]");
  if (add) add.addEventListener("click", function () {
    var rows = body.querySelectorAll("[data-criterion-row]");
    if (rows.length >= max) return;
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("input, textarea"), function (el) {
      if (el.type === "checkbox") el.checked = false;
      else if (el.name.slice(-11) === "-group_name") el.value = last.querySelector("[name$='-group_name']").value;
      else el.value = "";
    });
    body.appendChild(copy);
    renumber();
    var code = copy.querySelector("[name$='-code']");
    if (code) code.focus();
  });
})();
