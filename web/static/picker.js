// picker.js: the signature-file picker shared by the login, the change of
// signature code and the signing page (RULE AUTH-7): the file kept in this
// browser (IndexedDB) by default, or a file the user loads from disk, which
// is read here and never uploaded. It needs usf.js before it, and the page's
// elements usf-stored, usf-pick, usf-none, usf-back, usf-file (and,
// optionally, usf-keep, usf-forget, usf-use-file, usf-use-stored,
// usf-file-name). The page calls NetbankUSFPicker(userNumber, f) with f
// giving setError(text) and msg(name).
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

  function messageOf(err, f) {
    if (err instanceof TypeError) {
      return f.msg('network');
    }
    return (err && err.message) || f.msg('network');
  }

  window.NetbankUSFPicker = function (userNumber, f) {
    var stored = null;
    var mode = 'pick';
    var box = {
      stored: byId('usf-stored'),
      pick: byId('usf-pick'),
      none: byId('usf-none'),
      back: byId('usf-back'),
      input: byId('usf-file'),
      keep: byId('usf-keep')
    };

    function render() {
      show(box.stored, mode === 'stored');
      show(box.pick, mode === 'pick');
      show(box.none, mode === 'pick' && stored === null);
      show(box.back, mode === 'pick' && stored !== null);
      if (box.keep) {
        show(box.keep.parentNode, stored === null);
      }
    }

    function on(id, fn) {
      var el = byId(id);
      if (el) {
        el.addEventListener('click', fn);
      }
    }

    on('usf-use-file', function () {
      mode = 'pick';
      render();
      box.input.focus();
    });
    on('usf-use-stored', function () {
      mode = 'stored';
      render();
    });
    on('usf-forget', function () {
      USF.remove(userNumber).then(function () {
        stored = null;
        mode = 'pick';
        render();
        box.input.focus();
      }, function (err) {
        f.setError(messageOf(err, f));
      });
    });

    // Show the chosen file's name next to the Danish "Vælg fil" button.
    var chosen = byId('usf-file-name');
    if (box.input && chosen) {
      box.input.addEventListener('change', function () {
        var file = box.input.files && box.input.files[0];
        chosen.textContent = file ? file.name : chosen.getAttribute('data-empty');
        f.setError('');
      });
    }

    var ready = USF.load(userNumber).then(function (file) {
      stored = file;
    }, function () {
      stored = null; // no IndexedDB (e.g. a private window): load a file
    }).then(function () {
      mode = stored !== null ? 'stored' : 'pick';
      render();
    });

    return {
      ready: ready,
      // get resolves with the file's JSON text, from the store or the disk.
      get: function () {
        if (mode === 'stored' && stored !== null) {
          return Promise.resolve(stored);
        }
        var file = box.input.files && box.input.files[0];
        if (!file) {
          return Promise.reject(new Error(f.msg('nofile')));
        }
        return USF.readFile(file).then(function (text) {
          if (JSON.parse(text).user !== userNumber.slice(-7)) {
            throw new Error(f.msg('wronguser'));
          }
          return text;
        });
      },
      // keepLoaded tells whether a file loaded from disk should be kept.
      keepLoaded: function () {
        return mode === 'pick' && box.keep && box.keep.checked;
      }
    };
  };
})();
