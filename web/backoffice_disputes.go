package web

// Disputes in the back office (package card, dispute.go; RULES
// DISP-1…DISP-4, LIAB-1…LIAB-5), for support:
//
//	GET  /backoffice/indsigelser              the queue: open disputes, oldest first, and the latest decided
//	GET  /backoffice/indsigelser/{id}         one case: the transaction, what the cardholder filed, the credit;
//	                                          the liability calculator and the decision
//	POST /backoffice/indsigelser/{id}/beregn  the calculator: the facts staff tick → what the cardholder pays
//	                                          and the clause (liability.Assess); nothing is stored
//	POST /backoffice/indsigelser/{id}/afgoer  card.Disputes.Decide: founded (with the facts of a misuse) or
//	                                          unfounded (amount + interest + receipt-copy fee debited again)
//
// The calculator and the decision are one form: its facts are what a
// founded dispute of a payment the cardholder did not approve (DISP-3)
// is decided with, so what staff saw calculated is what is booked. Every
// decision is audited by the dispute service with the staff member as the
// actor.

import (
	"net/http"
	"net/url"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/liability"
)

// registerDisputes adds the disputes to the back office.
func (b *backoffice) registerDisputes() {
	s := b.s
	support := func(h http.HandlerFunc) http.Handler {
		return s.RequireStaff(identity.RoleSupport, s.needDisputes(h))
	}
	s.Handle("GET /backoffice/indsigelser", support(b.disputeQueue))
	s.Handle("GET /backoffice/indsigelser/{id}", support(b.disputeCase))
	s.Handle("POST /backoffice/indsigelser/{id}/beregn", support(b.disputeCalculate))
	s.Handle("POST /backoffice/indsigelser/{id}/afgoer", support(b.disputeDecide))
}

// boDisputePath is a dispute's page in the back office.
func boDisputePath(id string) string { return boPath + "/indsigelser/" + url.PathEscape(id) }

// boDisputeRow is one dispute in the queue.
type boDisputeRow struct {
	ID, URL, Opened, Debited, LastDay, Merchant, Amount string
	CaseKey, Rule, Status, StatusKey, Tone              string
	Card, Owner, Holder, DecidedBy, Debit, Clause       string
	// OwnerName, HolderName and DecidedByName are filled in on a case's
	// page (the queue shows none).
	OwnerName, HolderName, DecidedByName string
}

func (b *backoffice) disputeRow(d card.Dispute) boDisputeRow {
	s := b.s
	return boDisputeRow{ID: d.ID, URL: boDisputePath(d.ID), Opened: s.nbMinute(d.OpenedAt), Debited: s.nbMinute(d.DebitedAt),
		LastDay: d.LastDay.Format("02.01.2006"), Merchant: d.Merchant(), Amount: disputeMoney(d.Amount),
		CaseKey: "disp.case." + string(d.Case), Rule: d.Case.Rule(), Status: string(d.Status),
		StatusKey: "bo.disp.status." + string(d.Status), Tone: disputeStatusTone(d.Status),
		Card: d.CardType.Danish() + " •• " + d.CardLast4, Owner: d.OwnerCustomerID, Holder: d.HolderCustomerID,
		DecidedBy: d.DecidedBy, Debit: disputeMoney(d.Debit), Clause: d.LiabilityClause}
}

// boFactField is one fact of the liability calculator (a checkbox).
type boFactField struct {
	Name, Key, Rule string
	Checked         bool
}

// boFacts is the calculator's form as typed.
type boFacts struct {
	Flags                           []boFactField
	Loss, AfterBlock, OtherCardLoss string
	Note                            string
}

