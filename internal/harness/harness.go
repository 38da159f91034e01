// Package harness runs real netbank processes for system tests: it builds
// cmd/netbank once per test binary, starts instances on SQLite or
// PostgreSQL with the flags a test names, waits until they are ready,
// keeps each instance's log in a file for failure reports, and stops them
// gracefully (SIGTERM) or kills them (SIGKILL). Around the processes it
// offers the clients a test drives them with: a load balancer for the net
// bank's HTTP side (so a session cookie travels between instances as
// behind a real one), the JSON API with bearer keys (payments signed with
// the signature file's key, deliveries from the clearing), and card
// terminals speaking ISO 8583. It also runs the maintenance commands
// (`netbank ledger check`, `netbank audit verify`) against a bank's
// database.
//
// It is test-support code: only tests import it. A test package that
// starts processes calls Main from its TestMain, which removes the built
// binary when the tests end.
package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Package is the import path of the command the harness builds.
const Package = "github.com/netbank/netbank/cmd/netbank"

var build struct {
	mu   sync.Mutex
	dir  string // set by Main
	bin  string // built on first use
	err  error
	done bool
}

// Main runs the tests of m with a temporary directory for the netbank
// binary, removed afterwards, and returns the exit code for os.Exit:
//
//	func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "netbank-harness-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return 1
	}
	build.mu.Lock()
	build.dir = dir
	build.mu.Unlock()
	defer os.RemoveAll(dir)
	return m.Run()
}

// Binary returns the path of the netbank binary, building it on the first
// call (go build of Package; tests that skip before asking never pay for
// the build). It fails the test when the build fails or Main was not used.
func Binary(t testing.TB) string {
	t.Helper()
	build.mu.Lock()
	defer build.mu.Unlock()
	if !build.done {
		build.bin, build.err = goBuild(build.dir)
		build.done = true
	}
	if build.err != nil {
		t.Fatalf("harness: %v", build.err)
	}
	return build.bin
}

// goBuild builds Package into dir.
func goBuild(dir string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("no build directory: call harness.Main from the package's TestMain")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command is needed to build %s: %w", Package, err)
	}
	bin := filepath.Join(dir, "netbank")
	cmd := exec.Command(gobin, "build", "-o", bin, Package)
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", Package, err, out)
	}
	return bin, nil
}

// cleanEnv is the environment without the NETBANK_* variables the bank
// reads as flag defaults, so the developer's environment cannot change
// what a test starts.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NETBANK_") {
			env = append(env, kv)
		}
	}
	return env
}
