package api_test

// Payment files and the converter through the whole bank (RULES PAY-6,
// SIGN-2): a file with one bad line is loaded as a batch, signed once,
// not paid twice when loaded again; the converter answers the converted
// file or the lines it cannot convert.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/netbank/netbank/apikey"
)

// paymentsCSV pays from Mette's salary account: a transfer, a +71 slip,
// and (line 4) a transfer to a registration number of two digits.
const paymentsCSV = "fra_reg;fra_konto;dato;beløb;til_reg;til_konto;modtager;kortart;betalings_id;kreditor;egen_tekst\r\n" +
	"9070;4410001;01-12-2026;1.250,00;5301;123456;Boligforeningen;;;;Husleje\r\n" +
	"9070;4410001;01-12-2026;645,00;;;;71;000100017156728;81234567;El\r\n" +
	"9070;4410001;01-12-2026;10,00;12;123456;Forkert;;;;Fejl\r\n"

// raw sends a request with a raw body and returns the answer's status,
// headers and body.
func (b *bank) raw(method, path, token, contentType, body string) (int, http.Header, []byte) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

// rawJSON is raw for an answer that is JSON: decoded as do decodes it.
func (b *bank) rawJSON(method, path, token, contentType, body string) answer {
	b.t.Helper()
	status, h, data := b.raw(method, path, token, contentType, body)
	a := answer{status: status, header: h, raw: string(data)}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&a.body); err != nil {
		b.t.Fatalf("%s %s: answer is not a JSON object: %v: %s", method, path, err, data)
	}
	return a
}

// RULES PAY-6, SIGN-2: a CSV file with one bad line becomes a batch of the
// good lines and an error naming the bad one; the user signs the file once
// and every payment is confirmed; loading it again returns the same batch
// (nothing paid twice); a signed file cannot be cancelled, an unsigned one
// can; a file without one good line is 422 with its errors.
func TestAPIPaymentFileWithOneBadLine_PAY6(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		mette := b.token(apikey.Customer)
		priv := b.enrollMette()
		loaded := b.want(b.rawJSON("POST", "/api/v1/payment-files?name=december.csv", mette, "text/csv; charset=utf-8", paymentsCSV),
			201, "PaymentFileWithSigning")
		f, s := obj(loaded["payment_file"]), obj(loaded["signing"])
		ps, errs := f["payments"].([]any), f["errors"].([]any)
		if f["status"] != "awaiting_signature" || f["format"] != "csv" || f["file_name"] != "december.csv" || len(ps) != 2 || len(errs) != 1 ||
			obj(errs[0])["line"] != json.Number("4") || s["kind"] != "payment-batch" {
			t.Fatalf("loaded %v", loaded)
		}
		doc := s["document"].(string)
		for _, w := range []string{"Betalingsfil: december.csv", "Antal betalinger: 2", "Linjer der ikke betales: 4", "Reference: " + f["id"].(string)} {
			if !strings.Contains(doc, w) {
				t.Errorf("document lacks %q:\n%s", w, doc)
			}
		}
		// The same file again: the same batch, nothing new.
		again := b.want(b.rawJSON("POST", "/api/v1/payment-files", mette, "text/csv", paymentsCSV), 200, "PaymentFileWithSigning")
		if af := obj(again["payment_file"]); af["id"] != f["id"] || af["reloaded"] != true {
			t.Fatalf("reloaded %v", again)
		}
		s = obj(again["signing"])
		done := b.want(b.do("POST", "/api/v1/signatures/"+s["request_id"].(string), mette, signWithKey(s, priv)), 200, "SignatureResult")
		df := obj(done["payment_file"])
		if df["status"] != "signed" {
			t.Fatalf("signed %v", done)
		}
		for _, it := range df["payments"].([]any) {
			if p := obj(obj(it)["payment"]); p["status"] != "scheduled" || p["execution_date"] != "2026-12-01" {
				t.Fatalf("payment of the file %v", p)
			}
		}
		up := b.want(b.do("GET", "/api/v1/payments/upcoming", mette, nil), 200, "UpcomingPayments")["payments"].([]any)
		if len(up) != 2 {
			t.Fatalf("upcoming %v", up)
		}
		// Loaded again after signing: the signed batch; still two payments.
		b.want(b.rawJSON("POST", "/api/v1/payment-files", mette, "text/csv", paymentsCSV), 200, "PaymentFileWithSigning")
		if up := b.want(b.do("GET", "/api/v1/payments/upcoming", mette, nil), 200, "UpcomingPayments")["payments"].([]any); len(up) != 2 {
			t.Fatalf("paid twice: %v", up)
		}
		got := b.want(b.do("GET", "/api/v1/payment-files/"+f["id"].(string), mette, nil), 200, "PaymentFile")
		if got["status"] != "signed" || got["signed_at"] == "" {
			t.Fatalf("file %v", got)
		}
		b.wantError(b.do("DELETE", "/api/v1/payment-files/"+f["id"].(string), mette, nil), 409, "conflict")

		// Another file, not signed: cancelled with its payments.
		second := strings.Replace(paymentsCSV, "1.250,00", "1.300,00", 1)
		f2 := obj(b.want(b.rawJSON("POST", "/api/v1/payment-files", mette, "text/csv", second), 201, "PaymentFileWithSigning")["payment_file"])
		c := b.want(b.do("DELETE", "/api/v1/payment-files/"+f2["id"].(string), mette, nil), 200, "PaymentFile")
		if c["status"] != "cancelled" || obj(obj(c["payments"].([]any)[0])["payment"])["status"] != "cancelled" {
			t.Fatalf("cancelled %v", c)
		}

		// Not one good line: 422 with the errors, nothing kept.
		bad := "fra_reg;fra_konto;dato;beløb;til_reg;til_konto\r\n9070;4410001;01-12-2026;10,00;12;1\r\n"
		nl := obj(b.want(b.rawJSON("POST", "/api/v1/payment-files", mette, "text/csv", bad), 422, "PaymentFileWithSigning")["payment_file"])
		if nl["id"] != "" || nl["status"] != "not_loaded" || len(nl["errors"].([]any)) != 1 {
			t.Fatalf("bad file %v", nl)
		}
		// Not a file type; a profile or key that may not.
		b.wantError(b.rawJSON("POST", "/api/v1/payment-files", mette, "application/json", paymentsCSV), 400, "invalid")
		b.wantError(b.rawJSON("POST", "/api/v1/payment-files", b.token(apikey.Clearing), "text/csv", paymentsCSV), 403, "forbidden")
		_, auditor := b.userToken("revisor") // view only
		b.wantError(b.rawJSON("POST", "/api/v1/payment-files", auditor, "text/csv", paymentsCSV), 403, "forbidden")
		_, lars := b.userToken(b.creds.Users[1].UserNumber)
		b.wantError(b.do("GET", "/api/v1/payment-files/"+f["id"].(string), lars, nil), 404, "not_found")
	})
}

