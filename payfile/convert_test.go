package payfile

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

// pay6Common is a file every format holds in full: transfers, every card
// type, foreign transfers by IBAN and by account number, with dates (a
// pain.001 file has no "as soon as possible") and without what only some
// formats have (end-to-end reference, instant, a Danish payee's address).
func pay6Common(t *testing.T) File {
	iban := pay6IBAN(t, "9070", "1234567")
	d1, d2 := pay6Date(2027, 1, 4), pay6Date(2027, 1, 5)
	lines := []Line{
		{Kind: Transfer, Date: d1, Amount: 1250000, ToReg: "5301", ToAccount: "0000123456",
			ToName: "Ejendomsselskabet Ågade ApS", TextToSelf: "Husleje december",
			TextToRecipient: "Husleje for december 2026 – lejemål 4, 2. sal"},
		{Kind: Transfer, Date: d1, Amount: 1, ToReg: "1551", ToAccount: "3456789012", TextToRecipient: "Test"},
		{Kind: Slip, Date: d1, Amount: 123450, SlipType: "71", SlipPaymentID: "000100017156728", SlipCreditor: "81234567",
			ToName: "Energi Fyn", TextToSelf: "El november"},
		{Kind: Slip, Date: d1, Amount: 625000, SlipType: "73", SlipCreditor: "87654321", ToName: "Værktøjskassen ApS",
			TextToRecipient: "Ordre 99812 – tak for hjælpen"},
		{Kind: Slip, Date: d1, Amount: 187525, SlipType: "75", SlipPaymentID: "1234567890123452", SlipCreditor: "85000001",
			TextToRecipient: "Kundenr. 55512"},
		{Kind: Slip, Date: d1, Amount: 89900, SlipType: "04", SlipPaymentID: "2150263480000023", SlipCreditor: "01234567"},
		{Kind: Slip, Date: d1, Amount: 311700, SlipType: "15", SlipPaymentID: "4000000000123457", SlipCreditor: "1234567"},
		{Kind: Slip, Date: d1, Amount: 45000, SlipType: "01", SlipCreditor: "12345678", TextToRecipient: "Kontingent 2027"},
		{Kind: Foreign, Date: d2, Amount: 245000, Currency: "EUR", ToIBAN: "DE89370400440532013000", ToBIC: "DEUTDEFF",
			ToCountry: "DE", ToName: "Müller Holzhandel GmbH", ToAddress: "Hauptstraße 5, 20095 Hamburg",
			TextToSelf: "Müller faktura", TextToRecipient: "Invoice 2026-118"},
		{Kind: Foreign, Date: d2, Amount: 150000, Currency: "USD", ToIBAN: "000123456789", ToBIC: "CHASUS33",
			ToCountry: "US", ToName: "Acme Supplies Inc.", ToAddress: "500 Main Street, Springfield, IL 62701"},
		{Kind: Foreign, Date: d2, Amount: 125000, Currency: "JPY", ToIBAN: "1234567", ToBIC: "MHCBJPJT", ToCountry: "JP",
			ToName: "Kyoto Crafts KK"},
	}
	for i := range lines {
		lines[i].No = i + 1
		lines[i].FromReg, lines[i].FromAccount, lines[i].FromIBAN = "9070", "0001234567", iban
		if lines[i].Currency == "" {
			lines[i].Currency = "DKK"
		}
	}
	return File{Payer: "Tømrerfirmaet Jensen & Søn ApS", Created: time.Date(2027, 1, 3, 9, 30, 0, 0, time.UTC), Lines: lines}
}

// pay6Unnumbered is lines without their numbers (each format numbers its
// own way).
func pay6Unnumbered(lines []Line) []Line {
	out := make([]Line, len(lines))
	for i, l := range lines {
		l.No = 0
		out[i] = l
	}
	return out
}

