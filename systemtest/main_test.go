// Package systemtest runs the bank as real `netbank` processes (package
// internal/harness builds and starts them) and proves what only whole
// processes can show: several instances on one PostgreSQL database act as
// one bank (scaleout_test.go), and a bank killed with SIGKILL at random
// moments under load loses nothing it acknowledged and leaves nothing
// half-done (crash_test.go). The package holds tests only.
package systemtest

import (
	"os"
	"testing"

	"github.com/netbank/netbank/internal/harness"
)

func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
