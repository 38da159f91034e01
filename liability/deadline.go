package liability

import (
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/calendar"
)

// Case is the kind of a card dispute the cardholder files; each has its own
// deadline.
type Case string

// The dispute cases of the cardholder rules §8–9.
const (
	// UnknownAmount: the final amount was not known when the cardholder
	// approved the payment (hotel, car rental) and the amount debited is
	// much higher than could reasonably be expected (RULE DISP-1, §8.1).
	UnknownAmount Case = "unknown_amount"
	// DistancePurchase: an internet, mail/phone order or self-service
	// purchase where the merchant took more than agreed, did not deliver,
	// or a right of withdrawal was used before delivery; the cardholder must
	// first have tried the merchant (RULE DISP-2, §8.2).
	DistancePurchase Case = "distance_purchase"
	// NotApproved: a payment the cardholder did not approve, take part in or
	// make (RULE DISP-3, §9).
	NotApproved Case = "not_approved"
)

// The dispute periods of the cardholder rules.
const (
	// UnknownAmountDays is the period of DISP-1: 8 weeks after the debit.
	UnknownAmountDays = 8 * 7
	// DistancePurchaseDays is the period of DISP-2: as a rule 14 days after
	// the cardholder became, or ought to have become, aware of the claim.
	DistancePurchaseDays = 14
	// NotApprovedMonths is the period of DISP-3: at the latest 13 months
	// after the debit.
	NotApprovedMonths = 13
)

// Valid reports whether c is one of the three cases.
func (c Case) Valid() bool {
	return c == UnknownAmount || c == DistancePurchase || c == NotApproved
}

// Rule returns the rule id of the case ("DISP-1", "DISP-2", "DISP-3"), or
// "" for an unknown case.
func (c Case) Rule() string {
	switch c {
	case UnknownAmount:
		return "DISP-1"
	case DistancePurchase:
		return "DISP-2"
	case NotApproved:
		return "DISP-3"
	}
	return ""
}

// Danish names the case for the cardholder.
func (c Case) Danish() string {
	switch c {
	case UnknownAmount:
		return "Beløbet var ukendt, da jeg godkendte betalingen"
	case DistancePurchase:
		return "Køb på internettet, via post- eller telefonordre eller i en selvbetjent automat"
	case NotApproved:
		return "Betalingen er ikke godkendt af mig"
	}
	return ""
}

// copenhagen is where the bank's days begin and end.
var copenhagen = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic("liability: " + err.Error()) // calendar embeds the zone database
	}
	return loc
}()

// DisputeLastDay returns the last day on which a dispute of case c is in
// time, as a civil date (midnight UTC, package calendar's convention):
//
//   - UnknownAmount (DISP-1): the day of the debit + 8 weeks;
//   - DistancePurchase (DISP-2): the day the cardholder became aware + 14
//     days, counted from the debit if aware is earlier or zero (one cannot
//     become aware of an unjustified debit before it happens);
//   - NotApproved (DISP-3): the day of the debit + 13 months; where that
//     month has no such day (31 January + 13 months), the last day of the
//     month.
//
// The days of debit and aware are their dates in Denmark. "Within 8 weeks"
// means up to and including the same weekday 8 weeks later; a last day on a
// weekend or holiday is not moved, because a dispute is filed in the net
// bank at any hour (the rules do not move it either). It returns the zero
// time for an unknown case.
func DisputeLastDay(c Case, debit, aware time.Time) time.Time {
	d := calendar.Day(debit)
	switch c {
	case UnknownAmount:
		return d.AddDate(0, 0, UnknownAmountDays)
	case DistancePurchase:
		start := d
		if !aware.IsZero() {
			if a := calendar.Day(aware); a.After(start) {
				start = a
			}
		}
		return start.AddDate(0, 0, DistancePurchaseDays)
	case NotApproved:
		return addMonthsClamped(d, NotApprovedMonths)
	}
	return time.Time{}
}

// DisputeDeadline returns the instant a dispute of case c becomes late: the
// end of DisputeLastDay in Copenhagen, i.e. midnight at the start of the
// following day there (daylight saving time included). A dispute filed
// strictly before this instant is in time. It returns the zero time for an
// unknown case.
func DisputeDeadline(c Case, debit, aware time.Time) time.Time {
	last := DisputeLastDay(c, debit, aware)
	if last.IsZero() {
		return time.Time{}
	}
	y, m, d := last.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, copenhagen)
}

// CheckDeadline returns nil if a dispute of case c about a debit at debit,
// which the cardholder became aware of at aware (used by DistancePurchase
// only; zero if unknown), filed at filed, is in time, and otherwise an
// EINVALID error whose Danish message gives the rule, the last day and why.
// A dispute filed before the debit, or of an unknown case, is also refused.
func CheckDeadline(c Case, debit, aware, filed time.Time) error {
	if !c.Valid() {
		return netbank.Errorf(netbank.EINVALID, "Vælg hvilken type indsigelse det er")
	}
	if filed.Before(debit) {
		return netbank.Errorf(netbank.EINVALID, "Der kan ikke gøres indsigelse, før beløbet er trukket på kontoen")
	}
	if filed.Before(DisputeDeadline(c, debit, aware)) {
		return nil
	}
	last := danishDate(DisputeLastDay(c, debit, aware))
	debited := danishDate(calendar.Day(debit))
	switch c {
	case UnknownAmount:
		return netbank.Errorf(netbank.EINVALID,
			"Indsigelsen kommer for sent: når du ikke kendte det endelige beløb, skal du gøre indsigelse senest 8 uger efter, at beløbet er trukket på din konto (trukket %s, fristen var %s).",
			debited, last)
	case DistancePurchase:
		return netbank.Errorf(netbank.EINVALID,
			"Indsigelsen kommer for sent: ved køb på internettet, post- og telefonordre og i selvbetjente automater skal du gøre indsigelse senest 14 dage efter, at du blev eller burde være blevet opmærksom på dit krav (fristen var %s).",
			last)
	default: // NotApproved
		return netbank.Errorf(netbank.EINVALID,
			"Indsigelsen kommer for sent: en betaling, du ikke har godkendt, skal du gøre indsigelse mod senest 13 måneder efter, at beløbet er trukket på din konto (trukket %s, fristen var %s).",
			debited, last)
	}
}

// CheckMerchantContacted enforces the condition of DISP-2: before a
// DistancePurchase dispute the cardholder must have contacted, or tried to
// contact, the merchant and be able to document it. Other cases have no
// such condition.
func CheckMerchantContacted(c Case, contacted bool) error {
	if c == DistancePurchase && !contacted {
		return netbank.Errorf(netbank.EINVALID,
			"Du skal først have forsøgt at løse problemet med forretningen og kunne dokumentere, at du har kontaktet eller forsøgt at kontakte den.")
	}
	return nil
}

// addMonthsClamped adds n months to the civil date d; a day that the target
// month lacks becomes that month's last day.
func addMonthsClamped(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	lastDay := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, lastDay), 0, 0, 0, 0, time.UTC)
}

// danishDate formats a civil date as dd.mm.åååå.
func danishDate(d time.Time) string { return d.Format("02.01.2006") }
