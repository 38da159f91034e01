// Netbank – progressive enhancement only. Every page works without this
// file; it adds small conveniences and never handles money by itself.
(function () {
  'use strict';

  // Nothing of a session may stay on the device (RULE SESS-3). The server
  // sends "no-store", but if a browser still restores a page from its
  // back/forward cache, fetch it again so the server decides what to show
  // (after "Log af" that is the login page, not the old content).
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });

  // A form is sent once: a second click on "Godkend" while the first request
  // is on its way must not send the payment twice. The buttons are marked
  // busy instead of disabled, so the clicked button's name and value are
  // still part of the submission.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    if (form.getAttribute('data-submitted') === 'true') {
      event.preventDefault();
      return;
    }
    form.setAttribute('data-submitted', 'true');
    form.setAttribute('aria-busy', 'true');
    var buttons = form.querySelectorAll('button, input[type="submit"]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute('aria-disabled', 'true');
    }
  });
})();