// RULE PAY-6: the converter answers the converted file with its
// Content-Type and name, or 422 with the lines it cannot convert; with
// skip_bad=true it converts the good ones and counts the rest.
func TestAPIConvertPaymentFile_PAY6(t *testing.T) {
	t.Parallel()
	forEachBank(t, func(t *testing.T, b *bank) {
		mette := b.token(apikey.Customer)
		rep := b.want(b.rawJSON("POST", "/api/v1/convert?to=pain.001.001.09", mette, "text/csv", paymentsCSV), 422, "ConversionReport")
		errs := rep["errors"].([]any)
		if rep["source_format"] != "csv" || len(errs) != 1 || obj(errs[0])["line"] != json.Number("4") {
			t.Fatalf("report %v", rep)
		}
		status, h, body := b.raw("POST", "/api/v1/convert?to=pain.001.001.09&skip_bad=true&name=december.csv", mette, "text/csv", paymentsCSV)
		if status != 200 || h.Get("Content-Type") != "application/xml; charset=utf-8" || h.Get("X-Source-Format") != "csv" ||
			h.Get("X-Converted-Lines") != "2" || h.Get("X-Skipped-Lines") != "1" ||
			h.Get("Content-Disposition") != `attachment; filename=december-pain001v09.xml` ||
			!bytes.Contains(body, []byte("urn:iso:std:iso:20022:tech:xsd:pain.001.001.09")) {
			t.Fatalf("converted %d %v\n%s", status, h, body)
		}
		// And back: the pain.001 to CSV, every line.
		status, h, back := b.raw("POST", "/api/v1/convert?to=csv", mette, "application/xml", string(body))
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || h.Get("X-Source-Format") != "pain.001.001.09" ||
			h.Get("X-Skipped-Lines") != "" || !bytes.Contains(back, []byte("000100017156728")) {
			t.Fatalf("back %d %v\n%s", status, h, back)
		}
		b.wantError(b.rawJSON("POST", "/api/v1/convert", mette, "text/csv", paymentsCSV), 400, "invalid")
		b.wantError(b.rawJSON("POST", "/api/v1/convert?to=mt101", mette, "text/csv", paymentsCSV), 400, "invalid")
		// Read as the wrong format, every line fails.
		if rep := b.want(b.rawJSON("POST", "/api/v1/convert?to=csv&from=erh", mette, "text/csv", paymentsCSV), 422, "ConversionReport"); len(rep["errors"].([]any)) != 4 {
			t.Fatalf("read as ERH %v", rep)
		}
		b.wantError(b.rawJSON("POST", "/api/v1/convert?to=csv", b.token(apikey.Creditor), "text/csv", paymentsCSV), 403, "forbidden")
	})
}
