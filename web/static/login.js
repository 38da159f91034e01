// Netbank – the signature steps of the private login and the change of
// signature code (RULES AUTH-2 to AUTH-7). The pages work as plain forms
// wherever they can; the digital signature cannot: the key pair is made,
// kept and used in the browser (usf.js), so these forms need JavaScript,
// and say so when it is off.
//
// What never leaves the browser: the signature code and the signature file.
// Their inputs have no name, so even a form sent by hand carries neither;
// the bank gets only public keys and signatures.
//
// Every text shown comes from the page (data-msg-* attributes, drawn from
// the catalog in the page's language) or from usf.js (Danish, as the bank's
// own messages).
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

  function field(form, name) {
    var el = form.querySelector('input[name="' + name + '"]');
    return el ? el.value : '';
  }

  // A form of this file: its error box, its status line, a busy flag, and
  // the texts of its data-msg-* attributes.
  function Form(form) {
    this.form = form;
    this.error = byId('form-error');
    this.status = byId('form-status');
    this.busy = false;
  }

  Form.prototype.msg = function (name) {
    return this.form.getAttribute('data-msg-' + name) || '';
  };

  Form.prototype.setError = function (text, focus) {
    if (!this.error) {
      return;
    }
    this.error.querySelector('p').textContent = text || '';
    show(this.error, !!text);
    if (text && focus) {
      focus.focus();
    }
  };

  Form.prototype.setStatus = function (text) {
    if (this.status) {
      this.status.textContent = text || '';
    }
  };

  Form.prototype.start = function () {
    if (this.busy) {
      return false;
    }
    this.busy = true;
    this.form.setAttribute('aria-busy', 'true');
    this.setError('');
    this.setStatus(this.msg('working'));
    return true;
  };

  Form.prototype.stop = function (errorText, focus) {
    this.busy = false;
    this.form.removeAttribute('aria-busy');
    this.setStatus('');
    this.setError(errorText, focus);
  };

  // enable swaps the "JavaScript is needed" notice for the form.
  function enable(form) {
    show(byId('js-required'), false);
    show(form, true);
  }

  // post sends fields to the bank as a form (with the CSRF token in the
  // header too) and resolves with {ok, data} from its JSON answer.
  function post(form, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (k) {
      body.append(k, fields[k]);
    });
    body.append('csrf_token', field(form, 'csrf_token'));
    return fetch(form.getAttribute('action'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Accept': 'application/json',
        'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
        'X-CSRF-Token': field(form, 'csrf_token')
      },
      body: body
    }).then(function (res) {
      return res.json().catch(function () {
        return {};
      }).then(function (data) {
        return { ok: res.ok, data: data };
      });
    });
  }

  // networkError turns a failed fetch into the page's message; errors from
  // usf.js and the bank already carry theirs.
  function messageOf(err, f) {
    if (err instanceof TypeError) {
      return f.msg('network');
    }
    return (err && err.message) || f.msg('network');
  }

  // checkCodes validates a new code and its repetition (RULE AUTH-2).
  function checkNewCode(f, input, again) {
    var msg = USF.validateCode(input.value);
    if (msg) {
      f.setError(msg, input);
      return false;
    }
    if (USF.validateCode(again.value) !== null ||
        input.value.toLowerCase() !== again.value.toLowerCase()) {
      f.setError(f.msg('mismatch'), again);
      return false;
    }
    return true;
  }

  // showDone swaps a form for its "file is ready" section and wires the
  // download button (RULE AUTH-3, AUTH-7: always offer the file, named
  // NNNNNNN.usf).
  function showDone(stepId, doneId, userNumber, file, stored) {
    show(byId(stepId), false);
    show(byId(doneId), true);
    show(byId('done-stored'), stored);
    show(byId('done-notstored'), !stored);
    var button = byId('download');
    var status = byId('download-status');
    button.addEventListener('click', function () {
      USF.download(userNumber, file).then(function () {
        status.textContent = status.getAttribute('data-msg-done');
      }, function (err) {
        status.textContent = err.message;
      });
    });
    var heading = byId('done-heading');
    if (heading) {
      heading.focus();
    }
  }

  // keepOrForget keeps the file on this device if the user asked, and
  // otherwise removes any older copy kept here. Resolves with whether the
  // file is kept.
  function keepOrForget(userNumber, file, keep) {
    if (keep) {
      return USF.store(userNumber, file).then(function () {
        return true;
      }, function () {
        return false;
      });
    }
    return USF.remove(userNumber).then(function () {
      return false;
    }, function () {
      return false;
    });
  }

  // First login: choose the code, make the file, enrol its public key
  // (RULE AUTH-2, AUTH-3).
  function enroll(form) {
    var f = new Form(form);
    var userNumber = field(form, 'user_number');
    var challenge = form.getAttribute('data-challenge');
    var code = byId('new-code');
    var again = byId('new-code-again');
    var keep = byId('keep-file');
    enable(form);

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      event.stopPropagation();
      if (f.busy || !checkNewCode(f, code, again)) {
        return;
      }
      f.start();
      var created;
      USF.create(userNumber, code.value).then(function (c) {
        created = c;
        return USF.signLogin(created.file, code.value, challenge);
      }).then(function (signature) {
        return post(form, {
          user_number: userNumber,
          challenge_id: field(form, 'challenge_id'),
          public_key: created.publicKey,
          signature: signature
        });
      }).then(function (res) {
        if (!res.ok) {
          throw new Error(res.data.error || f.msg('network'));
        }
        code.value = '';
        again.value = '';
        return keepOrForget(userNumber, created.file, keep.checked);
      }).then(function (stored) {
        f.stop('');
        showDone('enroll-step', 'enroll-done', userNumber, created.file, stored);
      }).catch(function (err) {
        f.stop(messageOf(err, f), code);
      });
    });
  }

  // Login: sign the bank's challenge with the file and the code, and send
  // only the signature (RULE AUTH-4).
  function signatureLogin(form) {
    var f = new Form(form);
    var userNumber = field(form, 'user_number');
    var challenge = form.getAttribute('data-challenge');
    var code = byId('code');
    var source = window.NetbankUSFPicker(userNumber, f);
    enable(form);

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      event.stopPropagation();
      if (f.busy) {
        return;
      }
      var msg = USF.validateCode(code.value);
      if (msg) {
        f.setError(msg, code);
        return;
      }
      f.start();
      var file;
      source.get().then(function (text) {
        file = text;
        return USF.signLogin(file, code.value, challenge);
      }).then(function (signature) {
        var kept = source.keepLoaded() ? USF.store(userNumber, file).catch(function () {}) : Promise.resolve();
        return kept.then(function () {
          form.querySelector('input[name="signature"]').value = signature;
          code.value = '';
          HTMLFormElement.prototype.submit.call(form);
        });
      }).catch(function (err) {
        f.stop(messageOf(err, f), code);
      });
    });
  }

  // Change of signature code: the challenge signed with the old key (old
  // file + old code) and with a new key made for the new code (RULE
  // AUTH-6). The new file replaces the kept one.
  function codeChange(form) {
    var f = new Form(form);
    var userNumber = field(form, 'user_number');
    var oldCode = byId('old-code');
    var code = byId('new-code');
    var again = byId('new-code-again');
    var keep = byId('keep-file');
    var source = window.NetbankUSFPicker(userNumber, f);
    enable(form);

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      event.stopPropagation();
      if (f.busy) {
        return;
      }
      var msg = USF.validateCode(oldCode.value);
      if (msg) {
        f.setError(msg, oldCode);
        return;
      }
      if (!checkNewCode(f, code, again)) {
        return;
      }
      f.start();
      var challenge = form.getAttribute('data-challenge');
      var oldSignature;
      var created;
      source.get().then(function (oldFile) {
        return USF.signLogin(oldFile, oldCode.value, challenge);
      }).then(function (signature) {
        oldSignature = signature;
        return USF.create(userNumber, code.value);
      }).then(function (c) {
        created = c;
        return USF.signLogin(created.file, code.value, challenge);
      }).then(function (newSignature) {
        return post(form, {
          challenge_id: field(form, 'challenge_id'),
          old_signature: oldSignature,
          public_key: created.publicKey,
          new_signature: newSignature
        });
      }).then(function (res) {
        if (!res.ok) {
          var d = res.data || {};
          if (d.challenge_id && d.challenge) {
            // The next try signs a new challenge.
            form.querySelector('input[name="challenge_id"]').value = d.challenge_id;
            form.setAttribute('data-challenge', d.challenge);
          }
          if (d.next) {
            // Blocked after too many wrong codes (RULE AUTH-5): the session
            // is over, and the login page says why.
            window.location.assign(d.next);
            return null;
          }
          throw new Error(d.error || f.msg('network'));
        }
        oldCode.value = '';
        code.value = '';
        again.value = '';
        return keepOrForget(userNumber, created.file, keep.checked).then(function (stored) {
          f.stop('');
          showDone('change-step', 'change-done', userNumber, created.file, stored);
        });
      }).catch(function (err) {
        f.stop(messageOf(err, f), oldCode);
      });
    });
  }

  if (!USF) {
    return; // usf.js did not load: the "JavaScript is needed" notice stays
  }
  var form;
  if ((form = byId('enroll-form'))) {
    enroll(form);
  } else if ((form = byId('signature-form'))) {
    signatureLogin(form);
  } else if ((form = byId('code-change-form'))) {
    codeChange(form);
  }
})();
