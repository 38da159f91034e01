package systemtest

// check compares the workload's record with the bank's database: every
// acknowledged payment, delivery and authorization is there exactly once
// with its money, nothing the load did not ask for is there, and nothing
// is half-done — no payment with one leg, no delivery recorded without its
// credit, no card hold or debit without the approval it belongs to.

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/netbank/netbank/store"
)

// dbState is what check reads of the database.
type dbState struct {
	payments  map[string]paymentRow  // by client id
	transfers map[string]transferRow // ledger transfers by id
	holds     map[string]string      // ledger hold (pending transfer) id → open, posted, voided or expired
	auths     map[string][]authRow   // card authorizations by terminal/STAN/RRN
	incoming  map[string]incomingRow // by source/reference
	// unbalanced lists the currencies whose accounts do not sum to zero
	// (posted or pending): money made or lost.
	unbalanced []string
}

type paymentRow struct{ id, status, executionDate string }

type transferRow struct {
	amount int64
	kind   string
}

type authRow struct {
	id, mti, code, hold, status string
	amountDKK                   int64
}

type incomingRow struct{ id, status string }

// readState reads the database behind dsn.
func readState(t *testing.T, dsn string) dbState {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{MaxConns: 2})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer db.Close()
	st := dbState{payments: map[string]paymentRow{}, transfers: map[string]transferRow{}, holds: map[string]string{},
		auths: map[string][]authRow{}, incoming: map[string]incomingRow{}}
	query(t, db, "SELECT client_id, id, status, execution_date FROM payments", func(rows *sql.Rows) error {
		var client string
		var p paymentRow
		err := rows.Scan(&client, &p.id, &p.status, &p.executionDate)
		st.payments[client] = p
		return err
	})
	query(t, db, "SELECT id, amount, kind FROM ledger_transfers", func(rows *sql.Rows) error {
		var id string
		var tr transferRow
		err := rows.Scan(&id, &tr.amount, &tr.kind)
		st.transfers[id] = tr
		return err
	})
	query(t, db, "SELECT transfer_id, status FROM ledger_pending", func(rows *sql.Rows) error {
		var id, status string
		err := rows.Scan(&id, &status)
		st.holds[id] = status
		return err
	})
	query(t, db, `SELECT id, terminal_id, stan, rrn, mti, response_code, hold_transfer_id, status, amount_dkk
		FROM card_authorizations`, func(rows *sql.Rows) error {
		var a authRow
		var term, stan, rrn string
		err := rows.Scan(&a.id, &term, &stan, &rrn, &a.mti, &a.code, &a.hold, &a.status, &a.amountDKK)
		k := term + "/" + stan + "/" + rrn
		st.auths[k] = append(st.auths[k], a)
		return err
	})
	query(t, db, "SELECT source, reference, id, status FROM incoming_payments", func(rows *sql.Rows) error {
		var source, ref string
		var in incomingRow
		err := rows.Scan(&source, &ref, &in.id, &in.status)
		st.incoming[source+"/"+ref] = in
		return err
	})
	query(t, db, `SELECT currency, SUM(credits_posted) - SUM(debits_posted), SUM(credits_pending) - SUM(debits_pending)
		FROM ledger_accounts GROUP BY currency`, func(rows *sql.Rows) error {
		var cur string
		var posted, pending int64
		err := rows.Scan(&cur, &posted, &pending)
		if posted != 0 || pending != 0 {
			st.unbalanced = append(st.unbalanced, fmt.Sprintf("%s: accounts sum to %d posted, %d pending", cur, posted, pending))
		}
		return err
	})
	return st
}

