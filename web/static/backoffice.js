// Netbank back office – progressive enhancement only. Every page works
// without this file (the browser's own print command prints the letters).
(function () {
  'use strict';

  // "Udskriv" on the PIN letter and the key card: the CSP forbids inline
  // handlers, so the button is wired here.
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    if (target.closest('[data-print]')) {
      event.preventDefault();
      window.print();
    }
  });
})();
