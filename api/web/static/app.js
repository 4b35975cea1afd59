/* tdkt – small enhancements of server-rendered pages. Everything works without this file
   except the PIN dialog, inline previews, signature badges, the upload progress bar, the
   live progress of a step's documents and the Vietnamese texts of the browser's own
   checks and file picker. */
(function () {
  "use strict";

  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // ---- the browser's own form checks, in Vietnamese (it would speak its own language)
  function validationMessage(el) {
    var v = el.validity, type = (el.getAttribute("type") || "").toLowerCase();
    if (v.valueMissing) {
      if (el.getAttribute("data-missing-message")) return el.getAttribute("data-missing-message");
      if (type === "checkbox") return "Hãy đánh dấu vào ô này để tiếp tục.";
      if (type === "radio") return "Hãy chọn một trong các lựa chọn.";
      if (type === "file") return "Hãy chọn một tệp.";
      if (el.tagName === "SELECT") return "Hãy chọn một mục trong danh sách.";
      return "Hãy điền vào ô này.";
    }
    if (v.typeMismatch) {
      if (type === "email") return "Hãy nhập một địa chỉ email đúng, ví dụ: ten@coquan.gov.vn.";
      if (type === "url") return "Hãy nhập một địa chỉ web đúng, bắt đầu bằng http:// hoặc https://.";
      return "Giá trị chưa đúng kiểu yêu cầu.";
    }
    if (v.badInput) return type === "number" ? "Hãy nhập một số." : "Giá trị không hợp lệ.";
    if (v.tooLong) return "Quá dài: tối đa " + el.maxLength + " ký tự (đang có " + el.value.length + ").";
    if (v.tooShort) return "Quá ngắn: cần ít nhất " + el.minLength + " ký tự (đang có " + el.value.length + ").";
    if (v.patternMismatch) return el.getAttribute("data-pattern-message") || el.title || "Giá trị chưa đúng định dạng yêu cầu.";
    if (v.rangeUnderflow) return "Giá trị phải từ " + el.min + " trở lên.";
    if (v.rangeOverflow) return "Giá trị phải từ " + el.max + " trở xuống.";
    if (v.stepMismatch) return "Giá trị chưa hợp lệ: phải là bội của " + (el.step || "1") + ".";
    return "Giá trị chưa hợp lệ.";
  }
  function clearMessage(el) { if (el && typeof el.setCustomValidity === "function") el.setCustomValidity(""); }
  document.addEventListener("invalid", function (ev) {
    var el = ev.target;
    if (typeof el.setCustomValidity !== "function") return;
    el.setCustomValidity("");
    if (!el.validity.valid) el.setCustomValidity(validationMessage(el));
  }, true);
  document.addEventListener("input", function (ev) { clearMessage(ev.target); }, true);
  document.addEventListener("change", function (ev) { clearMessage(ev.target); }, true);
  // A message set earlier would block the form even once the field is right: clear them
  // all before the browser checks the form again.
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("button, input[type=submit]");
    if (button && button.form && (button.type || "submit") === "submit") {
      Array.prototype.forEach.call(button.form.elements, clearMessage);
    }
  }, true);

  // ---- a file picker of our own: "Chọn tệp…" and the chosen file's name, in Vietnamese
  var pickers = 0;
  function filePicker(input) {
    if (input.closest(".file-picker")) return;
    pickers += 1;
    if (!input.id) input.id = "chon-tep-" + pickers;
    var wrap = document.createElement("span");
    wrap.className = "file-picker";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var button = document.createElement("label");
    button.className = "button file-button";
    button.htmlFor = input.id;
    button.textContent = input.multiple ? "Chọn các tệp…" : "Chọn tệp…";
    button.setAttribute("aria-hidden", "true"); // the input itself is focusable and named
    var name = document.createElement("span");
    name.className = "file-name";
    name.id = input.id + "-ten-tep";
    wrap.appendChild(button);
    wrap.appendChild(name);
    input.setAttribute("data-file-name-id", name.id);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + name.id);
    function show() {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      name.textContent = files.length ? files.join(", ") : "Chưa chọn tệp";
      name.classList.toggle("chosen", files.length > 0);
    }
    input.addEventListener("change", show);
    if (input.form) input.form.addEventListener("reset", function () { setTimeout(show, 0); });
    show();
  }
  $all("input[type=file]").forEach(filePicker);

  // ---- a step's documents being made: the list follows the flow, then the page reloads
  var progress = document.querySelector("[data-progress-url]");
  if (progress) {
    var progressUrl = progress.getAttribute("data-progress-url");
    var count = progress.querySelector("[data-progress-count]");
    var list = progress.querySelector("[data-progress-list]");
    if (!list) {
      list = document.createElement("ul");
      list.className = "progress-list";
      list.setAttribute("data-progress-list", "");
      progress.insertBefore(list, progress.querySelector(".hint"));
    }
    var showProgress = function (p) {
      count.textContent = p.total ? p.done + "/" + p.total + " văn bản đã xong" : "Đang bắt đầu";
      var retry = progress.querySelector("[data-progress-retry]");
      if (retry) retry.hidden = !p.retrying;
      list.textContent = "";
      p.documents.forEach(function (doc) {
        var li = document.createElement("li");
        li.className = doc.done ? "done" : "pending";
        var mark = document.createElement("span");
        mark.className = "mark"; mark.setAttribute("aria-hidden", "true");
        mark.textContent = doc.done ? "✓" : "…";
        var title = document.createElement("span");
        title.className = "title"; title.textContent = doc.title;
        li.appendChild(mark); li.appendChild(document.createTextNode(" ")); li.appendChild(title);
        if (doc.purpose === "prepare") {
          var note = document.createElement("span");
          note.className = "muted"; note.textContent = "(bản chờ ký của bước tiếp theo)";
          li.appendChild(document.createTextNode(" ")); li.appendChild(note);
        }
        var state = document.createElement("span");
        state.className = "state"; state.textContent = doc.done ? "đã xong" : "đang làm";
        li.appendChild(document.createTextNode(" – ")); li.appendChild(state);
        list.appendChild(li);
      });
    };
    var poll = function () {
      fetch(progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (p) {
          if (!p.processing) { window.location.reload(); return; }
          showProgress(p);
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 4000); });
    };
    setTimeout(poll, 1000);
  }

  // ---- dialogs (approve with PIN)
  // The bulk approval lists what each ticked dossier will sign, with its preview.
  function showSelected(dialog) {
    var form = dialog.closest("form");
    var picked = $all("input[name=ho_so]:checked", form).map(function (b) { return b.value; });
    $all("[data-plan]", dialog).forEach(function (section) {
      var on = picked.indexOf(section.getAttribute("data-plan")) >= 0;
      section.hidden = !on;
      $all("iframe[data-src]", section).forEach(function (f) {
        if (on && !f.getAttribute("src")) f.setAttribute("src", f.getAttribute("data-src"));
      });
    });
    dialog.querySelector("[data-none-selected]").hidden = picked.length > 0;
    dialog.querySelector("[data-some-selected]").hidden = picked.length === 0;
    dialog.querySelector("[data-bulk-submit]").disabled = picked.length === 0;
  }
  function openDialog(dialog) {
    if (!dialog) return;
    if (dialog.hasAttribute("data-bulk")) showSelected(dialog);
    if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    if (dialog.hasAttribute("data-bulk") && !dialog.querySelector(".field-error")) {
      // What will be signed is read first, from the top; the PIN comes after it.
      var heading = dialog.querySelector("h2");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
      return;
    }
    var first = dialog.querySelector("input:not([type=hidden]), textarea, select, button");
    if (first) first.focus();
  }
  $all("[data-open-dialog]").forEach(function (btn) {
    btn.addEventListener("click", function () { openDialog(document.getElementById(btn.getAttribute("data-open-dialog"))); });
  });
  $all("[data-close-dialog]").forEach(function (btn) {
    btn.addEventListener("click", function () { var d = btn.closest("dialog"); if (d) d.close(); });
  });
  $all("dialog[data-open-on-load]").forEach(openDialog);

  // ---- forms that take a while: one click, and say what is happening
  $all("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      $all("button[type=submit]", form).forEach(function (b) {
        b.disabled = true;
        b.setAttribute("aria-busy", "true");
        b.textContent = form.getAttribute("data-busy");
      });
    });
  });

  // ---- signature badges, one document after the other
  var toVerify = $all("[data-verify-url]");
  (function next() {
    var el = toVerify.shift();
    if (!el) return;
    el.textContent = "Đang kiểm tra…";
    fetch(el.getAttribute("data-verify-url"), { headers: { "X-Fragment": "1" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { el.innerHTML = html; })
      .catch(function () { el.innerHTML = '<span class="badge warn">Chưa kiểm tra được</span>'; })
      .then(next);
  })();

  // ---- inline preview of a PDF or a picture
  var panel = document.getElementById("xem-truoc");
  if (panel) {
    var frame = document.getElementById("xem-truoc-khung");
    var img = document.getElementById("xem-truoc-anh");
    var heading = document.getElementById("xem-truoc-tieu-de");
    heading.setAttribute("tabindex", "-1");
    $all("[data-preview]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var url = btn.getAttribute("data-preview");
        heading.textContent = "Xem trước: " + btn.getAttribute("data-title");
        if (btn.getAttribute("data-kind") === "image") {
          frame.hidden = true; frame.removeAttribute("src");
          img.hidden = false; img.src = url; img.alt = btn.getAttribute("data-title");
        } else {
          img.hidden = true; img.removeAttribute("src");
          frame.hidden = false; frame.src = url;
        }
        panel.hidden = false;
        panel.scrollIntoView({ block: "start" });
        heading.focus();
      });
    });
    $all("[data-close-preview]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        panel.hidden = true; frame.removeAttribute("src"); img.removeAttribute("src");
      });
    });
  }

  // ---- nominees: a collective has no date of birth, gender or ethnicity
  function showDetails(select) {
    var row = select.closest("fieldset");
    var box = row && row.querySelector("[data-individual]");
    if (box) box.hidden = select.value === "collective";
    var counts = row && row.querySelector("[data-collective]");
    if (counts) counts.hidden = select.value !== "collective";
  }
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.matches && el.matches("select[name$='-kind']")) showDetails(el);
  });

  // ---- nominees: one more blank row
  $all("[data-add-row]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var blanks = $all("[data-blank-row]");
      var model = blanks[blanks.length - 1];
      if (!model) return;
      var next = parseInt(btn.getAttribute("data-next"), 10);
      var copy = model.cloneNode(true);
      $all("[id], [for], [name], [aria-describedby]", copy).forEach(function (el) {
        ["id", "for", "name", "aria-describedby"].forEach(function (a) {
          var v = el.getAttribute(a);
          if (v) el.setAttribute(a, v.replace(/n-\d+-/g, "n-" + next + "-"));
        });
        if (el.matches("input[type=text], textarea")) el.value = "";
        if (el.matches("select[name$='-gender'], select[name$='-ethnicity'], select[name$='-scope'], select[name$='-document_id']")) el.selectedIndex = 0;
        if (el.matches("input[type=checkbox]")) el.checked = false;
        el.removeAttribute("aria-invalid");
      });
      $all(".field-error", copy).forEach(function (e) { e.remove(); });
      model.parentNode.appendChild(copy);
      btn.setAttribute("data-next", String(next + 1));
      var first = copy.querySelector("select, input");
      if (first) first.focus();
    });
  });

  // ---- attachments: type and size checked before sending, progress while sending
  var TYPES = { pdf: "application/pdf", docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg" };
  function sizeText(n) {
    return n < 1048576 ? (n / 1024).toFixed(1).replace(".", ",") + " KB" : (n / 1048576).toFixed(1).replace(".", ",") + " MB";
  }
  $all("form[data-upload]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var error = form.querySelector("[data-file-error]");
    var hint = form.querySelector("[data-file-hint]");
    var wrap = form.querySelector("[data-progress-wrap]");
    var bar = form.querySelector("[data-progress]");
    var pct = form.querySelector("[data-progress-text]");
    var max = parseInt(form.getAttribute("data-max"), 10);
    function fail(message) {
      error.textContent = message; error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      var named = input.getAttribute("data-file-name-id");
      input.setAttribute("aria-describedby", (hint ? hint.id + " " : "") + error.id + (named ? " " + named : ""));
      input.focus();
    }
    function check() {
      error.hidden = true; error.textContent = ""; input.removeAttribute("aria-invalid");
      var f = input.files && input.files[0];
      if (!f) return "Hãy chọn một tệp.";
      var ext = (f.name.split(".").pop() || "").toLowerCase();
      if (!TYPES[ext] || (f.type && f.type !== TYPES[ext])) return "Tệp «" + f.name + "» không phải PDF, DOCX, PNG hoặc JPEG.";
      if (f.size === 0) return "Tệp rỗng.";
      if (f.size > max) return "Tệp «" + f.name + "» nặng " + sizeText(f.size) + ", vượt quá giới hạn " + sizeText(max) + ".";
      return null;
    }
    input.addEventListener("change", function () { var m = check(); if (m) fail(m); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var problem = check();
      if (problem) { fail(problem); return; }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var p = Math.round(100 * e.loaded / e.total);
        bar.value = p; pct.textContent = p + "%";
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status >= 200 && xhr.status < 300 && body.ok) { window.location.reload(); return; }
        wrap.hidden = true;
        fail(body.message || body.detail || "Không tải lên được (mã lỗi " + xhr.status + ").");
      });
      xhr.addEventListener("error", function () { wrap.hidden = true; fail("Mất kết nối khi tải lên. Hãy thử lại."); });
      bar.value = 0; pct.textContent = "0%"; wrap.hidden = false;
      xhr.send(new FormData(form));
    });
  });

  // ---- nominees: the person picker, searched as the clerk types (without JS: the select)
  var pickTimers = {};
  function pickerOf(el) { return el.closest("[data-person-picker]"); }
  function fillPicker(box, people, q) {
    var select = box.querySelector("select"), chosen = select.value;
    var keep = $all("option", select).filter(function (o) { return o.value === "" || o.value === chosen; });
    select.innerHTML = "";
    keep.forEach(function (o) { select.appendChild(o); });
    people.forEach(function (p) {
      if (String(p.id) === chosen) return;
      var o = document.createElement("option");
      o.value = String(p.id);
      o.setAttribute("data-name", p.full_name);
      o.textContent = p.full_name + (p.position ? " – " + p.position : "") + " (hồ sơ số " + p.id + ")";
      select.appendChild(o);
    });
    var count = box.querySelector("[data-person-count]");
    if (count) count.textContent = q ? (people.length ? "Tìm thấy " + people.length + " hồ sơ: chọn trong danh sách." : "Không có hồ sơ nào tên «" + q + "» trong đơn vị: hệ thống sẽ lập hồ sơ mới.") : "";
  }
  $all("[data-person-search]").forEach(function (input) { input.hidden = false; });
  document.addEventListener("input", function (ev) {
    var input = ev.target;
    if (!input || !input.matches || !input.matches("[data-person-search]")) return;
    var box = pickerOf(input), key = input.id;
    clearTimeout(pickTimers[key]);
    pickTimers[key] = setTimeout(function () {
      var q = input.value.trim();
      var url = "/ca-nhan/tim?q=" + encodeURIComponent(q) + "&don-vi=" + encodeURIComponent(input.getAttribute("data-unit"));
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (people) { if (input.value.trim() === q) fillPicker(box, people, q); })
        .catch(function () {});
    }, 200);
  });
  document.addEventListener("change", function (ev) {
    var select = ev.target;
    if (!select || !select.matches || !select.matches("[data-person-picker] select")) return;
    var opt = select.options[select.selectedIndex], fieldset = select.closest("fieldset");
    var name = fieldset && fieldset.querySelector("input[name$='-name']");
    if (opt && opt.value && name && !name.value.trim()) name.value = opt.getAttribute("data-name") || "";
  });
})();
