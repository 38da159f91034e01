package audit_test

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/audit"
)

var t0 = time.Date(2026, 11, 21, 14, 5, 9, 123456000, time.UTC)

// chain builds an intact log of n entries and its head.
func chain(n int) ([]audit.Entry, audit.Head) {
	var out []audit.Entry
	prev := audit.GenesisHash
	for i := 1; i <= n; i++ {
		e := audit.Entry{
			Seq: int64(i),
			At:  t0.Add(time.Duration(i) * time.Second),
			Event: audit.Event{
				Actor: "99991234567", ActorKind: audit.ActorCustomer, Action: audit.ActionLoginSuccess,
				Subject: "99991234567", IP: "192.0.2.7", Details: map[string]string{"step": "signature", "n": strconv.Itoa(i)},
			},
			PrevHash: prev,
		}
		e.Hash = audit.Hash(prev, e)
		prev = e.Hash
		out = append(out, e)
	}
	return out, audit.Head{Seq: int64(n), Hash: prev}
}

// rehash recomputes e's hash over its (changed) content, as a careful forger would.
func rehash(e *audit.Entry) { e.Hash = audit.Hash(e.PrevHash, *e) }

// TestHashPinned pins the canonical encoding: every stored log was hashed
// with it, so a change here would call every intact log broken. The value
// was computed independently of this package (Python's hashlib over the
// netstrings "16:netbank-audit-v1,1:1,16:1795615509123456,…,64:000…0,").
func TestHashPinned(t *testing.T) {
	e := audit.Entry{Seq: 1, At: time.UnixMicro(1795615509123456), Event: audit.Event{
		Actor: "99991234567", ActorKind: "customer", Action: "login.success", Subject: "99991234567",
		IP: "192.0.2.7", Details: map[string]string{"step": "signature", "device": "web"},
	}}
	const want = "0cb1cb0b21712a46c8f8fc519c75580d336b8caede1ec2c969ca984e982ac299"
	got := audit.Hash(audit.GenesisHash, e)
	if len(got) != 64 || strings.Trim(got, "0123456789abcdef") != "" {
		t.Fatalf("hash %q is not 64 lower-case hex digits", got)
	}
	if got != want {
		t.Fatalf("Hash = %s, want the pinned %s: the canonical encoding changed", got, want)
	}
}

func TestHashDeterministic(t *testing.T) {
	entries, _ := chain(1)
	e := entries[0]
	// Same content, details built in another order, a copy of the map,
	// another time zone, its own PrevHash/Hash fields set to anything.
	other := e
	other.Details = map[string]string{}
	other.Details["n"] = "1"
	other.Details["step"] = "signature"
	other.At = e.At.In(time.FixedZone("CET", 3600))
	other.PrevHash, other.Hash = "x", "y"
	for i := 0; i < 20; i++ {
		if a, b := audit.Hash(audit.GenesisHash, e), audit.Hash(audit.GenesisHash, other); a != b {
			t.Fatalf("same entry hashes to %s and %s", a, b)
		}
	}
	// Below a microsecond is not kept, so it is not hashed either.
	other.At = e.At.Add(999 * time.Nanosecond)
	if audit.Hash("p", e) != audit.Hash("p", other) {
		t.Error("sub-microsecond difference changed the hash, but the log keeps microseconds")
	}
	if got := audit.Normalized(other.At); !got.Equal(e.At) || got.Location() != time.UTC {
		t.Errorf("Normalized(%v) = %v, want %v in UTC", other.At, got, e.At)
	}
}

