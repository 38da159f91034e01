// Netbank – the PIN memoriser, "PIN-kode-husker" (web/pinhusker.go,
// templates/nb_card_pin.html; RULE CARD-21).
//
// The customer types the PIN and clicks the 4 fields of a pattern only
// they know, in order; "Udfyld" then writes a digit in each of the 40
// fields so that every digit 0–9 stands in exactly 4 of them, the PIN's
// digits in the pattern's fields in order (a PIN with a repeated digit
// too: its digit is used up as often as it occurs), and the remaining 36
// digits in a random order, shuffled with crypto.getRandomValues.
//
// Nothing leaves the browser: there is no form, the script makes no
// request, and once the fields are filled it forgets the pattern and
// clears the PIN field, so neither the screen nor the printout shows which
// fields were chosen. Without crypto.getRandomValues the page stays as it
// is without JavaScript: empty fields to fill in by hand.
(function () {
  'use strict';

  var root = document.getElementById('pinhusker');
  var crypto = window.crypto;
  if (!root || !crypto || !crypto.getRandomValues) {
    return;
  }
  var PIN_LENGTH = 4;
  var COPIES = 4; // every digit stands in this many fields
  var pinInput = document.getElementById('pinhusker-pin');
  var fillButton = document.getElementById('pinhusker-fill');
  var resetButton = document.getElementById('pinhusker-reset');
  var printButton = document.getElementById('pinhusker-print');
  var status = document.getElementById('pinhusker-status');
  var steps = document.getElementById('pinhusker-steps');
  var fields = Array.prototype.slice.call(root.querySelectorAll('.pinhusker-field'));
  if (!pinInput || !fillButton || !resetButton || !printButton || !status || !steps || fields.length !== 10 * COPIES) {
    return;
  }

  var chosen = []; // indexes of the pattern's fields, in click order
  var filled = false;

  function text(name, values) {
    var s = root.getAttribute('data-text-' + name) || '';
    Object.keys(values || {}).forEach(function (k) {
      s = s.split('{' + k + '}').join(String(values[k]));
    });
    return s;
  }

  function say(message) {
    status.textContent = message;
  }

  // randomBelow returns a uniform random integer in [0, n): values of the
  // 32-bit draw above the largest multiple of n are drawn again, so no
  // result is favoured.
  function randomBelow(n) {
    var limit = Math.floor(0x100000000 / n) * n;
    var draw = new Uint32Array(1);
    do {
      crypto.getRandomValues(draw);
    } while (draw[0] >= limit);
    return draw[0] % n;
  }

  // memoriser returns the 40 digits: pin's digits at pattern's indexes, in
  // order, and the rest of the 4 copies of each digit shuffled into the
  // other fields (Fisher–Yates).
  function memoriser(pin, pattern) {
    var left = [];
    var digits = new Array(fields.length);
    var d, i;
    for (d = 0; d < 10; d++) {
      left[d] = COPIES;
    }
    for (i = 0; i < pattern.length; i++) {
      d = pin.charCodeAt(i) - 48;
      digits[pattern[i]] = d;
      left[d]--;
    }
    var rest = [];
    for (d = 0; d < 10; d++) {
      for (i = 0; i < left[d]; i++) {
        rest.push(d);
      }
    }
    for (i = rest.length - 1; i > 0; i--) {
      var j = randomBelow(i + 1);
      var t = rest[i];
      rest[i] = rest[j];
      rest[j] = t;
    }
    var next = 0;
    for (i = 0; i < digits.length; i++) {
      if (digits[i] === undefined) {
        digits[i] = rest[next++];
      }
    }
    return digits;
  }

  // showChoice marks the chosen fields with their place in the pattern.
  function showChoice() {
    fields.forEach(function (field, i) {
      var at = chosen.indexOf(i);
      field.setAttribute('aria-pressed', at >= 0 ? 'true' : 'false');
      field.classList.toggle('pinhusker-chosen', at >= 0);
      field.textContent = at >= 0 ? String(at + 1) : '';
    });
  }

  function choose(i) {
    if (filled) {
      return;
    }
    var at = chosen.indexOf(i);
    if (at >= 0) {
      chosen.splice(at, 1);
      say(text('need-fields', { n: chosen.length }));
    } else if (chosen.length < PIN_LENGTH) {
      chosen.push(i);
      say(chosen.length === PIN_LENGTH ? text('full') :
        text('chosen', { field: fields[i].getAttribute('data-name'), n: chosen.length }));
    } else {
      say(text('full'));
      return;
    }
    showChoice();
  }

  function fill() {
    var pin = pinInput.value;
    if (!/^[0-9]{4}$/.test(pin)) {
      say(text('need-pin'));
      pinInput.focus();
      return;
    }
    if (chosen.length !== PIN_LENGTH) {
      say(text('need-fields', { n: chosen.length }));
      return;
    }
    var digits = memoriser(pin, chosen);
    // Forget the pattern and the PIN before anything is drawn.
    chosen = [];
    pinInput.value = '';
    pin = '';
    filled = true;
    fields.forEach(function (field, i) {
      field.classList.remove('pinhusker-chosen');
      field.setAttribute('aria-pressed', 'false');
      field.textContent = String(digits[i]);
    });
    digits = null;
    root.classList.add('pinhusker-filled');
    pinInput.disabled = true;
    fillButton.hidden = true;
    printButton.hidden = false;
    say(text('done'));
    printButton.focus();
  }

  function reset() {
    chosen = [];
    filled = false;
    pinInput.value = '';
    pinInput.disabled = false;
    fillButton.hidden = false;
    printButton.hidden = true;
    root.classList.remove('pinhusker-filled');
    showChoice();
    say(text('reset'));
    pinInput.focus();
  }

  fields.forEach(function (field, i) {
    field.disabled = false;
    field.addEventListener('click', function () {
      choose(i);
    });
  });
  fillButton.addEventListener('click', fill);
  resetButton.addEventListener('click', reset);
  printButton.addEventListener('click', function () {
    window.print();
  });
  pinInput.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') {
      event.preventDefault();
      fill();
    }
  });
  steps.hidden = false;
})();
