// Netbank – the inactivity countdown in the header of every logged-in page
// (RULE SESS-1). The session times out on the server after 15 minutes
// (private) or 60 minutes (business) without activity; this script only
// shows how long is left, offers "Forlæng", and leaves the page when the
// time is up, so nothing of the session stays on the screen.
//
// - It counts with the server's clock: data-now is the server's time when
//   the page was made, so a wrong clock on the device does not matter.
// - Every 30 seconds it asks GET /netbank/session/status, which does not
//   count as activity, whether the session is still alive (another tab may
//   have extended it, or a login elsewhere may have ended it: SESS-2).
// - Two minutes before the end it highlights the countdown and tells screen
//   readers once (aria-live="polite"); the visible seconds are not read out.
// - "Forlæng" posts to /netbank/session/extend with the CSRF token in the
//   X-CSRF-Token header. Without JavaScript the same button is a plain form.
(function () {
  'use strict';

  var box = document.getElementById('session-timer');
  if (!box || !window.fetch) {
    return;
  }
  var out = document.getElementById('session-countdown');
  var live = document.getElementById('session-live');
  var form = document.getElementById('session-extend');

  var WARN_MS = 2 * 60 * 1000;
  var POLL_MS = 30 * 1000;
  var GRACE_MS = 10 * 1000;

  var expires = Number(box.getAttribute('data-expires'));
  var offset = Number(box.getAttribute('data-now')) - Date.now(); // server clock − device clock
  var kind = box.getAttribute('data-kind') || '';
  var statusURL = box.getAttribute('data-status');
  var warned = false;
  var leaving = false;
  var checking = false;

  function text(name, value) {
    return (box.getAttribute('data-text-' + name) || '').replace('%s', value);
  }

  function remaining() {
    return expires - (Date.now() + offset);
  }

  // clock formats a duration as m:ss ("14:32").
  function clock(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(s / 60);
    s = s % 60;
    return m + ':' + (s < 10 ? '0' : '') + s;
  }

  // learn takes the server's answer {expires_at, now} (Unix ms).
  function learn(data) {
    expires = Number(data.expires_at);
    offset = Number(data.now) - Date.now();
  }

  // loginURL adds the kind of bank to an expiry, so the login page can name
  // the right timeout.
  function loginURL(url) {
    if (/[?&]reason=expired(&|$)/.test(url) && kind && !/[?&]kind=/.test(url)) {
      url += '&kind=' + encodeURIComponent(kind);
    }
    return url;
  }

  function leave(url) {
    if (!leaving) {
      leaving = true;
      window.location.assign(loginURL(url));
    }
  }

  // check asks the server whether the session is alive, without counting
  // as activity.
  function check() {
    if (checking || leaving) {
      return;
    }
    checking = true;
    fetch(statusURL, { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'application/json' } })
      .then(function (res) {
        return res.json();
      })
      .then(function (data) {
        if (data.active) {
          learn(data);
          render();
        } else {
          leave(data.login || '/login?reason=expired');
        }
      }, function () {
        // Offline: keep counting; the server ends the session anyway.
      })
      .then(function () {
        checking = false;
      });
  }

  function render() {
    var ms = remaining();
    out.textContent = text('countdown', clock(ms));
    var warn = ms <= WARN_MS;
    box.classList.toggle('session-warning', warn);
    if (warn && !warned) {
      warned = true;
      live.textContent = text('warning', clock(ms));
    } else if (!warn) {
      warned = false;
    }
    if (ms <= 0) {
      if (ms <= -GRACE_MS) {
        leave('/login?reason=expired'); // the server could not be asked
      } else {
        check(); // extended in another tab? If not, off to the login page.
      }
    }
  }

  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      event.stopPropagation();
      var token = form.querySelector('input[name="csrf_token"]').value;
      fetch(form.getAttribute('action'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'Accept': 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
          'X-CSRF-Token': token
        },
        body: new URLSearchParams({ csrf_token: token })
      }).then(function (res) {
        if (res.redirected) {
          leave(res.url); // the session was gone already
          return null;
        }
        return res.json();
      }).then(function (data) {
        if (!data || !data.expires_at) {
          return;
        }
        learn(data);
        warned = false;
        render();
        live.textContent = text('extended', clock(remaining()));
      }, function () {
        form.submit(); // no answer: try the plain form
      });
    });
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') {
      check(); // timers sleep with the laptop: ask at once when back
    }
  });

  render();
  setInterval(render, 1000);
  setInterval(check, POLL_MS);
})();
