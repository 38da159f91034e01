// Betalinger (nb_pay.html). Without JavaScript every field is shown and
// the bank checks everything; with it the form helps as the user types:
//   - a transfer: the bank's name next to the registration number
//     (GET /api/v1/banks/{reg}), and "Straksoverførsel" only for an
//     account in another bank (PAY-2);
//   - a payment slip: a pasted code line is split into the card type,
//     payment id and creditor number / giro account; only the fields the
//     card type has are shown, with the payment id's length and check
//     digit checked (PAY-4);
//   - a transfer abroad: the IBAN in groups of four with its country,
//     checked with its MOD 97 check digits; the BIC in capitals; the
//     amount's label names the currency (PAY-5);
//   - the date, here and on a bill's page (nb_invoice.html): a Saturday,
//     Sunday or holiday moves to the next bank day, and a hint says so
//     (PAY-3, CAL-1).
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  function digits(s) { return s.replace(/\s+/g, ""); }

  // ---- the date: today or a bank day ----
  // The bank lists the non-bank days after today up to the field's max,
  // with their names ({"2026-11-28": "Lørdag", …} in #date-closed). A date
  // picked on one of them moves to the next bank day at once; a date being
  // typed moves when the field is left or the form is sent, not between
  // keystrokes. Without JavaScript the bank moves it (the review page says
  // so).
  (function () {
    var date = $("date");
    var list = $("date-closed");
    var hint = $("date-moved");
    if (!date || !list || !hint) { return; }
    var closed = null;
    try { closed = JSON.parse(list.textContent); } catch (e) { closed = null; }
    if (!closed || typeof closed !== "object") { return; }
    var weekdays = (hint.getAttribute("data-weekdays") || "").split(" ");
    var text = hint.getAttribute("data-text") || "";
    var typing = false;
    var moved = ""; // the bank day the hint names, once the date is moved
    function isClosed(s) { return Object.prototype.hasOwnProperty.call(closed, s); }
    function dmy(s) { return s.slice(8, 10) + "." + s.slice(5, 7) + "." + s.slice(0, 4); }
    function nextBankDay(s) {
      var t = Date.parse(s + "T00:00:00Z");
      for (var i = 0; i < 31 && isClosed(s); i++) {
        t += 86400000;
        s = new Date(t).toISOString().slice(0, 10);
      }
      return s;
    }
    function update(snap) {
      var v = date.value;
      if (!isClosed(v)) {
        if (v !== moved) { hint.hidden = true; hint.textContent = ""; moved = ""; }
        return;
      }
      var next = nextBankDay(v);
      var day = weekdays[new Date(Date.parse(next + "T00:00:00Z")).getUTCDay()] || "";
      hint.textContent = text.replace("{day}", closed[v] + " " + dmy(v)).replace("{next}", (day + " " + dmy(next)).trim());
      hint.hidden = false;
      moved = "";
      if (snap) {
        date.value = next;
        moved = next;
        typing = false;
      }
    }
    date.addEventListener("keydown", function () { typing = true; });
    date.addEventListener("input", function () { update(!typing); });
    date.addEventListener("change", function () { update(!typing); });
    date.addEventListener("blur", function () { update(true); });
    if (date.form) { date.form.addEventListener("submit", function () { update(true); }); }
    update(true);
  })();

  var form = $("pay-form");
  if (!form) { return; }

  // ---- a transfer: bank name and straksoverførsel ----
  (function () {
    var reg = $("reg");
    var out = $("bank-name");
    var instant = $("instant-field");
    var box = $("instant");
    if (!reg || !out) { return; }
    var own = form.getAttribute("data-own-reg");
    function showInstant(other) {
      if (!instant) { return; }
      instant.hidden = !other;
      if (!other && box) { box.checked = false; }
    }
    showInstant(instant && instant.getAttribute("data-other-bank") === "true");
    if (!window.fetch) { return; }
    var last = "";
    function lookup() {
      var v = digits(reg.value);
      if (v === last) { return; }
      last = v;
      if (!/^[0-9]{4}$/.test(v)) { out.textContent = ""; showInstant(false); return; }
      fetch("/api/v1/banks/" + v, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (b) {
          if (digits(reg.value) !== v) { return; }
          out.textContent = b && b.name ? "Bank: " + b.name : "Ukendt registreringsnummer";
          showInstant(!!(b && b.name) && v !== own);
        })
        .catch(function () { out.textContent = ""; });
    }
    reg.addEventListener("input", lookup);
    reg.addEventListener("change", lookup);
    lookup();
  })();

  // ---- a payment slip ----
  (function () {
    var type = $("slip_type");
    if (!type) { return; }
    var line = $("codeline");
    var status = $("codeline-status");
    var idField = $("slip-id-field");
    var id = $("slip_id");
    var idHint = $("slip-id-hint");
    var account = $("slip_account");
    var accountLabel = $("slip-account-label");
    var message = $("slip-message-field");
    var text = $("text_recipient");

    function luhn(s) {
      var sum = 0;
      for (var i = 0; i < s.length; i++) {
        var d = s.charCodeAt(s.length - 1 - i) - 48;
        if (i % 2 === 1) { d *= 2; if (d > 9) { d -= 9; } }
        sum += d;
      }
      return sum % 10 === 0;
    }
    function current() { return type.options[type.selectedIndex]; }
    function idLength() { return parseInt(current().getAttribute("data-id-length"), 10) || 0; }

    // Only the fields the card type has.
    function arrange() {
      var o = current();
      var n = idLength();
      idField.hidden = n === 0;
      if (n === 0) { id.value = ""; }
      id.maxLength = n || 16;
      var creditor = o.getAttribute("data-creditor") === "true";
      accountLabel.textContent = account.getAttribute(creditor ? "data-creditor" : "data-giro");
      account.maxLength = 8;
      var hasMessage = o.getAttribute("data-message") === "true";
      message.hidden = !hasMessage;
      if (!hasMessage) { text.value = ""; }
      check();
    }
    function check() {
      var n = idLength();
      var v = digits(id.value);
      var msg = "";
      if (n && v !== "") {
        if (!/^[0-9]+$/.test(v)) { msg = "Betalings-id må kun indeholde cifre"; }
        else if (v.length !== n) { msg = "Betalings-id skal være " + n + " cifre for kortart +" + type.value; }
        else if (!luhn(v)) { msg = "Kontrolcifferet i betalings-id'et passer ikke"; }
      }
      id.setCustomValidity(msg);
      id.setAttribute("aria-invalid", msg ? "true" : "false");
      idHint.textContent = msg || (n ? idHint.getAttribute("data-hint-" + n) : idHint.getAttribute("data-none"));
    }

    // A pasted code line: "+71< 000100017156728+81234567<", with or
    // without the amount part before it.
    function split() {
      var s = digits(line.value);
      if (s === "") { status.hidden = true; return; }
      var m = /^(?:<?[0-9]*>)?\+([0-9]{2})<([0-9]*)\+([0-9]{7,8})<?$/.exec(s);
      if (!m) { return; }
      var opt = null;
      for (var i = 0; i < type.options.length; i++) {
        if (type.options[i].value === m[1]) { opt = type.options[i]; }
      }
      if (!opt) { return; }
      type.value = m[1];
      id.value = m[2];
      account.value = m[3];
      line.value = "";
      status.textContent = status.getAttribute("data-filled");
      status.hidden = false;
      arrange();
    }
    type.addEventListener("change", arrange);
    id.addEventListener("input", check);
    id.addEventListener("blur", check);
    // While typing, only a finished line (ending in "<") is split.
    line.addEventListener("input", function () { if (/<\s*$/.test(line.value)) { split(); } });
    line.addEventListener("change", split);
    arrange();
    split();
  })();

  // ---- a transfer abroad ----
  (function () {
    var iban = $("iban");
    if (!iban) { return; }
    var country = $("iban-country");
    var bic = $("bic");
    var cc = $("country");
    var currency = $("currency");
    var label = $("amount-label");
    var inCur = $("amount-in-cur");
    var inDKK = $("amount-in-dkk");
    var names = null;
    try { names = new Intl.DisplayNames(["da"], { type: "region" }); } catch (e) { names = null; }

    function normal(s) { return s.replace(/\s+/g, "").toUpperCase(); }
    function mod97(s) {
      var r = 0;
      for (var i = 0; i < s.length; i++) {
        var c = s.charCodeAt(i);
        var v = c >= 65 ? String(c - 55) : s.charAt(i);
        for (var j = 0; j < v.length; j++) { r = (r * 10 + (v.charCodeAt(j) - 48)) % 97; }
      }
      return r;
    }
    function ibanBlur() {
      var v = normal(iban.value);
      if (v === "") { country.textContent = ""; iban.setCustomValidity(""); return; }
      iban.value = v.replace(/(.{4})(?=.)/g, "$1 ");
      var msg = "";
      if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$/.test(v)) { msg = "IBAN skal starte med en landekode og to kontrolcifre, f.eks. DE89"; }
      else if (v.slice(0, 2) === "DK") { msg = "Et dansk IBAN betales som en almindelig overførsel"; }
      else if (mod97(v.slice(4) + v.slice(0, 4)) !== 1) { msg = "IBAN'ets kontrolcifre passer ikke – tjek for tastefejl"; }
      iban.setCustomValidity(msg);
      iban.setAttribute("aria-invalid", msg ? "true" : "false");
      var code = v.slice(0, 2);
      var name = names && /^[A-Z]{2}$/.test(code) ? names.of(code) : "";
      country.textContent = msg ? msg : "Land: " + (name && name !== code ? name + " (" + code + ")" : code);
      if (!msg && cc && cc.value === "") { cc.placeholder = code; }
    }
    function bicBlur() { bic.value = normal(bic.value); }
    function amountLabel() {
      if (!label || !currency) { return; }
      label.textContent = inDKK && inDKK.checked ? "Beløb (kr.)" : "Beløb (" + currency.value + ")";
      if (inCur) { inCur.nextElementSibling.textContent = "i " + currency.value; }
    }
    iban.addEventListener("blur", ibanBlur);
    bic.addEventListener("blur", bicBlur);
    if (currency) { currency.addEventListener("change", amountLabel); }
    if (inCur) { inCur.addEventListener("change", amountLabel); }
    if (inDKK) { inDKK.addEventListener("change", amountLabel); }
    if (iban.value) { ibanBlur(); }
    amountLabel();
  })();
})();
