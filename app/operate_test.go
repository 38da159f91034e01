package app_test

// What an operator sees of a working day: GET /metrics moves with logins,
// payments, card authorizations and job runs; the JSON log has a line with
// a request id for every request and not one secret of the day's logins,
// payments and card transactions.

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/iso8583"
	"github.com/netbank/netbank/metrics"
)

// daySecrets are the secrets a working day's flow sent to the bank.
type daySecrets struct {
	long    map[string]string // name → secret of at least 8 characters, never in a log
	numeric map[string]string // name → short all-digit secret, never a number in a log
}

func (s daySecrets) add(name, secret string) {
	if len(secret) >= 8 {
		s.long[name] = secret
	} else {
		s.numeric[name] = secret
	}
}

// scrapeMetrics GETs /metrics without any session and parses it.
func (b *liveBank) scrapeMetrics() (metrics.Scrape, string) {
	b.t.Helper()
	resp, body := get(b.t, &http.Client{Timeout: time.Minute}, b.base+"/metrics")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		b.t.Fatalf("GET /metrics: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		b.t.Errorf("GET /metrics: Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
	}
	s, err := metrics.ParseText(strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	return s, body
}

// cookieValue is the value of the browser's cookie name ("" if none).
func (c *browser) cookieValue(name string) string {
	u, _ := url.Parse(c.base + "/")
	for _, k := range c.http.Jar.Cookies(u) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

// workingDay drives the demo bank through a day: a wrong PIN and a first
// login in the private net bank, a payment through the API with the
// customer's key signed with the new signature key, a chip + PIN purchase
// and a mail order with CVV2 at the card network, a business login with
// password and key card, a wrong and a right staff login with TOTP, and
// the scheduler's nightly jobs. It returns every secret it sent.
func (b *liveBank) workingDay() daySecrets {
	t := b.t
	t.Helper()
	sec := daySecrets{long: map[string]string{}, numeric: map[string]string{}}

	// The private net bank: a wrong PIN for one user, the PIN letter of another.
	mette, lars := b.creds.Users[0], b.creds.Users[1]
	wrongPIN := "13572468"
	if wrongPIN == lars.PINCode {
		wrongPIN = "24681357"
	}
	private := b.browser()
	if p := private.post("/login/private/pin", url.Values{"user_number": {lars.UserNumber}, "pin": {wrongPIN}}, false); p.status == http.StatusOK && strings.Contains(p.text(), "underskriftskode") {
		t.Fatalf("a wrong PIN was accepted: %s", p.text())
	}
	key := private.firstLogin(mette.UserNumber, mette.PINCode)
	sec.add("Mette's PIN code", mette.PINCode)
	sec.add("the wrong PIN code", wrongPIN)
	sec.add("the private session cookie", private.cookieValue("nb_session"))
	sec.add("the CSRF cookie", private.cookieValue("nb_csrf"))

	// A payment through the API with Mette's key, signed with her new key.
	token := b.customerToken()
	sec.add("the API key", token)
	if got := b.api(http.MethodGet, "/api/v1/accounts", token, nil); got.status != http.StatusOK {
		t.Fatalf("GET /api/v1/accounts: %d %s", got.status, got.raw)
	}
	created := b.api(http.MethodPost, "/api/v1/payments", token, map[string]any{"type": "transfer", "from_account": demo.Accounts[0].ID,
		"to_reg": "9070", "to_account": "4420001", "to_name": "Lars Bo Jensen", "amount": 250_00, "text_to_self": "Koncert"},
		"Idempotency-Key", "operate-1")
	if created.status != http.StatusCreated {
		t.Fatalf("POST /api/v1/payments: %d %s", created.status, created.raw)
	}
	signing := created.body["signing"].(map[string]any)
	proof := signWithKey(signing, key)
	sec.add("the payment's signature", proof["signature"].(string))
	signed := b.api(http.MethodPost, "/api/v1/signatures/"+signing["request_id"].(string), token, proof)
	if signed.status != http.StatusOK || signed.body["payment"].(map[string]any)["status"] != "settled" {
		t.Fatalf("signing the payment: %d %s", signed.status, signed.raw)
	}

	// The card network: chip + PIN, then a mail order with the CVV2.
	card := b.creds.Cards[0]
	term := b.terminal("OPS00001")
	purchase := term.purchase(card, 123_45, card.PIN)
	if code := term.send(purchase); code != iso8583.CodeApproved {
		t.Fatalf("chip + PIN purchase: %s, want 00", code)
	}
	moto := term.purchase(card, 99_00, card.PIN)
	moto.PINBlock, moto.POSEntryMode, moto.POSCondition = "", "012", iso8583.ConditionMailPhone
	moto.Field48 = map[string]string{iso8583.TagCVV2: card.CVV2}
	if code := term.send(moto); code != iso8583.CodeApproved {
		t.Fatalf("mail order with CVV2: %s, want 00", code)
	}
	sec.add("the card number", card.PAN)
	sec.add("the PIN block", purchase.PINBlock)
	sec.add("the card's PIN", card.PIN)
	sec.add("the CVV2", card.CVV2)

	// The business net bank: password, then the key card's code.
	jens := b.creds.BusinessUsers[0]
	business := b.browser()
	p := business.post("/login/business", url.Values{"user_id": {jens.UserID}, "password": {jens.Password}}, false)
	keyNumber := field(t, p, `id="key-number">([0-9]{4})<`)
	code := jens.KeyCard[keyNumber]
	p = business.post("/login/business/code", url.Values{"user_id": {jens.UserID}, "code": {code},
		"challenge_id": {field(t, p, `name="challenge_id" value="([^"]+)"`)}, "codes_left": {field(t, p, `name="codes_left" value="([0-9]+)"`)}}, false)
	if p.status != http.StatusSeeOther {
		t.Fatalf("business login: %d %s", p.status, p.text())
	}
	sec.add("the business password", jens.Password)
	sec.add("the key-card code", code)
	sec.add("the business session cookie", business.cookieValue("nb_session"))

	// The back office: a wrong password, then password and TOTP code.
	staff := b.creds.Staff[0]
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(staff.TOTPSecret)
	if err != nil {
		t.Fatal(err)
	}
	totp := auth.TOTPCode(secret, b.clock.Now())
	office := b.browser()
	office.get("/backoffice/login")
	if p := office.post("/backoffice/login", url.Values{"username": {staff.Username}, "password": {staff.Password + "x"}, "totp": {totp}}, false); p.status != http.StatusUnauthorized {
		t.Fatalf("a wrong staff password: %d, want 401", p.status)
	}
	if p := office.post("/backoffice/login", url.Values{"username": {staff.Username}, "password": {staff.Password}, "totp": {totp}}, false); p.status != http.StatusSeeOther {
		t.Fatalf("staff login: %d %s", p.status, p.text())
	}
	sec.add("the staff password", staff.Password)
	sec.add("the wrong staff password", staff.Password+"x")
	sec.add("the TOTP code", totp)
	sec.add("the TOTP secret", staff.TOTPSecret)
	sec.add("the staff session cookie", office.cookieValue("nb_session"))

	// The night: the scheduler runs the day's jobs.
	b.clock.Advance(24 * time.Hour)
	if _, err := b.a.Scheduler.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sec
}

// TestWorkingDayIsObservable runs a working day on the demo bank (App.Run,
// real ports) on each engine, then reads what an operator reads.
func TestWorkingDayIsObservable(t *testing.T) {
	for _, dsn := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return testkit.FreshPostgresDatabase(t) }},
	} {
		t.Run(dsn.name, func(t *testing.T) {
			b := startLiveBank(t, dsn.dsn(t))
			before, _ := b.scrapeMetrics()
			sec := b.workingDay()
			after, exposition := b.scrapeMetrics()
			t.Run("metrics moved", func(t *testing.T) { checkMetricsMoved(t, before, after) })
			t.Run("metrics hold no secrets", func(t *testing.T) {
				for name, s := range sec.long {
					if strings.Contains(exposition, s) {
						t.Errorf("/metrics contains %s", name)
					}
				}
				for _, id := range []string{b.creds.Users[0].UserNumber, demo.Accounts[0].ID, b.creds.BusinessUsers[0].UserID} {
					if strings.Contains(exposition, id) {
						t.Errorf("/metrics contains the customer's %q", id)
					}
				}
			})
			t.Run("request ids", func(t *testing.T) { checkRequestIDs(t, b) })
			t.Run("no secrets in the log", func(t *testing.T) { checkLogHasNoSecrets(t, b.logs.String(), sec) })
		})
	}
}

