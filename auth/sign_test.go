package auth

import (
	"crypto/ed25519"
	"encoding/base64"
	"testing"
)

// RULE SIGN-1: the checksum is the hex SHA-256 over exactly the bytes.
func TestChecksum(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abc\n", "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb"},
	}
	for _, tt := range tests {
		if got := Checksum([]byte(tt.in)); got != tt.want {
			t.Errorf("Checksum(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// RULE AUTH-4, SIGN-2: what is signed is fixed byte for byte, and a login
// signature can never pass as a document signature or the other way round.
func TestSignedMessages(t *testing.T) {
	if got, want := string(LoginMessage("abc")), "netbank-login-v1\nabc"; got != want {
		t.Errorf("LoginMessage = %q, want %q", got, want)
	}
	doc := []byte("Betaling til Søren Ærø\n")
	if got, want := string(DocumentMessage(doc)), "netbank-sign-v1\n"+Checksum(doc); got != want {
		t.Errorf("DocumentMessage = %q, want %q", got, want)
	}

	f, pub := MustSignatureFile(t)
	priv := f.PrivateKey(testCode)
	other, _ := MustOtherKey(t)
	loginSig := ed25519.Sign(priv, LoginMessage("c1"))
	docSig := ed25519.Sign(priv, DocumentMessage(doc))
	tests := []struct {
		name string
		pub  ed25519.PublicKey
		msg  []byte
		sig  []byte
		want bool
	}{
		{"login", pub, LoginMessage("c1"), loginSig, true},
		{"document", pub, DocumentMessage(doc), docSig, true},
		{"other challenge", pub, LoginMessage("c2"), loginSig, false},
		{"other document", pub, DocumentMessage([]byte("Betaling til Søren Ærø\n ")), docSig, false},
		{"login sig as document", pub, DocumentMessage(doc), loginSig, false},
		{"document sig as login", pub, LoginMessage("c1"), docSig, false},
		{"other key", other, LoginMessage("c1"), loginSig, false},
		{"short key", pub[:31], LoginMessage("c1"), loginSig, false},
		{"nil key", nil, LoginMessage("c1"), loginSig, false},
		{"short sig", pub, LoginMessage("c1"), loginSig[:63], false},
		{"nil sig", pub, LoginMessage("c1"), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(tt.pub, tt.msg, tt.sig); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

// MustOtherKey returns a key pair unrelated to the shared file.
func MustOtherKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(testRand(7))
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestNewChallenge(t *testing.T) {
	r := testRand(5)
	a, b := NewChallenge(r), NewChallenge(r)
	if a == b {
		t.Fatal("two challenges are equal")
	}
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 || len(a) != 43 {
		t.Fatalf("challenge %q: %d bytes, %v", a, len(raw), err)
	}
}
