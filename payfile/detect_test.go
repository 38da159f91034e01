package payfile

import (
	"bytes"
	"strings"
	"testing"
)

// RULE PAY-6: Detect tells the formats apart by their content: the
// pain.001 namespace and version, an ERH record on the first line, a CSV
// header with the amount column.
func TestDetect_PAY6(t *testing.T) {
	for name, want := range map[string]Format{
		"pain/valid-03.xml": Pain00100103, "pain/valid-09.xml": Pain00100109, "pain/bad-lines-03.xml": Pain00100103,
		"erh/betalinger.txt": ERH, "erh/en-fejl.txt": ERH,
		"csv/betalinger.csv": CSV, "csv/engelsk.csv": CSV, "csv/en-fejl.csv": CSV,
	} {
		got, err := Detect(pay6Read(t, name))
		if err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", name, got, err, want)
		}
	}
	for in, want := range map[string]Format{
		"\ufeff\r\n\r\n  ERH356,90700001234567": ERH,
		`"erh351","9070"`:                       ERH,
		"\n\nfra_konto;Beløb\n":                 CSV,
		"Amount\n1\n":                           CSV,
		"  <?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"/>": Pain00100109,
	} {
		got, err := Detect([]byte(in))
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"":    "tom",
		"\n ": "tom",
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"/>`: "pain.001.001.03 eller pain.001.001.09",
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.05"/>`: "pain.001.001.03 eller pain.001.001.09",
		"ERH35,1":                  "format kendes ikke",
		"dato;modtager\n1;2\n":     "format kendes ikke",
		"\xff\xfe<\x00D\x00o\x00c": "format kendes ikke",
	} {
		if _, err := Detect([]byte(in)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want %q", in, err, msg)
		}
	}
}

// RULE PAY-6: Parse detects and reads every format; ParseFormat reads the
// format it is told.
func TestParse_PAY6(t *testing.T) {
	for name, want := range map[string]struct {
		format Format
		lines  int
	}{
		"pain/valid-03.xml": {Pain00100103, 6}, "pain/valid-09.xml": {Pain00100109, 0},
		"erh/betalinger.txt": {ERH, 11}, "csv/betalinger.csv": {CSV, 6},
	} {
		f, err := Parse(pay6Read(t, name))
		if err != nil || f.Format != want.format || (want.lines > 0 && len(f.Lines) != want.lines) || len(f.Lines) == 0 {
			t.Errorf("%s: %q, %d lines, %v", name, f.Format, len(f.Lines), err)
		}
	}
	// Told the wrong format, the reader says what is wrong.
	f, err := ParseFormat(pay6Read(t, "csv/betalinger.csv"), ERH)
	if err != nil || len(f.Lines) != 0 || len(f.Errors) != 7 || f.Errors[0].Field != "betalingstype" {
		t.Errorf("csv as erh: %+v %v", f, err)
	}
	if _, err := ParseFormat([]byte("x"), Format("mt940")); err == nil || !strings.Contains(err.Error(), "Ukendt filformat") {
		t.Errorf("unknown format: %v", err)
	}
}

// RULE PAY-6: a file over MaxFileSize is refused before it is read, by
// every entry point.
func TestMaxFileSize_PAY6(t *testing.T) {
	big := bytes.Repeat([]byte("\n"), MaxFileSize+1)
	copy(big, pay6Read(t, "erh/betalinger.txt"))
	readers := map[string]func([]byte) (File, error){
		"Parse": Parse, "ParseERH": ParseERH, "ParseCSV": ParseCSV,
		"ParseFormat": func(b []byte) (File, error) { return ParseFormat(b, ERH) },
		"Convert": func(b []byte) (File, error) {
			_, f, err := Convert(b, CSV)
			return f, err
		},
	}
	for name, read := range readers {
		if _, err := read(big); err == nil || !strings.Contains(err.Error(), "for stor") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Detect(big); err == nil {
		t.Error("Detect: no error")
	}
	// Exactly MaxFileSize is fine.
	f, err := ParseERH(big[:MaxFileSize])
	if err != nil || len(f.Lines) != 11 {
		t.Errorf("at the limit: %d lines, %v", len(f.Lines), err)
	}
}

// RULE PAY-6: Windows-1252 is decoded byte by byte (æøå, €, –), UTF-8 is
// kept, and encoding back gives the same bytes for every defined byte.
func TestDecodeText_PAY6(t *testing.T) {
	if got := decodeText([]byte{'T', 0xF8, 'm', 'r', 'e', 'r', ' ', 0x80, ' ', 0x96, ' ', 0xC5}); got != "Tømrer € – Å" {
		t.Errorf("cp1252: %q", got)
	}
	if got := decodeText([]byte("\ufeffTømrer")); got != "Tømrer" {
		t.Errorf("utf-8: %q", got)
	}
	for b := 0; b < 256; b++ {
		s := decodeText([]byte{0xFF, byte(b)})[len("ÿ"):]
		enc, _, ok := encodeCP1252(s)
		undefined := b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D
		if ok == undefined || (ok && !bytes.Equal(enc, []byte{byte(b)})) {
			t.Errorf("byte %#x: %q %v %v", b, s, enc, ok)
		}
	}
	if _, bad, ok := encodeCP1252("Łódź"); ok || bad != 'Ł' {
		t.Errorf("Ł encoded: %v %q", ok, bad)
	}
}

// RULE PAY-6: lines are split on LF or CR LF; a Ctrl-Z at the end and a
// missing last line end are fine.
func TestTextLines_PAY6(t *testing.T) {
	for in, want := range map[string][]string{
		"a\r\nb\r\n": {"a", "b"}, "a\nb": {"a", "b"}, "a\n\nb\n\x1a": {"a", "", "b"}, "": nil, "\n": nil, "\n\n": {"", ""},
	} {
		var got []string
		for no, l := range textLines(in) {
			if no != len(got)+1 {
				t.Errorf("%q: line %d numbered %d", in, len(got)+1, no)
			}
			got = append(got, l)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