// factFlags are the calculator's checkboxes: the form name, the catalog
// key, the clause it argues for, and the field of liability.Facts.
var factFlags = []struct {
	name, rule string
	field      func(*liability.Facts) *bool
}{
	{"pin_used", "LIAB-2", func(f *liability.Facts) *bool { return &f.PINUsed }},
	{"late_notice", "LIAB-3", func(f *liability.Facts) *bool { return &f.LateNotice }},
	{"code_given_away", "LIAB-3", func(f *liability.Facts) *bool { return &f.CodeGivenAway }},
	{"gross_negligence", "LIAB-3", func(f *liability.Facts) *bool { return &f.GrossNegligence }},
	{"code_given_away_knowingly", "LIAB-4", func(f *liability.Facts) *bool { return &f.CodeGivenAwayKnowingly }},
	{"fraud", "LIAB-4", func(f *liability.Facts) *bool { return &f.Fraud }},
	{"intentional_breach", "LIAB-4", func(f *liability.Facts) *bool { return &f.IntentionalBreach }},
	{"blocking_impossible", "LIAB-5", func(f *liability.Facts) *bool { return &f.BlockingImpossible }},
	{"not_detectable", "LIAB-5", func(f *liability.Facts) *bool { return &f.NotDetectable }},
	{"staff_fault", "LIAB-5", func(f *liability.Facts) *bool { return &f.StaffFault }},
	{"payee_knew", "LIAB-5", func(f *liability.Facts) *bool { return &f.PayeeKnew }},
	{"sca_not_required", "LIAB-5", func(f *liability.Facts) *bool { return &f.SCANotRequired }},
	{"not_correctly_recorded", "LIAB-5", func(f *liability.Facts) *bool { return &f.NotCorrectlyRecorded }},
	{"same_pin_blocked_together", "LIAB-2", func(f *liability.Facts) *bool { return &f.SamePINCardsBlockedTogether }},
}

// boLiability is the calculator's answer: what the cardholder pays for
// the event, what is debited on this transaction, and why.
type boLiability struct {
	Amount, Debit, Clause, Reason string
}

// boUnfounded is what an unfounded decision debits (DISP-4).
type boUnfounded struct {
	Amount, Interest, Rate, Fee, Total string
	Days                               int
}

// boDecision is a decided case's decision.
type boDecision struct {
	Founded             bool
	At, By, Note, Debit string
	// Liability is set for a founded misuse (DISP-3).
	Liability *boLiability
	// Unfounded is set for an unfounded dispute.
	Unfounded *boUnfounded
}

// boDisputeView is the Data of bo_disputes: the queue, or one case.
type boDisputeView struct {
	boBase
	Pending, Decided []boDisputeRow
	// Case is the dispute shown (nil: the queue).
	Case *boDisputeRow
	// The case's further facts.
	Description, Original, Aware, Credited string
	Contacted, Open, Misuse                bool
	// Decision is a decided case's decision.
	Decision *boDecision
	// Facts is the calculator's form; Result its answer.
	Facts  boFacts
	Result *boLiability
	// Unfounded is what an unfounded decision would debit now.
	Unfounded *boUnfounded
	Notice    string
	Error     string
}

// disputeQueue draws the open disputes and the latest decided ones.
func (b *backoffice) disputeQueue(w http.ResponseWriter, r *http.Request) {
	pending, decided, err := b.s.disputes.Queue(r.Context(), 50)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	v := boDisputeView{boBase: b.base(r, "disputes")}
	for _, d := range pending {
		v.Pending = append(v.Pending, b.disputeRow(d))
	}
	for _, d := range decided {
		v.Decided = append(v.Decided, b.disputeRow(d))
	}
	b.s.Render(w, r, http.StatusOK, "bo_disputes", v)
}

// defaultFacts is the calculator's form for a case before staff tick
// anything: the disputed amount as the loss.
func defaultFacts(d card.Dispute) boFacts {
	f := boFacts{Loss: netbank.FormatAmount(d.Amount, 2)}
	for _, ff := range factFlags {
		f.Flags = append(f.Flags, boFactField{Name: ff.name, Key: "bo.disp.fact." + ff.name, Rule: ff.rule})
	}
	return f
}

