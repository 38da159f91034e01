// Netbank – the account pages (web/accounts.go). Progressive enhancement
// only: every page works without this file.
//
//   "Vis flere"  fetches the next (older) postings and adds them to the
//                table, instead of opening them as a page of their own.
//   "Udskriv"    prints the statement (the CSP forbids inline handlers, so
//                the button is wired here and hidden until it is).
(function () {
  'use strict';

  var print = document.getElementById('print');
  if (print) {
    print.hidden = false;
    print.addEventListener('click', function (event) {
      event.preventDefault();
      window.print();
    });
  }

  var status = document.getElementById('more-status');

  function showMore(link) {
    var table = document.querySelector('#postings tbody');
    if (!table || link.getAttribute('aria-busy') === 'true') {
      return false;
    }
    link.setAttribute('aria-busy', 'true');
    fetch(link.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error('status ' + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, 'text/html');
        var rows = page.querySelectorAll('#postings tbody tr');
        if (rows.length === 0) {
          throw new Error('no postings');
        }
        var first = null;
        for (var i = 0; i < rows.length; i++) {
          var row = document.importNode(rows[i], true);
          table.appendChild(row);
          if (!first) {
            first = row;
          }
        }
        var next = page.getElementById('more-link');
        var more = document.getElementById('more');
        if (next) {
          link.href = next.getAttribute('href');
          link.removeAttribute('aria-busy');
        } else if (more) {
          more.parentNode.removeChild(more);
        }
        if (status) {
          status.textContent = link.getAttribute('data-loaded') || '';
        }
        // Keyboard users continue at the first new posting.
        first.setAttribute('tabindex', '-1');
        first.focus();
      })
      .catch(function () {
        // Let the browser open the page the ordinary way.
        window.location.href = link.href;
      });
    return true;
  }

  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var link = target.closest('a[data-more]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    showMore(link);
  });
})();
