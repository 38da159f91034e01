package web

// Messages and contracts in the back office: the staff's side of the secure
// channel between customer and bank inside the net bank (MSG-1, MSG-2) and
// the electronic contracts a customer must approve before the rest of the
// net bank opens (CONTR-1, CONTR-2, CONTR-3).
//
//	GET  /backoffice/beskeder                       the queue: threads awaiting the bank's answer, oldest first (support)
//	GET  /backoffice/kunder/{id}/beskeder/{thread}  one thread; marks the customer's messages read (support)
//	POST /backoffice/kunder/{id}/beskeder/{thread}  the bank's answer, the staff member as author (support)
//	POST /backoffice/kunder/{id}/beskeder           a new message from the bank to the customer (support)
//	GET  /backoffice/kunder/{id}/kontrakter         the customer's contracts and the form to send one (contract)
//	POST /backoffice/kunder/{id}/kontrakter         send a contract for the customer's approval (contract)
//
// The customer card (/backoffice/kunder/{id}) shows the sections
// "Beskeder" (the customer's threads and the form for a new message) and
// "Kontrakter" (the contracts; the form to send one for the contract role).
// The contract role (identity.RoleContract, or admin) is what may publish
// contracts; support sees them on the card but cannot send one.
//
// A new message from the bank is sent as a system message (inbox.Notify),
// signed with the staff member's name: the inbox has no bank-initiated
// two-way thread, the customer answers by writing a new message (which
// lands in the queue), and the back office records in the audit log which
// staff member sent it ("message.sent_by_staff"), since the inbox itself
// records the system as the actor.
//
// Everything customers and staff type (subjects, bodies, contract texts) is
// drawn by html/template as text, never as HTML; line breaks are kept by
// CSS (white-space: pre-wrap).

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/calendar"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/inbox"
)

// boQueueLimit is how many waiting threads the queue shows.
const boQueueLimit = 200

// boMaxContract is the longest contract text inbox.Publish accepts (bytes).
const boMaxContract = 60000

// registerInbox adds the message and contract pages to the back office and
// the card's sections to the customer card.
func (b *backoffice) registerInbox() {
	s := b.s
	staff := func(role string, h http.HandlerFunc) http.Handler { return s.RequireStaff(role, b.needInbox(h)) }
	support, contract := identity.RoleSupport, identity.RoleContract

	s.Handle("GET /backoffice/beskeder", staff(support, b.queuePage))
	s.Handle("POST /backoffice/kunder/{id}/beskeder", staff(support, b.sendMessage))
	s.Handle("GET /backoffice/kunder/{id}/beskeder/{thread}", staff(support, b.threadPage))
	s.Handle("POST /backoffice/kunder/{id}/beskeder/{thread}", staff(support, b.answer))
	s.Handle("GET /backoffice/kunder/{id}/kontrakter", staff(contract, b.contractsPage))
	s.Handle("POST /backoffice/kunder/{id}/kontrakter", staff(contract, b.publishContract))

}

// needInbox answers "unavailable" when the server has no inbox.
func (b *backoffice) needInbox(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if b.s.inbox == nil {
			b.s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "back office without inbox"))
			return
		}
		h(w, r)
	}
}

// CanContract tells whether the staff member sends contracts.
func (b boBase) CanContract() bool { return b.Staff != nil && b.Staff.HasRole(identity.RoleContract) }

// inboxActor is the staff member of the request as the inbox names them.
func (b *backoffice) inboxActor(r *http.Request) inbox.Actor {
	a := inbox.Actor{Kind: audit.ActorStaff, IP: boClientIP(r)}
	if p := PrincipalOf(r); p != nil && p.Staff != nil {
		a.ID, a.Name = p.Staff.ID, p.Staff.Name
	}
	return a
}

// minute formats a time as dd.mm.åååå tt.mm in Copenhagen.
func (b *backoffice) minute(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(b.s.zone).Format("02.01.2006 15.04")
}

// threadURL is the back office page of a thread.
func threadURL(customerID, threadID string) string {
	return boPath + "/kunder/" + url.PathEscape(customerID) + "/beskeder/" + url.PathEscape(threadID)
}

// ---- the queue ----

// boQueueView is the Data of bo_messages.
type boQueueView struct {
	boBase
	Rows  []boQueueRow
	More  bool
	Limit int
}

