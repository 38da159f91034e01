// Test driver for web/static/usf.js, loaded by auth/usf_browser_test.go.
// It is a separate file because the page runs under the bank's CSP, which
// forbids inline scripts. Each helper returns plain data for chromedp.
(function () {
  'use strict';

  // errorOf runs an async call and returns the message it rejects with, or
  // "" if it resolves.
  async function errorOf(fn) {
    try {
      await fn();
      return '';
    } catch (e) {
      return String(e && e.message);
    }
  }

  window.usfDriver = {
    errorOf: errorOf,

    // validateAll returns validateCode for each code ("" for valid).
    validateAll: function (codes) {
      return codes.map(function (c) {
        return NetbankUSF.validateCode(c) || '';
      });
    },

    // rejections returns, per file, the message publicKey rejects it with.
    rejections: async function (files, code) {
      var out = {};
      for (var name in files) {
        out[name] = await errorOf(function () {
          return NetbankUSF.publicKey(files[name], code);
        });
      }
      return out;
    },

    // idbRoundTrip stores, loads and removes a file and reports each step.
    idbRoundTrip: async function (user, otherUser, file) {
      var r = {};
      await NetbankUSF.remove(user);
      r.before = await NetbankUSF.load(user);
      await NetbankUSF.store(user, file);
      r.loaded = await NetbankUSF.load(user);
      r.other = await NetbankUSF.load(otherUser);
      await NetbankUSF.store(user, file);
      r.again = await NetbankUSF.load(user);
      await NetbankUSF.remove(user);
      r.after = await NetbankUSF.load(user);
      r.storeBad = await errorOf(function () {
        return NetbankUSF.store(user, '{"format":"netbank-usf"}');
      });
      r.afterBad = await NetbankUSF.load(user);
      r.badUser = await errorOf(function () {
        return NetbankUSF.load('123');
      });
      return r;
    }
  };

  document.documentElement.setAttribute('data-driver', 'ready');
})();
