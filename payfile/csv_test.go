package payfile

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
)

// pay6CSVWant is what testdata/csv/betalinger.csv holds (UTF-8 with BOM,
// semicolons, Danish names and amounts).
func pay6CSVWant(t *testing.T) []Line {
	from := func(l Line) Line {
		l.FromReg, l.FromAccount, l.FromIBAN = "9070", "0001234567", pay6IBAN(t, "9070", "1234567")
		if l.Currency == "" {
			l.Currency = "DKK"
		}
		return l
	}
	return []Line{
		from(Line{No: 2, Kind: Transfer, Date: pay6Date(2026, 12, 1), Amount: 1250000, ToReg: "5301", ToAccount: "0000123456",
			ToName: "Ejendomsselskabet Ågade ApS", TextToSelf: "Husleje december", TextToRecipient: "Husleje dec 2026",
			EndToEndID: "HUSLEJE-2026-12"}),
		from(Line{No: 3, Kind: Slip, Date: pay6Date(2026, 12, 20), Amount: 123450, SlipType: "71",
			SlipPaymentID: "000100017156728", SlipCreditor: "81234567", ToName: "Energi Fyn", TextToSelf: "El november"}),
		from(Line{No: 4, Kind: Foreign, Date: pay6Date(2027, 1, 5), Amount: 245000, Currency: "EUR",
			ToIBAN: "DE89370400440532013000", ToBIC: "DEUTDEFF", ToCountry: "DE", ToName: "Müller Holzhandel GmbH",
			ToAddress: "Hauptstraße 5, 20095 Hamburg", TextToSelf: "Müller faktura", TextToRecipient: "Invoice 2026-118",
			EndToEndID: "INV-2026-118"}),
		from(Line{No: 5, Kind: Slip, Amount: 89900, SlipType: "04", SlipPaymentID: "2150263480000023",
			SlipCreditor: "01234567", ToName: "Økologisk Mælk A/S", TextToSelf: "Mælk"}),
		from(Line{No: 6, Kind: Transfer, Amount: 75000, ToReg: "1551", ToAccount: "3456789012", ToName: "Træ & Byg A/S",
			TextToSelf: "Træ & Byg", TextToRecipient: "Faktura 4712; tak", Instant: true}),
		from(Line{No: 7, Kind: Slip, Date: pay6Date(2027, 1, 4), Amount: 625000, SlipType: "73", SlipCreditor: "87654321",
			ToName: "Værktøjskassen ApS", TextToSelf: "Værktøj", TextToRecipient: "=Ordre 99812"}),
	}
}