// boQueueRow is one thread awaiting the bank's answer.
type boQueueRow struct {
	CustomerID   string
	CustomerName string
	URL          string
	Subject      string
	// LastAt is when the customer wrote last (dd.mm.åååå tt.mm).
	LastAt  string
	LastISO string
	// Preview is the start of the customer's last message.
	Preview string
	Count   int
	last    time.Time
}

// queuePage lists the threads whose newest message is the customer's,
// oldest first: the customer who has waited longest comes first.
func (b *backoffice) queuePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	threads, err := b.s.inbox.OpenThreads(ctx, boQueueLimit+1)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	v := boQueueView{boBase: b.base(r, "messages"), Limit: boQueueLimit}
	names := b.customerNames(ctx)
	for _, t := range threads {
		last := t.Last()
		v.Rows = append(v.Rows, boQueueRow{CustomerID: t.CustomerID, CustomerName: names(t.CustomerID), URL: threadURL(t.CustomerID, t.ID),
			Subject: t.Subject, LastAt: b.minute(last.CreatedAt), LastISO: last.CreatedAt.UTC().Format(time.RFC3339),
			Preview: boPreview(last.Body, 140), Count: len(t.Messages), last: last.CreatedAt})
	}
	sort.SliceStable(v.Rows, func(i, j int) bool { return v.Rows[i].last.Before(v.Rows[j].last) })
	if len(v.Rows) > boQueueLimit {
		v.Rows, v.More = v.Rows[:boQueueLimit], true
	}
	b.s.Render(w, r, http.StatusOK, "bo_messages", v)
}

// customerNames returns a function that names customers by id, asking the
// identity service once per customer (the id itself when unknown).
func (b *backoffice) customerNames(ctx context.Context) func(id string) string {
	cache := map[string]string{}
	return func(id string) string {
		if name, ok := cache[id]; ok {
			return name
		}
		name := id
		if c, err := b.s.identity.Customer(ctx, id); err == nil {
			name = c.Name
		}
		cache[id] = name
		return name
	}
}

