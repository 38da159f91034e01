package iso8583

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	connection "github.com/moov-io/iso8583-connection"
	"github.com/moov-io/iso8583-connection/server"
)

// DefaultAddr is where the bank listens for the card network by default
// (--iso8583-addr).
const DefaultAddr = "127.0.0.1:8583"

// DefaultTimeout is the default time the handler has for one request.
const DefaultTimeout = 5 * time.Second

// replyTimeout bounds writing one answer to a connection.
const replyTimeout = 10 * time.Second

// Handler decides one request. ctx ends at the per-message deadline (and
// when the server is shut down without waiting); a handler must stop then
// and must not let a decision take effect after it: past the deadline the
// server has already answered 96 and drops whatever the handler returns.
// A panic in the handler is answered 96 too.
type Handler func(ctx context.Context, req Request) Response

// Option configures a Server.
type Option func(*Server)

// WithTimeout sets the per-message deadline (default DefaultTimeout).
func WithTimeout(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// WithLogger sets the logger (default slog.Default()). The server logs
// message types, STANs, field numbers and errors, never a PAN, PIN block,
// CVV2 or any other field value.
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) {
		if l != nil {
			s.log = l
		}
	}
}

// Server answers ISO 8583 requests over TCP with moov-io/iso8583-connection:
// each connection may carry many requests at once; each request is handed
// to the Handler in its own goroutine and answered on the same connection
// when the handler returns.
//
// What it answers without the handler:
//   - 0800 (echo test): 0810 with code 00;
//   - a message that cannot be decoded: 30 (format error) on MTI + 10 with
//     the matching fields it could read (7, 11, 37, 41, …) when its MTI is
//     readable and a request, otherwise nothing (it is logged and dropped;
//     the connection stays open);
//   - a decodable request that breaks the format rules of ParseRequest: 30;
//   - a request of another MTI than 0100, 0200, 0220, 0400: 12;
//   - a handler that panics or misses its deadline, or an answer that cannot
//     be built: 96;
//   - any request arriving while the server shuts down: 96.
//
// Responses (MTIs with an odd third digit) are never answered.
type Server struct {
	addr    string
	handler Handler
	timeout time.Duration
	log     *slog.Logger

	srv    *server.Server
	base   context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	started  bool
	closing  bool
	inflight sync.WaitGroup

	// malformed marks the stand-in messages the reader makes for requests
	// that failed to decode.
	malformed sync.Map
}

// NewServer returns a server that will listen on addr ("127.0.0.1:0" for a
// free port) and decide requests with handler. Call Start.
func NewServer(addr string, handler Handler, opts ...Option) *Server {
	s := &Server{addr: addr, handler: handler, timeout: DefaultTimeout, log: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	s.base, s.cancel = context.WithCancel(context.Background())
	return s
}

// Start listens and serves in the background. It returns once the listener
// is open (or failed to open).
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("iso8583: server already started")
	}
	srv := server.New(Spec, ReadLength, WriteLength,
		connection.InboundMessageHandler(s.inbound),
		connection.ErrorHandler(s.connectionError),
		connection.SetMessageReader(messageReader{s}),
		connection.SendTimeout(replyTimeout),
	)
	if err := srv.SetOptions(server.WithErrorHandler(s.connectionError)); err != nil {
		return err
	}
	if err := srv.Start(s.addr); err != nil {
		return fmt.Errorf("iso8583: listening on %s: %w", s.addr, err)
	}
	s.srv, s.started = srv, true
	s.log.Info("iso8583: listening", "addr", srv.Addr)
	return nil
}

// Addr returns the address the server listens on (after Start), with the
// real port when it was started on port 0.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return ""
	}
	return s.srv.Addr
}

// Close shuts the server down gracefully: from now on new requests are
// answered 96; requests already with the handler finish and are answered;
// then the listener and all connections are closed. If ctx ends first, the
// handlers' contexts are cancelled, the connections closed anyway, and
// ctx's error returned. Close is safe to call more than once.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	srv := s.srv
	s.mu.Unlock()

	drained := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(drained)
	}()
	var err error
	select {
	case <-drained:
	case <-ctx.Done():
		err = ctx.Err()
		s.log.Warn("iso8583: shutdown deadline passed with requests still running")
	}
	s.cancel()
	if srv != nil {
		srv.Close()
	}
	return err
}

// enter registers a request with the handler unless the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.inflight.Add(1)
	return true
}

// inbound handles one received message (called by the connection in its
// own goroutine).
func (s *Server) inbound(c *connection.Connection, m *Message) {
	mti, _ := m.GetMTI()
	if ResponseMTI(mti) == "" {
		s.log.Warn("iso8583: dropped a message that is not a request", "mti", safeMTI(mti))
		return
	}
	_, malformed := s.malformed.LoadAndDelete(m)
	if !s.enter() {
		s.reply(c, standIn(m, mti, CodeSystemError))
		return
	}
	defer s.inflight.Done()

	if malformed {
		s.reply(c, standIn(m, mti, CodeFormatError))
		return
	}
	if mti == MTINetwork {
		s.reply(c, standIn(m, mti, CodeApproved))
		return
	}
	if !SupportedMTI(mti) {
		s.log.Warn("iso8583: unsupported message type", "mti", mti)
		s.reply(c, standIn(m, mti, CodeInvalidTransaction))
		return
	}
	req, err := ParseRequest(m)
	if err != nil {
		// The message names the field and the rule, never the value.
		s.log.Warn("iso8583: format error", "mti", mti, "error", err)
		s.reply(c, standIn(m, mti, CodeFormatError))
		return
	}
	resp := s.decide(req)
	out, err := BuildResponse(req, resp)
	if err != nil {
		s.log.Error("iso8583: the handler's answer cannot be sent", "mti", mti, "stan", req.STAN, "error", err)
		if out, err = BuildResponse(req, Response{Code: CodeSystemError}); err != nil {
			return
		}
	}
	s.reply(c, out)
}