// RULE PAY-6: the bank's CSV format with Danish column names, semicolons,
// Danish amounts and the three date forms is read into the neutral model;
// each line's kind follows from the columns it fills.
func TestParseCSVDanish_PAY6(t *testing.T) {
	f, err := ParseCSV(pay6Read(t, "csv/betalinger.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != CSV || len(f.Errors) != 0 {
		t.Fatalf("format %q errors %v", f.Format, f.Errors)
	}
	pay6SameLines(t, f.Lines, pay6CSVWant(t))
}

// RULE PAY-6: English column names, commas, plain amounts with a decimal
// point, ISO dates and reg-account in one cell are read too.
func TestParseCSVEnglish_PAY6(t *testing.T) {
	f, err := ParseCSV(pay6Read(t, "csv/engelsk.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) != 0 {
		t.Fatalf("errors %v", f.Errors)
	}
	iban := pay6IBAN(t, "9070", "1234567")
	want := []Line{
		{No: 2, Kind: Transfer, FromReg: "9070", FromAccount: "0001234567", FromIBAN: iban, Date: pay6Date(2026, 12, 1),
			Amount: 1250000, Currency: "DKK", ToReg: "5301", ToAccount: "0000123456", ToName: "Ejendomsselskabet Ågade ApS",
			TextToSelf: "Rent December", TextToRecipient: "Rent, December 2026", EndToEndID: "RENT-2026-12"},
		{No: 3, Kind: Foreign, FromReg: "9070", FromAccount: "0001234567", FromIBAN: iban, Date: pay6Date(2027, 1, 5),
			Amount: 245050, Currency: "EUR", ToIBAN: "GB29NWBK60161331926819", ToBIC: "NWBKGB2L", ToCountry: "GB",
			ToName: "Smith & Sons, Ltd.", ToAddress: "10 Downing Street London", TextToSelf: "Smith invoice",
			TextToRecipient: "Invoice 77"},
		{No: 4, Kind: Slip, FromReg: "9070", FromAccount: "0001234567", FromIBAN: iban, Date: pay6Date(2026, 12, 20),
			Amount: 123450, Currency: "DKK", SlipType: "71", SlipPaymentID: "000100017156728", SlipCreditor: "81234567",
			ToName: "Energi Fyn", TextToSelf: "Power"},
	}
	pay6SameLines(t, f.Lines, want)
}

// RULE PAY-6: one bad line in a CSV file (Windows-1252 here) gives one error
// with its line number; the good lines are still read.
func TestParseCSVOneBadLine_PAY6(t *testing.T) {
	f, err := ParseCSV(pay6Read(t, "csv/en-fejl.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := []LineError{{No: 3, Field: "dato", Message: "Datoen 31-02-2027 findes ikke."}}
	if !reflect.DeepEqual(f.Errors, want) {
		t.Errorf("errors %#v", f.Errors)
	}
	if len(f.Lines) != 2 || f.Lines[0].No != 2 || f.Lines[1].No != 4 || f.Lines[1].ToName != "Bøgh & Ærø I/S" ||
		f.Lines[1].ToAccount != "0001000123" {
		t.Errorf("lines %+v", f.Lines)
	}
}

// RULE PAY-6: every kind of bad CSV line gives a Danish error naming the
// field (the column) and the reason.
func TestParseCSVLineErrors_PAY6(t *testing.T) {
	header := "fra_reg;fra_konto;fra_iban;dato;beløb;valuta;til_reg;til_konto;til_iban;bic;modtager;adresse;land;" +
		"kortart;betalings_id;kreditor;egen_tekst;modtager_tekst;reference;straks"
	cols := strings.Split(header, ";")
	row := func(kv ...string) string {
		v := map[string]string{"fra_reg": "9070", "fra_konto": "1234567", "beløb": "100,00", "til_reg": "5301", "til_konto": "123456"}
		for i := 0; i < len(kv); i += 2 {
			v[kv[i]] = kv[i+1]
		}
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = v[c]
		}
		return strings.Join(cells, ";")
	}
	slip := []string{"til_reg", "", "til_konto", "", "kortart", "71", "betalings_id", "000100017156728", "kreditor", "81234567"}
	foreign := []string{"til_reg", "", "til_konto", "", "til_iban", "DE89370400440532013000", "bic", "DEUTDEFF",
		"modtager", "Müller GmbH", "valuta", "EUR"}
	with := func(base []string, kv ...string) []string { return append(append([]string{}, base...), kv...) }
	cases := []struct {
		name, line, field, msg string
	}{
		{"amount bad grouping", row("beløb", "1.23,45"), "beløb", "tusindtalsseparator"},
		{"amount too many decimals", row("beløb", "12,345"), "beløb", "For mange decimaler"},
		{"amount point too many decimals", row("beløb", "12.3456"), "beløb", "For mange decimaler"},
		{"amount missing", row("beløb", ""), "beløb", "Beløbet mangler"},
		{"amount zero", row("beløb", "0"), "beløb", "større end 0"},
		{"amount text", row("beløb", "tusind"), "beløb", "skrives som et tal"},
		{"date format", row("dato", "1/12/2026"), "dato", "DD-MM-ÅÅÅÅ"},
		{"date US order", row("dato", "2026-1-12"), "dato", "DD-MM-ÅÅÅÅ"},
		{"date impossible", row("dato", "2027-02-29"), "dato", "findes ikke"},
		{"currency unknown", row(with(foreign, "valuta", "EURO")...), "valuta", "Ukendt valuta"},
		{"fields missing", "9070;1234567;;;100,00", "", "Linjen har 5 felter, men overskriftslinjen har 20"},
		{"fields extra", row() + ";x", "", "Linjen har 21 felter"},
		{"quotes", row("modtager", `Jens "Tømrer`), "", "Anførselstegnene"},
		{"instant", row("straks", "måske"), "straks", "Skriv ja eller nej"},
		{"slip with account", row(with(slip, "til_konto", "123")...), "til_konto", "indbetalingskort"},
		{"transfer with creditor", row("kreditor", "81234567"), "kreditor", "overførsel til en dansk konto"},
		{"foreign with reg", row(with(foreign, "til_reg", "5301")...), "til_reg", "udlandsoverførsel"},
		{"slip check digit", row(with(slip, "betalings_id", "000100017156729")...), "betalings_id", "Kontrolcifferet"},
		{"slip unknown type", row(with(slip, "kortart", "41")...), "kortart", "Ukendt kortart +41"},
		{"slip in EUR", row(with(slip, "valuta", "EUR")...), "valuta", "altid i DKK"},
		{"slip giro", row(with(slip, "kortart", "01", "betalings_id", "", "kreditor", "12")...), "kreditor", "7 eller 8 cifre"},
		{"IBAN", row(with(foreign, "til_iban", "DE89370400440532013001")...), "til_iban", "kontrolcifre"},
		{"IBAN length", row(with(foreign, "til_iban", "DE8937040044053201300")...), "til_iban", "22 tegn"},
		{"BIC", row(with(foreign, "bic", "DEUTDEF")...), "bic", "8 eller 11 tegn"},
		{"country", row(with(foreign, "land", "Tyskland")...), "land", "landekode"},
		{"foreign name", row(with(foreign, "modtager", "")...), "modtager", "navn skal angives"},
		{"foreign by country without IBAN", row("til_reg", "", "til_konto", "", "land", "SE", "modtager", "Svensson AB"),
			"til_iban", "IBAN eller kontonummer mangler"},
		{"name too long", row("modtager", strings.Repeat("n", 71)), "modtager", "højst være 70 tegn"},
		{"own text too long", row("egen_tekst", strings.Repeat("e", 21)), "egen_tekst", "højst være 20 tegn"},
		{"message too long", row("modtager_tekst", strings.Repeat("m", 141)), "modtager_tekst", "højst være 140 tegn"},
		{"reference too long", row("reference", strings.Repeat("r", 36)), "reference", "højst være 35 tegn"},
		{"from missing", row("fra_reg", "", "fra_konto", ""), "fra_konto", "mangler"},
		{"from reg missing", row("fra_reg", "", "fra_konto", "1234567"), "fra_reg", "Registreringsnummer mangler"},
		{"from reg letters", row("fra_reg", "90A0"), "fra_reg", "4 cifre"},
		{"from account long", row("fra_konto", "12345678901"), "fra_konto", "1-10 cifre"},
		{"from IBAN differs", row("fra_iban", "DK5000400440116243"), "fra_iban", "passer ikke"},
		{"from IBAN invalid", row("fra_reg", "", "fra_konto", "", "fra_iban", "DK5000400440116244"), "fra_iban", "kontrolcifre"},
		{"to account letters", row("til_konto", "12AB"), "til_konto", "1-10 cifre"},
		{"to reg missing", row("til_reg", ""), "til_reg", "Registreringsnummer mangler"},
		{"tab in text", row("modtager_tekst", "a\tb"), "modtager_tekst", "styretegn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseCSV([]byte(header + "\n" + row() + "\n" + c.line + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Lines) != 1 || len(f.Errors) != 1 {
				t.Fatalf("lines %d, errors %v", len(f.Lines), f.Errors)
			}
			e := f.Errors[0]
			if e.No != 3 || e.Field != c.field || !strings.Contains(e.Message, c.msg) || !strings.HasSuffix(e.Message, ".") {
				t.Errorf("error %#v, want line 3, field %q, message with %q", e, c.field, c.msg)
			}
		})
	}
}

// RULE PAY-6: the header line: the separator it uses, an unknown column
// (an error on the header line, the lines still read), and the file-level
// errors (no amount column, a column twice, nothing at all).
func TestParseCSVHeader_PAY6(t *testing.T) {
	f, err := ParseCSV([]byte("\n\nBeløb,Fra-Reg,FRA KONTO,Til reg,til_konto,Kommentar\n\"1.234,50\",9070,1234567,5301,123456,husk\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Lines) != 1 || f.Lines[0].No != 4 || f.Lines[0].Amount != 123450 {
		t.Errorf("lines %+v", f.Lines)
	}
	if len(f.Errors) != 1 || f.Errors[0].No != 3 || !strings.Contains(f.Errors[0].Message, "Ukendt kolonne »Kommentar«") {
		t.Errorf("errors %v", f.Errors)
	}
	for _, bad := range []struct{ data, msg string }{
		{"fra_reg;fra_konto\n9070;1234567\n", "mangler kolonnen »beløb«"},
		{"beløb;amount\n1;2\n", "står to gange"},
		{"", "tom"},
		{"\r\n \r\n", "tom"},
		{`"beløb;til_reg` + "\n", "Overskriftslinjen kan ikke læses"},
	} {
		_, err := ParseCSV([]byte(bad.data))
		if err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%q: error %v, want %q", bad.data, err, bad.msg)
		}
	}
}

// RULE PAY-6: amounts in Danish notation or plain with a decimal point,
// and the date forms, in the CSV format.
func TestParseCSVAmountsAndDates_PAY6(t *testing.T) {
	for in, want := range map[string]int64{
		"1.234,56": 123456, "1234,56": 123456, "1234.56": 123456, "1234.5": 123450, "1234": 123400,
		"1.234": 123400, "0.01": 1, "+12.50": 1250, "12.345.678,90": 1234567890, "1 234,56": 123456, "100,00 kr.": 10000,
	} {
		got, p := csvParseAmount(2, in, "DKK")
		if p != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, p, want)
		}
	}
	if got, p := csvParseAmount(2, "1234", "JPY"); p != nil || got != 1234 {
		t.Errorf("JPY: %d %v", got, p)
	}
	if _, p := csvParseAmount(2, "12.5", "JPY"); p == nil {
		t.Error("JPY with decimals accepted")
	}
	for in, want := range map[string]string{
		"05-01-2027": "2027-01-05", "5-1-2027": "2027-01-05", "05.01.2027": "2027-01-05", "2027-01-05": "2027-01-05",
		"29.02.2028": "2028-02-29",
	} {
		got, p := csvParseDate(2, in)
		if p != nil || got.Format("2006-01-02") != want || got.Location().String() != "UTC" || got.Hour() != 0 {
			t.Errorf("%q: %v %v, want %s", in, got, p, want)
		}
	}
	for _, in := range []string{"05/01/2027", "2027.01.05", "05-01-27", "2027-1-5", "5.1", "32-01-2027", "01-13-2027"} {
		if _, p := csvParseDate(2, in); p == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// RULE PAY-6: what WriteCSV writes, ParseCSV reads back unchanged; texts
// that look like formulas are protected in the file and restored on
// reading.
func TestCSVRoundTrip_PAY6(t *testing.T) {
	for _, name := range []string{"csv/betalinger.csv", "csv/engelsk.csv"} {
		f, err := ParseCSV(pay6Read(t, name))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, f); err != nil {
			t.Fatal(err)
		}
		got, err := ParseCSV(buf.Bytes())
		if err != nil || len(got.Errors) != 0 {
			t.Fatalf("%s: %v %v", name, err, got.Errors)
		}
		pay6SameLines(t, got.Lines, f.Lines)
	}

	iban := pay6IBAN(t, "9070", "1234567")
	texts := []string{"=SUM(A1:A9)", "+45 12345678", "-rabat", "@home", "'=x", "''+y", "'abc", "a'b", `Jens "Tømrer"; ApS`}
	var made File
	for i, s := range texts {
		made.Lines = append(made.Lines, Line{No: i + 2, Kind: Transfer, FromReg: "9070", FromAccount: "0001234567",
			FromIBAN: iban, Amount: int64(i + 1), Currency: "DKK", ToReg: "5301", ToAccount: "0000123456",
			ToName: s, TextToSelf: clip(s, 20), TextToRecipient: s, EndToEndID: clip(s, 20)})
	}
	made.Lines = append(made.Lines, Line{No: len(texts) + 2, Kind: Foreign, FromIBAN: "DE89370400440532013000",
		Amount: 1, Currency: "JPY", ToIBAN: "123456789", ToBIC: "MHCBJPJT", ToCountry: "JP", ToName: "Tanaka"})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, made); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufefffra_reg;fra_konto;fra_iban;dato;beløb;")) ||
		!bytes.Contains(buf.Bytes(), []byte("\r\n")) {
		t.Errorf("header %q", buf.String()[:60])
	}
	r := csv.NewReader(bytes.NewReader(buf.Bytes()))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q starts like a formula", cell)
			}
		}
	}
	got, err := ParseCSV(buf.Bytes())
	if err != nil || len(got.Errors) != 0 {
		t.Fatalf("%v %v\n%s", err, got.Errors, buf.String())
	}
	pay6SameLines(t, got.Lines, made.Lines)
}

