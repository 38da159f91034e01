// Netbank – the signing page (web/sign.go, nb_sign.html): RULES SIGN-1,
// SIGN-2, BIZ-3, AUTH-4, AUTH-7.
//
// The document to sign is the text of <pre id="sign-document">, exactly as
// the bank sent it. This script computes its checksum (NetbankUSF.checksum,
// SHA-256) in the browser, so the bank can compare it with its own and
// refuse a document changed on the way (SIGN-1).
//
//   - Private users sign with the signature file and the signature code
//     (NetbankUSF.signDocument). The code and the file never leave the
//     browser: their inputs have no name, and the form sends only the
//     checksum and the signature. The file is the one kept in this browser
//     (IndexedDB) or one loaded from disk, as at the login.
//   - Business users confirm with the password and a one-time code; the
//     form works without this script. With it, the hidden checksum field is
//     filled from the shown text before the form is sent.
//
// Every text shown comes from the page (data-msg-* attributes) or from
// usf.js (Danish, as the bank's own messages).
(function () {
  'use strict';

  var USF = window.NetbankUSF;

  function byId(id) {
    return document.getElementById(id);
  }

  function show(el, visible) {
    if (el) {
      el.hidden = !visible;
    }
  }

  var form = byId('sign-form');
  var pre = byId('sign-document');
  if (!form || !pre || !USF) {
    return; // nothing to sign here, or usf.js did not load
  }

  function msg(name) {
    return form.getAttribute('data-msg-' + name) || '';
  }

  function input(name) {
    return form.querySelector('input[name="' + name + '"]');
  }

  var errorBox = byId('form-error');
  var statusLine = byId('form-status');
  var busy = false;

  function setError(text, focus) {
    if (!errorBox) {
      return;
    }
    errorBox.querySelector('p').textContent = text || '';
    show(errorBox, !!text);
    if (text && focus) {
      focus.focus();
    }
  }

  function start() {
    busy = true;
    form.setAttribute('aria-busy', 'true');
    setError('');
    if (statusLine) {
      statusLine.textContent = msg('working');
    }
  }

  function stop(errorText, focus) {
    busy = false;
    form.removeAttribute('aria-busy');
    if (statusLine) {
      statusLine.textContent = '';
    }
    setError(errorText, focus);
  }

  function messageOf(err) {
    if (err instanceof TypeError) {
      return msg('network');
    }
    return (err && err.message) || msg('network');
  }

  // documentText is the document exactly as shown: the HTML parser drops
  // the one line break written right after <pre>, so textContent is the
  // bank's text.
  function documentText() {
    return pre.textContent;
  }

  // send posts the form the ordinary way (a page load), without running
  // this handler again.
  function send() {
    HTMLFormElement.prototype.submit.call(form);
  }

  // Private users: sign the shown document with the file and the code
  // (RULE SIGN-2, AUTH-4) and send only the checksum and the signature.
  function signWithFile() {
    var userNumber = form.getAttribute('data-user');
    var code = byId('code');
    var source = window.NetbankUSFPicker(userNumber, {setError: setError, msg: msg});
    show(byId('js-required'), false);
    show(form, true);

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      event.stopPropagation();
      if (busy) {
        return;
      }
      var invalid = USF.validateCode(code.value);
      if (invalid) {
        setError(invalid, code);
        return;
      }
      start();
      var text = documentText();
      var file;
      source.get().then(function (f) {
        file = f;
        return USF.checksum(text);
      }).then(function (sum) {
        input('checksum').value = sum;
        return USF.signDocument(file, code.value, text);
      }).then(function (signature) {
        var kept = source.keepLoaded() ? USF.store(userNumber, file).catch(function () {}) : Promise.resolve();
        return kept.then(function () {
          input('signature').value = signature;
          code.value = '';
          send();
        });
      }).catch(function (err) {
        stop(messageOf(err), code);
      });
    });
  }

  // Business users (BIZ-3): the form is complete without this script; add
  // the browser's checksum of the shown text (SIGN-1). If it cannot be
  // computed, the form goes as it is and the bank uses its own checksum.
  function addChecksum() {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      event.stopPropagation();
      if (busy) {
        return;
      }
      start();
      USF.checksum(documentText()).then(function (sum) {
        input('checksum').value = sum;
      }, function () {
        input('checksum').value = '';
      }).then(send);
    });
  }

  if (form.getAttribute('data-method') === 'signature-file') {
    signWithFile();
  } else {
    addChecksum();
  }
})();