// RULE PAY-6: the converter between all pairs of formats (pain.001.001.03,
// pain.001.001.09, ERH, CSV, and each to itself) keeps every line:
// transfers, every kind of payment slip and foreign transfers.
func TestConvertAllPairs_PAY6(t *testing.T) {
	in := pay6Common(t)
	for _, from := range Formats {
		var src bytes.Buffer
		if err := Write(&src, in, from); err != nil {
			t.Fatalf("write %s: %v", from, err)
		}
		for _, to := range Formats {
			t.Run(string(from)+" to "+string(to), func(t *testing.T) {
				out, f, err := ConvertWith(src.Bytes(), to, ConvertOptions{Now: in.Created})
				if err != nil {
					t.Fatal(err)
				}
				if f.Format != from || len(f.Errors) != 0 || len(f.Lines) != len(in.Lines) {
					t.Fatalf("source %q, %d lines, errors %v", f.Format, len(f.Lines), f.Errors)
				}
				got, err := Parse(out)
				if err != nil {
					t.Fatal(err)
				}
				if got.Format != to || len(got.Errors) != 0 {
					t.Fatalf("output %q errors %v", got.Format, got.Errors)
				}
				pay6SameLines(t, pay6Unnumbered(got.Lines), pay6Unnumbered(in.Lines))
				if from != CSV && to != CSV && got.Payer != in.Payer {
					t.Errorf("payer %q", got.Payer)
				}
			})
		}
	}
}

// RULE PAY-6: a conversion goes ahead with the good lines; the lines that
// cannot be read, and those the target format cannot hold, are reported
// with their line numbers in the source, in file order.
func TestConvertReportsBadLines_PAY6(t *testing.T) {
	out, f, err := Convert(pay6Read(t, "erh/en-fejl.txt"), CSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Lines) != 2 || len(f.Errors) != 1 || f.Errors[0].No != 3 {
		t.Fatalf("lines %d errors %v", len(f.Lines), f.Errors)
	}
	csvFile, err := ParseCSV(out)
	if err != nil || len(csvFile.Lines) != 2 || len(csvFile.Errors) != 0 {
		t.Fatalf("output: %v %+v", err, csvFile)
	}

	src := "fra_reg;fra_konto;fra_iban;dato;beløb;til_reg;til_konto;straks\n" +
		"9070;1234567;;01-12-2026;100,00;5301;123456;\n" +
		"9070;1234567;;01-12-2026;200,00;5301;123456;ja\n" +
		";;DE89370400440532013000;01-12-2026;300,00;5301;123456;\n" +
		"9070;1234567;;31-12-2026x;400,00;5301;123456;\n" +
		"9070;1234567;;01-12-2026;500,00;5301;123456;\n"
	out, f, err = Convert([]byte(src), ERH)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, e := range f.Errors {
		fields = append(fields, e.Error()[:len("linje 3: ")]+e.Field)
	}
	if want := []string{"linje 3: straks", "linje 4: fra konto", "linje 5: dato"}; !reflect.DeepEqual(fields, want) {
		t.Errorf("errors %v, want %v", f.Errors, want)
	}
	if len(f.Lines) != 2 || f.Lines[0].No != 2 || f.Lines[1].No != 6 {
		t.Errorf("converted %+v", f.Lines)
	}
	erh, err := ParseERH(out)
	if err != nil || len(erh.Lines) != 2 || erh.Lines[1].Amount != 50000 {
		t.Errorf("output %+v %v", erh, err)
	}

	// Nothing left to convert: an error, no output, the reasons.
	out, f, err = Convert([]byte("beløb;fra_reg;fra_konto;til_reg;til_konto;straks\n1;9070;1;5301;1;ja\n"), ERH)
	if err == nil || out != nil || len(f.Errors) != 1 || !strings.Contains(err.Error(), "ingen betalinger") {
		t.Errorf("nothing to convert: %q %+v %v", out, f, err)
	}
}

