package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
)

// boAuditPageSize is how many audit entries one page shows.
const boAuditPageSize = 50

// boAuditView is the Data of bo_audit.
type boAuditView struct {
	boBase
	Filter  boAuditFilter
	Errors  boFormErrors
	Entries []boAuditRow
	// OlderURL pages on to older entries; NewestURL back to the newest.
	OlderURL  string
	NewestURL string
	// Actions are the known actions, offered while typing the filter.
	Actions []boActionOption
	Verify  *boVerifyResult
}

// boAuditFilter is the filter form as entered.
type boAuditFilter struct {
	Actor, Subject, Action, From, To string
	Before                           int64
}

// Active tells whether any filter is set.
func (f boAuditFilter) Active() bool {
	return f.Actor != "" || f.Subject != "" || f.Action != "" || f.From != "" || f.To != ""
}

// boAuditRow is one audit entry as the table shows it.
type boAuditRow struct {
	Seq          int64
	Time, ISO    string
	Actor        string
	ActorName    string
	ActorKindKey string
	Action       string
	ActionLabel  string
	Subject      string
	SubjectName  string
	SubjectURL   string
	// ActorFilterURL and SubjectFilterURL show only the entries of the
	// same actor or subject.
	ActorFilterURL   string
	SubjectFilterURL string
	IP               string
	Details          []boDetail
}

// boDetail is one detail of an entry.
type boDetail struct{ Key, Value string }

// boActionOption is a known action with its label.
type boActionOption struct{ Action, Label string }

// boVerifyResult is the outcome of "Kontrollér kæden".
type boVerifyResult struct {
	Intact  bool
	Entries int64
	Breaks  []boBreak
}

// boBreak is one break in the chain.
type boBreak struct {
	Seq     int64
	KindKey string
	Msg     string
}

// boKnownActions are the actions the log holds today; each has a label
// "bo.action.<action>" in the catalog.
var boKnownActions = []string{
	"customer.created", "customer.viewed",
	"user.created", "user.pin_issued", "user.password_reset", "user.blocked", "user.unblocked",
	"keycard.issued", "keyapp.enrolled", "signature.enrolled", "signature.code_changed",
	"login.success", "login.failed", "login.refused", "login.pin_accepted", "logout",
	"staff.created", "staff.login", "staff.login_failed", "staff.unblocked",
	"audit.verified",
}

// auditPage shows the audit log newest first, filtered and paged.
func (b *backoffice) auditPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := boAuditFilter{
		Actor:   strings.TrimSpace(q.Get("aktoer")),
		Subject: strings.TrimSpace(q.Get("emne")),
		Action:  strings.TrimSpace(q.Get("handling")),
		From:    strings.TrimSpace(q.Get("fra")),
		To:      strings.TrimSpace(q.Get("til")),
	}
	if n, err := strconv.ParseInt(q.Get("foer"), 10, 64); err == nil && n > 0 {
		f.Before = n
	}
	b.renderAudit(w, r, f, nil)
}

// renderAudit loads the entries of f and draws the page.
func (b *backoffice) renderAudit(w http.ResponseWriter, r *http.Request, f boAuditFilter, verify *boVerifyResult) {
	if b.audit == nil {
		b.s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "back office without audit log"))
		return
	}
	v := boAuditView{boBase: b.base(r, "audit"), Filter: f, Errors: boFormErrors{}, Verify: verify}
	lang := LangOf(r)
	for _, a := range boKnownActions {
		v.Actions = append(v.Actions, boActionOption{Action: a, Label: boActionLabel(lang, a)})
	}
	filter := audit.Filter{Actor: f.Actor, Subject: f.Subject, Action: f.Action, BeforeSeq: f.Before, Limit: boAuditPageSize + 1}
	var err error
	if filter.From, err = b.parseDay(f.From); err != nil {
		v.Errors["from"] = "bo.audit.err.date"
	}
	if filter.To, err = b.parseDay(f.To); err != nil {
		v.Errors["to"] = "bo.audit.err.date"
	} else if !filter.To.IsZero() {
		filter.To = filter.To.AddDate(0, 0, 1) // the "to" day is included
	}
	if len(v.Errors) > 0 {
		b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_audit", v)
		return
	}
	entries, err := b.audit.List(r.Context(), filter)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	if len(entries) > boAuditPageSize {
		entries = entries[:boAuditPageSize]
		v.OlderURL = f.url(entries[len(entries)-1].Seq)
	}
	if f.Before > 0 {
		v.NewestURL = f.url(0)
	}
	names := b.nameResolver(r.Context())
	for _, e := range entries {
		row := boAuditRow{Seq: e.Seq, Time: b.dateTime(e.At), ISO: e.At.Format(time.RFC3339), Actor: e.Actor,
			ActorKindKey: "bo.actor." + e.ActorKind, Action: e.Action, ActionLabel: boActionLabel(lang, e.Action),
			Subject: e.Subject, IP: e.IP}
		if _, ok := messages[row.ActorKindKey]; !ok {
			row.ActorKindKey = ""
		}
		row.ActorFilterURL = boAuditFilter{Actor: e.Actor}.url(0)
		row.SubjectFilterURL = boAuditFilter{Subject: e.Subject}.url(0)
		row.ActorName = names(e.Actor)
		row.SubjectName = names(e.Subject)
		if v.CanSupport() {
			switch {
			case strings.HasPrefix(e.Subject, "cus_"):
				row.SubjectURL = boPath + "/kunder/" + url.PathEscape(e.Subject)
			case strings.HasPrefix(e.Subject, "usr_"):
				row.SubjectURL = boPath + "/brugere/" + url.PathEscape(e.Subject)
			}
		}
		keys := make([]string, 0, len(e.Details))
		for k := range e.Details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			row.Details = append(row.Details, boDetail{Key: k, Value: e.Details[k]})
		}
		v.Entries = append(v.Entries, row)
	}
	b.s.Render(w, r, http.StatusOK, "bo_audit", v)
}