// readFacts reads the calculator's form into liability.Facts.
func readFacts(r *http.Request, d card.Dispute) (boFacts, liability.Facts, error) {
	form := boFacts{Loss: cleanField(r.PostFormValue("loss"), 30), AfterBlock: cleanField(r.PostFormValue("after_block"), 30),
		OtherCardLoss: cleanField(r.PostFormValue("other_cards"), 30), Note: canonicalText(r.PostFormValue("note"))}
	var f liability.Facts
	for _, ff := range factFlags {
		on := r.PostFormValue(ff.name) == "1"
		*ff.field(&f) = on
		form.Flags = append(form.Flags, boFactField{Name: ff.name, Key: "bo.disp.fact." + ff.name, Rule: ff.rule, Checked: on})
	}
	amount := func(s string, def int64) (int64, error) {
		if s == "" {
			return def, nil
		}
		m, err := netbank.ParseAmount(s, "DKK")
		if err != nil {
			return 0, err
		}
		if m.Amount < 0 {
			return 0, netbank.Errorf(netbank.EINVALID, "Beløbene kan ikke være negative.")
		}
		return m.Amount, nil
	}
	var err error
	if f.Loss, err = amount(form.Loss, d.Amount); err != nil {
		return form, f, err
	}
	if f.LossAfterBlockNotice, err = amount(form.AfterBlock, 0); err != nil {
		return form, f, err
	}
	other, err := amount(form.OtherCardLoss, 0)
	if err != nil {
		return form, f, err
	}
	if other > 0 {
		f.SamePINCards = []liability.CardLoss{{Loss: other}}
	}
	return form, f, nil
}

