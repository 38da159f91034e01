package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/payfile"
)

// convertFixture reads a payment file from payfile's testdata.
func convertFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "payfile", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// runConvert runs `netbank convert` in process with stdin and a fixed
// clock, and returns its exit code (as run would) and output.
func runConvert(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	clock := testkit.NewClock(time.Date(2026, 11, 30, 8, 15, 0, 0, time.UTC))
	err := convertCmd(args, clock, bytes.NewReader(stdin), &out, &errOut)
	var ex exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		code = 0
	case errors.As(err, &ex):
		code = int(ex)
	default:
		errOut.WriteString("netbank: " + err.Error() + "\n")
		code = 1
	}
	return code, out.String(), errOut.String()
}

// RULE PAY-6: `netbank convert` turns an ERH file into CSV, from a file to
// a file, through the command dispatch.
func TestConvertCommandFileToFile_PAY6(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "betalinger.txt"), filepath.Join(dir, "betalinger.csv")
	if err := os.WriteFile(in, convertFixture(t, "erh/betalinger.txt"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "convert", "--to", "csv", "-o", out, in)
	if code != 0 || stdout != "" || !strings.Contains(stderr, "11 payments converted from erh to csv") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f, err := payfile.ParseCSV(data)
	if err != nil || len(f.Lines) != 11 || len(f.Errors) != 0 {
		t.Fatalf("output: %d lines, %v, %v", len(f.Lines), f.Errors, err)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("output file mode %v %v", st.Mode(), err)
	}
}

// RULE PAY-6: with a bad line, the good lines are written to standard
// output, the bad one is named on standard error in Danish, and the exit
// status is 1.
func TestConvertCommandBadLine_PAY6(t *testing.T) {
	code, stdout, stderr := runConvert(t, convertFixture(t, "erh/en-fejl.txt"), "--to", "CSV")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(stderr, "linje 3: betalings-id: Kontrolcifferet i betalings-id'et passer ikke.\n") ||
		!strings.Contains(stderr, "2 payments converted from erh to csv; 1 errors") {
		t.Errorf("stderr %q", stderr)
	}
	f, err := payfile.ParseCSV([]byte(stdout))
	if err != nil || len(f.Lines) != 2 {
		t.Errorf("stdout: %d lines, %v", len(f.Lines), err)
	}
}

// RULE PAY-6: to pain.001 from ERH, read from standard input ("-"), with
// the clock's time as the file's creation time; --from skips detection.
func TestConvertCommandToPain_PAY6(t *testing.T) {
	code, stdout, stderr := runConvert(t, convertFixture(t, "erh/betalinger.txt"),
		"--to", "pain.001.001.09", "--from", "erh", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := payfile.ParsePain001([]byte(stdout))
	if err != nil || len(f.Lines) != 11 || !f.Created.Equal(time.Date(2026, 11, 30, 8, 15, 0, 0, time.UTC)) {
		t.Errorf("%d lines, created %v, %v", len(f.Lines), f.Created, err)
	}
	// Told the wrong input format, every line is reported.
	code, stdout, stderr = runConvert(t, convertFixture(t, "erh/betalinger.txt"), "--to", "erh", "--from", "csv")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "netbank convert: Overskriftslinjen mangler kolonnen »beløb«.") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// RULE PAY-6: wrong usage exits 2 with the reason and the help text;
// -h prints the help and exits 0; a file that cannot be read or converted
// exits 1.
func TestConvertCommandUsage_PAY6(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "--to is required"},
		{[]string{"--to", "xml"}, 2, `unknown format "xml" for --to`},
		{[]string{"--to", "csv", "--from", "mt940"}, 2, `unknown format "mt940" for --from`},
		{[]string{"--to", "csv", "a", "b"}, 2, "at most one input file"},
		{[]string{"--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"-h"}, 0, "Usage: netbank convert --to <format>"},
		{[]string{"--to", "csv", filepath.Join(t.TempDir(), "missing.txt")}, 1, "no such file"},
	} {
		code, stdout, stderr := runConvert(t, nil, c.args...)
		if code != c.code || stdout != "" || !strings.Contains(stderr, c.msg) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", c.args, code, stdout, stderr)
		}
		if c.code == 2 && !strings.Contains(stderr, "Formats: pain.001.001.03, pain.001.001.09, erh, csv") {
			t.Errorf("%q: no help text: %q", c.args, stderr)
		}
	}
	code, _, stderr := runConvert(t, []byte("hello\n"), "--to", "erh")
	if code != 1 || !strings.Contains(stderr, "netbank convert: Filens format kendes ikke.") {
		t.Errorf("unknown input: exit %d, %q", code, stderr)
	}
	// Through the dispatch, usage errors keep exit status 2.
	if code, _, _ := runCmd(t, "convert", "--to", "xml"); code != 2 {
		t.Errorf("dispatch: exit %d", code)
	}
}
