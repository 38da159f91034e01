package dk

import (
	"strings"
	"testing"

	"github.com/netbank/netbank"
)

// checkErr fails the test unless err matches want: want == "" means no
// error; otherwise err must be a netbank.EINVALID error whose message
// contains want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if code := netbank.ErrorCodeOf(err); code != netbank.EINVALID {
		t.Fatalf("error code = %q, want %q (err: %v)", code, netbank.EINVALID, err)
	}
	if msg := netbank.ErrorMessageOf(err); !strings.Contains(msg, want) {
		t.Fatalf("error message = %q, want it to contain %q", msg, want)
	}
}
