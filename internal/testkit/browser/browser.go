// Package browser drives a real, headless Chromium for end-to-end tests of
// the net bank: it starts the browser (Debian's chromium package), records
// everything the page writes to the console, including Content Security
// Policy violations, and saves full-page screenshots as test artifacts.
//
// A test that uses it is skipped on a machine without Chromium, but fails
// when the environment variable CI is "true": in CI a missing browser is a
// broken pipeline, not a reason to skip.
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Width and Height are the size of the browser window, in CSS pixels.
const (
	Width  = 1280
	Height = 900
)

// startTimeout bounds the life of one browser, so a hung page fails the test
// instead of hanging it until the go test timeout.
const startTimeout = 3 * time.Minute

// Browser is one headless Chromium with one tab, owned by one test. It is
// closed when the test ends.
type Browser struct {
	ctx context.Context

	mu   sync.Mutex
	msgs []Message
}

// Message is one thing the page reported: a call of the console API, an
// uncaught exception, or an entry of the browser log (network failures,
// security and CSP messages, interventions).
type Message struct {
	// Kind is "console", "exception" or "log".
	Kind string
	// Level is the console method ("log", "warning", "error", …) or the log
	// level ("verbose", "info", "warning", "error"); "error" for exceptions.
	Level string
	// Source is where a log entry came from ("network", "security",
	// "javascript", "violation", …); empty for the other kinds.
	Source string
	// Text is the message as the DevTools console would show it.
	Text string
	// URL is the resource the message is about, if known.
	URL string
}

// String formats the message for test output.
func (m Message) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s", m.Kind, m.Level)
	if m.Source != "" {
		fmt.Fprintf(&b, "/%s", m.Source)
	}
	fmt.Fprintf(&b, ": %s", m.Text)
	if m.URL != "" {
		fmt.Fprintf(&b, " (%s)", m.URL)
	}
	return b.String()
}

// IsCSPViolation reports whether the message is the browser refusing
// something because of the Content Security Policy.
func (m Message) IsCSPViolation() bool {
	return strings.Contains(m.Text, "Content Security Policy") ||
		strings.Contains(m.Text, "Content-Security-Policy")
}

// IsProblem reports whether the message means the page is broken: an error,
// an uncaught exception or a CSP violation (whatever its level).
func (m Message) IsProblem() bool {
	return m.Kind == "exception" || m.Level == "error" || m.Level == "assert" || m.IsCSPViolation()
}

// New starts Chromium for t and returns it with an open (blank) tab. The
// browser runs headless with a fresh profile in a temporary directory and a
// 1280×900 window; it is stopped and the profile removed when t ends.
//
// The executable is $CHROMIUM_PATH, else /usr/bin/chromium, else chromium or
// chromium-browser from PATH. Without one, New skips t — or fails it when
// CI=true.
func New(t testing.TB) *Browser {
	t.Helper()
	path, err := execPath()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser: %v (CI=true, so this is a failure, not a skip)", err)
		}
		t.Skipf("browser: %v; skipping browser test", err)
	}

	profile := t.TempDir()
	var output syncBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(Width, Height),
		chromedp.CombinedOutput(&output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc) // runs last: waits for the process, before TempDir is removed

	b := &Browser{}
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(b.record))
	ctx, cancelTimeout := context.WithTimeout(tabCtx, startTimeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
	})
	b.ctx = ctx

	// Start the browser and the tab now, so a broken installation fails here
	// and not in the middle of the test.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browser: start %s: %v\n%s", path, err, output.String())
	}
	return b
}

// Context is the context of the browser's tab, for chromedp actions:
//
//	chromedp.Do(b.Context(), chromedp.Navigate(url))
func (b *Browser) Context() context.Context { return b.ctx }

// NewTab opens another tab in the same browser, sharing its cookies, and
// returns its context. Its console is recorded with the first tab's, and it
// is closed when t ends.
func (b *Browser) NewTab(t testing.TB) context.Context {
	t.Helper()
	return b.openTab(t, chromedp.WithListener(b.record))
}

// NewIsolatedTab opens a tab in a fresh browser context: it shares no
// cookies or storage with the other tabs, like a second person on another
// device. Its console is recorded with the rest, and it is closed when t
// ends.
func (b *Browser) NewIsolatedTab(t testing.TB) context.Context {
	t.Helper()
	return b.openTab(t, chromedp.WithListener(b.record), chromedp.WithNewBrowserContext())
}

