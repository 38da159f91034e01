package ledger_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/ledger"
	"github.com/netbank/netbank/store"
)

// searchFixture books 30 entries on "m" over 30 days: on even days a salary
// ("Løn", +1000 + day), on odd days the rent ("HUSLEJE", -(500 + day)),
// with one "Ærlig Æblemost" purchase of -77 on day 7 (m may overdraw).
func searchFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := newFixture(t, db, ledger.Config{})
	f.account("employer", ledger.KindSettlement, 0)
	f.account("landlord", ledger.KindSettlement, 0)
	f.account("m", ledger.KindCustomerDeposit, 100_000)
	day := func(d int) time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, d-1) }
	for d := 1; d <= 30; d++ {
		r := ledger.TransferRequest{ID: fmt.Sprintf("e%d", d), DebitAccountID: "employer", CreditAccountID: "m",
			Amount: int64(1000 + d), Text: fmt.Sprintf("Løn %d", d), Timestamp: day(d)}
		if d%2 == 1 {
			r = ledger.TransferRequest{ID: fmt.Sprintf("e%d", d), DebitAccountID: "m", CreditAccountID: "landlord",
				Amount: int64(500 + d), Text: fmt.Sprintf("HUSLEJE %d", d), Timestamp: day(d)}
		}
		if d == 7 {
			r.Amount, r.Text = 77, "Ærlig Æblemost"
		}
		f.transfer(r)
	}
	return f
}

func texts(es []ledger.Entry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.Text)
	}
	return strings.Join(s, ",")
}

func TestSearchNewestFirstWithCursor(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := searchFixture(t, db)
		// Every entry, 7 per page, newest first; the pages join up without
		// gaps or repeats, and the running balances are those of the statement.
		var got []ledger.Entry
		page, err := f.l.Search(f.ctx, ledger.EntrySearch{AccountID: "m", Limit: 7})
		for pages := 1; ; pages++ {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page.Entries...)
			if page.Next == 0 {
				if pages != 5 {
					t.Errorf("%d pages, want 5", pages)
				}
				break
			}
			page, err = f.l.Search(f.ctx, ledger.EntrySearch{AccountID: "m", Limit: 7, Before: page.Next})
		}
		st, err := f.l.Statement(f.ctx, "m", time.Time{}, time.Time{}, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 30 || len(st.Entries) != 30 {
			t.Fatalf("search found %d entries, statement %d", len(got), len(st.Entries))
		}
		for i, e := range got {
			want := st.Entries[29-i]
			if e.Seq != want.Seq || e.Balance != want.Balance || e.Amount != want.Amount || e.Text != want.Text {
				t.Fatalf("entry %d = %+v, want %+v", i, e, want)
			}
		}
		// An exact page: no cursor when nothing older is left.
		page, err = f.l.Search(f.ctx, ledger.EntrySearch{AccountID: "m", Limit: 30})
		if err != nil || len(page.Entries) != 30 || page.Next != 0 {
			t.Fatalf("page of 30: %d entries, next %d, %v", len(page.Entries), page.Next, err)
		}
	})
}

