// Package inbox is the secure channel between a customer and the bank
// inside the net bank (MSG-1): two-way message threads, the bank's system
// messages (card blocks, rule and price changes: MSG-2), and electronic
// contracts the customer must approve before the rest of the net bank
// opens (CONTR-1), with the right of withdrawal (CONTR-2, CONTR-3).
//
// Every read is scoped to a customer: a customer can only ever see its own
// threads and contracts; staff reach them through the back office.
package inbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/calendar"
)

// Sender says who wrote a message.
type Sender string

// The senders of messages.
const (
	FromCustomer Sender = "customer"
	FromBank     Sender = "bank"
	FromSystem   Sender = "system"
)

// Message is one message of a thread.
type Message struct {
	ID         string
	CustomerID string
	ThreadID   string
	Sender     Sender
	// Author is the user or staff member who wrote it ("" for system messages).
	Author    string
	Subject   string
	Body      string
	CreatedAt time.Time
	// ReadAt is when the other side read it (zero: unread).
	ReadAt time.Time
}

// Thread is a conversation: its messages oldest first.
type Thread struct {
	ID         string
	CustomerID string
	Subject    string
	Messages   []Message
	// Unread counts messages from the bank the customer has not read.
	Unread int
	// Answered is false while the customer's last message has no reply.
	Answered bool
}

// Last returns the newest message of the thread.
func (t Thread) Last() Message { return t.Messages[len(t.Messages)-1] }

// ContractKind decides the right of withdrawal.
type ContractKind string

// The kinds of contracts.
const (
	// Distance agreements: 14 days, moved to the next bank day (CONTR-2).
	Distance ContractKind = "distance"
	// Credit agreements: 14 days, never moved (CONTR-2).
	Credit ContractKind = "credit"
	// Individual pension schemes: 30 days (CONTR-2).
	Pension ContractKind = "pension"
	// Prices that follow the capital market: no right of withdrawal (CONTR-3).
	CapitalMarket ContractKind = "capital_market"
)

// ContractStatus is where a contract stands.
type ContractStatus string

// The states of a contract.
const (
	Pending   ContractStatus = "pending"
	Approved  ContractStatus = "approved"
	Withdrawn ContractStatus = "withdrawn"
)

// Contract is an electronic agreement the bank publishes to a customer.
type Contract struct {
	ID          string
	CustomerID  string
	Title       string
	Body        string
	Kind        ContractKind
	Status      ContractStatus
	PublishedBy string
	PublishedAt time.Time
	// InformedAt is when the customer received the required information
	// (defaults to PublishedAt).
	InformedAt time.Time
	ApprovedAt time.Time
	ApprovedBy string
	// SignedDocument is the id of the signed document that approved it.
	SignedDocument string
	WithdrawnAt    time.Time
}

// WithdrawalDeadline returns the last day the customer may withdraw
// (CONTR-2): 14 days (30 for pension schemes) from the later of approval
// and information, moved to the next bank day unless it is a credit
// agreement. ok is false when there is no right of withdrawal (CONTR-3:
// capital-market prices) or the contract is not approved.
func (c Contract) WithdrawalDeadline() (deadline time.Time, ok bool) {
	if c.Status != Approved || c.Kind == CapitalMarket {
		return time.Time{}, false
	}
	days := calendar.WithdrawalDays
	if c.Kind == Pension {
		days = calendar.PensionWithdrawalDays
	}
	informed := c.InformedAt
	if informed.IsZero() {
		informed = c.PublishedAt
	}
	return calendar.WithdrawalDeadline(calendar.Day(c.ApprovedAt), calendar.Day(informed), days, c.Kind == Credit), true
}

// Store is what the inbox needs from persistence. Package store implements it.
type Store interface {
	Tx(ctx context.Context, fn func(Tx) error) error
}

// Tx is a transaction of the inbox store. Reads take the customer id, so
// nothing of another customer can be returned.
type Tx interface {
	InsertMessage(ctx context.Context, m Message) error
	Messages(ctx context.Context, customerID string) ([]Message, error)
	MarkRead(ctx context.Context, customerID, threadID string, sender Sender, at time.Time) error
	// OpenThreads lists the messages of threads whose newest message is the
	// customer's (staff's queue), across customers.
	OpenThreads(ctx context.Context, limit int) ([]Message, error)

	InsertContract(ctx context.Context, c Contract) error
	UpdateContract(ctx context.Context, c Contract) error
	Contract(ctx context.Context, customerID, id string, forUpdate bool) (Contract, error)
	Contracts(ctx context.Context, customerID string) ([]Contract, error)

	Audit(ctx context.Context, at time.Time, e audit.Event) error
}

// Service is the inbox.
type Service struct {
	store Store
	clock netbank.Clock
}

// New returns the inbox service.
func New(store Store, clock netbank.Clock) *Service {
	if clock == nil {
		clock = netbank.SystemClock{}
	}
	return &Service{store: store, clock: clock}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func newID(prefix string) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + "_" + hex.EncodeToString(b)
}

// Limits on what people type.
const (
	MaxSubject = 200
	MaxBody    = 10000
)

func validText(subject, body string) (string, string, error) {
	subject, body = strings.TrimSpace(subject), strings.TrimSpace(body)
	if subject == "" || utf8.RuneCountInString(subject) > MaxSubject || !utf8.ValidString(subject) {
		return "", "", netbank.Errorf(netbank.EINVALID, "Emnet skal være mellem 1 og %d tegn.", MaxSubject)
	}
	if body == "" || utf8.RuneCountInString(body) > MaxBody || !utf8.ValidString(body) {
		return "", "", netbank.Errorf(netbank.EINVALID, "Beskeden skal være mellem 1 og %d tegn.", MaxBody)
	}
	return subject, body, nil
}

