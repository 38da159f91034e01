// Package liability decides, as pure functions of the facts, what a Visa
// Debit cardholder pays when someone else misused the card (RULES
// LIAB-1…5, the cardholder rules §11, which follow betalingsloven), and
// whether a dispute of a card transaction came in time (RULES DISP-1…3,
// §8–9).
//
// Nothing here reads a clock, a database or a price list: the back office's
// liability calculator and the dispute flow gather the facts and call
// Assess, DisputeDeadline and CheckDeadline. Texts meant for customers and
// staff (Result.Reason, the errors) are Danish.
package liability

import (
	"math"
	"strings"

	"github.com/netbank/netbank"
)

// The caps of the cardholder's liability in øre, as the cardholder rules
// (§11.2) and betalingsloven state them. They are law, not price list.
const (
	// PINCap is what the cardholder pays at most when the PIN was used
	// (RULE LIAB-2): 375 kr.
	PINCap int64 = 375_00
	// ExtendedCap is what the cardholder pays at most, 375 kr. included,
	// when the PIN was used and the cardholder was also late, careless with
	// the code or grossly irresponsible (RULE LIAB-3): 8.000 kr.
	ExtendedCap int64 = 8_000_00
)

// The clauses a Result names.
const (
	ClauseBankCovers = "LIAB-1" // the bank covers the loss
	ClausePIN        = "LIAB-2" // up to 375 kr.
	ClauseExtended   = "LIAB-3" // up to 8.000 kr.
	ClauseFull       = "LIAB-4" // the whole loss
	ClauseExempt     = "LIAB-5" // no liability
)

// Facts are what the bank has established about one misuse event. The bank
// carries the burden of proof (RULE LIAB-1): a fact against the cardholder
// (PINUsed, LateNotice, CodeGivenAway, CodeGivenAwayKnowingly,
// GrossNegligence, Fraud, IntentionalBreach) is true only when the bank has
// shown it; false means "not shown". The zero value of every field is the
// cardholder-friendly one.
type Facts struct {
	// Loss is the loss in øre from the misuse of the card: the sum of the
	// unauthorised transactions of the event, including those after the
	// block notice. Negative values count as 0.
	Loss int64
	// LossAfterBlockNotice is the part of Loss from transactions made after
	// the bank was told to block the card; the cardholder never pays it
	// (RULE LIAB-5, §11.4: "ikke ansvarlig for tab, der opstår efter, at
	// Jyske Bank har fået besked om, at kortet skal spærres"). It is capped
	// at Loss.
	LossAfterBlockNotice int64

	// PINUsed: the PIN or another personal security credential (wallet
	// code, Visa Secure code, fingerprint) was used for the misuse (RULES
	// LIAB-2, LIAB-3, LIAB-4; §11.2 "der i den forbindelse er anvendt
	// PIN-kode"). Without it the cardholder pays nothing unless Fraud or
	// IntentionalBreach (RULE LIAB-1).
	PINUsed bool
	// LateNotice: the cardholder did not tell the bank as soon as possible
	// after learning that the card, or the phone with the card in a wallet,
	// was lost, or that someone unauthorised knew the code (RULE LIAB-3
	// (a); §11.2 first bullet).
	LateNotice bool
	// CodeGivenAway: the cardholder gave the code to the person who misused
	// the card without realising, and without having had to realise, that
	// there was a risk of misuse (RULE LIAB-3 (b); §11.2 second bullet).
	CodeGivenAway bool
	// CodeGivenAwayKnowingly: the cardholder gave the PIN to the person who
	// misused the card and realised or ought to have realised the risk of
	// misuse (RULE LIAB-4; §11.3 first paragraph). It takes precedence over
	// CodeGivenAway.
	CodeGivenAwayKnowingly bool
	// GrossNegligence: the cardholder made the misuse possible by grossly
	// irresponsible behaviour (RULE LIAB-3 (c); §11.2 third bullet).
	GrossNegligence bool
	// Fraud: the cardholder acted fraudulently (RULE LIAB-4; §11.3 second
	// paragraph). It also takes away the exemption for transactions without
	// strong customer authentication (RULE LIAB-5).
	Fraud bool
	// IntentionalBreach: the cardholder on purpose failed their duties under
	// the rules: to keep the card or phone safe, to protect the PIN (§4) or
	// to block the card (§10) (RULE LIAB-4; §11.3 second paragraph).
	IntentionalBreach bool

	// BlockingImpossible: the cardholder could not block the card because
	// of circumstances at the bank (RULE LIAB-5; §11.4).
	BlockingImpossible bool
	// NotDetectable: the loss or theft of the card, or the unauthorised
	// acquisition of the personal security credential, could not be
	// detected by the cardholder before the misuse (RULE LIAB-5; §11.4).
	NotDetectable bool
	// StaffFault: the misuse was caused by acts or passivity of the bank's
	// employees, agents or branches, or of an entity the bank has
	// outsourced activities to (RULE LIAB-5; §11.4).
	StaffFault bool
	// PayeeKnew: the payee knew or ought to have known that the use of the
	// card was unauthorised (RULE LIAB-5; §11.4).
	PayeeKnew bool
	// SCANotRequired: the bank did not require strong customer
	// authentication for the misused transactions (RULE LIAB-5; §11.4). It
	// does not exempt a cardholder who acted fraudulently.
	SCANotRequired bool
	// NotCorrectlyRecorded: the transactions are not correctly recorded
	// and booked at the bank; the cardholder is liable only for correctly
	// recorded and booked ones (RULE LIAB-5; §11.4 last sentence).
	NotCorrectlyRecorded bool

	// SamePINCards are the cardholder's other cards with the same PIN that
	// were misused in the same event, each with its loss (RULES LIAB-2,
	// LIAB-3, LIAB-4). Empty for the usual single card.
	SamePINCards []CardLoss
	// SamePINCardsBlockedTogether: this card and all of SamePINCards were
	// blocked at the same time. Then the 375 kr. and 8.000 kr. caps apply
	// once to the event ("i alt"); otherwise to each card (§11.2). Full
	// liability (RULE LIAB-4) applies to each card either way.
	SamePINCardsBlockedTogether bool
}

