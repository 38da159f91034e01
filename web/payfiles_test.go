package web_test

import (
	"bytes"
	"context"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/payfile"
	"github.com/netbank/netbank/payment"
)

// Indlæs betalingsfil and the converter (web/payfiles.go) over HTTP
// against a real bank on SQLite.

// postFile posts a multipart form with fields and one file, as a browser
// sends the upload forms; withToken adds the page's CSRF token.
func (c *browserClient) postFile(path string, fields url.Values, fileName string, data []byte, withToken bool) httpPage {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if withToken {
		mw.WriteField("csrf_token", c.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("file", fileName)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest("POST", c.bank.url+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// payCSV is a CSV payment file paying from account a.
func payCSV(a account.Account, lines ...string) []byte {
	var b strings.Builder
	b.WriteString("fra_reg;fra_konto;dato;beløb;til_reg;til_konto;modtager;modtager_tekst\n")
	for _, l := range lines {
		b.WriteString(a.Reg + ";" + a.Number + ";" + l + "\n")
	}
	return []byte(b.String())
}

// bizSignPage signs a business user's signing page with the password and
// the key card's code (BIZ-3).
func bizSignPage(t *testing.T, c *browserClient, p httpPage, password string, card auth.KeyCard) (signPage, httpPage) {
	t.Helper()
	sp := readSignPage(t, p)
	return sp, c.post("/netbank/underskriv/"+sp.id, url.Values{"request": {sp.sealed}, "password": {password},
		"code": {card.Codes[sp.keyNumber]}, "checksum": {auth.Checksum([]byte(sp.document))}})
}

// RULE PAY-6: a business user loads a CSV file with three good lines and
// one bad: the review lists every line, the bad one with the reason in
// Danish, and the totals; one signature (password + key card, BIZ-3) over
// one document naming every payment (SIGN-2) pays the three; the receipt
// lists each payment's status and links to its receipt. The same file
// again pays nothing and says so per line. Without the CSRF token nothing
// is loaded; a user whose profile lacks "create" cannot load (BIZ-5).
func TestPayfileLoadSignReceipt_PAY6(t *testing.T) {
	b := newTestBank(t, false)
	ctx := context.Background()
	pwJens, cardJens := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView, identity.PermCreate)
	pwOle, cardOle := b.businessUser("ole.hansen", "Ole Hansen", identity.PermView)
	biz := b.customerOf("jens.hansen")
	from := b.openFunded(biz, "Erhvervskonto", 10_000_000)
	anders, _ := b.privateUser("Anders Holm", "0202802345")
	to := b.openFunded(b.customerOf(anders), "Budget", 0)
	file := payCSV(from,
		";1.000,00;"+to.Reg+";"+to.Number+";Anders Holm;Løn november",  // line 2
		";2.500,00;5301;0012345678;Jens Smed;Faktura 17",               // line 3
		"30.11.2026;300,00;"+to.Reg+";"+to.Number+";Anders Holm;Bonus", // line 4
		";50,00;0001;0000000123;Ingen Bank;Fejl",                       // line 5: no bank 0001
	)

	jens := b.client()
	p, _, _ := jens.businessLogin("jens.hansen", pwJens, cardJens)
	wantRedirect(t, p, "/netbank")
	p = jens.get("/netbank/betalinger/fil")
	want(t, p, http.StatusOK, "Indlæs betalingsfil", "Standardkonto", "Erhvervskonto", "Konvertér en betalingsfil")
	for _, s := range []string{`enctype="multipart/form-data"`, `name="csrf_token"`, `accept=".xml,.txt,.csv,.erh"`,
		`id="nav-payfile" aria-current="page"`} {
		if !strings.Contains(p.Body, s) {
			t.Errorf("the form lacks %s", s)
		}
	}
	if strings.Contains(p.Body, `id="nav-payments" aria-current="page"`) {
		t.Error("two current menu items")
	}
	// CSRF: the multipart form without its token is refused.
	if p := jens.postFile("/netbank/betalinger/fil", url.Values{"from": {from.ID}}, "løn.csv", file, false); p.StatusCode != http.StatusForbidden {
		t.Fatalf("upload without CSRF: %d", p.StatusCode)
	}
	if n := len(b.payments(biz)); n != 0 {
		t.Fatalf("%d payments from a refused upload", n)
	}
	// No file, an unreadable file: the form again with the reason.
	want(t, jens.postFile("/netbank/betalinger/fil", url.Values{"from": {from.ID}}, "tom.csv", nil, true), http.StatusBadRequest, "Filen er tom.")
	want(t, jens.postFile("/netbank/betalinger/fil", url.Values{"from": {from.ID}}, "brev.txt", []byte("Kære bank\n"), true),
		http.StatusBadRequest, "Filens format kendes ikke")

	p = jens.postFile("/netbank/betalinger/fil", url.Values{"from": {from.ID}}, "løn november.csv", file, true)
	if p.StatusCode != http.StatusSeeOther || !strings.HasSuffix(p.Header.Get("Location"), "/gennemse") {
		t.Fatalf("upload: %d %q\n%s", p.StatusCode, p.Header.Get("Location"), p.Text())
	}
	review := jens.follow(p)
	want(t, review, http.StatusOK, "Godkend betalingsfil", "løn november.csv", "Linjer i filen 4", "Betalinger 3", "Linjer med fejl 1",
		"I alt 3.800,00 kr.", "Anders Holm", "Jens Smed", "1.000,00 kr.", "2.500,00 kr.", "30.11.2026",
		"Ukendt registreringsnummer 0001", "Godkend og underskriv 3 betalinger", "Annullér")
	if !strings.Contains(review.Body, `<tr id="pf-line-5" class="pf-bad">`) || !strings.Contains(review.Body, `class="nbi-field-error"`) {
		t.Errorf("the bad line is not marked:\n%s", review.Body)
	}
	id := attr(t, review.Body, `action="/netbank/betalinger/fil/([^"/]+)/underskriv"`)
	batch, err := b.app.Payments.Batch(ctx, biz, id)
	if err != nil || len(batch.Payments) != 3 {
		t.Fatalf("batch %+v, %v", batch, err)
	}
	// The same upload again (a double submit) is the same batch.
	p = jens.postFile("/netbank/betalinger/fil", url.Values{"from": {from.ID}}, "løn november.csv", file, true)
	wantRedirect(t, p, "/netbank/betalinger/fil/"+id+"/gennemse?besked=allerede")
	want(t, jens.follow(p), http.StatusOK, "Filen er allerede indlæst og venter på din underskrift")

	// Ole (see only) may not load or sign, but may see the receipt.
	ole := b.client()
	p, _, _ = ole.businessLogin("ole.hansen", pwOle, cardOle)
	wantRedirect(t, p, "/netbank")
	want(t, ole.get("/netbank/betalinger/fil"), http.StatusForbidden)
	want(t, ole.postFile("/netbank/betalinger/fil", nil, "x.csv", file, true), http.StatusForbidden)
	want(t, ole.post("/netbank/betalinger/fil/"+id+"/underskriv", nil), http.StatusForbidden)
	want(t, ole.get("/netbank/betalinger/fil/konverter"), http.StatusForbidden)

	// One signature for the file.
	sp, p := bizSignPage(t, jens, jens.post("/netbank/betalinger/fil/"+id+"/underskriv", nil), pwJens, cardJens)
	for _, s := range []string{"Betalingsfil: løn november.csv", "Antal betalinger: 3", "I alt: 3.800,00 kr.",
		"Linje 2: " + to.Reg + " " + to.Number + ", Anders Holm, 1.000,00 kr., 21.11.2026", "Linje 3: 5301 0012345678, Jens Smed, 2.500,00 kr.",
		"Linje 4: " + to.Reg + " " + to.Number + ", Anders Holm, 300,00 kr., 30.11.2026", "Linjer der ikke betales: 5", "Reference: " + id} {
		if !strings.Contains(sp.document, s) {
			t.Errorf("signed document lacks %q:\n%s", s, sp.document)
		}
	}
	wantRedirect(t, p, "/netbank/betalinger/fil/"+id+"/kvittering")
	receipt := jens.follow(p)
	want(t, receipt, http.StatusOK, "Kvittering for betalingsfil", "Underskrevet", "Gennemført", "I clearing", "Planlagt til 30.11.2026",
		"Ukendt registreringsnummer 0001")
	for _, pid := range batch.Payments {
		if !strings.Contains(receipt.Body, `href="/netbank/betalinger/`+pid+`/kvittering"`) {
			t.Errorf("the receipt does not link to payment %s", pid)
		}
	}
	if got := b.posted(to.ID); got != 100_000 {
		t.Errorf("payee's balance %d, want 100000", got)
	}
	ps, err := b.app.Payments.BatchPayments(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for _, pay := range ps {
		if pay.SignedDocument == "" || pay.SignedDocument != ps[0].SignedDocument {
			t.Errorf("payment %s signed by %q", pay.ID, pay.SignedDocument)
		}
	}
	signed, err := b.app.Identity.SignedDocument(ctx, ps[0].SignedDocument)
	if err != nil || signed.Kind != "payment-batch" || !strings.Contains(signed.Document, "Reference: "+id) || identity.VerifySignedDocument(signed) != nil {
		t.Errorf("signed document %+v, %v", signed, err)
	}
	// Ole sees the receipt (BIZ-5: "see").
	want(t, ole.get("/netbank/betalinger/fil/"+id+"/kvittering"), http.StatusOK, "Kvittering for betalingsfil")

	// The same file again: nothing new, every line said to be paid.
	before := len(b.payments(biz))
	p = jens.postFile("/netbank/betalinger/fil", url.Values{"from": {from.ID}}, "løn november (1).csv", file, true)
	wantRedirect(t, p, "/netbank/betalinger/fil/"+id+"/kvittering?besked=allerede")
	again := jens.follow(p)
	want(t, again, http.StatusOK, "Filen er allerede indlæst og underskrevet. Intet er betalt igen.")
	for _, pid := range batch.Payments {
		wantText(t, again, "Allerede betalt/indlæst (betaling "+pid+").")
	}
	if n := len(b.payments(biz)); n != before {
		t.Errorf("%d payments after loading again, %d before", n, before)
	}
	if got := b.posted(to.ID); got != 100_000 {
		t.Errorf("payee's balance %d after loading again", got)
	}
	// The list under the form.
	want(t, jens.get("/netbank/betalinger/fil"), http.StatusOK, "Indlæste filer", "løn november.csv", "Underskrevet", "3.800,00 kr.")
	b.ledgerOK()
}

// RULE PAY-6: "Annullér" cancels a loaded file's payments; a file none
// of whose lines can be paid shows its errors and stores nothing; another
// customer cannot reach a batch.
func TestPayfileCancelAndErrors_PAY6(t *testing.T) {
	b := newTestBank(t, false)
	pw, card := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView, identity.PermCreate)
	biz := b.customerOf("jens.hansen")
	from := b.openFunded(biz, "Erhvervskonto", 1_000_000)
	jens := b.client()
	p, _, _ := jens.businessLogin("jens.hansen", pw, card)
	wantRedirect(t, p, "/netbank")

	p = jens.postFile("/netbank/betalinger/fil", url.Values{"from": {from.ID}}, "a.csv", payCSV(from, ";10,00;5301;0012345678;Jens Smed;A"), true)
	review := jens.follow(p)
	id := attr(t, review.Body, `action="/netbank/betalinger/fil/([^"/]+)/annuller"`)
	if p := jens.postRaw("/netbank/betalinger/fil/"+id+"/annuller", url.Values{}, nil); p.StatusCode != http.StatusForbidden {
		t.Errorf("cancel without CSRF: %d", p.StatusCode)
	}
	wantRedirect(t, jens.post("/netbank/betalinger/fil/"+id+"/annuller", nil), "/netbank/betalinger/fil?besked=annulleret")
	want(t, jens.get("/netbank/betalinger/fil?besked=annulleret"), http.StatusOK, "Den indlæste fil er annulleret.")
	for _, pay := range b.payments(biz) {
		if pay.Status != payment.Cancelled {
			t.Errorf("payment %s is %s", pay.ID, pay.Status)
		}
	}
	// A cancelled file's pages: the receipt says so; it cannot be signed.
	wantRedirect(t, jens.get("/netbank/betalinger/fil/"+id+"/gennemse"), "/netbank/betalinger/fil/"+id+"/kvittering")
	want(t, jens.get("/netbank/betalinger/fil/"+id+"/kvittering"), http.StatusOK, "Filen er annulleret.")
	wantRedirect(t, jens.post("/netbank/betalinger/fil/"+id+"/underskriv", nil), "/netbank/betalinger/fil/"+id+"/kvittering")

	// Not one line can be paid.
	p = jens.postFile("/netbank/betalinger/fil", url.Values{"from": {from.ID}}, "b.csv", payCSV(from,
		";10,00;0001;0000000123;Ingen Bank;x", "31.02.2027;10,00;5301;0012345678;Jens Smed;y"), true)
	want(t, p, http.StatusUnprocessableEntity, "Ingen af filens linjer kan betales", "Ukendt registreringsnummer 0001", "dato")
	if strings.Contains(p.Body, "/underskriv") {
		t.Error("a file without payments offers signing")
	}

	// Another customer.
	mette := b.loggedInPrivate("Mette Jensen", "0101801234")
	want(t, mette.c.get("/netbank/betalinger/fil/"+id+"/kvittering"), http.StatusNotFound)
	want(t, mette.c.post("/netbank/betalinger/fil/"+id+"/annuller", nil), http.StatusNotFound)
}

// RULE PAY-6: the converter turns a file into another format and sends it
// as a download (attachment, a file name after the upload's); lines it
// cannot convert are listed by line number instead, unless the user asks
// to convert without them.
func TestPayfileConverter_PAY6(t *testing.T) {
	b := newTestBank(t, false)
	pw, card := b.businessUser("jens.hansen", "Jens Hansen", identity.PermView, identity.PermCreate)
	biz := b.customerOf("jens.hansen")
	from := b.openFunded(biz, "Erhvervskonto", 1_000_000)
	jens := b.client()
	p, _, _ := jens.businessLogin("jens.hansen", pw, card)
	wantRedirect(t, p, "/netbank")

	p = jens.get("/netbank/betalinger/fil/konverter")
	want(t, p, http.StatusOK, "Konvertér betalingsfil", "pain.001.001.03", "pain.001.001.09", "BEC ERH", "CSV")
	if !strings.Contains(p.Body, `enctype="multipart/form-data"`) || !strings.Contains(p.Body, `name="csrf_token"`) {
		t.Error("the converter form is not a multipart form with a token")
	}
	good := payCSV(from, "01.12.2026;12.500,00;5301;123456;Ejendomsselskabet Ågade ApS;Husleje",
		";750,00;1551;3456789012;Træ og Byg A/S;Faktura 4712")
	if p := jens.postFile("/netbank/betalinger/fil/konverter", url.Values{"to": {"erh"}}, "husleje.csv", good, false); p.StatusCode != http.StatusForbidden {
		t.Errorf("convert without CSRF: %d", p.StatusCode)
	}
	p = jens.postFile("/netbank/betalinger/fil/konverter", url.Values{"to": {"erh"}}, "husleje.csv", good, true)
	if p.StatusCode != http.StatusOK {
		t.Fatalf("convert: %d\n%s", p.StatusCode, p.Text())
	}
	disp, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != "husleje-erh.txt" {
		t.Errorf("Content-Disposition %q", p.Header.Get("Content-Disposition"))
	}
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Content-Type %q, Cache-Control %q", ct, p.Header.Get("Cache-Control"))
	}
	back, err := payfile.Parse([]byte(p.Body))
	if err != nil || back.Format != payfile.ERH || len(back.Lines) != 2 || len(back.Errors) != 0 {
		t.Fatalf("the download read back: %+v, %v", back, err)
	}
	if l := back.Lines[0]; l.Amount != 12_500_00 || l.ToReg != "5301" || l.ToAccount != "0000123456" || l.FromAccount != from.Number {
		t.Errorf("first line read back %+v", l)
	}

	// To pain.001.001.09, and the XML loaded as a payment file.
	p = jens.postFile("/netbank/betalinger/fil/konverter", url.Values{"to": {"pain.001.001.09"}}, "husleje.csv", good, true)
	if _, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition")); p.StatusCode != http.StatusOK ||
		params["filename"] != "husleje-pain001v09.xml" || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("to pain.001.001.09: %d %q %q\n%s", p.StatusCode, p.Header.Get("Content-Disposition"), p.Header.Get("Content-Type"), p.Text())
	}
	pain := []byte(p.Body)
	if n := len(b.payments(biz)); n != 0 {
		t.Fatalf("the converter made %d payments", n)
	}
	p = jens.postFile("/netbank/betalinger/fil", url.Values{"from": {from.ID}}, "husleje-pain001v09.xml", pain, true)
	review := jens.follow(p)
	want(t, review, http.StatusOK, "Godkend betalingsfil", "pain.001.001.09", "Betalinger 2", "I alt 13.250,00 kr.",
		"Ejendomsselskabet Ågade ApS", "01.12.2026", "Godkend og underskriv 2 betalinger")

	// A line that cannot be converted: listed with its number.
	bad := payCSV(from, "01.12.2026;12.500,00;5301;123456;Ejendomsselskabet Ågade ApS;Husleje",
		";750,00;1551;3456789012;Træ og Byg A/S;Faktura 4712", "31.02.2027;10,00;5301;0012345678;Jens Smed;x")
	p = jens.postFile("/netbank/betalinger/fil/konverter", url.Values{"to": {"csv"}}, "husleje.csv", bad, true)
	want(t, p, http.StatusUnprocessableEntity, "1 linjer kan ikke konverteres", "linje 4")
	if p.Header.Get("Content-Disposition") != "" {
		t.Error("a file with a bad line was sent")
	}
	p = jens.postFile("/netbank/betalinger/fil/konverter", url.Values{"to": {"csv"}, "skip_bad": {"1"}}, "husleje.csv", bad, true)
	if _, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition")); p.StatusCode != http.StatusOK || params["filename"] != "husleje-konverteret.csv" {
		t.Fatalf("convert without the bad line: %d %q", p.StatusCode, p.Header.Get("Content-Disposition"))
	}
	if back, err := payfile.Parse([]byte(p.Body)); err != nil || len(back.Lines) != 2 {
		t.Fatalf("read back: %+v, %v", back, err)
	}
	// An unknown format, and a file that is not a payment file.
	want(t, jens.postFile("/netbank/betalinger/fil/konverter", url.Values{"to": {"mt940"}}, "husleje.csv", good, true), http.StatusBadRequest,
		"Vælg det format")
	want(t, jens.postFile("/netbank/betalinger/fil/konverter", url.Values{"to": {"csv"}}, "brev.txt", []byte("Kære bank\n"), true),
		http.StatusUnprocessableEntity, "Filens format kendes ikke")
	if n := len(b.payments(biz)); n != 2 {
		t.Errorf("%d payments, want the 2 of the loaded pain.001 file only", n)
	}
}