func (b *Browser) openTab(t testing.TB, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, opts...)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browser: open tab: %v", err)
	}
	return ctx
}

// Messages returns everything the page reported so far, in order.
func (b *Browser) Messages() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Message(nil), b.msgs...)
}

// Problems returns the messages that mean something is wrong: console
// errors, uncaught exceptions and CSP violations.
func (b *Browser) Problems() []Message {
	var ps []Message
	for _, m := range b.Messages() {
		if m.IsProblem() {
			ps = append(ps, m)
		}
	}
	return ps
}

// CSPViolations returns the messages about Content Security Policy
// violations.
func (b *Browser) CSPViolations() []Message {
	var vs []Message
	for _, m := range b.Messages() {
		if m.IsCSPViolation() {
			vs = append(vs, m)
		}
	}
	return vs
}

// ClearMessages forgets the messages so far, e.g. before a step that is
// expected to log an error (a 404 page logs "Failed to load resource").
func (b *Browser) ClearMessages() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = nil
}

// RequireNoProblems fails t with every problem the page reported so far.
func (b *Browser) RequireNoProblems(t testing.TB) {
	t.Helper()
	ps := b.Problems()
	if len(ps) == 0 {
		return
	}
	var s strings.Builder
	for _, p := range ps {
		s.WriteString("\n\t" + p.String())
	}
	t.Fatalf("browser reported %d problem(s):%s", len(ps), s.String())
}

// record runs inside chromedp's event loop for the tab, in the order the
// events arrive, so a message logged before a command's reply is recorded
// before the command returns. It must be quick and must not call chromedp.
func (b *Browser) record(ev any) {
	var m Message
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		m = Message{Kind: "console", Level: string(ev.Type), Text: argsText(ev.Args)}
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			m.URL = st.CallFrames[0].URL
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		m = Message{Kind: "exception", Level: "error", Text: d.Text, URL: d.URL}
		if d.Exception != nil && d.Exception.Description != "" {
			desc, _, _ := strings.Cut(d.Exception.Description, "\n")
			m.Text += " " + desc
		}
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		m = Message{Kind: "log", Level: string(e.Level), Source: string(e.Source), Text: e.Text, URL: e.URL}
	default:
		return
	}
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	b.mu.Unlock()
}

// argsText renders console arguments roughly as DevTools does.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a.Type == runtime.RemoteObjectTypeString:
			var s string
			if err := jsonv2.Unmarshal(a.Value, &s); err == nil {
				parts = append(parts, s)
				continue
			}
			parts = append(parts, string(a.Value))
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		case a.UnserializableValue != "":
			parts = append(parts, string(a.UnserializableValue))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// Screenshot saves a full-page PNG of the tab of ctx as <name>.png in the
// artifacts directory (see ArtifactsDir) and returns its path. name may only
// use letters, digits, '-', '_' and '.'; other characters become '_'.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browser: screenshot %s: %v", name, err)
	}
	dir := ArtifactsDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browser: %v", err)
	}
	name = unsafeName.ReplaceAllString(strings.TrimSuffix(name, ".png"), "_")
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatalf("browser: %v", err)
	}
	t.Logf("screenshot: %s", file)
	return file
}

// unsafeName matches what may not appear in an artifact's file name.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// ArtifactsDir is where screenshots go: $NETBANK_ARTIFACTS if set, else
// artifacts/screenshots/ at the root of the repository (the directory with
// go.mod). Both are ignored by git.
func ArtifactsDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("NETBANK_ARTIFACTS"); dir != "" {
		return dir
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return filepath.Join(root, "artifacts", "screenshots")
}

// repoRoot walks up from the working directory (a package directory, under
// go test) to the directory that holds go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// execPath finds the Chromium executable.
func execPath() (string, error) {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("CHROMIUM_PATH=%s is not an executable file", p)
	}
	if p := "/usr/bin/chromium"; isExecutable(p) {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found ($CHROMIUM_PATH, /usr/bin/chromium, chromium in PATH); install it with: apt-get install chromium")
}

// isExecutable reports whether p is a regular file with an execute bit.
func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// syncBuffer collects the browser's output for error messages; the
// allocator writes to it from another goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil // enough to diagnose a failed start
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