// query runs q with args and calls scan for each row.
func query(t *testing.T, db *store.DB, q string, scan func(*sql.Rows) error, args ...any) {
	t.Helper()
	rows, err := db.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// check compares the record with st and returns the problems, each naming
// the request. finished says that every payment has had its chance to
// execute (the due job ran after the last crash): none may still be
// executing, nor scheduled for today or earlier.
func (w *workload) check(st dbState, finished bool) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	out = append(out, st.unbalanced...)
	out = append(out, w.checkPayments(st, finished)...)
	out = append(out, w.checkIncoming(st)...)
	out = append(out, w.checkAuths(st, finished)...)
	return out
}

// checkPayments: a payment moves its money in one transaction, as every
// money movement does: both legs or neither, and its status says which.
func (w *workload) checkPayments(st dbState, finished bool) []string {
	var out []string
	known := map[string]bool{}
	for _, op := range w.payments {
		client := "api:" + op.key
		known[client] = true
		row, ok := st.payments[client]
		if !ok {
			if op.acked {
				out = append(out, fmt.Sprintf("payment %s (%s): acknowledged %s, not in the database", op.key, op.id, op.status))
			}
			continue
		}
		if op.id != "" && row.id != op.id {
			out = append(out, fmt.Sprintf("payment %s: answered as %s, stored as %s", op.key, op.id, row.id))
		}
		debit, hasDebit := st.transfers[row.id+":debit"]
		credit, hasCredit := st.transfers[row.id+":credit"]
		switch {
		case hasDebit != hasCredit:
			out = append(out, fmt.Sprintf("payment %s (%s, %s): half-done, debit leg %t, credit leg %t", op.key, row.id, row.status, hasDebit, hasCredit))
		case hasDebit && (debit.amount != op.amount || credit.amount != op.amount):
			out = append(out, fmt.Sprintf("payment %s (%s): legs of %d and %d øre, want %d", op.key, row.id, debit.amount, credit.amount, op.amount))
		case (row.status == "settled") != hasDebit && row.status != "executing":
			out = append(out, fmt.Sprintf("payment %s (%s): status %s, but its money moved: %t", op.key, row.id, row.status, hasDebit))
		}
		want := "settled"
		if op.future && !finished {
			want = "scheduled"
		}
		if op.acked && row.status != want {
			out = append(out, fmt.Sprintf("payment %s (%s): acknowledged, but %s, want %s", op.key, row.id, row.status, want))
		}
		if finished && (row.status == "executing" || row.status == "scheduled") {
			out = append(out, fmt.Sprintf("payment %s (%s, due %s): still %s after the due job ran", op.key, row.id, row.executionDate, row.status))
		}
	}
	for client, row := range st.payments {
		if strings.HasPrefix(client, "api:"+w.prefix+"-") && !known[client] {
			out = append(out, fmt.Sprintf("payment %s (%s, %s): in the database, but never asked for", client, row.id, row.status))
		}
	}
	return out
}

// checkIncoming: a delivery from the clearing is booked once; the record
// and its credit go together.
func (w *workload) checkIncoming(st dbState) []string {
	var out []string
	for _, op := range w.incoming {
		row, ok := st.incoming[clearingSource+"/"+op.ref]
		if !ok {
			if op.acked {
				out = append(out, fmt.Sprintf("delivery %s: acknowledged booked, not in the database", op.ref))
			}
			continue
		}
		credit, hasCredit := st.transfers[row.id+":credit"]
		switch {
		case (row.status == "booked") != hasCredit:
			out = append(out, fmt.Sprintf("delivery %s (%s): status %s, credit booked %t", op.ref, row.id, row.status, hasCredit))
		case hasCredit && credit.amount != op.amount:
			out = append(out, fmt.Sprintf("delivery %s (%s): credit of %d øre, want %d", op.ref, row.id, credit.amount, op.amount))
		case op.acked && row.status != "booked":
			out = append(out, fmt.Sprintf("delivery %s (%s): acknowledged booked, but %s", op.ref, row.id, row.status))
		}
	}
	return out
}