// decide runs the handler under the per-message deadline, turning a panic
// or a missed deadline into 96.
func (s *Server) decide(req Request) Response {
	ctx, cancel := context.WithTimeout(s.base, s.timeout)
	defer cancel()
	done := make(chan Response, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				// The panic value may quote request data; log its type and
				// where it happened.
				s.log.Error("iso8583: handler panicked", "mti", req.MTI, "stan", req.STAN,
					"panic_type", fmt.Sprintf("%T", r), "stack", string(debug.Stack()))
				done <- Response{Code: CodeSystemError}
			}
		}()
		done <- s.handler(ctx, req)
	}()
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
		s.log.Error("iso8583: handler missed its deadline", "mti", req.MTI, "stan", req.STAN, "timeout", s.timeout)
		return Response{Code: CodeSystemError}
	}
}

// reply writes an answer; a nil answer is nothing to write.
func (s *Server) reply(c *connection.Connection, out *Message) {
	if out == nil {
		return
	}
	if err := c.Reply(out); err != nil {
		mti, _ := out.GetMTI()
		stan, _ := out.GetString(11)
		s.log.Warn("iso8583: answer not sent", "mti", safeMTI(mti), "stan", stan, "error", err)
	}
}

// connectionError logs what the connection cannot return to anyone.
func (s *Server) connectionError(err error) {
	if errors.Is(err, io.EOF) || errors.Is(err, connection.ErrConnectionClosed) {
		s.log.Debug("iso8583: connection closed", "error", err)
		return
	}
	s.log.Warn("iso8583: connection error", "error", err)
}

// standInChecks are the request fields standIn may copy into its answer,
// each with the format it must have to be copied.
var standInChecks = map[int]func(string) string{
	2:  digitsBetween(13, 19),
	3:  digitsBetween(1, 6), // numeric: moov-io drops the leading zeros
	4:  amountDigits,        // left-padded: moov-io drops the leading zeros
	7:  digitsExactly(10),
	11: digitsExactly(6),
	12: digitsExactly(6),
	13: digitsExactly(4),
	37: alnumExactly(12),
	41: printableExactly(8),
	42: printableExactly(15),
	49: digitsExactly(3),
	90: digitsExactly(42),
}

// amountDigits accepts field 4 as moov-io returns it: up to 12 digits,
// empty for zero.
func amountDigits(v string) string {
	if len(v) > 12 || (v != "" && !isDigits(v)) {
		return "skal være op til 12 cifre"
	}
	return ""
}

// standIn answers m (with MTI mti) with code and no help from the handler:
// MTI + 10, code in field 39, and those echoed fields of m that could be
// read and have their format, so the acquirer can match the answer.
func standIn(m *Message, mti, code string) *Message {
	out := NewMessage(ResponseMTI(mti))
	for _, id := range echoed {
		if m.GetField(id) == nil {
			continue
		}
		v, err := m.GetString(id)
		if err != nil || standInChecks[id](v) != "" {
			continue
		}
		_ = out.Field(id, v) // checked above; a failure just leaves it out
	}
	_ = out.Field(39, code)
	return out
}

// safeMTI returns mti if it looks like one, for logging.
func safeMTI(mti string) string {
	if len(mti) == 4 && isDigits(mti) {
		return mti
	}
	return "?"
}

// messageReader reads one framed message for the connection. Unlike the
// connection's default reader it turns a message that fails to decode into
// a stand-in the server answers with 30 (when its MTI is readable) instead
// of losing it.
type messageReader struct{ s *Server }

// ReadMessage implements connection.MessageReader. Errors (a broken length
// header or a short read) end the connection; a nil message is skipped.
func (r messageReader) ReadMessage(rd io.Reader) (*Message, error) {
	n, err := ReadLength(rd)
	if err != nil {
		return nil, err
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(rd, body); err != nil {
		return nil, err
	}
	m, err := unpackBody(body)
	if err == nil {
		return m, nil
	}
	mti := ""
	if len(body) >= 4 && isDigits(string(body[:4])) {
		mti = string(body[:4])
	}
	if ResponseMTI(mti) == "" {
		r.s.log.Warn("iso8583: dropped a message that cannot be decoded", "bytes", n, "error", err)
		return nil, nil
	}
	r.s.log.Warn("iso8583: message that cannot be decoded", "mti", mti, "bytes", n, "error", err)
	// Keep the fields the decoder got through before it failed, for the
	// answer to echo; standIn checks each before copying it.
	stand := NewMessage(mti)
	if m != nil {
		for _, id := range echoed {
			if m.GetField(id) == nil {
				continue
			}
			if v, err := m.GetString(id); err == nil && standInChecks[id](v) == "" {
				_ = stand.Field(id, v)
			}
		}
	}
	r.s.malformed.Store(stand, struct{}{})
	return stand, nil
}
