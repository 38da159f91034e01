package ledger

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
)

// EntrySearch selects entries of one account for the net bank's search of
// postings: a period, a text and an amount range, newest first.
type EntrySearch struct {
	AccountID string
	// From and To bound posted_at to [From, To); zero means unbounded.
	From, To time.Time
	// Text keeps entries whose text contains it, ignoring case ("husleje"
	// finds "Husleje", "LØN" finds "Løn"). Empty means any text.
	Text string
	// Amount, when not nil, keeps entries whose amount lies in it.
	Amount *AmountRange
	// Before is the cursor: the previous page's Next (0 for the first page).
	Before int64
	// Limit is the page size (at most MaxStatementPage; <= 0 means that).
	Limit int
}

// SearchPage is one page of a search, newest first.
type SearchPage struct {
	Entries []Entry
	// Next is the cursor for the following (older) page: 0 when no older
	// entry matches.
	Next int64
}

// MaxSearchText is the longest search text, in characters (a statement
// text is at most 140).
const MaxSearchText = 140

// Search returns the account's entries that match q, newest first, each
// with the running balance after it, one page at a time.
//
// The period, the amount and the cursor are conditions of the database
// query. The text is matched here, in Go, with Unicode case folding, so
// both engines agree on "Æ" and "æ" (SQLite's LIKE folds only ASCII).
func (s *Service) Search(ctx context.Context, q EntrySearch) (SearchPage, error) {
	if q.Limit <= 0 || q.Limit > MaxStatementPage {
		q.Limit = MaxStatementPage
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return SearchPage{}, netbank.Errorf(netbank.EINVALID, "the period ends before it starts")
	}
	if utf8.RuneCountInString(q.Text) > MaxSearchText {
		return SearchPage{}, netbank.Errorf(netbank.EINVALID, "the search text is longer than %d characters", MaxSearchText)
	}
	if a := q.Amount; a != nil && (a.Min > a.Max || a.Abs && a.Min < 0) {
		return SearchPage{}, netbank.Errorf(netbank.EINVALID, "the amount range is empty")
	}
	if _, err := s.store.Account(ctx, q.AccountID); err != nil {
		return SearchPage{}, err
	}
	needle := strings.ToLower(strings.TrimSpace(q.Text))
	// Without a text every row the database returns matches: one query of
	// Limit+1 rows. With a text, read in chunks until one more match than a
	// page is found (so Next is 0 exactly when nothing older matches) or the
	// entries run out.
	chunk := q.Limit + 1
	if needle != "" {
		chunk = MaxStatementPage
	}
	var out []Entry
	cursor := q.Before
	for {
		rows, err := s.store.Entries(ctx, EntryQuery{AccountID: q.AccountID, From: q.From, To: q.To, BeforeSeq: cursor,
			Newest: true, Amount: q.Amount, Limit: chunk})
		if err != nil {
			return SearchPage{}, err
		}
		for _, e := range rows {
			if needle == "" || strings.Contains(strings.ToLower(e.Text), needle) {
				out = append(out, e)
				if len(out) > q.Limit {
					break
				}
			}
		}
		if len(out) > q.Limit || len(rows) < chunk {
			break
		}
		cursor = rows[len(rows)-1].Seq
		if cursor <= 1 {
			break
		}
	}
	page := SearchPage{Entries: out}
	if len(out) > q.Limit {
		page.Entries = out[:q.Limit]
		page.Next = out[q.Limit-1].Seq
	}
	return page, nil
}