// TestHashSeparatesFields: entries that would concatenate alike under a
// naive encoding must all hash differently.
func TestHashSeparatesFields(t *testing.T) {
	base := audit.Entry{Seq: 7, At: t0, Event: audit.Event{Actor: "ab", ActorKind: "c", Action: "x", Subject: "s", IP: "i"}}
	variants := map[string]func(e *audit.Entry){
		"base":                      func(e *audit.Entry) {},
		"seq":                       func(e *audit.Entry) { e.Seq = 8 },
		"seq 70 vs at":              func(e *audit.Entry) { e.Seq = 70 },
		"at one microsecond later":  func(e *audit.Entry) { e.At = e.At.Add(time.Microsecond) },
		"actor/kind boundary":       func(e *audit.Entry) { e.Actor, e.ActorKind = "a", "bc" },
		"actor/kind swapped":        func(e *audit.Entry) { e.Actor, e.ActorKind = "c", "ab" },
		"action/subject boundary":   func(e *audit.Entry) { e.Action, e.Subject = "xs", "" },
		"subject/ip swapped":        func(e *audit.Entry) { e.Subject, e.IP = "i", "s" },
		"subject moved to ip":       func(e *audit.Entry) { e.Subject, e.IP = "", "si" },
		"empty details key":         func(e *audit.Entry) { e.Details = map[string]string{"": ""} },
		"details key/value":         func(e *audit.Entry) { e.Details = map[string]string{"a": "bc"} },
		"details key/value shifted": func(e *audit.Entry) { e.Details = map[string]string{"ab": "c"} },
		"two details":               func(e *audit.Entry) { e.Details = map[string]string{"a": "b", "c": "d"} },
		"one detail holding two":    func(e *audit.Entry) { e.Details = map[string]string{"a": "b,1:c,1:d"} },
		"detail that looks like ip": func(e *audit.Entry) { e.IP = ""; e.Details = map[string]string{"1:i": ""} },
		"value with netstring":      func(e *audit.Entry) { e.Actor = "ab,1:c"; e.ActorKind = "" },
	}
	seen := map[string]string{}
	for name, change := range variants {
		e := base
		e.Details = nil
		change(&e)
		h := audit.Hash(audit.GenesisHash, e)
		if other, dup := seen[h]; dup {
			t.Errorf("%q and %q hash alike", name, other)
		}
		seen[h] = name
	}
	if audit.Hash(audit.GenesisHash, base) == audit.Hash(strings.Repeat("1", 64), base) {
		t.Error("prev is not part of the hash")
	}
}

func TestVerifier(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		tamper func(es []audit.Entry, h *audit.Head) []audit.Entry
		// want is the breaks, each "kind seq", in order; none for intact.
		want    []string
		message string // a message that must be among them
	}{
		{name: "empty log", n: 0},
		{name: "intact log", n: 5},
		{name: "one entry", n: 1},
		{
			name: "empty log, head says 3", n: 0,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { h.Seq = 3; return es },
			want:   []string{"removed 1"}, message: "all audit entries have been removed",
		},
		{
			name: "empty log, head hash changed", n: 0,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { h.Hash = strings.Repeat("f", 64); return es },
			want:   []string{"head_changed 0"}, message: "the audit head has been changed",
		},
		{
			name: "field changed", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { es[2].Subject = "someone else"; return es },
			want:   []string{"changed 3"}, message: "audit entry 3 has been changed (hash mismatch)",
		},
		{
			name: "detail added", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { es[1].Details["extra"] = "x"; return es },
			want:   []string{"changed 2"},
		},
		{
			name: "time moved", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { es[0].At = es[0].At.Add(-time.Hour); return es },
			want:   []string{"changed 1"},
		},
		{
			name: "entry in the middle removed", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { return append(es[:2:2], es[3:]...) },
			want:   []string{"missing 3"}, message: "audit entry 3 is missing",
		},
		{
			name: "several in the middle removed", n: 6,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { return append(es[:1:1], es[4:]...) },
			want:   []string{"missing 2"}, message: "audit entries 2 to 4 are missing",
		},
		{
			name: "first entry removed", n: 3,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { return es[1:] },
			want:   []string{"missing 1"}, message: "audit entry 1 is missing",
		},
		{
			name: "newest entry removed", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { return es[:4] },
			want:   []string{"removed 5"}, message: "the newest entries after 4 have been removed",
		},
		{
			name: "all entries removed", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { return nil },
			want:   []string{"removed 1"}, message: "all audit entries have been removed",
		},
		{
			name: "head set back", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry {
				*h = audit.Head{Seq: 4, Hash: es[3].Hash}
				return es
			},
			want: []string{"unrecorded 5"}, message: "audit entry 5 is not recorded in the head",
		},
		{
			name: "head hash changed", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { h.Hash = es[3].Hash; return es },
			want:   []string{"changed 5"}, message: "audit entry 5 has been changed, or the head",
		},
		{
			name: "entry changed and rehashed", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry {
				es[1].Actor = "staff-7"
				rehash(&es[1])
				return es
			},
			want: []string{"changed 2"}, message: "audit entry 2 has been changed (its hash was recomputed, but entry 3 records a different one)",
		},
		{
			name: "newest entry changed and rehashed", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry {
				es[4].Action = "logout"
				rehash(&es[4])
				return es
			},
			want: []string{"changed 5"}, message: "audit entry 5 has been changed, or the head",
		},
		{
			name: "prev hash edited", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry { es[2].PrevHash = es[0].Hash; return es },
			want:   []string{"changed 3"}, message: "audit entry 3 has been changed (hash mismatch; its prev hash does not match entry 2 either)",
		},
		{
			name: "first entry rechained", n: 3,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry {
				es[0].PrevHash = strings.Repeat("a", 64)
				rehash(&es[0])
				es[1].PrevHash = es[0].Hash
				rehash(&es[1])
				es[2].PrevHash = es[1].Hash
				rehash(&es[2])
				*h = audit.Head{Seq: 3, Hash: es[2].Hash}
				return es
			},
			want: []string{"changed 1"}, message: "audit entry 1 has been changed (it does not start from the genesis hash)",
		},
		{
			name: "entry repeated", n: 4,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry {
				return append(es[:3:3], es[2], es[3])
			},
			want: []string{"out_of_order 3"}, message: "audit entry 3 appears out of order (after entry 3)",
		},
		{
			name: "renumbered after a removal", n: 5,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry {
				es = append(es[:2:2], es[3:]...)
				es[2].Seq, es[3].Seq = 3, 4
				h.Seq = 4
				return es
			},
			want: []string{"changed 3", "changed 4"},
		},
		{
			name: "two independent breaks", n: 8,
			tamper: func(es []audit.Entry, h *audit.Head) []audit.Entry {
				es[1].IP = "203.0.113.9"
				return append(es[:5:5], es[6:]...)
			},
			want: []string{"changed 2", "missing 6"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, head := chain(tc.n)
			if tc.tamper != nil {
				es = tc.tamper(es, &head)
			}
			var v audit.Verifier
			for _, e := range es {
				_ = v.Add(e)
			}
			err := v.Finish(head)
			if v.Count() != int64(len(es)) {
				t.Errorf("Count = %d, want %d", v.Count(), len(es))
			}
			if got := breaks(err); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("breaks %v, want %v (error: %v)", got, tc.want, err)
			}
			if tc.message != "" && !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q does not say %q", err, tc.message)
			}
			// The slice form says the same.
			if err2 := audit.Verify(es, head); fmt.Sprint(breaks(err2)) != fmt.Sprint(tc.want) {
				t.Errorf("Verify: %v, want breaks %v", err2, tc.want)
			}
		})
	}
}

