package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/cardsec"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/iso8583"
)

// terminalScenarios are what `netbank terminal` can play, each a short
// sequence of real ISO 8583 messages (docs/iso8583.md).
var terminalScenarios = map[string]string{
	"purchase":    "chip + PIN purchase (0100)",
	"contactless": "contactless purchase without PIN (0100, entry mode 07)",
	"cash":        "ATM withdrawal with PIN (0200, processing code 01)",
	"balance":     "balance inquiry at an ATM with PIN (0200, processing code 30; field 54)",
	"ecommerce":   "internet purchase with CVV2 and Visa Secure: SMS code through the merchant API of --url, or the CAVV of --cavv (0100, entry mode 81, condition 59)",
	"moto":        "mail or phone order with CVV2 (0100, condition 08)",
	"recurring":   "subscription on a stored card, RECURRING=1 (0100, entry mode 10)",
	"fuel":        "fuel station: pre-authorization of --amount, then the completion of --final (0100, 0220)",
	"hotel":       "hotel: check-in hold of --amount, an incremental authorization of --increment, check-out of --final (0100, 0100, 0220)",
	"reversal":    "chip + PIN purchase, then its reversal (0100, 0400)",
	"refund":      "refund onto the card (0200, processing code 20)",
}

// terminalFlags are the flags of `netbank terminal`.
type terminalFlags struct {
	addr, dataDir, demoFile     string
	cardIndex                   int
	pan, expiry, cvv2, pin, zpk string
	amount, final, increment    string
	currency, mcc               string
	terminalID, merchantID      string
	merchant, city, country     string
	cavv                        string
	url, merchantKey            string
	secureAmount                string
	timeout                     time.Duration
}

// terminalCmd is `netbank terminal`: it plays a scenario against a running
// bank's card network listener and prints every answer. The card comes
// from the demo bank's demo.json (the first active card, or --card N)
// unless --pan, --expiry, --cvv2 and --pin name one; the zone PIN key too
// (--zpk). The ecommerce scenario without --cavv authenticates the
// purchase with Visa Secure first, through the bank's merchant API at
// --url with the merchant key of demo.json (or --merchant-key), and reads
// the SMS code the cardholder got from standard input. It exits 1 when a
// message could not be sent or answered; a refusal is an answer.
func terminalCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return terminalRun(ctx, args, os.Stdin, stdout, stderr)
}

