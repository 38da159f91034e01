package ledger

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netbank/netbank"
)

// Config tunes the ledger service.
type Config struct {
	Clock netbank.Clock
	// MaxBatch is the most transfers gathered into one database
	// transaction (default 1000).
	MaxBatch int
	// MaxWait is how long a committer lingers for more requests after the
	// first one arrives (default 0: it takes what is queued and goes; while
	// a commit runs, the next batch fills up by itself).
	MaxWait time.Duration
	// Committers is how many batches may be in flight at once (default 1;
	// more helps PostgreSQL when transfers touch different accounts).
	Committers int
	// Observer, when set, is told about every committed batch (observe.go).
	Observer BatchObserver
}

// Service is the ledger: it validates and applies transfers through group
// commit and answers balance and statement queries.
type Service struct {
	store Store
	clock netbank.Clock
	cfg   Config
	jobs  chan *job
	wg    sync.WaitGroup
	stop  chan struct{}
	once  sync.Once

	batches   atomic.Int64
	transfers atomic.Int64
}

// job is one caller's request: a chain of linked transfers (often just one).
type job struct {
	ctx  context.Context
	reqs []TransferRequest
	out  []Transfer
	err  error
	done chan struct{}
}

// New starts a ledger service over store. Call Close to stop its committers.
func New(store Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = netbank.SystemClock{}
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 1000
	}
	if cfg.Committers <= 0 {
		cfg.Committers = 1
	}
	s := &Service{store: store, clock: cfg.Clock, cfg: cfg, jobs: make(chan *job, 4*cfg.MaxBatch), stop: make(chan struct{})}
	for i := 0; i < cfg.Committers; i++ {
		s.wg.Add(1)
		go s.committer()
	}
	return s
}

// Close stops accepting transfers, lets the committers finish what is
// queued and waits for them.
func (s *Service) Close() {
	s.once.Do(func() { close(s.stop) })
	s.wg.Wait()
}

// Stats tells how many batches and transfers were committed, to show that
// group commit gathers many transfers per transaction.
type Stats struct{ Batches, Transfers int64 }

// Stats returns the counters since New.
func (s *Service) Stats() Stats {
	return Stats{Batches: s.batches.Load(), Transfers: s.transfers.Load()}
}

// ErrClosed is returned for requests made after Close.
var ErrClosed = netbank.Errorf(netbank.EUNAVAILABLE, "ledger is shutting down")

// Transfer applies one transfer and returns it as written (or, for a retry
// with the same id and content, as originally written).
func (s *Service) Transfer(ctx context.Context, r TransferRequest) (Transfer, error) {
	out, err := s.submit(ctx, []TransferRequest{r})
	if err != nil {
		return Transfer{}, err
	}
	return out[0], nil
}

// TransferLinked applies the transfers all or none, in order.
func (s *Service) TransferLinked(ctx context.Context, reqs []TransferRequest) ([]Transfer, error) {
	if len(reqs) == 0 {
		return nil, netbank.Errorf(netbank.EINVALID, "no transfers")
	}
	if len(reqs) > s.cfg.MaxBatch {
		return nil, netbank.Errorf(netbank.EINVALID, "at most %d linked transfers", s.cfg.MaxBatch)
	}
	return s.submit(ctx, reqs)
}

func (s *Service) submit(ctx context.Context, reqs []TransferRequest) ([]Transfer, error) {
	for _, r := range reqs {
		if r.Kind == Expire {
			return nil, netbank.Errorf(netbank.EINVALID, "holds expire by themselves")
		}
	}
	j := &job{ctx: ctx, reqs: reqs, done: make(chan struct{})}
	select {
	case <-s.stop:
		return nil, ErrClosed
	default:
	}
	select {
	case s.jobs <- j:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.stop:
		return nil, ErrClosed
	}
	select {
	case <-j.done:
		return j.out, j.err
	case <-ctx.Done():
		// The batch may still commit; a retry with the same id is safe.
		return nil, ctx.Err()
	}
}

// committer gathers queued jobs into batches and commits each batch in
// one database transaction.
func (s *Service) committer() {
	defer s.wg.Done()
	for {
		var first *job
		select {
		case first = <-s.jobs:
		case <-s.stop:
			// Drain what was queued before stopping.
			for {
				select {
				case j := <-s.jobs:
					s.commit([]*job{j})
				default:
					return
				}
			}
		}
		jobs := []*job{first}
		n := len(first.reqs)
		var linger <-chan time.Time
		var timer *time.Timer
		if s.cfg.MaxWait > 0 {
			timer = time.NewTimer(s.cfg.MaxWait)
			linger = timer.C
		}
	gather:
		for n < s.cfg.MaxBatch {
			if linger == nil {
				select {
				case j := <-s.jobs:
					jobs = append(jobs, j)
					n += len(j.reqs)
				default:
					break gather
				}
				continue
			}
			select {
			case j := <-s.jobs:
				jobs = append(jobs, j)
				n += len(j.reqs)
			case <-linger:
				break gather
			}
		}
		if timer != nil {
			timer.Stop()
		}
		s.commit(jobs)
	}
}

