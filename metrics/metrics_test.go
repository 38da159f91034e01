package metrics_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/metrics"
)

// scrape serves m's handler and parses what it answers.
func scrape(t *testing.T, m *metrics.Metrics) metrics.Scrape {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	s, err := metrics.ParseText(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestObservationsAreExported: every observation shows in the exposition
// under its name and labels, with the runtime and process collectors.
func TestObservationsAreExported(t *testing.T) {
	m := metrics.New()
	m.HTTPRequest("GET", "GET /netbank/konti/{id}", 200, 30*time.Millisecond)
	m.HTTPRequest("GET", "GET /netbank/konti/{id}", 200, 10*time.Millisecond)
	m.HTTPRequest("POST", "POST /login/private/pin", 401, time.Millisecond)
	m.CardAuthorization("0100", "00", 2*time.Millisecond)
	m.CardAuthorization("0100", "55", time.Millisecond)
	m.CardAuthorization("0400", "00", time.Millisecond)
	m.BatchCommitted(7)
	m.BatchCommitted(1)
	m.JobRun("clearing", time.Second, nil)
	m.JobRun("clearing", time.Second, errors.New("down"))
	m.LoginFailed(metrics.LoginPIN)
	m.LoginFailed(metrics.LoginPIN)
	m.LoginFailed(metrics.LoginStaff)

	s := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{metrics.HTTPRequests, []string{"method", "GET", "route", "GET /netbank/konti/{id}", "code", "200"}, 2},
		{metrics.HTTPRequests, []string{"code", "401"}, 1},
		{metrics.HTTPDuration, []string{"route", "GET /netbank/konti/{id}"}, 2},
		{metrics.CardAuthorizations, []string{"mti", "0100", "response_code", "00"}, 1},
		{metrics.CardAuthorizations, []string{"mti", "0100"}, 2},
		{metrics.CardAuthorizations, []string{"response_code", "00"}, 2},
		{metrics.CardAuthDuration, []string{"mti", "0400"}, 1},
		{metrics.LedgerTransfers, nil, 8},
		{metrics.LedgerBatchSize, nil, 2},
		{metrics.SchedulerJobRuns, []string{"job", "clearing", "result", metrics.JobOK}, 1},
		{metrics.SchedulerJobRuns, []string{"job", "clearing", "result", metrics.JobFailed}, 1},
		{metrics.SchedulerJobDuration, []string{"job", "clearing"}, 2},
		{metrics.LoginFailures, []string{"kind", metrics.LoginPIN}, 2},
		{metrics.LoginFailures, []string{"kind", metrics.LoginStaff}, 1},
		{metrics.LoginFailures, []string{"kind", metrics.LoginKeyCard}, 0},
	} {
		if got := s.Value(c.name, c.labels...); got != c.want {
			t.Errorf("%s %v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := s.Sum(metrics.LedgerBatchSize); got != 8 {
		t.Errorf("batch sizes sum to %v, want 8", got)
	}
	// Every kind of failed login is there from the start, at 0.
	if kinds := s.LabelValues(metrics.LoginFailures, "kind"); len(kinds) != len(metrics.LoginKinds) {
		t.Errorf("login failure kinds %v, want %v", kinds, metrics.LoginKinds)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total", "process_open_fds"} {
		if s[name] == nil {
			t.Errorf("no %s: the runtime and process collectors are missing", name)
		}
	}
}

// TestLabelsAreBounded: values from outside (methods, message types,
// response codes, kinds) fall into fixed sets, so no client can make the
// bank grow a series per request.
func TestLabelsAreBounded(t *testing.T) {
	m := metrics.New()
	for _, method := range []string{"BREW", "get", "X-" + strings.Repeat("A", 100)} {
		m.HTTPRequest(method, "unmatched", 405, time.Millisecond)
	}
	for _, mti := range []string{"0800", "9999", "01000"} {
		m.CardAuthorization(mti, "00", time.Millisecond)
	}
	for _, code := range []string{"", "0", "000", "a1", "€€"} {
		m.CardAuthorization("0100", code, time.Millisecond)
	}
	m.LoginFailed("password123")
	s := scrape(t, m)
	if got := s.LabelValues(metrics.HTTPRequests, "method"); !slices.Equal(got, []string{"OTHER"}) {
		t.Errorf("methods %v, want only OTHER", got)
	}
	if got := s.Value(metrics.CardAuthorizations, "mti", "other", "response_code", "00"); got != 3 {
		t.Errorf("unknown message types counted %v times as other, want 3", got)
	}
	if got := s.Value(metrics.CardAuthorizations, "mti", "0100", "response_code", "other"); got != 5 {
		t.Errorf("malformed response codes counted %v times as other, want 5", got)
	}
	if got := s.Value(metrics.LoginFailures, "kind", metrics.LoginOther); got != 1 {
		t.Errorf("an unknown kind counted %v times as other, want 1", got)
	}
	if strings.Contains(strings.Join(s.LabelValues(metrics.LoginFailures, "kind"), ","), "password123") {
		t.Error("an unknown kind became a label value")
	}
}

// TestOwnRegistry: each Metrics has its own registry, so two banks in one
// process count separately (and New does not panic on the second).
func TestOwnRegistry(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.BatchCommitted(3)
	if got := scrape(t, b).Value(metrics.LedgerTransfers); got != 0 {
		t.Fatalf("the second bank sees %v transfers of the first", got)
	}
	if got := scrape(t, a).Value(metrics.LedgerTransfers); got != 3 {
		t.Fatalf("the first bank sees %v transfers, want 3", got)
	}
}

// TestNilMetricsIgnoresObservations: code paths without metrics may call
// the methods on a nil *Metrics.
func TestNilMetricsIgnoresObservations(t *testing.T) {
	var m *metrics.Metrics
	m.HTTPRequest("GET", "r", 200, time.Millisecond)
	m.CardAuthorization("0100", "00", time.Millisecond)
	m.BatchCommitted(1)
	m.JobRun("j", time.Millisecond, nil)
	m.LoginFailed(metrics.LoginPIN)
}