// terminalRun is terminalCmd reading the SMS code of Visa Secure from
// stdin.
func terminalRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("netbank terminal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f terminalFlags
	fs.StringVar(&f.addr, "iso8583-addr", iso8583.DefaultAddr, "the bank's card network (ISO 8583) address")
	fs.StringVar(&f.dataDir, "data-dir", "netbank-data", "the demo bank's data directory (for demo.json)")
	fs.StringVar(&f.demoFile, "demo-file", "", "demo.json with the test cards and the zone PIN key (default <data-dir>/demo.json)")
	fs.IntVar(&f.cardIndex, "card", -1, "which card of demo.json to use, from 0 (default: the first active one)")
	fs.StringVar(&f.pan, "pan", "", "card number (instead of demo.json)")
	fs.StringVar(&f.expiry, "expiry", "", "expiry YYMM (field 14)")
	fs.StringVar(&f.cvv2, "cvv2", "", "CVV2 for card-not-present scenarios")
	fs.StringVar(&f.pin, "pin", "", "PIN for the PIN block (field 52)")
	fs.StringVar(&f.zpk, "zpk", "", "zone PIN key in hex (default: demo.json's)")
	fs.StringVar(&f.amount, "amount", "", "amount, Danish style (\"125,00\"); default per scenario")
	fs.StringVar(&f.final, "final", "", "final amount of a fuel or hotel completion (default per scenario)")
	fs.StringVar(&f.increment, "increment", "500,00", "the hotel's incremental authorization")
	fs.StringVar(&f.currency, "currency", "DKK", "currency of the amounts (ISO 4217: DKK, EUR, … or 208, 978, …)")
	fs.StringVar(&f.mcc, "mcc", "", "merchant category code (default per scenario: 5411 groceries, 5542 fuel, 6011 ATM, 7011 hotel, …)")
	fs.StringVar(&f.terminalID, "terminal", "TERM0001", "terminal id, 8 characters (field 41)")
	fs.StringVar(&f.merchantID, "merchant-id", "MERCHANT0000001", "merchant id, 15 characters (field 42)")
	fs.StringVar(&f.merchant, "merchant", "", "merchant name, up to 25 characters (default per scenario)")
	fs.StringVar(&f.city, "city", "Koebenhavn", "merchant city, up to 13 characters")
	fs.StringVar(&f.country, "country", "DK", "merchant country, ISO 3166 alpha-2")
	fs.StringVar(&f.cavv, "cavv", "", "Visa Secure result (CAVV) for the ecommerce scenario; empty: authenticate through the merchant API")
	fs.StringVar(&f.url, "url", "http://127.0.0.1:8080", "the bank's HTTP address, for the Visa Secure merchant API (ecommerce)")
	fs.StringVar(&f.merchantKey, "merchant-key", "", "API key with the role merchant for Visa Secure (default: demo.json's)")
	fs.StringVar(&f.secureAmount, "secure-amount", "", "amount the Visa Secure SMS names (default --amount); another one than the purchase's is refused (1A)")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "how long to wait for each answer")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: netbank terminal [flags] [scenario]\n\nScenarios (default purchase):\n")
		names := make([]string, 0, len(terminalScenarios))
		for n := range terminalScenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(stderr, "  %-12s %s\n", n, terminalScenarios[n])
		}
		fmt.Fprintf(stderr, "\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	scenario := "purchase"
	switch fs.NArg() {
	case 0:
	case 1:
		scenario = fs.Arg(0)
	default:
		return fmt.Errorf("one scenario at a time, not %q", strings.Join(fs.Args(), " "))
	}
	if _, ok := terminalScenarios[scenario]; !ok {
		return fmt.Errorf("unknown scenario %q (run netbank terminal -h)", scenario)
	}
	t, err := newTerminal(f, stdout)
	if err != nil {
		return err
	}
	t.in, t.echo = bufio.NewReader(stdin), !interactive(stdin)
	if scenario == "ecommerce" && f.cavv == "" && t.f.merchantKey == "" {
		return errors.New("Visa Secure needs a merchant API key: give --merchant-key (demo.json has none), or a result with --cavv")
	}
	dctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	client, err := iso8583.Dial(dctx, f.addr, iso8583.WithSendTimeout(f.timeout))
	if err != nil {
		return fmt.Errorf("cannot reach the bank's card network at %s: %w", f.addr, err)
	}
	defer client.Close()
	t.client = client
	return t.play(ctx, scenario)
}

// terminal is the simulator's state: the card, its keys and the
// connection.
type terminal struct {
	f   terminalFlags
	out io.Writer
	in  *bufio.Reader
	// echo ends a prompt's line when the input is not a terminal (a
	// terminal shows the typed line and its Enter itself).
	echo     bool
	client   *iso8583.Client
	zpk      []byte
	currency netbank.Currency
	stan     uint32
}