func TestSearchFilters(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := searchFixture(t, db)
		search := func(q ledger.EntrySearch) ledger.SearchPage {
			t.Helper()
			q.AccountID = "m"
			p, err := f.l.Search(f.ctx, q)
			if err != nil {
				t.Fatalf("search %+v: %v", q, err)
			}
			return p
		}
		// Text, ignoring case, also beyond ASCII.
		if p := search(ledger.EntrySearch{Text: "husleje 2"}); texts(p.Entries) != "HUSLEJE 29,HUSLEJE 27,HUSLEJE 25,HUSLEJE 23,HUSLEJE 21" {
			t.Errorf("husleje 2: %s", texts(p.Entries))
		}
		if p := search(ledger.EntrySearch{Text: "  ÆRLIG æ "}); texts(p.Entries) != "Ærlig Æblemost" {
			t.Errorf("ærlig æ: %s", texts(p.Entries))
		}
		// Text paging: 15 salaries in pages of 4 (the text is matched
		// after the database query, across its chunks).
		var n int
		q := ledger.EntrySearch{Text: "løn", Limit: 4}
		for {
			p := search(q)
			n += len(p.Entries)
			for _, e := range p.Entries {
				if !strings.HasPrefix(e.Text, "Løn") {
					t.Fatalf("text search found %q", e.Text)
				}
			}
			if p.Next == 0 {
				break
			}
			q.Before = p.Next
		}
		if n != 15 {
			t.Errorf("%d salaries, want 15", n)
		}
		// Period [day 10, day 13).
		from := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
		if p := search(ledger.EntrySearch{From: from, To: from.AddDate(0, 0, 3)}); texts(p.Entries) != "Løn 12,HUSLEJE 11,Løn 10" {
			t.Errorf("period: %s", texts(p.Entries))
		}
		// Amount without sign: 1009–1012 are two salaries; signed
		// -512…-510 one rent.
		if p := search(ledger.EntrySearch{Amount: &ledger.AmountRange{Min: 1009, Max: 1012, Abs: true}}); texts(p.Entries) != "Løn 12,Løn 10" {
			t.Errorf("amount 1009–1012: %s", texts(p.Entries))
		}
		if p := search(ledger.EntrySearch{Amount: &ledger.AmountRange{Min: -512, Max: -510}}); texts(p.Entries) != "HUSLEJE 11" {
			t.Errorf("amount -512…-510: %s", texts(p.Entries))
		}
		// Exact amount, with and without sign.
		if p := search(ledger.EntrySearch{Amount: &ledger.AmountRange{Min: 77, Max: 77, Abs: true}}); texts(p.Entries) != "Ærlig Æblemost" {
			t.Errorf("amount 77: %s", texts(p.Entries))
		}
		if p := search(ledger.EntrySearch{Amount: &ledger.AmountRange{Min: 77, Max: 77}}); len(p.Entries) != 0 {
			t.Errorf("amount +77 found %s", texts(p.Entries))
		}
		if p := search(ledger.EntrySearch{Amount: &ledger.AmountRange{Min: -77, Max: -77}}); texts(p.Entries) != "Ærlig Æblemost" {
			t.Errorf("amount -77: %s", texts(p.Entries))
		}
		// Debits only (signed, open below).
		if p := search(ledger.EntrySearch{Amount: &ledger.AmountRange{Min: math.MinInt64 + 1, Max: -1}}); len(p.Entries) != 15 {
			t.Errorf("debits: %d", len(p.Entries))
		}
		// All filters at once.
		if p := search(ledger.EntrySearch{Text: "HUSleje", From: from, Amount: &ledger.AmountRange{Min: 520, Max: 530, Abs: true}}); texts(p.Entries) != "HUSLEJE 29,HUSLEJE 27,HUSLEJE 25,HUSLEJE 23,HUSLEJE 21" {
			t.Errorf("all filters: %s", texts(p.Entries))
		}
		// Text that looks like SQL is just text.
		for _, s := range []string{"' OR 1=1 --", "%", "_", `\`, "Løn'; DROP TABLE ledger_entries; --"} {
			if p := search(ledger.EntrySearch{Text: s}); len(p.Entries) != 0 {
				t.Errorf("%q found %s", s, texts(p.Entries))
			}
		}
		if p := search(ledger.EntrySearch{}); len(p.Entries) != 30 {
			t.Errorf("after the odd texts: %d entries", len(p.Entries))
		}
	})
}

func TestSearchRefusals(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := searchFixture(t, db)
		day := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
		for _, q := range []ledger.EntrySearch{
			{AccountID: "m", From: day, To: day.Add(-time.Second)},
			{AccountID: "m", Text: strings.Repeat("x", ledger.MaxSearchText+1)},
			{AccountID: "m", Amount: &ledger.AmountRange{Min: 10, Max: 9}},
			{AccountID: "m", Amount: &ledger.AmountRange{Min: -1, Max: 9, Abs: true}},
		} {
			_, err := f.l.Search(f.ctx, q)
			f.wantCode(err, netbank.EINVALID)
		}
		_, err := f.l.Search(f.ctx, ledger.EntrySearch{AccountID: "nobody"})
		f.wantCode(err, netbank.ENOTFOUND)
		// The longest text is fine (and finds nothing).
		if p, err := f.l.Search(f.ctx, ledger.EntrySearch{AccountID: "m", Text: strings.Repeat("æ", ledger.MaxSearchText)}); err != nil || len(p.Entries) != 0 {
			t.Fatalf("longest text: %v, %v", p, err)
		}
	})
}
