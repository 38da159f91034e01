package web

// The SMS outbox in the back office (package card, RULE CARD-11):
//
//	GET /backoffice/sms   the newest SMS the bank has sent: time, masked mobile number, status and text
//
// Every SMS the bank sends (today the Visa Secure one-time codes, which
// name the merchant and the amount) is written to the outbox before any
// gateway gets it; support staff read it here when a cardholder says no
// code came, and in the demo bank, which has no gateway, it is where a
// tester reads the code. The mobile number shows only its last two digits.
// The texts hold one-time codes, so every look at the page is recorded in
// the audit log with the staff member as the actor. Support and admin
// staff only (others get 403).

import (
	"net/http"

	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/identity"
)

// smsPageSize is how many SMS the page lists.
const smsPageSize = 200

// ActionSMSOutboxViewed is the audit action of a look at the SMS outbox.
const ActionSMSOutboxViewed = "backoffice.sms_outbox_viewed"

// registerSMS adds the SMS outbox to the back office.
func (b *backoffice) registerSMS() {
	s := b.s
	s.Handle("GET /backoffice/sms", s.RequireStaff(identity.RoleSupport, http.HandlerFunc(b.smsPage)))
}

// boSMSRow is one SMS on the list.
type boSMSRow struct {
	ID, Time, To, Text, Reference string
	StatusKey, Error              string
}

// boSMSView is the Data of bo_sms.
type boSMSView struct {
	boBase
	SMS []boSMSRow
	// Available is false when the server has no Visa Secure.
	Available bool
}

// smsPage lists the newest SMS of the outbox.
func (b *backoffice) smsPage(w http.ResponseWriter, r *http.Request) {
	v := boSMSView{boBase: b.base(r, "sms"), Available: b.s.visaSecure != nil}
	if v.Available {
		list, err := b.s.visaSecure.Outbox(r.Context(), smsPageSize)
		if err != nil {
			b.s.Error(w, r, err)
			return
		}
		if err := b.record(r, ActionSMSOutboxViewed, "sms_outbox", nil); err != nil {
			b.s.Error(w, r, err)
			return
		}
		for _, m := range list {
			v.SMS = append(v.SMS, boSMSRow{ID: m.ID, Time: b.dateTime(m.CreatedAt), To: card.MaskMobile(m.To), Text: m.Text,
				Reference: m.Reference, StatusKey: "bo.sms.status." + string(m.Status), Error: m.Error})
		}
	}
	b.s.Render(w, r, http.StatusOK, "bo_sms", v)
}