// breaks lists the *BrokenErrors in err as "kind seq".
func breaks(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	var walk func(error)
	walk = func(err error) {
		var be *audit.BrokenError
		if errors.As(err, &be) && be == err {
			out = append(out, fmt.Sprintf("%s %d", be.Kind, be.Seq))
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

func TestVerifierAddReportsAtOnce(t *testing.T) {
	es, head := chain(4)
	es[1].Subject = "x"
	var v audit.Verifier
	for i, e := range es {
		err := v.Add(e)
		var be *audit.BrokenError
		if i == 1 {
			if !errors.As(err, &be) || be.Seq != 2 || be.Kind != audit.Changed {
				t.Fatalf("Add(entry 2) = %v, want entry 2 changed", err)
			}
		} else if err != nil {
			t.Fatalf("Add(entry %d) = %v, want nil", i+1, err)
		}
	}
	if err := v.Finish(head); err == nil {
		t.Fatal("Finish forgot the break Add reported")
	}
	if err := v.Add(es[0]); err == nil {
		t.Error("Add after Finish accepted")
	}
}

// TestVerifierBoundsMemory: a wrecked log reports its breaks up to a
// bound, then how many more there were.
func TestVerifierBoundsMemory(t *testing.T) {
	es, head := chain(300)
	for i := range es {
		es[i].IP = "tampered"
	}
	err := audit.Verify(es, head)
	if got := len(breaks(err)); got != 100 {
		t.Errorf("%d breaks kept, want 100", got)
	}
	if !strings.Contains(err.Error(), "and 200 more breaks") {
		t.Errorf("error does not count the rest: …%s", err.Error()[max(0, len(err.Error())-100):])
	}
}

func TestEventValidate(t *testing.T) {
	ok := audit.Event{Actor: "99991234567", ActorKind: audit.ActorCustomer, Action: "login.failed", Subject: "99991234567", IP: "192.0.2.1"}
	for _, tc := range []struct {
		name    string
		change  func(e *audit.Event)
		wantErr string // "" for valid
	}{
		{name: "plain event", change: func(e *audit.Event) {}},
		{name: "innocent details", change: func(e *audit.Event) {
			e.Details = map[string]string{"step": "signature", "attempt": "2", "reason": "three wrong codes", "company": "Tømrer ApS",
				"shipping": "x", "span": "x", "key_number": "0042", "amount": "1.234,56 kr.", "pinned": "x", "expand": "y"}
		}},
		{name: "anonymous without actor", change: func(e *audit.Event) { e.Actor, e.ActorKind = "", audit.ActorAnonymous }},
		{name: "system", change: func(e *audit.Event) { e.Actor, e.ActorKind, e.IP = "system", audit.ActorSystem, "" }},
		{name: "staff action", change: func(e *audit.Event) {
			e.Actor, e.ActorKind, e.Action = "staff-1", audit.ActorStaff, audit.ActionStaffUnblock
		}},
		{name: "action without dot", change: func(e *audit.Event) { e.Action = "logout" }},
		{name: "unknown actor kind", change: func(e *audit.Event) { e.ActorKind = "robot" }, wantErr: "unknown actor kind"},
		{name: "empty actor kind", change: func(e *audit.Event) { e.ActorKind = "" }, wantErr: "unknown actor kind"},
		{name: "customer without actor", change: func(e *audit.Event) { e.Actor = "" }, wantErr: "needs an actor"},
		{name: "empty action", change: func(e *audit.Event) { e.Action = "" }, wantErr: "action"},
		{name: "action with spaces", change: func(e *audit.Event) { e.Action = "Login Failed" }, wantErr: "action"},
		{name: "invalid UTF-8", change: func(e *audit.Event) { e.Subject = "\xff" }, wantErr: "UTF-8"},
		{name: "NUL", change: func(e *audit.Event) { e.Details = map[string]string{"reason": "a\x00b"} }, wantErr: "NUL"},
		{name: "long value", change: func(e *audit.Event) { e.Details = map[string]string{"reason": strings.Repeat("x", 5000)} }, wantErr: "at most"},
		{name: "long subject", change: func(e *audit.Event) { e.Subject = strings.Repeat("x", 300) }, wantErr: "at most"},
		{name: "empty key", change: func(e *audit.Event) { e.Details = map[string]string{"": "x"} }, wantErr: "empty detail key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ok
			tc.change(&e)
			err := e.Validate()
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Validate: %v, want ok", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Validate: %v, want an error saying %q", err, tc.wantErr)
			}
		})
	}
}

