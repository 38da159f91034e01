// Netbank signature file (underskriftsfil) in the browser: RULE AUTH-2 to
// AUTH-7, SIGN-2. It makes the user's Ed25519 key pair on the device, keeps
// the private key only inside the signature file (encrypted under the
// signature code), and signs logins and documents with it. It writes and
// reads exactly the bytes of the Go package auth; docs/signature-file.md
// describes the format.
//
// WebCrypto only, no libraries, no inline code (works under CSP
// script-src 'self'). It defines one global object, NetbankUSF; every
// function that touches keys is async and rejects with an Error whose
// message is the Danish text to show the user.
(function () {
  'use strict';

  var FORMAT = 'netbank-usf';
  var VERSION = 1;
  var KDF = 'PBKDF2-SHA256';
  var CIPHER = 'AES-256-CTR';
  var DEFAULT_ITERATIONS = 600000;
  var MIN_ITERATIONS = 100000;
  var MAX_ITERATIONS = 10000000;
  var FIELDS = ['format', 'version', 'user', 'kdf', 'iterations', 'salt', 'cipher', 'iv', 'key'];

  // The PKCS#8 DER header of an Ed25519 private key (RFC 8410); the 32-byte
  // seed follows it.
  var PKCS8_ED25519_PREFIX = hexBytes('302e020100300506032b657004220420');

  var LOGIN_PREFIX = 'netbank-login-v1\n';
  var DOCUMENT_PREFIX = 'netbank-sign-v1\n';

  var DB_NAME = 'netbank';
  var DB_STORE = 'signature-files';

  // The same Danish texts as auth/code.go, auth/usernumber.go and auth/usf.go.
  var MSG = {
    codeEmpty: 'Indtast en underskriftskode.',
    codeChars: 'Underskriftskoden må kun indeholde tallene 0-9 og bogstaverne a-z (ikke æ, ø og å).',
    codeTooShort: 'Underskriftskoden skal være mindst 8 tegn.',
    codeTooLong: 'Underskriftskoden må højst være 16 tegn.',
    codeNoDigit: 'Underskriftskoden skal indeholde mindst ét tal.',
    codeNoLetter: 'Underskriftskoden skal indeholde mindst ét bogstav.',
    userEmpty: 'Indtast dit brugernummer.',
    userInvalid: 'Brugernummeret skal bestå af 11 cifre.',
    fileInvalid: 'Filen er ikke en gyldig underskriftsfil.'
  };

  function hexBytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) {
      out[i] = parseInt(hex.substr(i * 2, 2), 16);
    }
    return out;
  }

  function toHex(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) {
      s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    }
    return s;
  }

  function toBase64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) {
      s += String.fromCharCode(bytes[i]);
    }
    return btoa(s);
  }

  // fromBase64Exact decodes canonical padded standard base64 of exactly n
  // bytes, or returns null (as decodeExact in auth/usf.go).
  function fromBase64Exact(s, n) {
    if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
      return null;
    }
    var bin;
    try {
      bin = atob(s);
    } catch (e) {
      return null;
    }
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    if (out.length !== n || toBase64(out) !== s) {
      return null;
    }
    return out;
  }

  function base64urlToBase64(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4 !== 0) {
      s += '=';
    }
    return s;
  }

  function fail(message) {
    return new Error(message);
  }

  // validateCode returns null for a valid signature code or the Danish
  // message that says what is wrong (RULE AUTH-2; the same checks in the
  // same order as ValidateSignatureCode in Go).
  function validateCode(code) {
    if (typeof code !== 'string' || code === '') {
      return MSG.codeEmpty;
    }
    var digit = false;
    var letter = false;
    for (var i = 0; i < code.length; i++) {
      var c = code.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        digit = true;
      } else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
        letter = true;
      } else {
        return MSG.codeChars;
      }
    }
    if (code.length < 8) {
      return MSG.codeTooShort;
    }
    if (code.length > 16) {
      return MSG.codeTooLong;
    }
    if (!digit) {
      return MSG.codeNoDigit;
    }
    if (!letter) {
      return MSG.codeNoLetter;
    }
    return null;
  }

  // normalizeCode folds A–Z to a–z and nothing else (NormalizeSignatureCode).
  function normalizeCode(code) {
    return code.replace(/[A-Z]/g, function (c) {
      return c.toLowerCase();
    });
  }

  function checkCode(code) {
    var msg = validateCode(code);
    if (msg !== null) {
      throw fail(msg);
    }
  }

  // validateUserNumber returns null for 11 digits, else the Danish message.
  function validateUserNumber(userNumber) {
    if (typeof userNumber !== 'string' || userNumber === '') {
      return MSG.userEmpty;
    }
    if (!/^[0-9]{11}$/.test(userNumber)) {
      return MSG.userInvalid;
    }
    return null;
  }

  function checkUserNumber(userNumber) {
    var msg = validateUserNumber(userNumber);
    if (msg !== null) {
      throw fail(msg);
    }
  }

  // fileName is the name of the signature file: the last 7 digits of the
  // user number + ".usf" (RULE AUTH-3); "" for an invalid user number.
  function fileName(userNumber) {
    if (validateUserNumber(userNumber) !== null) {
      return '';
    }
    return userNumber.slice(-7) + '.usf';
  }

  // parse reads a signature file as strictly as ParseSignatureFile in Go.
  function parse(fileJSON) {
    var obj;
    try {
      obj = JSON.parse(fileJSON);
    } catch (e) {
      throw fail(MSG.fileInvalid);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw fail(MSG.fileInvalid);
    }
    var keys = Object.keys(obj);
    if (keys.length !== FIELDS.length) {
      throw fail(MSG.fileInvalid);
    }
    for (var i = 0; i < FIELDS.length; i++) {
      if (!Object.prototype.hasOwnProperty.call(obj, FIELDS[i])) {
        throw fail(MSG.fileInvalid);
      }
    }
    var f = {
      user: obj.user,
      iterations: obj.iterations,
      salt: fromBase64Exact(obj.salt, 16),
      iv: fromBase64Exact(obj.iv, 16),
      key: fromBase64Exact(obj.key, 32)
    };
    if (obj.format !== FORMAT || obj.version !== VERSION || obj.kdf !== KDF || obj.cipher !== CIPHER ||
        typeof f.user !== 'string' || !/^[0-9]{7}$/.test(f.user) ||
        !Number.isSafeInteger(f.iterations) || f.iterations < MIN_ITERATIONS || f.iterations > MAX_ITERATIONS ||
        f.salt === null || f.iv === null || f.key === null) {
      throw fail(MSG.fileInvalid);
    }
    return f;
  }

  // serialize writes the file with the field order of Marshal in Go, so both
  // give the same bytes.
  function serialize(f) {
    return JSON.stringify({
      format: FORMAT,
      version: VERSION,
      user: f.user,
      kdf: KDF,
      iterations: f.iterations,
      salt: toBase64(f.salt),
      cipher: CIPHER,
      iv: toBase64(f.iv),
      key: toBase64(f.key)
    });
  }

  // xorSeed runs AES-256-CTR (the IV is the whole 128-bit initial counter
  // block, as Go's cipher.NewCTR) with the key PBKDF2-HMAC-SHA256(lowercased
  // code, salt, iterations) over a seed or an encrypted seed.
  async function xorSeed(f, code, input) {
    var password = new TextEncoder().encode(normalizeCode(code));
    var base = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveKey']);
    var aes = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt: f.salt, iterations: f.iterations },
      base, { name: 'AES-CTR', length: 256 }, false, ['encrypt']);
    var out = await crypto.subtle.encrypt({ name: 'AES-CTR', counter: f.iv, length: 128 }, aes, input);
    return new Uint8Array(out);
  }

  // keysFromSeed imports the Ed25519 seed as PKCS#8 and returns the signing
  // key and the raw 32-byte public key. The key object is extractable only
  // so its public half can be read (JWK "x"); it is never stored.
  async function keysFromSeed(seed) {
    var pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + seed.length);
    pkcs8.set(PKCS8_ED25519_PREFIX);
    pkcs8.set(seed, PKCS8_ED25519_PREFIX.length);
    try {
      var key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
      var jwk = await crypto.subtle.exportKey('jwk', key);
      var pub = fromBase64Exact(base64urlToBase64(jwk.x), 32);
      return { privateKey: key, publicKey: pub };
    } finally {
      pkcs8.fill(0);
    }
  }

  // open decrypts the file with the code. Any valid code gives some key; a
  // wrong one gives a key the bank does not know (no error here, by design).
  async function open(fileJSON, code) {
    checkCode(code);
    var f = parse(fileJSON);
    var seed = await xorSeed(f, code, f.key);
    try {
      return await keysFromSeed(seed);
    } finally {
      seed.fill(0);
    }
  }

  async function sign(keys, message) {
    var sig = await crypto.subtle.sign({ name: 'Ed25519' }, keys.privateKey, message);
    return toBase64(new Uint8Array(sig));
  }

  // create makes a new key pair for the user and returns the signature file
  // (a JSON string) and the public key (base64 of the raw 32 bytes) to send
  // to the bank (RULE AUTH-3). A new code always means a new key (AUTH-6).
  async function create(userNumber, code, iterations) {
    checkUserNumber(userNumber);
    checkCode(code);
    if (iterations === undefined || iterations === null || iterations === 0) {
      iterations = DEFAULT_ITERATIONS;
    }
    if (!Number.isSafeInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new Error('NetbankUSF: iterations must be between ' + MIN_ITERATIONS + ' and ' + MAX_ITERATIONS);
    }
    var seed = crypto.getRandomValues(new Uint8Array(32));
    var f = {
      user: userNumber.slice(-7),
      iterations: iterations,
      salt: crypto.getRandomValues(new Uint8Array(16)),
      iv: crypto.getRandomValues(new Uint8Array(16))
    };
    try {
      f.key = await xorSeed(f, code, seed);
      var keys = await keysFromSeed(seed);
      return { file: serialize(f), publicKey: toBase64(keys.publicKey) };
    } finally {
      seed.fill(0);
    }
  }

  // publicKey returns base64 of the raw public key that the file and code
  // give.
  async function publicKey(fileJSON, code) {
    var keys = await open(fileJSON, code);
    return toBase64(keys.publicKey);
  }

  // signLogin signs "netbank-login-v1\n" + challenge (RULE AUTH-4) and
  // returns the base64 signature.
  async function signLogin(fileJSON, code, challenge) {
    var keys = await open(fileJSON, code);
    return sign(keys, new TextEncoder().encode(LOGIN_PREFIX + challenge));
  }

  // checksum returns the lowercase hex SHA-256 of the UTF-8 of text (RULE
  // SIGN-1; Checksum in Go).
  async function checksum(text) {
    var digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return toHex(new Uint8Array(digest));
  }

  // signDocument signs "netbank-sign-v1\n" + checksum(documentText) (RULE
  // SIGN-2) and returns the base64 signature. documentText is the exact
  // canonical text the bank sent; it is encoded as UTF-8.
  async function signDocument(fileJSON, code, documentText) {
    var keys = await open(fileJSON, code);
    var sum = await checksum(documentText);
    return sign(keys, new TextEncoder().encode(DOCUMENT_PREFIX + sum));
  }

  // openDB opens the device's store of signature files (RULE AUTH-7).
  function openDB() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        if (!req.result.objectStoreNames.contains(DB_STORE)) {
          req.result.createObjectStore(DB_STORE);
        }
      };
      req.onsuccess = function () {
        resolve(req.result);
      };
      req.onerror = function () {
        reject(req.error);
      };
      req.onblocked = function () {
        reject(new Error('NetbankUSF: the database is blocked by another tab'));
      };
    });
  }

  // withStore runs fn(store) in one transaction and resolves with the value
  // of the request fn returns, once the transaction has committed.
  async function withStore(mode, fn) {
    var db = await openDB();
    try {
      return await new Promise(function (resolve, reject) {
        var tx = db.transaction(DB_STORE, mode);
        var req = fn(tx.objectStore(DB_STORE));
        var value;
        req.onsuccess = function () {
          value = req.result;
        };
        tx.oncomplete = function () {
          resolve(value);
        };
        tx.onerror = function () {
          reject(tx.error);
        };
        tx.onabort = function () {
          reject(tx.error || new Error('NetbankUSF: transaction aborted'));
        };
      });
    } finally {
      db.close();
    }
  }

  // store keeps the signature file on this device, under the user number
  // (RULE AUTH-7; only when the user says the device may keep it).
  async function store(userNumber, fileJSON) {
    checkUserNumber(userNumber);
    parse(fileJSON);
    await withStore('readwrite', function (s) {
      return s.put(fileJSON, userNumber);
    });
  }

  // load returns the signature file kept for the user number, or null.
  async function load(userNumber) {
    checkUserNumber(userNumber);
    var v = await withStore('readonly', function (s) {
      return s.get(userNumber);
    });
    return typeof v === 'string' ? v : null;
  }

  // remove deletes the signature file kept for the user number, if any.
  async function remove(userNumber) {
    checkUserNumber(userNumber);
    await withStore('readwrite', function (s) {
      return s.delete(userNumber);
    });
  }

  // download saves the signature file as NNNNNNN.usf through a Blob URL, so
  // the user can copy it to another device (RULE AUTH-7). Returns the name.
  async function download(userNumber, fileJSON) {
    checkUserNumber(userNumber);
    parse(fileJSON);
    var name = fileName(userNumber);
    var url = URL.createObjectURL(new Blob([fileJSON], { type: 'application/octet-stream' }));
    var a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
    return name;
  }

  // readFile reads a signature file the user picked (a File from
  // <input type="file">), checks it and returns its JSON text.
  async function readFile(file) {
    if (!file || typeof file.text !== 'function' || file.size > 4096) {
      throw fail(MSG.fileInvalid);
    }
    var text = await file.text();
    parse(text);
    return text;
  }

  window.NetbankUSF = Object.freeze({
    DEFAULT_ITERATIONS: DEFAULT_ITERATIONS,
    MIN_ITERATIONS: MIN_ITERATIONS,
    validateCode: validateCode,
    validateUserNumber: validateUserNumber,
    fileName: fileName,
    create: create,
    publicKey: publicKey,
    signLogin: signLogin,
    signDocument: signDocument,
    checksum: checksum,
    store: store,
    load: load,
    remove: remove,
    download: download,
    readFile: readFile
  });
})();
