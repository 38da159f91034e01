package harness

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options says how to start an instance of the bank.
type Options struct {
	// Name names the instance in log files and failure reports ("a").
	Name string
	// DataDir is --data-dir: the secret key, demo.json and, without DB,
	// the SQLite database. Required.
	DataDir string
	// DB is --db, a PostgreSQL URL; empty: SQLite in DataDir.
	DB string
	// Secret is --secret (hex); instances on one database share it.
	// Empty: the bank's own secret.key in DataDir.
	Secret string
	// Demo is --demo.
	Demo bool
	// Args are further flags, e.g. "--expiry-interval=1s".
	Args []string
}

// ReadyTimeout bounds how long Start waits for an instance to serve.
const ReadyTimeout = 90 * time.Second

// Bank is one netbank process (or its successive processes: Start after
// Kill or Stop runs it again on the same data). It listens on ports the
// operating system picks (--addr and --iso8583-addr on 127.0.0.1:0) and
// learns them from its log, so a restarted instance may serve on other
// ports: ask URL and CardAddr each time. Its stdout and stderr (the JSON
// log) are appended to a file, one section per process; when the test
// fails, the cleanup keeps the file and prints its warnings, errors and
// last lines. Start, Stop and Kill fail the test on trouble, so they
// belong to the test's goroutine; the other methods are safe anywhere.
type Bank struct {
	t    testing.TB
	opts Options
	bin  string
	log  string // path of the log file

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the current process has exited
	exitErr  error
	url      string
	cardAddr string
	starts   int
}

// NewBank prepares an instance without starting it. The test's cleanup
// kills a process still running and, if the test failed, prints the end of
// the instance's log.
func NewBank(t testing.TB, opts Options) *Bank {
	t.Helper()
	if opts.DataDir == "" {
		t.Fatal("harness: Options.DataDir is required")
	}
	if opts.Name == "" {
		opts.Name = "bank"
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	b := &Bank{t: t, opts: opts, bin: Binary(t), log: filepath.Join(t.TempDir(), opts.Name+".log")}
	t.Cleanup(func() {
		if b.Running() {
			b.signal(syscall.SIGKILL)
			b.wait(30 * time.Second)
		}
		if t.Failed() {
			t.Logf("instance %s: log kept in %s; its warnings and errors:\n%s\nits last lines:\n%s",
				opts.Name, b.keepLog(t.Name()), b.problemLines(40), b.LogTail(40))
		}
	})
	return b
}

// StartBank prepares an instance and starts it (see Start).
func StartBank(t testing.TB, opts Options) *Bank {
	t.Helper()
	b := NewBank(t, opts)
	b.Start()
	return b
}

// StartAll starts the instances at the same moment (each as Start does)
// and waits until all serve, so they race for whatever work is due.
func StartAll(t testing.TB, banks ...*Bank) {
	t.Helper()
	errs := make([]error, len(banks))
	var wg sync.WaitGroup
	for i, b := range banks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = b.start()
		}()
	}
	wg.Wait()
	failed := false
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %s: %v\n%s", banks[i].opts.Name, err, banks[i].LogTail(30))
			failed = true
		}
	}
	if failed {
		t.FailNow()
	}
}

// NewSecret returns a fresh --secret (32 random bytes, hex) for instances
// that share a database.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return hex.EncodeToString(b)
}

// Name is the instance's name.
func (b *Bank) Name() string { return b.opts.Name }

// Options are the options the instance runs with.
func (b *Bank) Options() Options { return b.opts }

// DBFlags are the flags that name the instance's database, for the
// maintenance commands: --db or --data-dir.
func (b *Bank) DBFlags() []string {
	if b.opts.DB != "" {
		return []string{"--db", b.opts.DB}
	}
	return []string{"--data-dir", b.opts.DataDir}
}

// DSN is the database as store.Open takes it.
func (b *Bank) DSN() string {
	if b.opts.DB != "" {
		return b.opts.DB
	}
	return filepath.Join(b.opts.DataDir, "netbank.db")
}

// args are the command line of a start.
func (b *Bank) args() []string {
	args := []string{"--data-dir", b.opts.DataDir, "--addr", "127.0.0.1:0", "--iso8583-addr", "127.0.0.1:0",
		fmt.Sprintf("--demo=%t", b.opts.Demo)}
	if !b.opts.Demo {
		// Plain HTTP on loopback, as behind a TLS-terminating proxy.
		args = append(args, "--insecure-http")
	}
	if b.opts.DB != "" {
		args = append(args, "--db", b.opts.DB)
	}
	if b.opts.Secret != "" {
		args = append(args, "--secret", b.opts.Secret)
	}
	return append(args, b.opts.Args...)
}