// RULE PAY-6: pain.001 needs a creation time; from ERH or CSV it is the
// caller's Now, and without one the conversion is refused. From ERH to
// pain.001 the lines keep their data; told the source format, the
// converter does not detect it.
func TestConvertToPain_PAY6(t *testing.T) {
	data := pay6Read(t, "erh/betalinger.txt")
	if _, _, err := Convert(data, Pain00100109); err == nil || !strings.Contains(err.Error(), "oprettelsestidspunkt") {
		t.Errorf("without Now: %v", err)
	}
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	out, f, err := ConvertWith(data, Pain00100109, ConvertOptions{From: ERH, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// The lines without a date are paid as soon as possible: in pain.001
	// they get the creation date.
	if len(f.Errors) != 0 || len(f.Lines) != 11 {
		t.Fatalf("errors %v", f.Errors)
	}
	got, err := ParsePain001(out)
	if err != nil || len(got.Errors) != 0 || len(got.Lines) != 11 || !got.Created.Equal(now) || got.Payer != f.Payer {
		t.Fatalf("%+v %v", got, err)
	}
	if _, _, err := ConvertWith(data, CSV, ConvertOptions{From: CSV}); err == nil {
		t.Error("ERH read as CSV converted")
	}
	if _, _, err := Convert(data, Format("mt940")); err == nil || !strings.Contains(err.Error(), "Ukendt filformat") {
		t.Errorf("unknown target: %v", err)
	}
	if err := Write(&bytes.Buffer{}, f, Format("x")); err == nil {
		t.Error("Write to an unknown format")
	}
}

// RULE PAY-6: wrapping texts into ERH's lines of 35 characters.
func TestWrapText_PAY6(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  []string
	}{
		{"", 35, nil},
		{"  a   b  ", 35, []string{"a b"}},
		{"abc def ghi", 7, []string{"abc def", "ghi"}},
		{"abcdefghij k", 4, []string{"abcd", "efgh", "ij k"}},
		{"æøå æøå", 3, []string{"æøå", "æøå"}},
	} {
		if got := wrapText(c.in, c.width); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q/%d: %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

// RULE PAY-6: the converted file is named after the uploaded one, safe as
// a download's name whatever the upload was called.
func TestConvertedName_PAY6(t *testing.T) {
	for _, c := range []struct {
		uploaded string
		to       Format
		want     string
	}{
		{"løn.csv", Pain00100109, "løn-pain001v09.xml"},
		{"husleje.xml", Pain00100103, "husleje-pain001v03.xml"},
		{"december.xml", ERH, "december-erh.txt"},
		{"husleje-pain001v09.xml", CSV, "husleje-pain001v09-konverteret.csv"},
		{`C:\Bogføring\løn.csv`, ERH, "løn-erh.txt"},
		{"../../etc/passwd", CSV, "passwd-konverteret.csv"},
		{"a\"b\x01c.csv", CSV, "abc-konverteret.csv"},
		{"", Pain00100109, "betalingsfil-pain001v09.xml"},
		{".csv", CSV, "betalingsfil-konverteret.csv"},
		{"\xff\xfe.csv", CSV, "\ufffd\ufffd-konverteret.csv"},
		{strings.Repeat("å", 100) + ".csv", ERH, strings.Repeat("å", 80) + "-erh.txt"},
	} {
		if got := ConvertedName(c.uploaded, c.to); got != c.want {
			t.Errorf("ConvertedName(%q, %s) = %q, want %q", c.uploaded, c.to, got, c.want)
		}
	}
}

// RULE PAY-6: a converted file is sent with its format's media type and
// the character set it is written in.
func TestContentType_PAY6(t *testing.T) {
	for _, c := range []struct {
		f    Format
		data []byte
		want string
	}{
		{Pain00100103, []byte("<Document/>"), "application/xml; charset=utf-8"},
		{Pain00100109, []byte("<Document/>"), "application/xml; charset=utf-8"},
		{ERH, []byte("\"ERH351\""), "text/plain; charset=utf-8"},
		{ERH, []byte("\"K\xf8b\""), "text/plain; charset=windows-1252"},
		{CSV, []byte("dato;beløb"), "text/csv; charset=utf-8"},
		{CSV, []byte("bel\xf8b"), "text/csv; charset=windows-1252"},
	} {
		if got := ContentType(c.f, c.data); got != c.want {
			t.Errorf("ContentType(%s, %q) = %q, want %q", c.f, c.data, got, c.want)
		}
	}
}