// CardLoss is the loss on one more card with the same PIN (Facts.SamePINCards).
type CardLoss struct {
	// Loss is the loss in øre on this card, as Facts.Loss.
	Loss int64
	// LossAfterBlockNotice is the part of Loss after the block notice, as
	// Facts.LossAfterBlockNotice.
	LossAfterBlockNotice int64
}

// Result is what the cardholder pays for a misuse event.
type Result struct {
	// Amount is what the cardholder pays in total, in øre (0 ≤ Amount ≤ the
	// loss before the block notice).
	Amount int64
	// Clause is the rule that decided the amount: "LIAB-1" (the bank
	// covers), "LIAB-2" (up to 375 kr.), "LIAB-3" (up to 8.000 kr.),
	// "LIAB-4" (the whole loss) or "LIAB-5" (no liability).
	Clause string
	// Reason says in Danish why, for the cardholder's letter and the back
	// office.
	Reason string
	// PerCard splits Amount over the cards: PerCard[0] is the card of
	// Facts.Loss, then one entry per Facts.SamePINCards in order. Under a
	// shared cap the cards are charged in that order until the cap is
	// reached.
	PerCard []int64
}

// Assess returns what the cardholder pays for the misuse described by f.
//
// The order of the rules: the losses after the block notice are set aside
// (LIAB-5). Then any other exemption of LIAB-5 means nothing to pay.
// Otherwise fraud, an intentional breach of duty, or the PIN given away
// knowing the risk means the whole loss (LIAB-4, per card); the PIN used
// with late notice, the code given away unknowingly or gross negligence
// means up to 8.000 kr. (LIAB-3); the PIN used alone up to 375 kr. (LIAB-2);
// anything else nothing (LIAB-1). The caps of LIAB-2 and LIAB-3 count once
// for several same-PIN cards blocked together, else per card.
func Assess(f Facts) Result {
	cards := append([]CardLoss{{Loss: f.Loss, LossAfterBlockNotice: f.LossAfterBlockNotice}}, f.SamePINCards...)
	eligible := make([]int64, len(cards))
	var total, after int64
	for i, c := range cards {
		loss := max(c.Loss, 0)
		a := min(max(c.LossAfterBlockNotice, 0), loss)
		eligible[i] = loss - a
		total = addSat(total, eligible[i])
		after = addSat(after, a)
	}
	res := Result{PerCard: make([]int64, len(cards))}

	if reason := exemption(f); reason != "" {
		res.Clause, res.Reason = ClauseExempt, reason+": kortholderen hæfter ikke for tabet."
		return res
	}
	if total == 0 && after > 0 {
		res.Clause = ClauseExempt
		res.Reason = "Hele tabet er opstået, efter at banken fik besked om at spærre kortet: kortholderen hæfter ikke for tabet."
		return res
	}

	several := len(cards) > 1
	switch {
	case f.Fraud || f.IntentionalBreach || (f.PINUsed && f.CodeGivenAwayKnowingly):
		copy(res.PerCard, eligible)
		res.Amount = total
		res.Clause = ClauseFull
		res.Reason = fullReason(f) + ": kortholderen hæfter for hele tabet"
		if several {
			res.Reason += " på hvert af kortene med samme PIN-kode"
		}
		res.Reason += "."
	case f.PINUsed && (f.LateNotice || f.CodeGivenAway || f.GrossNegligence):
		res.Amount = capLoss(eligible, ExtendedCap, f.SamePINCardsBlockedTogether, res.PerCard)
		res.Clause = ClauseExtended
		res.Reason = "PIN-koden er anvendt ved misbruget, og kortholderen har " + extendedGrounds(f) +
			": kortholderen hæfter for op til " + kr(ExtendedCap) + " af tabet (de 375 kr. medregnet)" +
			capSuffix(several, f.SamePINCardsBlockedTogether)
	case f.PINUsed:
		res.Amount = capLoss(eligible, PINCap, f.SamePINCardsBlockedTogether, res.PerCard)
		res.Clause = ClausePIN
		res.Reason = "PIN-koden eller en anden personlig sikkerhedsforanstaltning er anvendt ved misbruget: kortholderen hæfter for op til " +
			kr(PINCap) + " af tabet" + capSuffix(several, f.SamePINCardsBlockedTogether)
	default:
		res.Clause = ClauseBankCovers
		res.Reason = "Banken dækker tabet: det er ikke godtgjort, at PIN-koden eller en anden personlig sikkerhedsforanstaltning er anvendt ved misbruget, eller at kortholderen har handlet svigagtigt eller med forsæt."
	}
	if after > 0 {
		res.Reason += " Tab efter bankens modtagelse af spærringsbeskeden (" + kr(after) + ") dækker banken (LIAB-5)."
	}
	return res
}