// Start starts a process and waits until it serves: its log names both
// listeners and /readyz answers 200. It fails the test (with the log's
// end) if the process exits first or is not ready within ReadyTimeout.
func (b *Bank) Start() {
	b.t.Helper()
	if err := b.start(); err != nil {
		b.t.Fatalf("instance %s: %v\n%s", b.opts.Name, err, b.LogTail(30))
	}
}

func (b *Bank) start() error {
	b.mu.Lock()
	if b.cmd != nil {
		b.mu.Unlock()
		return errors.New("already running")
	}
	b.starts++
	f, err := os.OpenFile(b.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		b.mu.Unlock()
		return err
	}
	fmt.Fprintf(f, "=== start %d of %s at %s: netbank %s\n", b.starts, b.opts.Name, time.Now().Format(time.RFC3339Nano),
		strings.Join(redactSecret(b.args()), " "))
	lw := &logWriter{file: f, listening: make(chan struct{})}
	cmd := exec.Command(b.bin, b.args()...)
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = lw, lw
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		f.Close()
		b.mu.Unlock()
		return err
	}
	exited := make(chan struct{})
	b.cmd, b.exited, b.exitErr, b.url, b.cardAddr = cmd, exited, nil, "", ""
	b.mu.Unlock()
	go func() {
		err := cmd.Wait()
		fmt.Fprintf(f, "=== exit of %s at %s: %v\n", b.opts.Name, time.Now().Format(time.RFC3339Nano), exitText(err))
		f.Close()
		b.mu.Lock()
		b.exitErr = err
		if b.cmd == cmd {
			b.cmd = nil
		}
		b.mu.Unlock()
		close(exited)
	}()

	deadline := time.After(ReadyTimeout)
	select {
	case <-lw.listening:
	case <-exited:
		return fmt.Errorf("exited before serving: %v", exitText(b.exitError()))
	case <-deadline:
		return fmt.Errorf("not listening after %s", ReadyTimeout)
	}
	url, cardAddr := lw.addrs()
	b.mu.Lock()
	b.url, b.cardAddr = url, cardAddr
	b.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-exited:
		case <-deadline:
		case <-ctx.Done():
		}
		cancel()
	}()
	if err := WaitReady(ctx, url); err != nil {
		select {
		case <-exited:
			return fmt.Errorf("exited before ready: %v", exitText(b.exitError()))
		default:
			return fmt.Errorf("not ready after %s: %v", ReadyTimeout, err)
		}
	}
	return nil
}

// WaitReady polls the bank at base ("http://127.0.0.1:8080") until
// /readyz answers 200 (the database is reachable), or ctx ends: then it
// returns what the last poll got.
func WaitReady(ctx context.Context, base string) error {
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("/readyz answered %d", resp.StatusCode)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// redactSecret hides the value of --secret in the log's header line.
func redactSecret(args []string) []string {
	out := append([]string(nil), args...)
	for i := range out {
		if out[i] == "--secret" && i+1 < len(out) {
			out[i+1] = "…"
		}
	}
	return out
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func (b *Bank) exitError() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.exitErr
}

// URL is the base URL of the running process ("http://127.0.0.1:port"),
// "" while none runs.
func (b *Bank) URL() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return ""
	}
	return b.url
}

// CardAddr is the card network (ISO 8583) address of the running process,
// "" while none runs.
func (b *Bank) CardAddr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return ""
	}
	return b.cardAddr
}

// Running reports whether a process of the instance is running.
func (b *Bank) Running() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cmd != nil
}

// Starts counts the processes started so far.
func (b *Bank) Starts() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.starts
}

func (b *Bank) signal(sig syscall.Signal) (exited chan struct{}, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return nil, false
	}
	_ = b.cmd.Process.Signal(sig)
	return b.exited, true
}

func (b *Bank) wait(d time.Duration) bool {
	b.mu.Lock()
	exited := b.exited
	b.mu.Unlock()
	if exited == nil {
		return true
	}
	select {
	case <-exited:
		return true
	case <-time.After(d):
		return false
	}
}

// Kill kills the process with SIGKILL (kill -9: no shutdown of any kind)
// and waits until it is gone.
func (b *Bank) Kill() {
	b.t.Helper()
	exited, ok := b.signal(syscall.SIGKILL)
	if !ok {
		b.t.Fatalf("instance %s: kill: not running", b.opts.Name)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		b.t.Fatalf("instance %s: still running 30s after SIGKILL", b.opts.Name)
	}
}