// checkMetricsMoved compares the metrics before and after the working day.
func checkMetricsMoved(t *testing.T, before, after metrics.Scrape) {
	moved := func(name string, labels ...string) float64 {
		return after.Value(name, labels...) - before.Value(name, labels...)
	}
	for _, c := range []struct {
		what   string
		name   string
		labels []string
		want   float64 // the least it must have moved
		exact  bool
	}{
		{"the wrong PIN", metrics.LoginFailures, []string{"kind", metrics.LoginPIN}, 1, true},
		{"the wrong staff password", metrics.LoginFailures, []string{"kind", metrics.LoginStaff}, 1, true},
		{"no wrong key-card code", metrics.LoginFailures, []string{"kind", metrics.LoginKeyCard}, 0, true},
		{"the approved chip + PIN purchase and mail order", metrics.CardAuthorizations, []string{"mti", "0100", "response_code", "00"}, 2, true},
		{"their latencies", metrics.CardAuthDuration, []string{"mti", "0100"}, 2, true},
		{"the payment and the card holds", metrics.LedgerTransfers, nil, 3, false},
		{"their batches", metrics.LedgerBatchSize, nil, 1, false},
		{"the nightly housekeeping", metrics.SchedulerJobRuns, []string{"job", "identity-housekeeping", "result", metrics.JobOK}, 1, true},
		{"the PIN request", metrics.HTTPRequests, []string{"method", "POST", "route", "POST /login/private/pin", "code", "401"}, 1, true},
		{"the signature", metrics.HTTPRequests, []string{"method", "POST", "route", "POST /api/v1/signatures/{request_id}", "code", "200"}, 1, true},
		{"the business code", metrics.HTTPRequests, []string{"route", "POST /login/business/code", "code", "303"}, 1, true},
		{"the latencies of the PIN requests", metrics.HTTPDuration, []string{"route", "POST /login/private/pin"}, 2, true},
		{"the scrape before", metrics.HTTPRequests, []string{"route", "GET /metrics"}, 1, true},
	} {
		got := moved(c.name, c.labels...)
		if got < c.want || (c.exact && got != c.want) {
			t.Errorf("%s: %s %v moved by %v, want %v", c.what, c.name, c.labels, got, c.want)
		}
	}
	// Routes are patterns, never paths with ids in them.
	for _, route := range after.LabelValues(metrics.HTTPRequests, "route") {
		if route != "unmatched" && !regexp.MustCompile(`^[A-Z]+ /[a-z0-9/._{}$-]*$`).MatchString(route) {
			t.Errorf("route label %q is not a pattern", route)
		}
		if regexp.MustCompile(`[0-9]{4,}`).MatchString(route) {
			t.Errorf("route label %q carries an id", route)
		}
	}
}