// url is the audit page with this filter, before seq (0: the newest).
func (f boAuditFilter) url(before int64) string {
	q := url.Values{}
	for k, v := range map[string]string{"aktoer": f.Actor, "emne": f.Subject, "handling": f.Action, "fra": f.From, "til": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if before > 0 {
		q.Set("foer", strconv.FormatInt(before, 10))
	}
	return boURL(boPath+"/revision", q)
}

// parseDay reads a date as the date field sends it (åååå-mm-dd) or as a
// Dane types it (dd.mm.åååå), as the start of that day in Copenhagen.
func (b *backoffice) parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", "02.01.2006", "2.1.2006"} {
		if t, err := time.ParseInLocation(layout, s, b.s.zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, netbank.Errorf(netbank.EINVALID, "bad date %q", s)
}

// boActionLabel is the readable name of an action, or the action itself.
func boActionLabel(lang Lang, action string) string {
	key := "bo.action." + action
	if _, ok := messages[key]; !ok {
		return action
	}
	return T(lang, key)
}

// nameResolver returns a function that names the staff members, users and
// customers the log refers to by id ("" when unknown), asking each once.
func (b *backoffice) nameResolver(ctx context.Context) func(id string) string {
	cache := map[string]string{}
	return func(id string) string {
		if name, ok := cache[id]; ok {
			return name
		}
		var name string
		switch {
		case strings.HasPrefix(id, "stf_"):
			if st, err := b.s.identity.Staff(ctx, id); err == nil {
				name = st.Name + " (" + st.Username + ")"
			}
		case strings.HasPrefix(id, "usr_"):
			if u, err := b.s.identity.User(ctx, id); err == nil {
				name = u.Name + " (" + u.Login + ")"
			}
		case strings.HasPrefix(id, "cus_"):
			if c, err := b.s.identity.Customer(ctx, id); err == nil {
				name = c.Name
			}
		}
		cache[id] = name
		return name
	}
}

// verifyAudit runs the verifier over the whole chain and shows the result
// above the newest entries. The verification is itself audited.
func (b *backoffice) verifyAudit(w http.ResponseWriter, r *http.Request) {
	if b.audit == nil {
		b.s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "back office without audit log"))
		return
	}
	head, err := b.audit.Verify(r.Context())
	res := &boVerifyResult{Intact: err == nil, Entries: head.Seq}
	if err != nil {
		res.Breaks = boBreaks(err)
		if len(res.Breaks) == 0 { // not a broken chain: the database failed
			b.s.Error(w, r, err)
			return
		}
	}
	result := "intact"
	details := map[string]string{"entries": strconv.FormatInt(head.Seq, 10)}
	if !res.Intact {
		result = "broken"
		details["first_break"] = strconv.FormatInt(res.Breaks[0].Seq, 10)
	}
	details["result"] = result
	if err := b.record(r, "audit.verified", "audit_log", details); err != nil {
		b.s.Error(w, r, err)
		return
	}
	b.renderAudit(w, r, boAuditFilter{}, res)
}

// boBreaks lists the breaks an audit verification found, in the order
// found (none when err is not about the chain but, say, the database's).
func boBreaks(err error) []boBreak {
	var out []boBreak
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var be *audit.BrokenError
		if errors.As(e, &be) {
			key := "bo.verify.kind." + string(be.Kind)
			if _, ok := messages[key]; !ok {
				key = "bo.verify.kind.other"
			}
			out = append(out, boBreak{Seq: be.Seq, KindKey: key, Msg: be.Msg})
		}
	}
	walk(err)
	return out
}

// ---- staff (administrators) ----

// boStaffView is the Data of bo_staff.
type boStaffView struct {
	boBase
	Username string
	Error    string
	Done     string
}

// staffPage lets an administrator lift a staff member's login block.
func (b *backoffice) staffPage(w http.ResponseWriter, r *http.Request) {
	v := boStaffView{boBase: b.base(r, "staff")}
	if r.URL.Query().Get("besked") == "ophaevet" {
		v.Done = strings.TrimSpace(r.URL.Query().Get("bruger"))
	}
	b.s.Render(w, r, http.StatusOK, "bo_staff", v)
}

// unblockStaff lifts a staff member's block after failed logins.
func (b *backoffice) unblockStaff(w http.ResponseWriter, r *http.Request) {
	v := boStaffView{boBase: b.base(r, "staff"), Username: strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))}
	if v.Username == "" {
		v.Error = "bo.staff.err.missing"
		b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_staff", v)
		return
	}
	_, err := b.s.identity.UnblockStaff(r.Context(), v.Username, b.actor(r))
	switch netbank.ErrorCodeOf(err) {
	case "":
		http.Redirect(w, r, boURL(boPath+"/medarbejdere", url.Values{"besked": {"ophaevet"}, "bruger": {v.Username}}), http.StatusSeeOther)
	case netbank.ENOTFOUND:
		v.Error = "bo.staff.err.unknown"
		b.s.Render(w, r, http.StatusNotFound, "bo_staff", v)
	case netbank.EINVALID:
		v.Error = "bo.staff.err.notblocked"
		b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_staff", v)
	default:
		b.s.Error(w, r, err)
	}
}