// exemption returns the Danish ground of the first exemption of LIAB-5
// that applies to the whole loss, or "".
func exemption(f Facts) string {
	switch {
	case f.NotCorrectlyRecorded:
		return "Transaktionerne er ikke korrekt registreret og bogført i banken"
	case f.StaffFault:
		return "Misbruget er forårsaget af bankens ansatte, agenter eller filialer eller af en virksomhed, som banken har outsourcet opgaver til"
	case f.BlockingImpossible:
		return "Kortholderen har ikke haft mulighed for at spærre kortet på grund af forhold hos banken"
	case f.NotDetectable:
		return "Tabet eller tyveriet af kortet eller den uberettigede tilegnelse af den personlige sikkerhedsforanstaltning kunne ikke opdages af kortholderen før misbruget"
	case f.PayeeKnew:
		return "Betalingsmodtageren vidste eller burde vide, at brugen af kortet var uberettiget"
	case f.SCANotRequired && !f.Fraud:
		return "Banken krævede ikke stærk kundeautentifikation, og kortholderen har ikke handlet svigagtigt"
	}
	return ""
}

// fullReason names the ground of LIAB-4.
func fullReason(f Facts) string {
	var grounds []string
	if f.Fraud {
		grounds = append(grounds, "handlet svigagtigt")
	}
	if f.IntentionalBreach {
		grounds = append(grounds, "med forsæt undladt at opfylde sine forpligtelser (opbevare kort og telefon, beskytte PIN-koden, spærre kortet)")
	}
	if f.PINUsed && f.CodeGivenAwayKnowingly {
		grounds = append(grounds, "selv oplyst PIN-koden til den, der misbrugte kortet, og indså eller burde have indset risikoen for misbrug")
	}
	return "Kortholderen har " + joinDanish(grounds)
}

// extendedGrounds names the grounds of LIAB-3 that apply.
func extendedGrounds(f Facts) string {
	var grounds []string
	if f.LateNotice {
		grounds = append(grounds, "undladt at underrette banken snarest muligt efter at have fået kendskab til, at kortet eller koden var kommet i uvedkommendes hænder")
	}
	if f.CodeGivenAway && !f.CodeGivenAwayKnowingly {
		grounds = append(grounds, "oplyst koden til den, der misbrugte kortet, uden at indse eller burde indse risikoen for misbrug")
	}
	if f.GrossNegligence {
		grounds = append(grounds, "ved groft uforsvarlig adfærd muliggjort misbruget")
	}
	return joinDanish(grounds)
}

// capSuffix ends a LIAB-2/LIAB-3 reason with how the cap counts when
// several same-PIN cards were misused.
func capSuffix(several, together bool) string {
	switch {
	case !several:
		return "."
	case together:
		return "; kortene med samme PIN-kode blev spærret samtidigt, så beløbet gælder i alt for dem alle."
	default:
		return "; kortene med samme PIN-kode blev ikke spærret samtidigt, så beløbet gælder for hvert kort."
	}
}

// capLoss charges the eligible losses up to limit, once in total (shared)
// or per card, writing the split into per and returning the sum.
func capLoss(eligible []int64, limit int64, shared bool, per []int64) int64 {
	var sum int64
	left := limit
	for i, e := range eligible {
		if shared {
			per[i] = min(e, left)
			left -= per[i]
		} else {
			per[i] = min(e, limit)
		}
		sum = addSat(sum, per[i])
	}
	return sum
}

// kr formats øre as Danish kroner: "8.000,00 kr.".
func kr(ore int64) string { return netbank.NewMoney(ore, "DKK").String() }

// joinDanish joins phrases as Danish does: "a, b og c".
func joinDanish(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " og " + s[len(s)-1]
}

// addSat adds two non-negative amounts without overflowing.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