// commit runs one batch. Jobs whose callers gave up before it started are
// dropped; each job's result is delivered only after the commit.
func (s *Service) commit(jobs []*job) {
	live := jobs[:0]
	for _, j := range jobs {
		if j.ctx.Err() != nil {
			j.err = j.ctx.Err()
			close(j.done)
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	results := make([][]Transfer, len(live))
	errs := make([]error, len(live))
	var count int64
	// The batch's own context: one impatient caller must not abort the others.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		now := s.clock.Now().UTC().Truncate(time.Microsecond)
		b, err := s.load(ctx, tx, now, live)
		if err != nil {
			return err
		}
		count = 0
		for i, j := range live {
			results[i], errs[i] = b.applyChain(j.reqs)
			if errs[i] == nil {
				count += int64(len(j.reqs))
			}
		}
		return tx.Apply(ctx, b.finish())
	})
	if err == nil {
		s.batches.Add(1)
		s.transfers.Add(count)
		s.observeBatch(count)
	}
	for i, j := range live {
		if err != nil {
			j.err = err
		} else {
			j.out, j.err = results[i], errs[i]
		}
		close(j.done)
	}
}

// load reads and locks everything a batch of jobs touches.
func (s *Service) load(ctx context.Context, tx Tx, now time.Time, jobs []*job) (*batch, error) {
	var ids, holdIDs []string
	accountSet := map[string]bool{}
	for _, j := range jobs {
		for _, r := range j.reqs {
			ids = append(ids, r.ID)
			if r.PendingID != "" {
				holdIDs = append(holdIDs, r.PendingID)
			}
			for _, a := range []string{r.DebitAccountID, r.CreditAccountID} {
				if a != "" {
					accountSet[a] = true
				}
			}
		}
	}
	existing, err := tx.Transfers(ctx, ids)
	if err != nil {
		return nil, err
	}
	holds, err := tx.Holds(ctx, holdIDs)
	if err != nil {
		return nil, err
	}
	for _, h := range holds {
		accountSet[h.DebitAccountID] = true
		accountSet[h.CreditAccountID] = true
	}
	accountIDs := make([]string, 0, len(accountSet))
	for id := range accountSet {
		accountIDs = append(accountIDs, id)
	}
	sort.Strings(accountIDs)
	accounts, err := tx.LockAccounts(ctx, accountIDs)
	if err != nil {
		return nil, err
	}
	// A hold changes state only while its accounts are locked: read it
	// again now that they are ours.
	if len(holdIDs) > 0 {
		if holds, err = tx.Holds(ctx, holdIDs); err != nil {
			return nil, err
		}
	}
	return newBatch(now, accounts, existing, holds), nil
}

// ExpireHolds releases every open hold whose expiry time has passed and
// returns how many it released. The scheduler calls it regularly; it is
// safe to run from several instances at once.
func (s *Service) ExpireHolds(ctx context.Context) (int, error) {
	total := 0
	for {
		now := s.clock.Now().UTC().Truncate(time.Microsecond)
		due, err := s.store.DueHolds(ctx, now, 500)
		if err != nil {
			return total, err
		}
		if len(due) == 0 {
			return total, nil
		}
		released := 0
		err = s.store.WriteTx(ctx, func(tx Tx) error {
			released = 0
			holds, err := tx.Holds(ctx, due)
			if err != nil {
				return err
			}
			var accountIDs []string
			for _, h := range holds {
				accountIDs = append(accountIDs, h.DebitAccountID, h.CreditAccountID)
			}
			sort.Strings(accountIDs)
			accounts, err := tx.LockAccounts(ctx, accountIDs)
			if err != nil {
				return err
			}
			if holds, err = tx.Holds(ctx, due); err != nil { // stable now
				return err
			}
			expireIDs := make([]string, len(due))
			for i, id := range due {
				expireIDs[i] = "expire:" + id
			}
			existing, err := tx.Transfers(ctx, expireIDs)
			if err != nil {
				return err
			}
			b := newBatch(now, accounts, existing, holds)
			for _, id := range due {
				h, ok := holds[id]
				if !ok || h.Status != Open {
					continue // another instance got there first
				}
				if _, err := b.applyChain([]TransferRequest{{ID: "expire:" + id, Kind: Expire, PendingID: id, Code: "expire"}}); err != nil {
					return err
				}
				released++
			}
			return tx.Apply(ctx, b.finish())
		})
		if err != nil {
			return total, err
		}
		total += released
		if len(due) < 500 {
			return total, nil
		}
	}
}

// NewAccount is what CreateAccount needs.
type NewAccount struct {
	ID             string
	Name           string
	Kind           AccountKind
	Currency       string
	OverdraftLimit int64
	Unconstrained  bool
}

