// Package metrics is the bank's Prometheus adapter: the counters and
// histograms an operator watches (HTTP requests and latencies, card
// authorizations by response code, ledger transfers and group-commit batch
// sizes, scheduled job runs, failed logins), kept in a registry of the
// bank's own (never the global one, so several banks in one process, as in
// tests, do not collide) and served in the Prometheus text format.
//
// The domain packages know nothing of it: they offer small observer hooks
// (ledger.BatchObserver, scheduler.Config.OnRun) and package app connects
// them here. Labels are bounded by construction: route patterns, never raw
// paths; message types and response codes from fixed sets; job names the
// bank registered; login-failure kinds from a fixed list. No label or value
// carries a customer's data or a secret.
package metrics

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric of the bank's own.
const Namespace = "netbank"

// The metric names, for dashboards, alerts and the README.
const (
	HTTPRequests         = Namespace + "_http_requests_total"
	HTTPDuration         = Namespace + "_http_request_duration_seconds"
	CardAuthorizations   = Namespace + "_card_authorizations_total"
	CardAuthDuration     = Namespace + "_card_authorization_duration_seconds"
	LedgerTransfers      = Namespace + "_ledger_transfers_total"
	LedgerBatchSize      = Namespace + "_ledger_batch_size"
	SchedulerJobRuns     = Namespace + "_scheduler_job_runs_total"
	SchedulerJobDuration = Namespace + "_scheduler_job_duration_seconds"
	LoginFailures        = Namespace + "_login_failures_total"
)

// The results of a scheduled job run (label "result" of SchedulerJobRuns).
const (
	JobOK     = "ok"
	JobFailed = "failed"
)

// The kinds of failed login (label "kind" of LoginFailures).
const (
	// LoginPIN: a wrong PIN code from the letter (private net bank).
	LoginPIN = "pin"
	// LoginSignature: a signature that does not verify (the signature
	// file and code of the private net bank, at login or when signing).
	LoginSignature = "signature"
	// LoginPassword: a business user's wrong password.
	LoginPassword = "password"
	// LoginKeyCard: a wrong key-card code.
	LoginKeyCard = "keycard"
	// LoginKeyApp: a wrong key-app code.
	LoginKeyApp = "keyapp"
	// LoginStaff: a staff login with an unknown user, wrong password or
	// wrong TOTP code (the back office does not say which).
	LoginStaff = "staff"
	// LoginBlocked: a login by a user who is blocked.
	LoginBlocked = "blocked"
	// LoginOther: any other failed step.
	LoginOther = "other"
)

// LoginKinds lists every kind of failed login; each is exported from the
// start (at 0), so a rate over it is defined before the first failure.
var LoginKinds = []string{LoginPIN, LoginSignature, LoginPassword, LoginKeyCard, LoginKeyApp, LoginStaff, LoginBlocked, LoginOther}

// cardMTIs are the message types the card network hands the engine; any
// other is counted as "other".
var cardMTIs = map[string]bool{"0100": true, "0200": true, "0220": true, "0400": true}

// Metrics holds the bank's collectors in its own registry. Its methods are
// safe for concurrent use; a nil *Metrics ignores every observation, so
// code paths without metrics (maintenance commands, some tests) need no
// checks.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	cardAuths     *prometheus.CounterVec
	cardDuration  *prometheus.HistogramVec
	transfers     prometheus.Counter
	batchSize     prometheus.Histogram
	jobRuns       *prometheus.CounterVec
	jobDuration   *prometheus.HistogramVec
	loginFailures *prometheus.CounterVec
}

// New returns the bank's metrics with the Go runtime and process
// collectors, in a fresh registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: HTTPRequests,
			Help: "HTTP requests answered, by method, route pattern and status code."}, []string{"method", "route", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: HTTPDuration,
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"method", "route"}),
		cardAuths: prometheus.NewCounterVec(prometheus.CounterOpts{Name: CardAuthorizations,
			Help: "Card network requests decided by the authorization engine, by message type and response code (field 39)."},
			[]string{"mti", "response_code"}),
		cardDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: CardAuthDuration,
			Help:    "Time the authorization engine took to decide a card network request, by message type.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"mti"}),
		transfers: prometheus.NewCounter(prometheus.CounterOpts{Name: LedgerTransfers,
			Help: "Ledger transfers committed by group commit."}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: LedgerBatchSize,
			Help:    "Transfers per committed group-commit batch (one database transaction).",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000}}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: SchedulerJobRuns,
			Help: "Scheduled job runs this instance made, by job and result (ok or failed)."}, []string{"job", "result"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: SchedulerJobDuration,
			Help:    "Time a scheduled job run took, by job.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300}}, []string{"job"}),
		loginFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: LoginFailures,
			Help: "Failed login and signing steps, by kind (" + strings.Join(LoginKinds, ", ") + ")."}, []string{"kind"}),
	}
	m.reg.MustRegister(m.httpRequests, m.httpDuration, m.cardAuths, m.cardDuration, m.transfers, m.batchSize,
		m.jobRuns, m.jobDuration, m.loginFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, k := range LoginKinds {
		m.loginFailures.WithLabelValues(k)
	}
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry the metrics live in (to gather them in tests
// or add collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// HTTPRequest counts one answered request. route must be a bounded label
// (a ServeMux pattern or a fixed name), never a raw path.
func (m *Metrics) HTTPRequest(method, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	method = Method(method)
	m.httpRequests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(method, route).Observe(took.Seconds())
}

// Method bounds the method label: the standard methods as they are, any
// other as "OTHER".
func Method(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// CardAuthorization counts one decided card network request: its message
// type, the response code (field 39) and how long the decision took.
func (m *Metrics) CardAuthorization(mti, code string, took time.Duration) {
	if m == nil {
		return
	}
	if !cardMTIs[mti] {
		mti = "other"
	}
	if !validCode(code) {
		code = "other"
	}
	m.cardAuths.WithLabelValues(mti, code).Inc()
	m.cardDuration.WithLabelValues(mti).Observe(took.Seconds())
}

// validCode accepts a response code as field 39 carries it: two letters or
// digits.
func validCode(code string) bool {
	if len(code) != 2 {
		return false
	}
	for _, c := range []byte(code) {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// BatchCommitted counts a committed ledger batch of transfers (it
// implements ledger.BatchObserver).
func (m *Metrics) BatchCommitted(transfers int) {
	if m == nil {
		return
	}
	m.transfers.Add(float64(transfers))
	m.batchSize.Observe(float64(transfers))
}

// JobRun counts a run of a scheduled job (the scheduler's OnRun hook): ok
// when err is nil, failed otherwise.
func (m *Metrics) JobRun(job string, took time.Duration, err error) {
	if m == nil {
		return
	}
	result := JobOK
	if err != nil {
		result = JobFailed
	}
	m.jobRuns.WithLabelValues(job, result).Inc()
	m.jobDuration.WithLabelValues(job).Observe(took.Seconds())
}

// LoginFailed counts a failed login or signing step of a kind (one of
// LoginKinds; anything else counts as LoginOther).
func (m *Metrics) LoginFailed(kind string) {
	if m == nil {
		return
	}
	if !slices.Contains(LoginKinds, kind) {
		kind = LoginOther
	}
	m.loginFailures.WithLabelValues(kind).Inc()
}
