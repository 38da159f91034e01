package auth

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
)

// RULE AUTH-3: a new file holds the private key; the public key it returns
// is the one the file gives back with the right code, in any case.
func TestSignatureFileRoundTrip(t *testing.T) {
	f, pub := MustSignatureFile(t)
	if f.User() != "1234567" {
		t.Errorf("User() = %q", f.User())
	}
	if f.Iterations() != MinIterations {
		t.Errorf("Iterations() = %d", f.Iterations())
	}
	data := f.Marshal()
	g, err := ParseSignatureFile(data)
	if err != nil {
		t.Fatalf("ParseSignatureFile(Marshal()): %v\n%s", err, data)
	}
	if !bytes.Equal(g.Marshal(), data) {
		t.Errorf("Marshal after Parse differs:\n%s\n%s", g.Marshal(), data)
	}
	for _, code := range []string{testCode, strings.ToLower(testCode), strings.ToUpper(testCode)} {
		priv := g.PrivateKey(code)
		if got := priv.Public().(ed25519.PublicKey); !got.Equal(pub) {
			t.Errorf("PrivateKey(%q) gives another public key", code)
		}
		msg := LoginMessage("challenge")
		if !Verify(pub, msg, ed25519.Sign(priv, msg)) {
			t.Errorf("login signature with %q does not verify", code)
		}
	}
}

// RULE AUTH-5: a wrong code is not detectable from the file: it decrypts to
// some other key without any error, and only the bank's check of a
// signature against the stored public key tells.
func TestSignatureFileWrongCode(t *testing.T) {
	f, pub := MustSignatureFile(t)
	for _, code := range []string{"Kode2026abd", "forkert123", "æøå", ""} {
		priv := f.PrivateKey(code)
		if len(priv) != ed25519.PrivateKeySize {
			t.Fatalf("PrivateKey(%q) has %d bytes", code, len(priv))
		}
		if priv.Public().(ed25519.PublicKey).Equal(pub) {
			t.Errorf("PrivateKey(%q) gives the right key", code)
		}
		msg := LoginMessage("challenge")
		if Verify(pub, msg, ed25519.Sign(priv, msg)) {
			t.Errorf("signature with wrong code %q verifies", code)
		}
	}
}

// RULE AUTH-6: a new code means a new key pair; the old file's key is not
// the new one, even for the same user and the same code.
func TestNewSignatureFileMakesNewKeys(t *testing.T) {
	_, pub1 := MustSignatureFile(t)
	f2, pub2, err := NewSignatureFile(testRand(9), testUser, testCode, MinIterations)
	if err != nil {
		t.Fatal(err)
	}
	if pub1.Equal(pub2) {
		t.Fatal("two files share a key pair")
	}
	f1, _ := MustSignatureFile(t)
	if bytes.Equal(f1.Marshal(), f2.Marshal()) {
		t.Fatal("two files are identical")
	}
}