// checkAuths: an approved purchase is one hold (0100: RULE CARD-7, the
// amount is reserved at once) or one debit (0200) of its amount, no hold or
// debit exists without the approval it belongs to, and a declined request
// moved nothing. The money of a request whose decision a crash lost is
// undone by the bank's recovery a minute on (card/recover.go), so that
// part is checked once finished: after the resume step.
func (w *workload) checkAuths(st dbState, finished bool) []string {
	var out []string
	ours := map[string]bool{} // authorization ids of the load's requests
	for _, op := range w.auths {
		var approved []authRow
		codes := map[string]bool{}
		for _, a := range st.auths[op.key()] {
			ours[a.id] = true
			codes[a.code] = true
			if a.code == "00" && a.mti == op.req.MTI {
				approved = append(approved, a)
			}
		}
		switch {
		case len(approved) > 1:
			out = append(out, fmt.Sprintf("authorization %s: approved %d times", op.key(), len(approved)))
		case op.acked && op.code == "00" && len(approved) == 0:
			out = append(out, fmt.Sprintf("authorization %s (%s, %d øre): acknowledged 00, no approval stored", op.key(), op.req.MTI, op.req.Amount))
		case op.acked && op.code != "00" && len(approved) > 0:
			out = append(out, fmt.Sprintf("authorization %s: answered %s, stored approved", op.key(), op.code))
		case op.acked && op.code != "00" && !codes[op.code]:
			out = append(out, fmt.Sprintf("authorization %s: answered %s, no decision stored", op.key(), op.code))
		}
		for _, a := range approved {
			tr, ok := st.transfers[a.hold]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("authorization %s (%s): approved, its ledger transfer %q is missing", op.key(), a.id, a.hold))
			case tr.amount != op.req.Amount || a.amountDKK != op.req.Amount:
				out = append(out, fmt.Sprintf("authorization %s (%s): %d øre held, %d stored, want %d", op.key(), a.id, tr.amount, a.amountDKK, op.req.Amount))
			}
		}
	}
	// Money of a card request without the approval it belongs to: a hold
	// still open, or a debit not undone.
	approvedMoney := map[string]bool{}
	decisions := map[string][]string{} // ledger transfer id → the stored decisions naming it
	for _, rows := range st.auths {
		for _, a := range rows {
			if a.hold != "" {
				decisions[a.hold] = append(decisions[a.hold], a.id+" "+a.code)
			}
			if a.code == "00" && a.hold != "" {
				approvedMoney[a.hold] = true
			}
		}
	}
	var orphans []string
	for id := range st.transfers {
		if !finished {
			break
		}
		auth, suffix, ok := strings.Cut(id, ":")
		if !ok || !strings.HasPrefix(auth, "aut_") || approvedMoney[id] {
			continue
		}
		switch suffix {
		case "hold":
			if status := st.holds[id]; status == "open" || status == "posted" {
				orphans = append(orphans, fmt.Sprintf("%s (hold %s, decision under its id stored: %t, decisions naming it: %v)",
					id, status, ours[auth], decisions[id]))
			}
		case "fin":
			if _, undone := st.transfers[auth+":undo"]; !undone {
				orphans = append(orphans, fmt.Sprintf("%s (debit, decision under its id stored: %t, decisions naming it: %v)",
					id, ours[auth], decisions[id]))
			}
		}
	}
	sort.Strings(orphans)
	for _, o := range orphans {
		out = append(out, "card money without an approval (half-done): "+o)
	}
	if len(orphans) > 0 {
		out = append(out, "(a ledger transfer named after a card request, aut_…:hold or :fin, that no stored approval names: "+
			"the ledger committed it, but the decision was never stored, e.g. the process died in between; the money stays held "+
			"until the hold expires, and an acquirer's reversal cannot find it)")
	}
	return out
}

// statuses counts the load's payments by their status in st.
func (w *workload) statuses(st dbState) map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]int{}
	for _, op := range w.payments {
		if row, ok := st.payments["api:"+op.key]; ok {
			out[row.status]++
		}
	}
	return out
}