// boPreview is the first n characters of a message on one line.
func boPreview(body string, n int) string {
	s := strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// ---- one thread ----

// boThreadView is the Data of bo_thread.
type boThreadView struct {
	boBase
	Customer boCustomerRow
	ThreadID string
	Subject  string
	URL      string
	// System is set for a thread the bank started (a system message): the
	// customer cannot answer it, only write a new message.
	System   bool
	Waiting  bool
	Messages []boMessageRow
	// Reply is the answer as typed, kept when it is shown again with an
	// error (ReplyError: a catalog key; ReplyMessage: the inbox's text).
	Reply        string
	ReplyError   string
	ReplyMessage string
	// Flash is the catalog key of a note after an action (?sendt=).
	Flash string
}

// boMessageRow is one message of a thread.
type boMessageRow struct {
	ID           string
	FromCustomer bool
	FromSystem   bool
	// SenderKey is the catalog key of who wrote it, Author the name.
	SenderKey string
	Author    string
	At        string
	ISO       string
	Body      string
	// ReadAt is when the other side read it ("" while unread).
	ReadAt string
}

// boThreadFlashes are the notes the thread may show, by ?sendt=.
var boThreadFlashes = map[string]string{
	"svar":   "bo.thread.flash.answered",
	"besked": "bo.thread.flash.sent",
}

// threadView loads a customer's thread; reading it marks the customer's
// messages read (inbox.Thread with the bank as reader).
func (b *backoffice) threadView(r *http.Request) (boThreadView, error) {
	ctx := r.Context()
	c, err := b.s.identity.Customer(ctx, r.PathValue("id"))
	if err != nil {
		return boThreadView{}, err
	}
	t, err := b.s.inbox.Thread(ctx, c.ID, r.PathValue("thread"), inbox.FromBank)
	if err != nil {
		return boThreadView{}, err
	}
	v := boThreadView{boBase: b.base(r, "messages"), Customer: boRow(c, false), ThreadID: t.ID, Subject: t.Subject,
		URL: threadURL(c.ID, t.ID), System: t.Messages[0].Sender == inbox.FromSystem, Waiting: !t.Answered}
	for _, m := range t.Messages {
		row := boMessageRow{ID: m.ID, FromCustomer: m.Sender == inbox.FromCustomer, FromSystem: m.Sender == inbox.FromSystem,
			Author: m.Author, At: b.minute(m.CreatedAt), ISO: m.CreatedAt.UTC().Format(time.RFC3339), Body: m.Body,
			ReadAt: b.minute(m.ReadAt)}
		switch m.Sender {
		case inbox.FromCustomer:
			row.SenderKey = "bo.thread.from.customer"
		case inbox.FromBank:
			row.SenderKey = "bo.thread.from.bank"
		default:
			row.SenderKey = "bo.thread.from.system"
		}
		v.Messages = append(v.Messages, row)
	}
	return v, nil
}

// threadPage shows a thread with the form for the bank's answer. Reading
// it is audited: it shows what the customer wrote.
func (b *backoffice) threadPage(w http.ResponseWriter, r *http.Request) {
	v, err := b.threadView(r)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	if err := b.record(r, "message.thread_viewed", v.Customer.ID, map[string]string{"thread": v.ThreadID}); err != nil {
		b.s.Error(w, r, err)
		return
	}
	v.Flash = boThreadFlashes[r.URL.Query().Get("sendt")]
	b.s.Render(w, r, http.StatusOK, "bo_thread", v)
}

// answer adds the bank's answer to the thread, with the staff member as
// the author; the thread then leaves the queue.
func (b *backoffice) answer(w http.ResponseWriter, r *http.Request) {
	body := r.PostFormValue("body")
	var key, msg string
	switch n := utf8.RuneCountInString(strings.TrimSpace(body)); {
	case n == 0:
		key = "bo.msg.err.body.missing"
	case n > inbox.MaxBody:
		key = "bo.msg.err.body.long"
	}
	if key == "" {
		_, err := b.s.inbox.Answer(r.Context(), r.PathValue("id"), r.PathValue("thread"), body, b.inboxActor(r))
		switch netbank.ErrorCodeOf(err) {
		case "":
			http.Redirect(w, r, threadURL(r.PathValue("id"), r.PathValue("thread"))+"?sendt=svar", http.StatusSeeOther)
			return
		case netbank.EINVALID:
			key, msg = "bo.msg.err.general", netbank.ErrorMessageOf(err)
		default:
			b.s.Error(w, r, err)
			return
		}
	}
	v, err := b.threadView(r)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	v.Reply, v.ReplyError, v.ReplyMessage = body, key, msg
	b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_thread", v)
}

// ---- the card's sections ----

// boCardInbox is what the customer card and the contracts page show of
// the inbox: the customer's threads and contracts, and the forms.
type boCardInbox struct {
	CustomerID string
	// CanMessages: support sees the threads and writes to the customer.
	CanMessages bool
	Threads     []boThreadRow
	MsgForm     boMessageForm
	MsgErrors   boFormErrors
	MsgMessage  string
	// CanContract: the contract role (or admin) sends contracts.
	CanContract bool
	Contracts   []boContractRow
	// Pending is set while a contract awaits the customer's approval: the
	// customer's net bank shows only the contract overview (CONTR-1).
	Pending         bool
	ContractForm    boContractForm
	ContractErrors  boFormErrors
	ContractMessage string
	Kinds           []boKindOption
	// Flash is the catalog key of a note after sending a contract.
	Flash string
}

// boThreadRow is one thread on the card.
type boThreadRow struct {
	URL, Subject, LastAt, LastISO string
	Count                         int
	// StateKey and Tone say whether the customer waits for an answer.
	StateKey, Tone string
	// Unread counts the bank's messages the customer has not read.
	Unread int
}

// boMessageForm is the new message as typed.
type boMessageForm struct{ Subject, Body string }

// boContractForm is the contract as typed.
type boContractForm struct{ Title, Kind, Body string }

// boKindOption is one kind of contract in the form's select.
type boKindOption struct {
	Value, Key, HintKey string
	Selected            bool
}

// boContractRow is one contract on the card.
type boContractRow struct {
	ID, Title, Body string
	KindKey         string
	Status          inbox.ContractStatus
	StatusKey, Tone string
	PublishedAt     string
	PublishedBy     string
	ApprovedAt      string
	WithdrawnAt     string
	// Deadline is the last day of the right of withdrawal of an approved
	// contract (CONTR-2); Expired when it has passed. NoWithdrawal is set
	// for prices that follow the capital market (CONTR-3).
	Deadline     string
	Expired      bool
	NoWithdrawal bool
}

// boContractKinds are the kinds of contracts, in the form's order.
var boContractKinds = []inbox.ContractKind{inbox.Distance, inbox.Credit, inbox.Pension, inbox.CapitalMarket}

// boKinds lists the kinds with selected marked.
func boKinds(selected string) []boKindOption {
	out := make([]boKindOption, 0, len(boContractKinds))
	for _, k := range boContractKinds {
		out = append(out, boKindOption{Value: string(k), Key: "bo.contract.kind." + string(k), HintKey: "bo.contract.kind." + string(k) + ".hint",
			Selected: string(k) == selected})
	}
	return out
}

// boContractStatus maps a contract status to its catalog key and tone.
func boContractStatus(st inbox.ContractStatus) (key, tone string) {
	switch st {
	case inbox.Approved:
		return "bo.contract.status.approved", "ok"
	case inbox.Withdrawn:
		return "bo.contract.status.withdrawn", "off"
	}
	return "bo.contract.status.pending", "wait"
}

// boCardFlashes are the notes the card's sections may show, by ?indbakke=.
var boCardFlashes = map[string]string{
	"kontrakt": "bo.contract.flash.sent",
}

// cardInbox loads the card's sections for the staff member of r (nil
// without an inbox).
func (b *backoffice) cardInbox(r *http.Request, customerID string) (*boCardInbox, error) {
	if b.s.inbox == nil {
		return nil, nil
	}
	ctx := r.Context()
	base := b.base(r, "")
	ci := &boCardInbox{CustomerID: customerID, CanMessages: base.CanSupport(), CanContract: base.CanContract(), Kinds: boKinds(""),
		Flash: boCardFlashes[r.URL.Query().Get("indbakke")]}
	if ci.CanMessages {
		threads, err := b.s.inbox.Threads(ctx, customerID)
		if err != nil {
			return nil, err
		}
		for _, t := range threads {
			last := t.Last()
			row := boThreadRow{URL: threadURL(customerID, t.ID), Subject: t.Subject, LastAt: b.minute(last.CreatedAt),
				LastISO: last.CreatedAt.UTC().Format(time.RFC3339), Count: len(t.Messages), Unread: t.Unread}
			switch {
			case !t.Answered:
				row.StateKey, row.Tone = "bo.msg.state.open", "wait"
			case t.Messages[0].Sender == inbox.FromSystem:
				row.StateKey, row.Tone = "bo.msg.state.system", "off"
			default:
				row.StateKey, row.Tone = "bo.msg.state.answered", "ok"
			}
			ci.Threads = append(ci.Threads, row)
		}
	}
	contracts, err := b.s.inbox.Contracts(ctx, customerID)
	if err != nil {
		return nil, err
	}
	today := calendar.Day(b.s.clock.Now())
	staffNames := map[string]string{}
	for _, c := range contracts {
		row := boContractRow{ID: c.ID, Title: c.Title, Body: c.Body, KindKey: "bo.contract.kind." + string(c.Kind), Status: c.Status,
			PublishedAt: b.date(c.PublishedAt), ApprovedAt: b.date(c.ApprovedAt), WithdrawnAt: b.date(c.WithdrawnAt),
			NoWithdrawal: c.Kind == inbox.CapitalMarket}
		row.StatusKey, row.Tone = boContractStatus(c.Status)
		if d, ok := c.WithdrawalDeadline(); ok {
			// A civil date at midnight UTC: formatted as it is.
			row.Deadline, row.Expired = d.Format("02.01.2006"), today.After(d)
		}
		name, ok := staffNames[c.PublishedBy]
		if !ok {
			name = c.PublishedBy
			if st, err := b.s.identity.Staff(ctx, c.PublishedBy); err == nil {
				name = st.Name
			}
			staffNames[c.PublishedBy] = name
		}
		row.PublishedBy = name
		if c.Status == inbox.Pending {
			ci.Pending = true
		}
		ci.Contracts = append(ci.Contracts, row)
	}
	return ci, nil
}

// sendMessage writes to the customer from the bank: a system message
// (inbox.Notify) signed with the staff member's name, audited with the
// staff member as the actor.
func (b *backoffice) sendMessage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := b.s.identity.Customer(ctx, r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	f := boMessageForm{Subject: strings.TrimSpace(r.PostFormValue("subject")), Body: r.PostFormValue("body")}
	staff := b.inboxActor(r)
	signed := strings.TrimSpace(f.Body) + "\n\n" + T(Danish, "bo.msg.signature", staff.Name, b.s.bankName)
	errs := boFormErrors{}
	switch n := utf8.RuneCountInString(f.Subject); {
	case n == 0:
		errs["subject"] = "bo.msg.err.subject.missing"
	case n > inbox.MaxSubject:
		errs["subject"] = "bo.msg.err.subject.long"
	}
	switch {
	case strings.TrimSpace(f.Body) == "":
		errs["body"] = "bo.msg.err.body.missing"
	case utf8.RuneCountInString(signed) > inbox.MaxBody:
		errs["body"] = "bo.msg.err.body.long"
	}
	var general string
	if len(errs) == 0 {
		m, err := b.s.inbox.Notify(ctx, c.ID, f.Subject, signed)
		switch netbank.ErrorCodeOf(err) {
		case "":
			if err := b.record(r, "message.sent_by_staff", c.ID, map[string]string{"thread": m.ThreadID}); err != nil {
				b.s.Error(w, r, err)
				return
			}
			http.Redirect(w, r, threadURL(c.ID, m.ThreadID)+"?sendt=besked", http.StatusSeeOther)
			return
		case netbank.EINVALID:
			general = netbank.ErrorMessageOf(err)
		default:
			b.s.Error(w, r, err)
			return
		}
	}
	v, err := b.cardView(r, c.ID)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	if v.Inbox != nil {
		v.Inbox.MsgForm, v.Inbox.MsgErrors, v.Inbox.MsgMessage = f, errs, general
	}
	b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_customer", v)
}

// ---- contracts ----

// boContractsView is the Data of bo_contracts: the contracts of one
// customer for staff who send contracts but do not work with customers.
type boContractsView struct {
	boBase
	Customer boCustomerRow
	Inbox    *boCardInbox
}

// contractsView loads the contracts page of the customer of the path.
func (b *backoffice) contractsView(r *http.Request, c identity.Customer) (boContractsView, error) {
	ci, err := b.cardInbox(r, c.ID)
	if err != nil {
		return boContractsView{}, err
	}
	return boContractsView{boBase: b.base(r, "customers"), Customer: boRow(c, false), Inbox: ci}, nil
}

// contractsPage shows the customer's contracts and the form to send one.
func (b *backoffice) contractsPage(w http.ResponseWriter, r *http.Request) {
	c, err := b.s.identity.Customer(r.Context(), r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	v, err := b.contractsView(r, c)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	b.s.Render(w, r, http.StatusOK, "bo_contracts", v)
}

// publishContract puts a contract before the customer (inbox.Publish).
// Until the customer approves it, the customer's net bank shows only
// Beskeder → Kontraktoversigt (CONTR-1).
func (b *backoffice) publishContract(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := b.s.identity.Customer(ctx, r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	f := boContractForm{Title: strings.TrimSpace(r.PostFormValue("title")), Kind: r.PostFormValue("kind"), Body: r.PostFormValue("body")}
	errs := boFormErrors{}
	switch n := utf8.RuneCountInString(f.Title); {
	case n == 0:
		errs["title"] = "bo.contract.err.title.missing"
	case n > inbox.MaxSubject:
		errs["title"] = "bo.contract.err.title.long"
	}
	known := false
	for _, k := range boContractKinds {
		known = known || string(k) == f.Kind
	}
	if !known {
		errs["kind"] = "bo.contract.err.kind"
	}
	switch body := strings.TrimSpace(f.Body); {
	case body == "":
		errs["body"] = "bo.contract.err.body.missing"
	case len(body) > boMaxContract:
		errs["body"] = "bo.contract.err.body.long"
	}
	support := b.base(r, "").CanSupport()
	var general string
	if len(errs) == 0 {
		_, err := b.s.inbox.Publish(ctx, c.ID, f.Title, f.Body, inbox.ContractKind(f.Kind), b.inboxActor(r))
		switch netbank.ErrorCodeOf(err) {
		case "":
			target := boPath + "/kunder/" + url.PathEscape(c.ID)
			if !support {
				target += "/kontrakter"
			}
			http.Redirect(w, r, target+"?indbakke=kontrakt#kontrakter", http.StatusSeeOther)
			return
		case netbank.EINVALID:
			general = netbank.ErrorMessageOf(err)
		default:
			b.s.Error(w, r, err)
			return
		}
	}
	fill := func(ci *boCardInbox) {
		if ci != nil {
			ci.ContractForm, ci.ContractErrors, ci.ContractMessage, ci.Kinds = f, errs, general, boKinds(f.Kind)
		}
	}
	if support {
		v, err := b.cardView(r, c.ID)
		if err != nil {
			b.s.Error(w, r, err)
			return
		}
		fill(v.Inbox)
		b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_customer", v)
		return
	}
	v, err := b.contractsView(r, c)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	fill(v.Inbox)
	b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_contracts", v)
}
