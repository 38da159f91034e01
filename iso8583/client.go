package iso8583

import (
	"context"
	"errors"
	"fmt"
	"time"

	connection "github.com/moov-io/iso8583-connection"
)

// DefaultSendTimeout is how long Client.Send waits for an answer when ctx
// has no earlier deadline.
const DefaultSendTimeout = 30 * time.Second

// Client is one connection to an ISO 8583 server, as an acquirer or the
// terminal simulator holds it. Many goroutines may Send on it at once; an
// answer is matched to its request by STAN (field 11) and RRN (field 37),
// so the pair must be unique among the requests in flight on a client.
type Client struct {
	conn    *connection.Connection
	timeout time.Duration
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithSendTimeout sets how long Send waits for an answer when ctx has no
// earlier deadline (default DefaultSendTimeout).
func WithSendTimeout(d time.Duration) ClientOption {
	return func(c *Client) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// Dial connects to the server at addr. ctx's deadline, if any, bounds the
// TCP connect.
func Dial(ctx context.Context, addr string, opts ...ClientOption) (*Client, error) {
	c := &Client{timeout: DefaultSendTimeout}
	for _, o := range opts {
		o(c)
	}
	connectTimeout := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		connectTimeout = time.Until(dl)
	}
	if connectTimeout <= 0 {
		return nil, context.DeadlineExceeded
	}
	conn, err := connection.New(addr, Spec, ReadLength, WriteLength,
		connection.SetRequestIDGenerator(stanRRN{}),
		connection.SendTimeout(c.timeout),
		connection.ConnectTimeout(connectTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("iso8583: %w", err)
	}
	if err := conn.ConnectCtx(ctx); err != nil {
		return nil, fmt.Errorf("iso8583: %w", err)
	}
	c.conn = conn
	return c, nil
}

// Send writes m and waits for the answer with the same STAN and RRN, until
// ctx ends or the send timeout passes. m must have field 11; a missing
// field 37 counts as an empty RRN.
func (c *Client) Send(ctx context.Context, m *Message) (*Message, error) {
	timeout := c.timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if timeout <= 0 {
		return nil, context.DeadlineExceeded
	}
	type result struct {
		m   *Message
		err error
	}
	ch := make(chan result, 1)
	go func() {
		r, err := c.conn.Send(m, connection.SendTimeout(timeout))
		ch <- result{r, err}
	}()
	select {
	case r := <-ch:
		if errors.Is(r.err, connection.ErrSendTimeout) {
			return nil, fmt.Errorf("iso8583: no answer within %s: %w", timeout, context.DeadlineExceeded)
		}
		return r.m, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close waits for the requests in flight and closes the connection.
func (c *Client) Close() error {
	return c.conn.Close()
}

// stanRRN matches answers to requests by STAN and RRN.
type stanRRN struct{}

// GenerateRequestID implements connection.RequestIDGenerator.
func (stanRRN) GenerateRequestID(m *Message) (string, error) {
	if m == nil {
		return "", errors.New("iso8583: no message")
	}
	stan, err := m.GetString(11)
	if err != nil || stan == "" {
		return "", errors.New("iso8583: the message has no STAN (field 11)")
	}
	rrn, err := m.GetString(37)
	if err != nil {
		return "", errors.New("iso8583: the RRN (field 37) cannot be read")
	}
	return stan + "/" + rrn, nil
}