// CreateAccount opens a ledger account. Creating an existing id again with
// the same attributes returns it; with other attributes it is a conflict.
func (s *Service) CreateAccount(ctx context.Context, n NewAccount) (Account, error) {
	if err := ValidateID(n.ID); err != nil {
		return Account{}, err
	}
	if n.Name == "" || len([]rune(n.Name)) > 200 {
		return Account{}, netbank.Errorf(netbank.EINVALID, "account name must be 1 to 200 characters")
	}
	if !validKind(n.Kind) {
		return Account{}, netbank.Errorf(netbank.EINVALID, "unknown account kind %q", n.Kind)
	}
	if _, err := netbank.LookupCurrency(n.Currency); err != nil {
		return Account{}, err
	}
	if n.OverdraftLimit < 0 {
		return Account{}, netbank.Errorf(netbank.EINVALID, "overdraft limit must not be negative")
	}
	var out Account
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		got, err := tx.LockAccounts(ctx, []string{n.ID})
		if err != nil {
			return err
		}
		if a, ok := got[n.ID]; ok {
			if a.Name != n.Name || a.Kind != n.Kind || a.Currency != n.Currency || a.OverdraftLimit != n.OverdraftLimit || a.Unconstrained != n.Unconstrained {
				return netbank.Errorf(netbank.ECONFLICT, "account id %q is already used for a different account", n.ID)
			}
			out = *a
			return nil
		}
		out = Account{ID: n.ID, Name: n.Name, Kind: n.Kind, Currency: n.Currency, OverdraftLimit: n.OverdraftLimit,
			Unconstrained: n.Unconstrained, CreatedAt: s.clock.Now().UTC().Truncate(time.Microsecond)}
		return tx.InsertAccount(ctx, out)
	})
	return out, err
}

func validKind(k AccountKind) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// SetOverdraft changes an account's agreed overdraft limit. Lowering it is
// refused if the account's balance would then be past the new limit.
func (s *Service) SetOverdraft(ctx context.Context, id string, limit int64) error {
	if limit < 0 {
		return netbank.Errorf(netbank.EINVALID, "overdraft limit must not be negative")
	}
	return s.store.WriteTx(ctx, func(tx Tx) error {
		got, err := tx.LockAccounts(ctx, []string{id})
		if err != nil {
			return err
		}
		a, ok := got[id]
		if !ok {
			return netbank.Errorf(netbank.ENOTFOUND, "account %q not found", id)
		}
		if !a.Unconstrained && a.Posted()-a.DebitsPending+limit < 0 {
			return netbank.Errorf(netbank.EINSUFFICIENT, "the balance of account %s is below minus the new limit", id)
		}
		return tx.UpdateOverdraft(ctx, id, limit)
	})
}

// Account returns one account with its balances.
func (s *Service) Account(ctx context.Context, id string) (Account, error) {
	return s.store.Account(ctx, id)
}

// Accounts returns every account, ordered by id.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	return s.store.Accounts(ctx)
}

// Balance returns the posted, pending and available balance of an account.
func (s *Service) Balance(ctx context.Context, id string) (Balance, error) {
	a, err := s.store.Account(ctx, id)
	if err != nil {
		return Balance{}, err
	}
	return BalanceOf(a), nil
}

// GetTransfer returns a transfer by id.
func (s *Service) GetTransfer(ctx context.Context, id string) (Transfer, error) {
	return s.store.Transfer(ctx, id)
}

// GetHold returns the state of a pending transfer.
func (s *Service) GetHold(ctx context.Context, id string) (Hold, error) {
	return s.store.Hold(ctx, id)
}

// BalanceAt returns the posted balance of an account as it was at time t.
func (s *Service) BalanceAt(ctx context.Context, accountID string, t time.Time) (int64, error) {
	if _, err := s.store.Account(ctx, accountID); err != nil {
		return 0, err
	}
	return s.store.BalanceAt(ctx, accountID, t)
}

// Statement is one page of an account statement.
type Statement struct {
	AccountID string
	// Opening is the posted balance before the first entry of the period.
	Opening int64
	Entries []Entry
	// Next is the cursor for the following page (0 when there is none).
	Next int64
}

// MaxStatementPage is the largest page a statement query returns.
const MaxStatementPage = 500

// Statement returns the entries of an account posted in [from, to), oldest
// first, each with the running balance after it, one page at a time: pass
// the previous page's Next as after.
func (s *Service) Statement(ctx context.Context, accountID string, from, to time.Time, after int64, limit int) (Statement, error) {
	if limit <= 0 || limit > MaxStatementPage {
		limit = MaxStatementPage
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return Statement{}, netbank.Errorf(netbank.EINVALID, "the period ends before it starts")
	}
	if _, err := s.store.Account(ctx, accountID); err != nil {
		return Statement{}, err
	}
	entries, err := s.store.Entries(ctx, EntryQuery{AccountID: accountID, From: from, To: to, AfterSeq: after, Limit: limit + 1})
	if err != nil {
		return Statement{}, err
	}
	st := Statement{AccountID: accountID}
	if len(entries) > limit {
		entries = entries[:limit]
		st.Next = entries[limit-1].Seq
	}
	st.Entries = entries
	if len(entries) > 0 {
		st.Opening = entries[0].Balance - entries[0].Amount
	} else if !from.IsZero() {
		st.Opening, err = s.store.BalanceAt(ctx, accountID, from.Add(-time.Microsecond))
	}
	return st, err
}

// IsClosed reports whether err is ErrClosed.
func IsClosed(err error) bool { return errors.Is(err, ErrClosed) }