// Stop stops the process with SIGTERM, as an operator would, and fails the
// test unless it exits 0 within 30 seconds (the bank's graceful shutdown
// takes at most 15).
func (b *Bank) Stop() {
	b.t.Helper()
	exited, ok := b.signal(syscall.SIGTERM)
	if !ok {
		b.t.Fatalf("instance %s: stop: not running", b.opts.Name)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		b.t.Fatalf("instance %s: still running 30s after SIGTERM\n%s", b.opts.Name, b.LogTail(30))
	}
	if err := b.exitError(); err != nil {
		b.t.Fatalf("instance %s: %v after SIGTERM, want exit 0\n%s", b.opts.Name, err, b.LogTail(30))
	}
}

// LogPath is the file the instance's processes log to.
func (b *Bank) LogPath() string { return b.log }

// LogTail returns the last n lines of the instance's log.
func (b *Bank) LogTail(n int) string {
	data, err := os.ReadFile(b.log)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// keepLog copies the log out of the test's temporary directory (removed
// when the test ends) for a failure report, and returns where it went.
func (b *Bank) keepLog(test string) string {
	dir := filepath.Join(os.TempDir(), "netbank-harness-logs")
	name := unsafeName.ReplaceAllString(test+"-"+b.opts.Name, "_") + ".log"
	data, err := os.ReadFile(b.log)
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	if err != nil {
		return fmt.Sprintf("nowhere (%v)", err)
	}
	return filepath.Join(dir, name)
}

// unsafeName matches what may not appear in a kept log's file name.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// problemLines returns the last n lines of the log that are warnings,
// errors or not JSON at all (a panic, the harness's start and exit lines).
func (b *Bank) problemLines(n int) string {
	data, err := os.ReadFile(b.log)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		var v struct {
			Level string `json:"level"`
		}
		if json.Unmarshal([]byte(line), &v) != nil || v.Level == "WARN" || v.Level == "ERROR" {
			out = append(out, line)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return strings.Join(out, "\n")
}

// LogLines returns the JSON log lines of the instance's processes whose
// "msg" is msg, decoded.
func (b *Bank) LogLines(msg string) []map[string]any {
	data, err := os.ReadFile(b.log)
	if err != nil {
		return nil
	}
	var out []map[string]any
	for _, line := range bytes.Split(data, []byte("\n")) {
		var v map[string]any
		if json.Unmarshal(line, &v) == nil && v["msg"] == msg {
			out = append(out, v)
		}
	}
	return out
}

// logWriter appends a process's output to the log file and watches it for
// the lines that name the listeners' addresses.
type logWriter struct {
	mu        sync.Mutex
	file      *os.File
	partial   []byte
	url, card string
	listening chan struct{} // closed once both addresses are known
	closed    bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.file.Write(p); err != nil {
		return 0, err
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.scan(w.partial[:i])
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

// scan reads the start-up lines: app.Run's "netbank listening" (url) and
// the ISO 8583 server's "iso8583: listening" (addr).
func (w *logWriter) scan(line []byte) {
	var v struct {
		Msg  string `json:"msg"`
		URL  string `json:"url"`
		Addr string `json:"addr"`
	}
	if json.Unmarshal(line, &v) != nil {
		return
	}
	switch v.Msg {
	case "netbank listening":
		w.url = v.URL
	case "iso8583: listening":
		w.card = v.Addr
	}
	if w.url != "" && w.card != "" && !w.closed {
		w.closed = true
		close(w.listening)
	}
}

func (w *logWriter) addrs() (url, card string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.url, w.card
}

// Command runs `netbank args…` to its end and returns its exit code and
// output (e.g. Command(ctx, t, "ledger", "check", "--db", url)).
func Command(ctx context.Context, t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, Binary(t), args...)
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("netbank %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errOut.String()
}

// LedgerCheck runs `netbank ledger check` on the database of dbFlags (see
// Bank.DBFlags) and fails the test with the report unless every invariant
// holds.
func LedgerCheck(t testing.TB, dbFlags ...string) {
	t.Helper()
	mustSay(t, "ledger ok: ", append([]string{"ledger", "check"}, dbFlags...))
}

// AuditVerify runs `netbank audit verify` on the database of dbFlags and
// fails the test with the report unless the hash chain is intact.
func AuditVerify(t testing.TB, dbFlags ...string) {
	t.Helper()
	mustSay(t, "audit log ok: ", append([]string{"audit", "verify"}, dbFlags...))
}

// mustSay runs a maintenance command and wants exit 0 and a line starting
// with ok.
func mustSay(t testing.TB, ok string, args []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	code, stdout, stderr := Command(ctx, t, args...)
	if code != 0 || !strings.Contains(stdout, ok) {
		t.Errorf("netbank %s %s: exit %d, want 0 and %q\nstdout:\n%s\nstderr:\n%s", args[0], args[1], code, ok, stdout, stderr)
	}
}
