// The chair's screen: the live count of who has voted (never what), every 3 seconds.
(function () {
  "use strict";
  var el = document.getElementById("so-da-bo-phieu");
  if (!el) return;
  var url = el.getAttribute("data-count-url");
  var poll = function () {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (c) {
        el.textContent = String(c.voted);
        if (c.status === "voting") setTimeout(poll, 3000);
      })
      .catch(function () { setTimeout(poll, 6000); });
  };
  setTimeout(poll, 3000);
})();
