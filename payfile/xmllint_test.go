package payfile_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/netbank/netbank/internal/testkit"
)

// xmllintValidate checks doc against the ISO 20022 schema
// testdata/xsd/<xsd> with xmllint (Debian package libxml2-utils). Without
// xmllint the test is skipped on a laptop and fails in CI (CI=true).
func xmllintValidate(t *testing.T, xsd string, doc []byte) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		testkit.SkipOrFail(t, "xmllint is not installed (apt-get install libxml2-utils)")
	}
	path := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	schema := filepath.Join("testdata", "xsd", xsd)
	out, err := exec.Command(bin, "--noout", "--nonet", "--schema", schema, path).CombinedOutput()
	if err != nil {
		t.Fatalf("the document does not validate against %s: %v\n%s\n--- document ---\n%s", schema, err, out, doc)
	}
}