// newTerminal reads the card and the key (demo.json unless flags give
// them) and checks the flags.
func newTerminal(f terminalFlags, out io.Writer) (*terminal, error) {
	t := &terminal{f: f, out: out}
	var creds demo.Credentials
	needDemo := f.pan == "" || f.zpk == "" || f.merchantKey == ""
	if needDemo {
		path := f.demoFile
		if path == "" {
			path = filepath.Join(f.dataDir, demo.FileName)
		}
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			if err := json.Unmarshal(data, &creds); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		case f.pan == "" || f.zpk == "":
			return nil, fmt.Errorf("no card given (--pan, --pin, --expiry, --cvv2, --zpk) and no demo.json to take one from: %w", err)
		}
	}
	if t.f.merchantKey == "" {
		t.f.merchantKey = creds.Token(apikey.Merchant)
	}
	if t.f.pan == "" {
		c, err := demoCard(creds.Cards, f.cardIndex)
		if err != nil {
			return nil, err
		}
		t.f.pan = c.PAN
		if t.f.expiry == "" {
			t.f.expiry = c.Expiry
		}
		if t.f.cvv2 == "" {
			t.f.cvv2 = c.CVV2
		}
		if t.f.pin == "" {
			t.f.pin = c.PIN
		}
		fmt.Fprintf(out, "card %s (%s, %s) from demo.json\n", cardsec.MaskPAN(c.PAN), c.Type, c.Status)
	}
	zpkHex := f.zpk
	if zpkHex == "" {
		zpkHex = creds.ZPK
	}
	if zpkHex == "" {
		return nil, errors.New("no zone PIN key: give --zpk (demo.json has none)")
	}
	var err error
	if t.zpk, err = cardsec.ParseKey(zpkHex); err != nil {
		return nil, fmt.Errorf("--zpk: %w", err)
	}
	if t.currency, err = netbank.LookupCurrency(strings.ToUpper(f.currency)); err != nil {
		if t.currency, err = netbank.CurrencyByNumeric(f.currency); err != nil {
			return nil, fmt.Errorf("--currency %q is not an ISO 4217 currency", f.currency)
		}
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	t.stan = binary.BigEndian.Uint32(b[:]) % 900_000
	return t, nil
}

// demoCard picks the card of demo.json: index i, or the first active one.
func demoCard(cards []demo.Card, i int) (demo.Card, error) {
	if len(cards) == 0 {
		return demo.Card{}, errors.New("demo.json lists no cards (is the bank a demo bank that has started once?)")
	}
	if i >= 0 {
		if i >= len(cards) {
			return demo.Card{}, fmt.Errorf("--card %d: demo.json lists %d cards (0 to %d)", i, len(cards), len(cards)-1)
		}
		return cards[i], nil
	}
	for _, c := range cards {
		if c.Status == "active" {
			return c, nil
		}
	}
	return cards[0], nil
}

// amountOf parses a Danish amount flag in the terminal's currency, or
// takes the default.
func (t *terminal) amountOf(flagName, value, def string) (int64, error) {
	if value == "" {
		value = def
	}
	m, err := netbank.ParseAmount(value, t.currency.Code)
	if err != nil || m.Amount < 0 {
		return 0, fmt.Errorf("--%s %q: %s", flagName, value, netbank.ErrorMessageOf(err))
	}
	return m.Amount, nil
}

// message is a request for the terminal's card: the chip + PIN purchase
// of amount, as scenarios change it.
func (t *terminal) message(amount int64, mcc, merchant string) iso8583.Request {
	t.stan++
	now := time.Now()
	if t.f.mcc != "" {
		mcc = t.f.mcc
	}
	if t.f.merchant != "" {
		merchant = t.f.merchant
	}
	return iso8583.Request{MTI: iso8583.MTIAuthorization, PAN: t.f.pan, ProcessingCode: "000000", Amount: amount,
		TransmissionTime: now.UTC().Format("0102150405"), STAN: fmt.Sprintf("%06d", t.stan%1_000_000),
		LocalTime: now.Format("150405"), LocalDate: now.Format("0102"), Expiry: t.f.expiry, MCC: mcc,
		POSEntryMode: "051", POSCondition: iso8583.ConditionPresent, RRN: now.UTC().Format("0601021504") + fmt.Sprintf("%02d", t.stan%100),
		TerminalID: t.f.terminalID, MerchantID: t.f.merchantID,
		Merchant: iso8583.Merchant{Name: merchant, City: t.f.city, Country: t.f.country}, Currency: t.currency.Numeric}
}

// withPIN adds the PIN block of the terminal's card and PIN.
func (t *terminal) withPIN(r *iso8583.Request) error {
	if t.f.pin == "" {
		return errors.New("no PIN: give --pin")
	}
	b, err := cardsec.EncodePINBlock(t.f.pin, r.PAN, t.zpk)
	if err != nil {
		return fmt.Errorf("--pin: %s", netbank.ErrorMessageOf(err))
	}
	r.PINBlock = b
	return nil
}

