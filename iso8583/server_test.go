package iso8583

import (
	"context"
	"fmt"
	"github.com/netbank/netbank/internal/testkit"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServer starts a server on a free port of 127.0.0.1 and closes it
// when the test ends. Its log goes to the returned buffer.
func startServer(t *testing.T, h Handler, opts ...Option) (*Server, *testkit.LogBuffer) {
	t.Helper()
	logs := &testkit.LogBuffer{}
	// Without the time stamp: its digits could match a secret a test
	// looks for (TestServerLogsNoSecrets).
	noTime := func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	opts = append([]Option{WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: noTime})))}, opts...)
	s := NewServer("127.0.0.1:0", h, opts...)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	return s, logs
}

func dial(t *testing.T, s *Server) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, s.Addr(), WithSendTimeout(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// purchase returns the example request with the given STAN and RRN.
func purchase(stan, rrn string) Request {
	r := examplePurchase()
	r.STAN, r.RRN = stan, rrn
	return r
}

// send builds r, sends it on c and parses the answer.
func send(t *testing.T, c *Client, r Request) (*Message, Response) {
	t.Helper()
	m, err := BuildRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := c.Send(ctx, m)
	if err != nil {
		t.Fatalf("Send STAN %s: %v", r.STAN, err)
	}
	resp, err := ParseResponse(out)
	if err != nil {
		t.Fatalf("ParseResponse: %v", err)
	}
	return out, resp
}

func mustGet(t *testing.T, m *Message, id int) string {
	t.Helper()
	v, err := m.GetString(id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// approveAll approves every request with an auth code derived from its STAN.
func approveAll(_ context.Context, r Request) Response {
	return Response{Code: CodeApproved, AuthCode: "A" + r.STAN[1:]}
}

// Many requests at once over several real TCP connections: every answer
// reaches the request it belongs to (matched by STAN + RRN).
func TestServerConcurrentRequestsOverTCP(t *testing.T) {
	s, _ := startServer(t, func(ctx context.Context, r Request) Response {
		return Response{Code: CodeApproved, AuthCode: "A" + r.STAN[1:],
			Balances: []Balance{{AccountType: AccountChecking, AmountType: AmountAvailable, Currency: r.Currency, Amount: r.Amount}}}
	})
	const clients, workers, each = 4, 25, 10
	var wg sync.WaitGroup
	errs := make(chan error, clients*workers*each)
	for ci := range clients {
		c := dial(t, s)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					n := (ci*workers+w)*each + i + 1
					r := purchase(fmt.Sprintf("%06d", n), fmt.Sprintf("RRN%09d", n))
					r.Amount = int64(n) * 100
					m, err := BuildRequest(r)
					if err != nil {
						errs <- err
						return
					}
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					out, err := c.Send(ctx, m)
					cancel()
					if err != nil {
						errs <- fmt.Errorf("STAN %s: %w", r.STAN, err)
						return
					}
					resp, err := ParseResponse(out)
					stan, _ := out.GetString(11)
					rrn, _ := out.GetString(37)
					mti, _ := out.GetMTI()
					if err != nil || mti != "0110" || stan != r.STAN || rrn != r.RRN || resp.AuthCode != "A"+r.STAN[1:] ||
						len(resp.Balances) != 1 || resp.Balances[0].Amount != r.Amount {
						errs <- fmt.Errorf("STAN %s got MTI %s STAN %s RRN %s %+v %v", r.STAN, mti, stan, rrn, resp, err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Every response code of issue 5 goes over the wire and back unchanged.
func TestServerSendsEveryResponseCode(t *testing.T) {
	codes := ResponseCodes()
	s, _ := startServer(t, func(_ context.Context, r Request) Response {
		var i int
		fmt.Sscanf(r.STAN, "%d", &i)
		resp := Response{Code: codes[i]}
		if resp.Code == CodeApproved {
			resp.AuthCode = "OK0001"
		}
		return resp
	})
	c := dial(t, s)
	for i, code := range codes {
		_, resp := send(t, c, purchase(fmt.Sprintf("%06d", i), fmt.Sprintf("%012d", i)))
		if resp.Code != code {
			t.Errorf("sent %s, received %s", code, resp.Code)
		}
	}
}

// The MTIs of issue 5 get their response MTI (request + 10).
func TestServerResponseMTIs(t *testing.T) {
	s, _ := startServer(t, approveAll)
	c := dial(t, s)
	cash := purchase("000010", "000000000010")
	cash.MTI, cash.ProcessingCode, cash.MCC = MTIFinancial, "010000", "6011"
	completion := purchase("000011", "000000000011")
	completion.MTI, completion.PINBlock = MTICompletion, ""
	completion.Original = &OriginalData{MTI: "0100", STAN: "000001", TransmissionTime: "0615120000"}
	reversal := completion
	reversal.MTI, reversal.STAN = MTIReversal, "000012"
	for _, tc := range []struct {
		r   Request
		mti string
	}{{purchase("000009", "000000000009"), "0110"}, {cash, "0210"}, {completion, "0230"}, {reversal, "0410"}} {
		out, resp := send(t, c, tc.r)
		if mti := mustGet(t, out, 0); mti != tc.mti || resp.Code != CodeApproved {
			t.Errorf("%s answered with %s code %s, want %s 00", tc.r.MTI, mti, resp.Code, tc.mti)
		}
	}
}

// rawConn is a plain TCP connection for sending bytes the client would not.
type rawConn struct {
	t *testing.T
	c net.Conn
}

func rawDial(t *testing.T, s *Server) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &rawConn{t: t, c: c}
}

func (r *rawConn) writeFrame(body []byte) {
	r.t.Helper()
	if _, err := WriteLength(r.c, len(body)); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.c.Write(body); err != nil {
		r.t.Fatal(err)
	}
}

// readMessage reads one answer; the deadline only keeps a broken server
// from hanging the test.
func (r *rawConn) readMessage() *Message {
	r.t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := ReadLength(r.c)
	if err != nil {
		r.t.Fatalf("reading the answer: %v", err)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r.c, body); err != nil {
		r.t.Fatal(err)
	}
	m, err := unpackBody(body)
	if err != nil {
		r.t.Fatalf("the answer does not decode: %v", err)
	}
	return m
}

// body returns the packed example request without its header.
func body(t *testing.T, r Request) []byte {
	t.Helper()
	m, err := BuildRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A message that cannot be decoded but has a readable request MTI is
// answered 30, with the matching fields decoded before the error.
func TestServerAnswersUndecodableMessageWithFormatError(t *testing.T) {
	handled := make(chan Request, 1)
	s, logs := startServer(t, func(_ context.Context, r Request) Response {
		handled <- r
		return Response{Code: CodeApproved}
	})
	r := purchase("000042", "RRN000000042")
	r.PINBlock = "" // field 49 is then the last field
	b := body(t, r)
	b[len(b)-1] = 0xFF // not ASCII: field 49 cannot be decoded
	raw := rawDial(t, s)
	raw.writeFrame(b)
	ans := raw.readMessage()
	if mti := mustGet(t, ans, 0); mti != "0110" {
		t.Fatalf("MTI %s, want 0110", mti)
	}
	if code := mustGet(t, ans, 39); code != CodeFormatError {
		t.Fatalf("code %s, want 30", code)
	}
	if stan, rrn := mustGet(t, ans, 11), mustGet(t, ans, 37); stan != "000042" || rrn != "RRN000000042" {
		t.Fatalf("echoed STAN %q RRN %q", stan, rrn)
	}
	if ans.GetField(49) != nil {
		t.Fatal("the broken field 49 was echoed")
	}
	select {
	case <-handled:
		t.Fatal("the handler saw an undecodable message")
	default:
	}
	if !strings.Contains(logs.String(), "cannot decode field 49") {
		t.Fatalf("the log does not name field 49:\n%s", logs)
	}
}

// A message whose MTI cannot be read is dropped, and the connection goes
// on serving.
func TestServerDropsUnreadableMessageAndKeepsConnection(t *testing.T) {
	s, logs := startServer(t, approveAll)
	raw := rawDial(t, s)
	raw.writeFrame([]byte("GET / HTTP/1.1\r\n\r\n"))
	raw.writeFrame(nil) // an empty message
	raw.writeFrame(body(t, purchase("000043", "000000000043")))
	ans := raw.readMessage()
	if stan, code := mustGet(t, ans, 11), mustGet(t, ans, 39); stan != "000043" || code != CodeApproved {
		t.Fatalf("answer STAN %s code %s; want the valid request's 000043 00", stan, code)
	}
	if n := strings.Count(logs.String(), "dropped a message that cannot be decoded"); n != 2 {
		t.Fatalf("%d drops logged, want 2:\n%s", n, logs)
	}
}

// A decodable request that breaks a field rule of ParseRequest is answered
// 30 and never reaches the handler.
func TestServerAnswersBadFieldWithFormatError(t *testing.T) {
	s, _ := startServer(t, func(context.Context, Request) Response {
		panic("the handler must not see a malformed request")
	})
	c := dial(t, s)
	m, err := BuildRequest(purchase("000044", "000000000044"))
	if err != nil {
		t.Fatal(err)
	}
	_ = m.Field(4, "00000001250A")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := c.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if code := mustGet(t, out, 39); code != CodeFormatError {
		t.Fatalf("code %s, want 30", code)
	}
}

func TestServerAnswersUnsupportedMTIWith12AndEchoes0800(t *testing.T) {
	s, _ := startServer(t, approveAll)
	c := dial(t, s)
	m, _ := BuildRequest(purchase("000045", "000000000045"))
	m.MTI("0300")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := c.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if mti, code := mustGet(t, out, 0), mustGet(t, out, 39); mti != "0310" || code != CodeInvalidTransaction {
		t.Fatalf("0300 answered %s %s, want 0310 12", mti, code)
	}

	echo := NewMessage(MTINetwork)
	_ = echo.Field(7, "0615120000")
	_ = echo.Field(11, "000046")
	out, err = c.Send(ctx, echo)
	if err != nil {
		t.Fatal(err)
	}
	if mti, code := mustGet(t, out, 0), mustGet(t, out, 39); mti != "0810" || code != CodeApproved {
		t.Fatalf("0800 answered %s %s, want 0810 00", mti, code)
	}
}

// A response arriving at the server is never answered (no ping-pong).
func TestServerIgnoresResponses(t *testing.T) {
	s, logs := startServer(t, approveAll)
	raw := rawDial(t, s)
	resp, _ := BuildResponse(purchase("000047", "000000000047"), Response{Code: CodeApproved})
	b, _ := resp.Pack()
	raw.writeFrame(b)
	raw.writeFrame(body(t, purchase("000048", "000000000048")))
	if stan := mustGet(t, raw.readMessage(), 11); stan != "000048" {
		t.Fatalf("first answer is for STAN %s, want 000048 (the 0110 gets none)", stan)
	}
	if !strings.Contains(logs.String(), "not a request") {
		t.Fatalf("the ignored 0110 is not logged:\n%s", logs)
	}
}

func TestServerHandlerPanicIsSystemError(t *testing.T) {
	s, logs := startServer(t, func(_ context.Context, r Request) Response {
		panic("card " + r.PAN + " broke the engine")
	})
	c := dial(t, s)
	_, resp := send(t, c, purchase("000049", "000000000049"))
	if resp.Code != CodeSystemError {
		t.Fatalf("code %s, want 96", resp.Code)
	}
	if !strings.Contains(logs.String(), "handler panicked") || strings.Contains(logs.String(), examplePAN) {
		t.Fatalf("the panic is not logged, or logged with the PAN:\n%s", logs)
	}
}

// The handler's context ends at the per-message deadline; the answer is
// then 96 even if the handler would approve afterwards.
func TestServerHandlerDeadlineIsSystemError(t *testing.T) {
	s, _ := startServer(t, func(ctx context.Context, r Request) Response {
		<-ctx.Done()
		return Response{Code: CodeApproved, AuthCode: "LATE01"}
	}, WithTimeout(50*time.Millisecond))
	c := dial(t, s)
	_, resp := send(t, c, purchase("000050", "000000000050"))
	if resp.Code != CodeSystemError || resp.AuthCode != "" {
		t.Fatalf("answer %+v, want 96 without auth code", resp)
	}
}

// An answer the handler gets wrong (an unknown code) becomes 96.
func TestServerBadHandlerAnswerIsSystemError(t *testing.T) {
	s, _ := startServer(t, func(context.Context, Request) Response { return Response{Code: "99"} })
	c := dial(t, s)
	if _, resp := send(t, c, purchase("000051", "000000000051")); resp.Code != CodeSystemError {
		t.Fatalf("code %s, want 96", resp.Code)
	}
}

// isClosing reports whether Close has begun.
func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// Close waits for the requests being decided and answers them; requests
// arriving meanwhile get 96. (A raw connection reads the answers: moov-io's
// client can lose an answer that arrives just before the server closes.)
func TestServerGracefulShutdown(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	s, _ := startServer(t, func(_ context.Context, r Request) Response {
		if r.STAN == "000060" {
			close(entered)
			<-release
		}
		return Response{Code: CodeApproved, AuthCode: "DRAIN1"}
	})
	raw := rawDial(t, s)
	raw.writeFrame(body(t, purchase("000060", "000000000060")))
	<-entered

	closed := make(chan error, 1)
	go func() { closed <- s.Close(context.Background()) }()
	for !s.isClosing() {
		time.Sleep(time.Millisecond) // waiting for Close to begin, not asserting on time
	}

	raw.writeFrame(body(t, purchase("000061", "000000000061")))
	ans := raw.readMessage()
	if stan, code := mustGet(t, ans, 11), mustGet(t, ans, 39); stan != "000061" || code != CodeSystemError {
		t.Fatalf("a request during shutdown got STAN %s code %s, want 000061 96", stan, code)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a request was being decided", err)
	default:
	}

	close(release)
	ans = raw.readMessage()
	if stan, code, auth := mustGet(t, ans, 11), mustGet(t, ans, 39), mustGet(t, ans, 38); stan != "000060" || code != CodeApproved || auth != "DRAIN1" {
		t.Fatalf("the request being decided got STAN %s code %s auth %s, want its approval", stan, code, auth)
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close = %v", err)
	}
	if _, err := ReadLength(raw.c); err == nil {
		t.Fatal("the connection is still open after Close")
	}
}

// If the shutdown deadline passes, the handlers' contexts are cancelled and
// Close returns the deadline's error.
func TestServerCloseDeadline(t *testing.T) {
	entered := make(chan struct{})
	s, _ := startServer(t, func(ctx context.Context, r Request) Response {
		close(entered)
		<-ctx.Done()
		return Response{Code: CodeSystemError}
	}, WithTimeout(time.Hour))
	c := dial(t, s)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		m, _ := BuildRequest(purchase("000070", "000000000070"))
		_, _ = c.Send(context.Background(), m)
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Close(ctx); err != context.Canceled {
		t.Fatalf("Close = %v, want context.Canceled", err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	// The client's request ends (answered 96 or failed with the closed
	// connection) rather than waiting for its timeout.
	<-sent
}

func TestServerStartTwiceAndAddr(t *testing.T) {
	s := NewServer("127.0.0.1:0", approveAll, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if s.Addr() != "" {
		t.Fatal("Addr before Start")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") || strings.HasSuffix(s.Addr(), ":0") {
		t.Fatalf("Addr = %q", s.Addr())
	}
	if err := s.Start(); err == nil {
		t.Fatal("Start twice succeeded")
	}
	busy := NewServer(s.Addr(), approveAll, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err := busy.Start(); err == nil {
		busy.Close(context.Background())
		t.Fatal("a second server started on a port in use")
	}
}

func TestClientSendErrors(t *testing.T) {
	s, _ := startServer(t, approveAll)
	c := dial(t, s)
	m, _ := BuildRequest(purchase("000080", "000000000080"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Send(ctx, m); err != context.Canceled {
		t.Fatalf("Send with a cancelled context = %v", err)
	}
	noSTAN := NewMessage(MTIAuthorization)
	if _, err := c.Send(context.Background(), noSTAN); err == nil {
		t.Fatal("Send without a STAN succeeded")
	}
	if _, err := Dial(context.Background(), "127.0.0.1:1"); err == nil {
		t.Fatal("Dial to a closed port succeeded")
	}
}

// Nothing secret reaches the log, whatever goes wrong (issue 5: "nothing
// sensitive in logs").
func TestServerLogsNoSecrets(t *testing.T) {
	s, logs := startServer(t, func(_ context.Context, r Request) Response {
		if r.STAN == "000091" {
			panic(fmt.Sprintf("PAN %s PIN block %s CVV2 %s", r.PAN, r.PINBlock, r.CVV2()))
		}
		return Response{Code: "XX"}
	})
	c := dial(t, s)
	r := purchase("000090", "000000000090")
	r.Field48 = map[string]string{TagCVV2: "987"}
	send(t, c, r)     // bad answer code
	r.STAN = "000091" // panic
	send(t, c, r)
	m, _ := BuildRequest(purchase("000092", "000000000092"))
	_ = m.Field(14, "2899") // bad expiry: format error
	if _, err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	raw := rawDial(t, s)
	b := body(t, purchase("000093", "000000000093"))
	raw.writeFrame(append(b, 'X')) // trailing byte
	raw.readMessage()

	// Whole digit runs only: "987" inside a longer number (a port, a
	// goroutine number) is not the CVV2.
	out := logs.String()
	for _, secret := range []string{examplePAN, examplePINBlock(), "987", "2899"} {
		if regexp.MustCompile(`(^|[^0-9])` + secret + `([^0-9]|$)`).MatchString(out) {
			t.Errorf("the log contains %q:\n%s", secret, out)
		}
	}
}
