// Betalinger (nb_pay.html): shows the bank's name next to the registration
// number as it is typed (GET /api/v1/banks/{reg}). Without JavaScript the
// review page names the bank.
(function () {
  "use strict";
  var reg = document.getElementById("reg");
  var out = document.getElementById("bank-name");
  if (!reg || !out || !window.fetch) { return; }
  var last = "";
  function lookup() {
    var v = reg.value.replace(/\s+/g, "");
    if (v === last) { return; }
    last = v;
    if (!/^[0-9]{4}$/.test(v)) { out.textContent = ""; return; }
    fetch("/api/v1/banks/" + v, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) {
        if (reg.value.replace(/\s+/g, "") !== v) { return; }
        out.textContent = b && b.name ? "Bank: " + b.name : "Ukendt registreringsnummer";
      })
      .catch(function () { out.textContent = ""; });
  }
  reg.addEventListener("input", lookup);
  reg.addEventListener("change", lookup);
  lookup();
})();