// play runs a scenario.
func (t *terminal) play(ctx context.Context, scenario string) error {
	defAmount := map[string]string{"fuel": "1500,00", "hotel": "2000,00", "cash": "500,00", "balance": "0", "refund": "249,95"}[scenario]
	if defAmount == "" {
		defAmount = "125,00"
	}
	amount, err := t.amountOf("amount", t.f.amount, defAmount)
	if err != nil {
		return err
	}
	switch scenario {
	case "purchase", "reversal":
		r := t.message(amount, "5411", "Netto Vesterbro")
		if err := t.withPIN(&r); err != nil {
			return err
		}
		resp, err := t.send(ctx, "chip + PIN purchase", r)
		if err != nil || scenario == "purchase" {
			return err
		}
		if resp.Code != iso8583.CodeApproved {
			fmt.Fprintln(t.out, "nothing to reverse: the purchase was not approved")
			return nil
		}
		rev := t.message(amount, r.MCC, r.Merchant.Name)
		rev.MTI, rev.RRN, rev.Original = iso8583.MTIReversal, r.RRN, originalOf(r)
		_, err = t.send(ctx, "reversal of the purchase", rev)
		return err
	case "contactless":
		r := t.message(amount, "5411", "Netto Vesterbro")
		r.POSEntryMode = "071"
		_, err := t.send(ctx, "contactless purchase", r)
		return err
	case "cash", "balance":
		r := t.message(amount, "6011", "Danske Bank Automat")
		r.MTI, r.ProcessingCode = iso8583.MTIFinancial, "010000"
		what := "ATM withdrawal"
		if scenario == "balance" {
			r.ProcessingCode, r.Amount, what = "300000", 0, "balance inquiry"
		}
		if err := t.withPIN(&r); err != nil {
			return err
		}
		_, err := t.send(ctx, what, r)
		return err
	case "ecommerce", "moto", "recurring":
		r := t.message(amount, "5732", "Elgiganten Online")
		r.Field48 = map[string]string{}
		switch scenario {
		case "ecommerce":
			r.POSEntryMode, r.POSCondition = "812", iso8583.ConditionECommerce
			cavv := t.f.cavv
			if cavv == "" {
				var err error
				if cavv, err = t.visaSecure(ctx, r); err != nil {
					return err
				}
			}
			if cavv != "" {
				r.Field48[iso8583.TagCAVV] = cavv
			}
		case "moto":
			r.POSEntryMode, r.POSCondition = "012", iso8583.ConditionMailPhone
		case "recurring":
			r.POSEntryMode, r.POSCondition, r.Expiry = "102", iso8583.ConditionECommerce, ""
			r.Field48[iso8583.TagRecurring] = "1"
		}
		if t.f.cvv2 != "" && scenario != "recurring" {
			r.Field48[iso8583.TagCVV2] = t.f.cvv2
		}
		_, err := t.send(ctx, scenario+" purchase", r)
		return err
	case "refund":
		r := t.message(amount, "5411", "Netto Vesterbro")
		r.MTI, r.ProcessingCode = iso8583.MTIFinancial, "200000"
		_, err := t.send(ctx, "refund", r)
		return err
	case "fuel", "hotel":
		return t.reservation(ctx, scenario, amount)
	}
	return fmt.Errorf("unknown scenario %q", scenario)
}

