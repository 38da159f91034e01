package cardsec

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

// testKey returns a 32-byte key filled with b.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, DataKeySize) }

func newTestSealer(t *testing.T, current Key, old ...Key) *Sealer {
	t.Helper()
	s, err := NewSealer(current, old, testKey(0xAA))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The PAN is stored encrypted with AES-GCM under a key from configuration
// (issue 5, "Issuing and card life").
func TestSealOpenRoundTrip(t *testing.T) {
	s := newTestSealer(t, Key{ID: "k1", Secret: testKey(1)})
	const pan = "4571991234561234"
	a := s.Seal(pan, "card-1")
	b := s.Seal(pan, "card-1")
	if a == b {
		t.Fatal("two seals of the same PAN are equal: the nonce is not random")
	}
	if strings.Contains(a, pan) || !strings.HasPrefix(a, "k1:") {
		t.Fatalf("sealed value %q: want key id prefix and no clear PAN", a)
	}
	for _, sealed := range []string{a, b} {
		got, err := s.Open(sealed, "card-1")
		if err != nil || got != pan {
			t.Fatalf("Open = %q, %v; want %q", got, err, pan)
		}
	}
}

func TestOpenRefusesOtherContextTamperingAndJunk(t *testing.T) {
	s := newTestSealer(t, Key{ID: "k1", Secret: testKey(1)})
	sealed := s.Seal("4571991234561234", "card-1")

	if _, err := s.Open(sealed, "card-2"); err == nil {
		t.Error("a PAN sealed for card-1 opened as card-2's")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, "k1:"))
	raw[len(raw)-1] ^= 1
	if _, err := s.Open("k1:"+base64.RawURLEncoding.EncodeToString(raw), "card-1"); err == nil {
		t.Error("a tampered value opened")
	}
	for _, junk := range []string{"", "k1", "k1:", "k1:!!!", "k1:AAAA", "zz:" + strings.TrimPrefix(sealed, "k1:"), "K1:" + strings.TrimPrefix(sealed, "k1:")} {
		if _, err := s.Open(junk, "card-1"); err == nil {
			t.Errorf("Open(%q) succeeded", junk)
		}
	}
}

func TestSealerKeyRotation(t *testing.T) {
	k1 := Key{ID: "k1", Secret: testKey(1)}
	k2 := Key{ID: "k2", Secret: testKey(2)}
	before := newTestSealer(t, k1)
	old := before.Seal("4571991234561234", "card-1")

	after := newTestSealer(t, k2, k1)
	if got, err := after.Open(old, "card-1"); err != nil || got != "4571991234561234" {
		t.Fatalf("after rotation Open(old) = %q, %v", got, err)
	}
	if !after.NeedsReseal(old) {
		t.Error("a value under the old key does not need resealing")
	}
	resealed := after.Seal("4571991234561234", "card-1")
	if KeyID(resealed) != "k2" || after.NeedsReseal(resealed) {
		t.Errorf("resealed %q: want key k2, no further reseal", resealed)
	}
	// Once k1 is retired, its values no longer open.
	retired := newTestSealer(t, k2)
	if _, err := retired.Open(old, "card-1"); err == nil {
		t.Error("a value under a retired key opened")
	}
}

func TestNewSealerRefusesBadKeys(t *testing.T) {
	good := Key{ID: "k1", Secret: testKey(1)}
	tests := []struct {
		name    string
		current Key
		old     []Key
		lookup  []byte
	}{
		{"short data key", Key{ID: "k1", Secret: testKey(1)[:16]}, nil, testKey(0xAA)},
		{"empty id", Key{ID: "", Secret: testKey(1)}, nil, testKey(0xAA)},
		{"id with colon", Key{ID: "k:1", Secret: testKey(1)}, nil, testKey(0xAA)},
		{"id with capital", Key{ID: "K1", Secret: testKey(1)}, nil, testKey(0xAA)},
		{"id too long", Key{ID: "k12345678901234567", Secret: testKey(1)}, nil, testKey(0xAA)},
		{"duplicate id", good, []Key{{ID: "k1", Secret: testKey(2)}}, testKey(0xAA)},
		{"short look-up key", good, nil, testKey(0xAA)[:31]},
		{"look-up key equals data key", good, nil, testKey(1)},
	}
	for _, tc := range tests {
		if _, err := NewSealer(tc.current, tc.old, tc.lookup); err == nil {
			t.Errorf("%s: NewSealer succeeded", tc.name)
		}
	}
}

// Cards are looked up by a keyed hash of the PAN (issue 5).
func TestLookupHash(t *testing.T) {
	s := newTestSealer(t, Key{ID: "k1", Secret: testKey(1)})
	h := s.LookupHash("4571991234561234")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) {
		t.Fatalf("LookupHash = %q: want 64 lower-case hex digits", h)
	}
	if s.LookupHash("4571991234561234") != h {
		t.Error("LookupHash is not deterministic")
	}
	if s.LookupHash("4571991234561235") == h {
		t.Error("two PANs have the same look-up hash")
	}
	// The hash depends on the look-up key, not on the data key.
	rotated := newTestSealer(t, Key{ID: "k2", Secret: testKey(2)})
	if rotated.LookupHash("4571991234561234") != h {
		t.Error("rotating the data key changed the look-up hash")
	}
	other, err := NewSealer(Key{ID: "k1", Secret: testKey(1)}, nil, testKey(0xBB))
	if err != nil {
		t.Fatal(err)
	}
	if other.LookupHash("4571991234561234") == h {
		t.Error("the look-up hash does not depend on the look-up key")
	}
}
