package dk

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/netbank/netbank"
)

// NetbankReg is this bank's own registration number. The embedded directory
// maps it to the name "Netbank".
const NetbankReg = "9070"

// NetbankBIC is this bank's BIC (SWIFT code): the payer's bank and the
// instructing agent of its outgoing foreign transfers (RULE PAY-5).
const NetbankBIC = "NETBDKKK"

//go:embed regnr.csv
var regnrCSV string

// regRange is one row of the registration number directory: the numbers
// from..to (inclusive) belong to the bank called name.
type regRange struct {
	from, to int
	name     string
}

// regDirectory is the parsed directory, sorted by from, without overlaps.
var regDirectory = mustParseRegDirectory(regnrCSV)

// mustParseRegDirectory parses the embedded CSV. The data ships with the
// binary and is covered by tests, so a broken file is a programming error.
func mustParseRegDirectory(data string) []regRange {
	ranges, err := parseRegDirectory(data)
	if err != nil {
		panic("dk: embedded regnr.csv: " + err.Error())
	}
	return ranges
}

// parseRegDirectory reads rows of "from,to,name" (lines starting with '#'
// are comments) and checks that they are well formed, sorted and disjoint.
func parseRegDirectory(data string) ([]regRange, error) {
	r := csv.NewReader(strings.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = 3
	records, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	ranges := make([]regRange, 0, len(records))
	for i, rec := range records {
		from, errFrom := parseRegField(rec[0])
		to, errTo := parseRegField(rec[1])
		name := strings.TrimSpace(rec[2])
		switch {
		case errFrom != nil:
			return nil, fmt.Errorf("row %d: from: %w", i+1, errFrom)
		case errTo != nil:
			return nil, fmt.Errorf("row %d: to: %w", i+1, errTo)
		case from > to:
			return nil, fmt.Errorf("row %d: from %04d is after to %04d", i+1, from, to)
		case name == "":
			return nil, fmt.Errorf("row %d: empty bank name", i+1)
		case len(ranges) > 0 && from <= ranges[len(ranges)-1].to:
			return nil, fmt.Errorf("row %d: %04d overlaps or is out of order", i+1, from)
		}
		ranges = append(ranges, regRange{from: from, to: to, name: name})
	}
	return ranges, nil
}

// parseRegField parses a 4-digit registration number field of the CSV.
func parseRegField(s string) (int, error) {
	s = strings.TrimSpace(s)
	if !isDigits(s) || len(s) != 4 {
		return 0, fmt.Errorf("%q is not 4 digits", s)
	}
	return strconv.Atoi(s)
}

// ValidReg reports whether reg is a well-formed registration number: exactly
// four digits (RULE PAY-2). Surrounding spaces are ignored. It does not
// require the number to be in the directory; use BankName for that.
func ValidReg(reg string) error {
	reg = strings.TrimSpace(reg)
	if reg == "" {
		return netbank.Errorf(netbank.EINVALID, "Registreringsnummer mangler")
	}
	if len(reg) != 4 || !isDigits(reg) {
		return netbank.Errorf(netbank.EINVALID, "Registreringsnummer skal være præcis 4 cifre")
	}
	return nil
}

// BankName returns the name of the bank that owns the registration number
// reg, so the net bank can show it while the user types (RULE PAY-2). ok is
// false if reg is not four digits or not in the directory.
func BankName(reg string) (name string, ok bool) {
	reg = strings.TrimSpace(reg)
	if ValidReg(reg) != nil {
		return "", false
	}
	n, _ := strconv.Atoi(reg)
	i := sort.Search(len(regDirectory), func(i int) bool { return regDirectory[i].to >= n })
	if i < len(regDirectory) && regDirectory[i].from <= n {
		return regDirectory[i].name, true
	}
	return "", false
}

// isDigits reports whether s is non-empty and only ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// stripSpaces removes all ASCII and Unicode white space from s.
func stripSpaces(s string) string {
	return strings.Join(strings.Fields(s), "")
}