// RULE PAY-6: lines the CSV format cannot hold are refused by WriteCSV.
func TestCSVLineProblem_PAY6(t *testing.T) {
	l := Line{No: 4, Kind: Transfer, FromReg: "9070", FromAccount: "1234567", Amount: 100, ToReg: "5301", ToAccount: "1",
		TextToSelf: strings.Repeat("x", 21)}
	p := csvLineProblem(l)
	if p == nil || p.Field != csvOwnText || p.No != 4 {
		t.Fatalf("%#v", p)
	}
	if err := WriteCSV(&bytes.Buffer{}, File{Lines: []Line{l}}); err == nil || !strings.Contains(err.Error(), "linje 4: egen_tekst:") {
		t.Errorf("WriteCSV: %v", err)
	}
	l.TextToSelf = ""
	if p := csvLineProblem(l); p != nil {
		t.Errorf("good line refused: %v", p)
	}
}

// RULE PAY-6: the CSV reader never panics, and what it reads it can write
// and read back the same.
func FuzzParseCSV(f *testing.F) {
	for _, name := range []string{"csv/betalinger.csv", "csv/engelsk.csv", "csv/en-fejl.csv"} {
		f.Add(pay6Read(f, name))
	}
	f.Add([]byte("beløb\n1\n"))
	f.Add([]byte("beløb;kortart;kreditor\n1;01;1234567\n"))
	f.Add([]byte("amount,iban,name,from_iban\n1.5,NO9386011117947,x,DK5000400440116243\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseCSV(data)
		if err != nil {
			return
		}
		for _, l := range got.Lines {
			if l.No < 2 || l.Amount <= 0 || l.Kind == "" {
				t.Fatalf("bad line %+v", l)
			}
			if p := csvLineProblem(l); p != nil {
				t.Fatalf("line read but not writable: %v", p)
			}
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, got); err != nil {
			t.Fatalf("write: %v", err)
		}
		again, err := ParseCSV(buf.Bytes())
		if err != nil || len(again.Errors) != 0 || len(again.Lines) != len(got.Lines) {
			t.Fatalf("reread: %v %v\n%q", err, again.Errors, buf.String())
		}
		for i := range got.Lines {
			a, b := got.Lines[i], again.Lines[i]
			a.No, b.No = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("line %d differs:\n%+v\n%+v", i, a, b)
			}
		}
	})
}