// logLines parses the JSON log, one object per line.
func logLines(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line is not JSON: %v\n%s", err, line)
		}
		out = append(out, m)
	}
	return out
}

var requestIDRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

// checkRequestIDs: every request line of the log has a request id, and the
// answer's X-Request-Id names the line. An X-Request-Id from a proxy in
// front is logged beside the bank's own, never instead of it, and only
// when it is a plain token.
func checkRequestIDs(t *testing.T, b *liveBank) {
	send := func(upstream string) string {
		req, err := http.NewRequest(http.MethodGet, b.base+"/healthz", nil)
		if err != nil {
			t.Fatal(err)
		}
		if upstream != "" {
			req.Header.Set("X-Request-Id", upstream)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Request-Id")
		if !requestIDRE.MatchString(id) {
			t.Fatalf("X-Request-Id %q (sent %q): want the bank's own 16 hex digits", id, upstream)
		}
		return id
	}
	plain, proxied, forged := send(""), send("lb-7f3a9c.1"), send("<script> x")
	requests := 0
	byID := map[string]map[string]any{}
	for _, l := range logLines(t, b.logs.String()) {
		if l["msg"] != "request" {
			continue
		}
		requests++
		id, _ := l["request_id"].(string)
		if !requestIDRE.MatchString(id) {
			t.Errorf("request line without a request id: %v", l)
		}
		if byID[id] != nil {
			t.Errorf("request id %s on two lines", id)
		}
		byID[id] = l
		if route, _ := l["route"].(string); route == "" {
			t.Errorf("request line without a route: %v", l)
		}
	}
	if requests < 20 {
		t.Fatalf("only %d request lines in the log of a working day", requests)
	}
	for _, c := range []struct {
		id, upstream string
	}{{plain, ""}, {proxied, "lb-7f3a9c.1"}, {forged, ""}} {
		l := byID[c.id]
		if l == nil {
			t.Errorf("no log line for the answer with X-Request-Id %s", c.id)
			continue
		}
		if got, _ := l["upstream_request_id"].(string); got != c.upstream || l["route"] != "GET /healthz" {
			t.Errorf("log line %v: want upstream_request_id %q and route GET /healthz", l, c.upstream)
		}
	}
}

// digitRuns are the maximal runs of digits in s.
var digitRuns = regexp.MustCompile(`[0-9]+`)

// checkLogHasNoSecrets: no secret of the day is in the log. Long secrets
// must not appear anywhere; a short numeric one (a PIN, a CVV2, a one-time
// code) must not be a number of its own in any value, except the time
// stamps, request ids and durations the logger writes itself (where a run
// of digits is bound to match one by chance).
func checkLogHasNoSecrets(t *testing.T, logs string, sec daySecrets) {
	if len(sec.long) < 14 || len(sec.numeric) < 2 {
		t.Fatalf("the day sent too few secrets to check: %d long, %d short", len(sec.long), len(sec.numeric))
	}
	for name, s := range sec.long {
		if s == "" {
			t.Errorf("%s is empty: the flow did not get it", name)
		}
		if strings.Contains(logs, s) {
			t.Errorf("the log contains %s", name)
		}
	}
	own := []string{"time", "request_id", "upstream_request_id", "duration"}
	for _, line := range logLines(t, logs) {
		var walk func(key string, v any)
		walk = func(key string, v any) {
			if slices.Contains(own, key) {
				return
			}
			var text string
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					walk(k, x)
				}
				return
			case []any:
				for _, x := range v {
					walk(key, x)
				}
				return
			case string:
				text = v
			case float64:
				text = strconv.FormatFloat(v, 'f', -1, 64)
			default:
				return
			}
			for _, run := range digitRuns.FindAllString(text, -1) {
				for name, s := range sec.numeric {
					if run == s {
						t.Errorf("the log has %s in %q: %q", name, key, text)
					}
				}
			}
		}
		for k, v := range line {
			walk(k, v)
		}
	}
}