// reservation plays the fuel station's and the hotel's reservations:
// the hold, (for the hotel) an incremental authorization, and the
// completion with the final amount.
func (t *terminal) reservation(ctx context.Context, scenario string, amount int64) error {
	mcc, name, final := "5542", "Circle K Automat", "423,50"
	if scenario == "hotel" {
		mcc, name, final = "7011", "Hotel d'Angleterre", "2300,00"
	}
	finalAmount, err := t.amountOf("final", t.f.final, final)
	if err != nil {
		return err
	}
	hold := t.message(amount, mcc, name)
	if scenario == "fuel" {
		if err := t.withPIN(&hold); err != nil {
			return err
		}
	}
	resp, err := t.send(ctx, scenario+" reservation", hold)
	if err != nil {
		return err
	}
	if resp.Code != iso8583.CodeApproved {
		fmt.Fprintln(t.out, "nothing to complete: the reservation was not approved")
		return nil
	}
	if scenario == "hotel" {
		inc, err := t.amountOf("increment", t.f.increment, "500,00")
		if err != nil {
			return err
		}
		more := t.message(inc, mcc, name)
		more.Original = originalOf(hold)
		if _, err := t.send(ctx, "incremental authorization", more); err != nil {
			return err
		}
	}
	done := t.message(finalAmount, mcc, name)
	done.MTI, done.RRN, done.Original = iso8583.MTICompletion, hold.RRN, originalOf(hold)
	_, err = t.send(ctx, "completion with the final amount", done)
	return err
}

// originalOf is field 90 naming r.
func originalOf(r iso8583.Request) *iso8583.OriginalData {
	return &iso8583.OriginalData{MTI: r.MTI, STAN: r.STAN, TransmissionTime: r.TransmissionTime}
}

// send sends one request and prints it and its answer.
func (t *terminal) send(ctx context.Context, what string, r iso8583.Request) (iso8583.Response, error) {
	m, err := iso8583.BuildRequest(r)
	if err != nil {
		return iso8583.Response{}, fmt.Errorf("%s: %s", what, netbank.ErrorMessageOf(err))
	}
	amount := netbank.NewMoney(r.Amount, t.currency.Code)
	fmt.Fprintf(t.out, "→ %s %s: %s, STAN %s, RRN %s, processing code %s, MCC %s, entry mode %s\n",
		r.MTI, what, amount, r.STAN, r.RRN, r.ProcessingCode, r.MCC, r.POSEntryMode)
	start := time.Now()
	out, err := t.client.Send(ctx, m)
	if err != nil {
		return iso8583.Response{}, fmt.Errorf("%s: no answer: %w", what, err)
	}
	resp, err := iso8583.ParseResponse(out)
	if err != nil {
		return iso8583.Response{}, fmt.Errorf("%s: the answer cannot be read: %s", what, netbank.ErrorMessageOf(err))
	}
	mti, _ := out.GetMTI()
	fmt.Fprintf(t.out, "← %s code %s %s", mti, resp.Code, iso8583.ResponseCodeDanish(resp.Code))
	if resp.AuthCode != "" {
		fmt.Fprintf(t.out, ", authorization code %s", resp.AuthCode)
	}
	fmt.Fprintf(t.out, " (%s)\n", time.Since(start).Round(100*time.Microsecond))
	for _, b := range resp.Balances {
		kind := "balance"
		switch b.AmountType {
		case iso8583.AmountLedger:
			kind = "booked balance"
		case iso8583.AmountAvailable:
			kind = "available"
		}
		cur := b.Currency
		if c, err := netbank.CurrencyByNumeric(b.Currency); err == nil {
			cur = c.Code
		}
		fmt.Fprintf(t.out, "  %s: %s\n", kind, netbank.NewMoney(b.Amount, cur))
	}
	return resp, nil
}

// The merchant API of Visa Secure (api/visasecure.go).
const visaSecurePath = "/api/v1/visa-secure/authentications"