// Actor is who writes, for the message and the audit log.
type Actor struct {
	ID   string // user or staff id
	Kind string // customer | business | staff | system
	Name string
	IP   string
}

func (a Actor) event(action, subject string, details map[string]string) audit.Event {
	return audit.Event{Actor: a.ID, ActorKind: a.Kind, Action: action, Subject: subject, IP: a.IP, Details: details}
}

// Write starts a new thread from the customer to the bank (threadID "") or
// adds the customer's message to one of its threads.
func (s *Service) Write(ctx context.Context, customerID, threadID, subject, body string, by Actor) (Message, error) {
	return s.add(ctx, customerID, threadID, FromCustomer, subject, body, by)
}

// Answer adds the bank's reply (staff) to a customer's thread.
func (s *Service) Answer(ctx context.Context, customerID, threadID, body string, by Actor) (Message, error) {
	if threadID == "" {
		return Message{}, netbank.Errorf(netbank.EINVALID, "missing thread")
	}
	return s.add(ctx, customerID, threadID, FromBank, "", body, by)
}

// Notify sends the customer a system message from the bank (MSG-2): card
// blocks with reason and time, rule and price changes, new cards.
func (s *Service) Notify(ctx context.Context, customerID, subject, body string) (Message, error) {
	return s.add(ctx, customerID, "", FromSystem, subject, body, Actor{ID: "system", Kind: "system", Name: "Netbank"})
}

func (s *Service) add(ctx context.Context, customerID, threadID string, from Sender, subject, body string, by Actor) (Message, error) {
	var m Message
	err := s.store.Tx(ctx, func(tx Tx) error {
		if threadID != "" {
			msgs, err := tx.Messages(ctx, customerID)
			if err != nil {
				return err
			}
			for _, old := range msgs {
				if old.ThreadID == threadID {
					subject = old.Subject
					break
				}
			}
			if subject == "" {
				return netbank.Errorf(netbank.ENOTFOUND, "Samtalen findes ikke.")
			}
			if from == FromCustomer && isSystemThread(msgs, threadID) {
				return netbank.Errorf(netbank.EINVALID, "Du kan ikke svare på en systembesked. Skriv en ny besked til banken.")
			}
		}
		var err error
		if subject, body, err = validText(subject, body); err != nil {
			return err
		}
		now := s.now()
		m = Message{ID: newID("msg"), CustomerID: customerID, ThreadID: threadID, Sender: from, Author: by.Name, Subject: subject, Body: body, CreatedAt: now}
		if m.ThreadID == "" {
			m.ThreadID = m.ID
		}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		return tx.Audit(ctx, now, by.event("message."+string(from), customerID, map[string]string{"thread": m.ThreadID}))
	})
	return m, err
}

func isSystemThread(msgs []Message, threadID string) bool {
	for _, m := range msgs {
		if m.ThreadID == threadID {
			return m.Sender == FromSystem
		}
	}
	return false
}

// Threads returns the customer's threads, newest activity first.
func (s *Service) Threads(ctx context.Context, customerID string) ([]Thread, error) {
	var msgs []Message
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		msgs, err = tx.Messages(ctx, customerID)
		return err
	})
	return group(msgs), err
}

// group turns messages (oldest first) into threads, newest activity first.
func group(msgs []Message) []Thread {
	byID := map[string]*Thread{}
	var order []string
	for _, m := range msgs {
		t, ok := byID[m.ThreadID]
		if !ok {
			t = &Thread{ID: m.ThreadID, CustomerID: m.CustomerID, Subject: m.Subject}
			byID[m.ThreadID] = t
			order = append(order, m.ThreadID)
		}
		t.Messages = append(t.Messages, m)
		if m.Sender != FromCustomer && m.ReadAt.IsZero() {
			t.Unread++
		}
	}
	out := make([]Thread, 0, len(order))
	for _, id := range order {
		t := byID[id]
		t.Answered = t.Last().Sender != FromCustomer
		out = append(out, *t)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Last().CreatedAt.After(out[j].Last().CreatedAt) })
	return out
}

// Thread returns one of the customer's threads and marks the bank's
// messages in it read (when reader is the customer) or the customer's (when
// staff read it).
func (s *Service) Thread(ctx context.Context, customerID, threadID string, readBy Sender) (Thread, error) {
	var out Thread
	err := s.store.Tx(ctx, func(tx Tx) error {
		msgs, err := tx.Messages(ctx, customerID)
		if err != nil {
			return err
		}
		var mine []Message
		for _, m := range msgs {
			if m.ThreadID == threadID {
				mine = append(mine, m)
			}
		}
		if len(mine) == 0 {
			return netbank.Errorf(netbank.ENOTFOUND, "Samtalen findes ikke.")
		}
		out = group(mine)[0]
		other := FromBank
		if readBy != FromCustomer {
			other = FromCustomer
		}
		return tx.MarkRead(ctx, customerID, threadID, other, s.now())
	})
	return out, err
}

// Unread counts the customer's unread messages from the bank.
func (s *Service) Unread(ctx context.Context, customerID string) (int, error) {
	threads, err := s.Threads(ctx, customerID)
	n := 0
	for _, t := range threads {
		n += t.Unread
	}
	return n, err
}

// OpenThreads lists threads awaiting the bank's answer (staff queue).
func (s *Service) OpenThreads(ctx context.Context, limit int) ([]Thread, error) {
	var msgs []Message
	err := s.store.Tx(ctx, func(tx Tx) error {
		var err error
		msgs, err = tx.OpenThreads(ctx, limit)
		return err
	})
	return group(msgs), err
}