// RULE AUTH-3: the default work factor is 600 000 PBKDF2 rounds. One file at
// the default count, to prove it; the rest of the tests use the minimum.
func TestNewSignatureFileDefaultIterations(t *testing.T) {
	start := time.Now()
	f, pub, err := NewSignatureFile(testRand(3), "12345678901", "abcdefgh12", 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Iterations() != DefaultIterations {
		t.Fatalf("Iterations() = %d, want %d", f.Iterations(), DefaultIterations)
	}
	g, err := ParseSignatureFile(f.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !g.PrivateKey("ABCDEFGH12").Public().(ed25519.PublicKey).Equal(pub) {
		t.Fatal("key from parsed default file differs")
	}
	t.Logf("create + open at %d iterations: %v", DefaultIterations, time.Since(start))
}

func TestNewSignatureFileRefuses(t *testing.T) {
	tests := []struct {
		name, user, code string
		iterations       int
		msg              string // Danish message; "" means an internal error
	}{
		{"bad user", "1234", "abcd1234", MinIterations, msgUserNumberInvalid},
		{"bad code", testUser, "abc", MinIterations, msgCodeTooShort},
		{"code with æ", testUser, "abcdæ1234", MinIterations, msgCodeChars},
		{"too few iterations", testUser, "abcd1234", MinIterations - 1, ""},
		{"too many iterations", testUser, "abcd1234", MaxIterations + 1, ""},
		{"negative iterations", testUser, "abcd1234", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, pub, err := NewSignatureFile(testRand(4), tt.user, tt.code, tt.iterations)
			if err == nil || f != nil || pub != nil {
				t.Fatalf("got %v, %v, %v; want an error", f, pub, err)
			}
			if tt.msg == "" {
				if c := netbank.ErrorCodeOf(err); c != netbank.EINTERNAL {
					t.Fatalf("error code %s, want internal: %v", c, err)
				}
				return
			}
			requireMessage(t, err, tt.msg)
		})
	}
	t.Run("short random", func(t *testing.T) {
		_, _, err := NewSignatureFile(bytes.NewReader(make([]byte, 10)), testUser, "abcd1234", MinIterations)
		if err == nil {
			t.Fatal("no error from a short random source")
		}
	})
}

// validFileFields returns the fields of the shared file as a generic map,
// for the tests to break one at a time.
func validFileFields(t testing.TB) map[string]any {
	t.Helper()
	f, _ := MustSignatureFile(t)
	var m map[string]any
	if err := json.Unmarshal(f.Marshal(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// invalidFiles are files ParseSignatureFile must refuse. The browser test
// feeds them to usf.js too.
func invalidFiles(t testing.TB) map[string]string {
	t.Helper()
	f, _ := MustSignatureFile(t)
	valid := string(f.Marshal())
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	with := func(key string, v any) string {
		m := validFileFields(t)
		if v == nil {
			delete(m, key)
		} else {
			m[key] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	extra := validFileFields(t)
	extra["publicKey"] = b64(32)
	extraJSON, _ := json.Marshal(extra)
	return map[string]string{
		"empty":              "",
		"not json":           "netbank",
		"array":              "[]",
		"null":               "null",
		"string":             `"netbank-usf"`,
		"empty object":       "{}",
		"trailing data":      valid + "{}",
		"truncated":          valid[:len(valid)-1],
		"extra field":        string(extraJSON),
		"missing key":        with("key", nil),
		"missing user":       with("user", nil),
		"wrong format":       with("format", "netbank-usf2"),
		"version 2":          with("version", 2),
		"version string":     with("version", "1"),
		"version float":      `{"format":"netbank-usf","version":1.5,"user":"1234567","kdf":"PBKDF2-SHA256","iterations":100000,"salt":"` + b64(16) + `","cipher":"AES-256-CTR","iv":"` + b64(16) + `","key":"` + b64(32) + `"}`,
		"user 6 digits":      with("user", "123456"),
		"user 11 digits":     with("user", testUser),
		"user letters":       with("user", "123456a"),
		"user number":        with("user", 1234567),
		"wrong kdf":          with("kdf", "PBKDF2-SHA1"),
		"iterations low":     with("iterations", MinIterations-1),
		"iterations high":    with("iterations", MaxIterations+1),
		"iterations string":  with("iterations", "600000"),
		"iterations null":    with("iterations", json.RawMessage("null")),
		"wrong cipher":       with("cipher", "AES-256-GCM"),
		"salt 15 bytes":      with("salt", b64(15)),
		"salt 17 bytes":      with("salt", b64(17)),
		"salt not base64":    with("salt", "!!!!!!!!!!!!!!!!!!!!!!=="),
		"salt unpadded":      with("salt", strings.TrimRight(b64(16), "=")),
		"salt url alphabet":  with("salt", "____________________w=="),
		"salt padding bits":  with("salt", "AAAAAAAAAAAAAAAAAAAAAB=="),
		"salt line break":    with("salt", "AAAAAAAAAAAA\nAAAAAAAAAA=="),
		"iv 32 bytes":        with("iv", b64(32)),
		"key 31 bytes":       with("key", b64(31)),
		"key 64 bytes":       with("key", b64(64)),
		"key empty":          with("key", ""),
		"key number":         with("key", 42),
		"case-folded fields": strings.Replace(valid, `"format"`, `"Format"`, 1),
	}
}

// RULE AUTH-3: only real signature files are accepted; anything else gets
// one Danish message, with the reason in the error text for the log.
func TestParseSignatureFileRefuses(t *testing.T) {
	for name, data := range invalidFiles(t) {
		t.Run(name, func(t *testing.T) {
			f, err := ParseSignatureFile([]byte(data))
			if err == nil {
				t.Fatalf("accepted %s", data)
			}
			if f != nil {
				t.Error("returned a file with the error")
			}
			var e *netbank.Error
			if !errors.As(err, &e) || e.Code != netbank.EINVALID || e.Message != msgInvalidSignatureFile {
				t.Fatalf("error %v, want invalid %q", err, msgInvalidSignatureFile)
			}
			if netbank.ErrorMessageOf(err) != msgInvalidSignatureFile {
				t.Fatalf("ErrorMessageOf = %q", netbank.ErrorMessageOf(err))
			}
		})
	}
}

func TestParseSignatureFileAccepts(t *testing.T) {
	f, _ := MustSignatureFile(t)
	m := validFileFields(t)
	// Another key order and whitespace are fine: it is JSON.
	indented, _ := json.MarshalIndent(map[string]any{
		"key": m["key"], "iv": m["iv"], "cipher": m["cipher"], "salt": m["salt"],
		"iterations": m["iterations"], "kdf": m["kdf"], "user": m["user"],
		"version": m["version"], "format": m["format"],
	}, "", "  ")
	for name, data := range map[string][]byte{
		"as written":       f.Marshal(),
		"reordered":        indented,
		"trailing newline": append(f.Marshal(), '\n'),
	} {
		g, err := ParseSignatureFile(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(g.Marshal(), f.Marshal()) {
			t.Fatalf("%s: parsed file differs", name)
		}
	}
}

// FuzzParseSignatureFile: the parser never panics, and whatever it accepts
// survives Marshal and Parse unchanged.
func FuzzParseSignatureFile(f *testing.F) {
	file, _ := MustSignatureFile(f)
	f.Add(file.Marshal())
	for _, data := range invalidFiles(f) {
		f.Add([]byte(data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := ParseSignatureFile(data)
		if err != nil {
			if netbank.ErrorMessageOf(err) != msgInvalidSignatureFile {
				t.Fatalf("error message %q", netbank.ErrorMessageOf(err))
			}
			return
		}
		out := sf.Marshal()
		again, err := ParseSignatureFile(out)
		if err != nil {
			t.Fatalf("Marshal of an accepted file is refused: %v", err)
		}
		if !bytes.Equal(again.Marshal(), out) {
			t.Fatal("Marshal is not stable")
		}
	})
}