// visaSecure authenticates the internet purchase r with Visa Secure
// through the bank's merchant API (RULE CARD-11), as a web shop's payment
// page does: it starts an authentication for the card, the amount
// (--secure-amount, default the purchase's) and the merchant, says that
// the bank sent the cardholder an SMS code, reads the code from the
// terminal's input (prompt "SMS-kode: ") and returns the CAVV the bank
// gives for it. A refusal is printed and gives "": the purchase then goes
// without a CAVV, and the bank answers it 1A. A wrong code may be typed
// again, up to card.MaxCodeTries in all.
func (t *terminal) visaSecure(ctx context.Context, r iso8583.Request) (string, error) {
	amount := r.Amount
	if t.f.secureAmount != "" {
		var err error
		if amount, err = t.amountOf("secure-amount", t.f.secureAmount, ""); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(t.out, "→ Visa Secure: authentication of %s at %s (merchant id %s)\n",
		netbank.NewMoney(amount, t.currency.Code), r.Merchant.Name, strings.TrimSpace(r.MerchantID))
	var started struct {
		ID        string    `json:"id"`
		Status    string    `json:"status"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	refused, err := t.post(ctx, visaSecurePath, map[string]any{"pan": r.PAN, "amount": amount, "currency": t.currency.Code,
		"merchant_id": r.MerchantID, "merchant_name": r.Merchant.Name}, &started)
	if err != nil || refused {
		return "", t.withoutCAVV(err)
	}
	fmt.Fprintf(t.out, "← Visa Secure: %s %s; the bank sent the cardholder an SMS code (valid until %s)\n",
		started.ID, started.Status, started.ExpiresAt.Local().Format("15:04:05"))
	for try := 1; ; try++ {
		code, err := t.prompt("SMS-kode: ")
		if err != nil {
			return "", fmt.Errorf("Visa Secure: no SMS code on the input: %w", err)
		}
		var done struct {
			CAVV string `json:"cavv"`
		}
		refused, err := t.post(ctx, visaSecurePath+"/"+url.PathEscape(started.ID)+"/code", map[string]string{"code": code}, &done)
		if err != nil {
			return "", err
		}
		if !refused {
			fmt.Fprintf(t.out, "← Visa Secure: authenticated, CAVV %s\n", done.CAVV)
			return done.CAVV, nil
		}
		if try >= card.MaxCodeTries {
			return "", t.withoutCAVV(nil)
		}
	}
}

// withoutCAVV says, unless err, that the purchase goes on without a Visa
// Secure result, and returns err.
func (t *terminal) withoutCAVV(err error) error {
	if err == nil {
		fmt.Fprintln(t.out, "  no Visa Secure result: the purchase is sent without a CAVV")
	}
	return err
}

// prompt writes a prompt and reads one line of input.
func (t *terminal) prompt(p string) (string, error) {
	fmt.Fprint(t.out, p)
	line, err := t.in.ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "" && err == nil {
		err = errors.New("an empty line")
	}
	if line != "" {
		err = nil // the last line may end without a newline
	}
	if t.echo {
		fmt.Fprintln(t.out)
	}
	return line, err
}

// interactive reports whether r is a terminal (a character device).
func interactive(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// apiError is the bank's coded JSON error ({"error":{"code","message"}}).
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// post sends body as JSON to the bank's API with the merchant key and
// decodes a 2xx answer into out. A refusal (4xx with the bank's coded
// error) is printed and reported as refused; an unreachable bank, a 5xx or
// an answer that cannot be read is an error.
func (t *terminal) post(ctx context.Context, path string, body, out any) (refused bool, err error) {
	data, err := json.Marshal(body)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithTimeout(ctx, t.f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(t.f.url, "/")+path, bytes.NewReader(data))
	if err != nil {
		return false, fmt.Errorf("--url %q: %w", t.f.url, err)
	}
	req.Header.Set("Authorization", "Bearer "+t.f.merchantKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, fmt.Errorf("cannot reach the bank's API at %s: %w", t.f.url, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return false, fmt.Errorf("POST %s: %w", path, err)
	}
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(answer, out); err != nil {
			return false, fmt.Errorf("POST %s: the answer cannot be read: %w", path, err)
		}
		return false, nil
	}
	var e apiError
	if json.Unmarshal(answer, &e) != nil || e.Error.Code == "" || resp.StatusCode >= 500 {
		return false, fmt.Errorf("POST %s: %s: %s", path, resp.Status, strings.TrimSpace(string(answer)))
	}
	fmt.Fprintf(t.out, "← Visa Secure refused (%d %s): %s\n", resp.StatusCode, e.Error.Code, e.Error.Message)
	return true, nil
}