// TestEventValidateRefusesSecrets: a detail key that names a secret is
// refused, whatever its case or spelling, so no code, password, PIN or card
// number reaches the log by a careless call.
func TestEventValidateRefusesSecrets(t *testing.T) {
	for _, key := range []string{
		"password", "Password", "PASSWORD", "new_password", "passwordHash", "passwd", "pwd", "pass",
		"code", "Code", "pin_code", "pinCode", "PINCODE", "otp", "otpCode", "one-time code", "signature_code", "activationcode",
		"pin", "PIN", "newPin", "card.pin", "pin_number", "pinnumber",
		"pan", "PAN", "card_pan", "cardPAN", "card number", "cardNumber", "kortnummer",
		"cvv", "CVV2", "cvc", "card_cvc",
		"kode", "pinkode", "adgangskode", "engangskode", "underskriftskode",
		"secret", "client_secret", "token", "session_token", "api_key", "private_key",
	} {
		e := audit.Event{Actor: "x", ActorKind: audit.ActorSystem, Action: "test", Details: map[string]string{key: "1234"}}
		err := e.Validate()
		if err == nil || !strings.Contains(err.Error(), "looks like a secret") {
			t.Errorf("detail key %q accepted (%v), want refused as a secret", key, err)
		}
	}
}

// TestStandardLibraryOnly: the audit domain imports only the standard
// library (no SQL, no HTTP, no other package of the bank), so every adapter
// may use it and it depends on none of them.
func TestStandardLibraryOnly(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") || p == "database/sql" || strings.HasPrefix(p, "net/http") {
				t.Errorf("%s imports %s: package audit uses only the standard library, and no SQL or HTTP", f, p)
			}
		}
	}
}