// disputeCase draws one case.
func (b *backoffice) disputeCase(w http.ResponseWriter, r *http.Request) {
	d, err := b.s.disputes.Dispute(r.Context(), r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	v := boDisputeView{Facts: defaultFacts(d)}
	if d.Status == card.DisputeDeciding && d.Facts != nil {
		// Finishing a recorded decision takes its facts: show them.
		v.Facts = factsForm(d, *d.Facts)
	}
	switch r.URL.Query().Get("besked") {
	case "afgjort":
		v.Notice = "bo.disp.notice.decided"
	}
	b.renderCase(w, r, http.StatusOK, d, v)
}

// factsForm is the calculator's form of recorded facts.
func factsForm(d card.Dispute, f liability.Facts) boFacts {
	form := boFacts{Loss: netbank.FormatAmount(f.Loss, 2), Note: d.Note}
	if f.LossAfterBlockNotice > 0 {
		form.AfterBlock = netbank.FormatAmount(f.LossAfterBlockNotice, 2)
	}
	if len(f.SamePINCards) > 0 {
		form.OtherCardLoss = netbank.FormatAmount(f.SamePINCards[0].Loss, 2)
	}
	for _, ff := range factFlags {
		form.Flags = append(form.Flags, boFactField{Name: ff.name, Key: "bo.disp.fact." + ff.name, Rule: ff.rule, Checked: *ff.field(&f)})
	}
	return form
}

// renderCase draws a case with v's form, result, notice and error.
func (b *backoffice) renderCase(w http.ResponseWriter, r *http.Request, status int, d card.Dispute, v boDisputeView) {
	row := b.disputeRow(d)
	b.names(r, &row)
	v.boBase, v.Case = b.base(r, "disputes"), &row
	v.Description, v.Aware, v.Credited, v.Contacted = d.Description, b.s.nbDate(d.AwareAt), b.s.nbMinute(d.CreditedAt), d.MerchantContacted
	v.Open, v.Misuse = !d.Status.Decided(), d.Case == liability.NotApproved
	if d.OriginalCurrency != "" && d.OriginalCurrency != "DKK" {
		v.Original = netbank.NewMoney(d.OriginalAmount, d.OriginalCurrency).String()
	}
	switch {
	case d.Status.Decided():
		dec := &boDecision{Founded: d.Status == card.DisputeFounded, At: b.s.nbMinute(d.BookedAt), By: row.DecidedByName, Note: d.Note,
			Debit: disputeMoney(d.Debit)}
		if d.LiabilityClause != "" {
			dec.Liability = &boLiability{Amount: disputeMoney(d.LiabilityAmount), Debit: disputeMoney(d.Debit), Clause: d.LiabilityClause,
				Reason: d.LiabilityReason}
		}
		if !dec.Founded {
			dec.Unfounded = unfoundedOf(d)
		}
		v.Decision = dec
	default:
		p, err := b.s.disputes.Preview(r.Context(), d.ID, card.Decision{Founded: false})
		if err != nil {
			b.s.Error(w, r, err)
			return
		}
		v.Unfounded = unfoundedOf(p)
	}
	b.s.Render(w, r, status, "bo_disputes", v)
}

// names fills in the names of a case's customers and staff member (the
// ids where the identity service has none).
func (b *backoffice) names(r *http.Request, row *boDisputeRow) {
	row.OwnerName, row.HolderName, row.DecidedByName = row.Owner, row.Holder, row.DecidedBy
	if b.s.identity == nil {
		return
	}
	ctx := r.Context()
	if c, err := b.s.identity.Customer(ctx, row.Owner); err == nil {
		row.OwnerName = c.Name
	}
	if c, err := b.s.identity.Customer(ctx, row.Holder); err == nil {
		row.HolderName = c.Name
	}
	if row.DecidedBy != "" {
		if st, err := b.s.identity.Staff(ctx, row.DecidedBy); err == nil {
			row.DecidedByName = st.Name
		}
	}
}

// unfoundedOf is what an unfounded decision of d debits.
func unfoundedOf(d card.Dispute) *boUnfounded {
	return &boUnfounded{Amount: disputeMoney(d.Amount), Interest: disputeMoney(d.Interest),
		Rate: netbank.FormatAmount(int64(d.InterestBP), 2), Fee: disputeMoney(d.Fee), Total: disputeMoney(d.Debit), Days: d.InterestDays}
}

// disputeCalculate runs the liability calculator on the facts ticked
// (LIAB-1…LIAB-5) and shows the amount and the clause; nothing changes.
func (b *backoffice) disputeCalculate(w http.ResponseWriter, r *http.Request) {
	d, err := b.s.disputes.Dispute(r.Context(), r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	form, facts, err := readFacts(r, d)
	v := boDisputeView{Facts: form}
	if err != nil {
		v.Error = netbank.ErrorMessageOf(err)
		b.renderCase(w, r, http.StatusBadRequest, d, v)
		return
	}
	res, debit := card.AssessFacts(d, facts)
	v.Result = &boLiability{Amount: disputeMoney(res.Amount), Debit: disputeMoney(debit), Clause: res.Clause, Reason: res.Reason}
	b.renderCase(w, r, http.StatusOK, d, v)
}

// disputeDecide decides a dispute: founded or unfounded (DISP-4).
func (b *backoffice) disputeDecide(w http.ResponseWriter, r *http.Request) {
	d, err := b.s.disputes.Dispute(r.Context(), r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	form, facts, err := readFacts(r, d)
	v := boDisputeView{Facts: form}
	if err != nil {
		v.Error = netbank.ErrorMessageOf(err)
		b.renderCase(w, r, http.StatusBadRequest, d, v)
		return
	}
	dec := card.Decision{Note: form.Note}
	switch r.PostFormValue("outcome") {
	case card.OutcomeFounded:
		dec.Founded, dec.Facts = true, &facts
	case card.OutcomeUnfounded:
	default:
		v.Error = T(LangOf(r), "bo.disp.err.outcome")
		b.renderCase(w, r, http.StatusBadRequest, d, v)
		return
	}
	a := b.actor(r)
	if _, err := b.s.disputes.Decide(r.Context(), d.ID, dec, card.Actor{ID: a.ID, Kind: audit.ActorStaff, IP: a.IP}); err != nil {
		switch netbank.ErrorCodeOf(err) {
		case netbank.EINVALID, netbank.ECONFLICT, netbank.EINSUFFICIENT:
			if fresh, err2 := b.s.disputes.Dispute(r.Context(), d.ID); err2 == nil {
				d = fresh
			}
			v.Error = netbank.ErrorMessageOf(err)
			b.renderCase(w, r, http.StatusUnprocessableEntity, d, v)
			return
		}
		b.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, boDisputePath(d.ID)+"?besked=afgjort", http.StatusSeeOther)
}
