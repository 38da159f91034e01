package iso8583

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/netbank/netbank"
)

// roundTrip builds r, packs it, unpacks the frame and parses it again.
func roundTrip(t *testing.T, r Request) Request {
	t.Helper()
	m, err := BuildRequest(r)
	if err != nil {
		t.Fatalf("BuildRequest: %v", err)
	}
	frame, err := Pack(m)
	if err != nil {
		t.Fatalf("Pack: %v", err)
	}
	back, err := Unpack(frame)
	if err != nil {
		t.Fatalf("Unpack: %v", err)
	}
	got, err := ParseRequest(back)
	if err != nil {
		t.Fatalf("ParseRequest: %v", err)
	}
	return got
}

func TestRequestRoundTrip(t *testing.T) {
	ecommerce := examplePurchase()
	ecommerce.POSEntryMode, ecommerce.POSCondition, ecommerce.PINBlock = "812", ConditionECommerce, ""
	ecommerce.Field48 = map[string]string{TagCVV2: "123", TagCAVV: "AAABBEg0VhI0VniQEjRWAAAAAAA=", TagRecurring: "1", "X_OTHER": "kept as is"}
	completion := examplePurchase()
	completion.MTI, completion.PINBlock, completion.Amount = MTICompletion, "", 48_731
	completion.Original = &OriginalData{MTI: "0100", STAN: "000001", TransmissionTime: "0615120000", Acquirer: "00000012345"}
	cash := examplePurchase()
	cash.MTI, cash.ProcessingCode, cash.MCC, cash.Amount = MTIFinancial, "010000", "6011", 50_000
	balance := examplePurchase()
	balance.ProcessingCode, balance.Amount = "300000", 0

	for name, r := range map[string]Request{"chip purchase": examplePurchase(), "e-commerce": ecommerce, "completion": completion, "ATM cash": cash, "balance inquiry": balance} {
		t.Run(name, func(t *testing.T) {
			got := roundTrip(t, r)
			want := r
			if want.Original != nil && want.Original.Forwarder == "" {
				o := *want.Original
				o.Forwarder = "00000000000"
				want.Original = &o
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestRequestHelpers(t *testing.T) {
	r := examplePurchase()
	r.POSEntryMode = "071"
	r.Field48 = map[string]string{TagCVV2: "987", TagRecurring: "1", TagCAVV: "abc"}
	if r.TransactionType() != TypePurchase || r.EntryMode() != EntryContactless || !r.PINCapable() {
		t.Fatalf("TransactionType %q, EntryMode %q, PINCapable %v", r.TransactionType(), r.EntryMode(), r.PINCapable())
	}
	if r.CVV2() != "987" || r.CAVV() != "abc" || !r.Recurring() {
		t.Fatal("field 48 helpers")
	}
	r.POSEntryMode = "812"
	if r.PINCapable() {
		t.Fatal("entry mode 812 has no PIN capability")
	}
	if (Request{}).TransactionType() != "" || (Request{}).EntryMode() != "" || (Request{}).Recurring() {
		t.Fatal("helpers on an empty request")
	}
}

// setField returns the example 0100 with field id set to v (or removed if v
// is "-"), built directly so the value skips BuildRequest's checks.
func exampleWith(t *testing.T, id int, v string) *Message {
	t.Helper()
	m, err := BuildRequest(examplePurchase())
	if err != nil {
		t.Fatal(err)
	}
	if v == "-" {
		m.UnsetField(id)
		return m
	}
	if err := m.Field(id, v); err != nil {
		t.Fatalf("setting field %d: %v", id, err)
	}
	return m
}

func TestParseRequestRefusesBadFields(t *testing.T) {
	tests := []struct {
		name string
		id   int
		v    string
	}{
		{"PAN missing", 2, "-"},
		{"PAN too short", 2, "457199123456"},
		{"PAN with letter", 2, "457199123456789A"},
		{"processing code missing", 3, "-"},
		{"amount missing", 4, "-"},
		{"amount with letter", 4, "00000001250A"},
		{"transmission time missing", 7, "-"},
		{"transmission time with letter", 7, "061512000A"},
		{"STAN missing", 11, "-"},
		{"STAN with space", 11, "00001 "},
		{"local time with letter", 12, "14000A"},
		{"local date with letter", 13, "06A5"},
		{"expiry month 13", 14, "2813"},
		{"expiry with letter", 14, "28A2"},
		{"MCC missing on 0100", 18, "-"},
		{"MCC with letter", 18, "54A1"},
		{"POS entry mode missing on 0100", 22, "-"},
		{"POS entry mode with letter", 22, "05A"},
		{"condition with letter", 25, "0A"},
		{"RRN missing", 37, "-"},
		{"RRN with punctuation", 37, "00000000000-"},
		{"terminal with control character", 41, "TERM\x00001"},
		{"merchant id with control character", 42, "MERCHANT\t000001"},
		{"merchant location without country", 43, strings.Repeat("A", 38) + "  "},
		{"merchant location with lower-case country", 43, strings.Repeat("A", 38) + "dk"},
		{"field 48 not TAG=VALUE", 48, "CVV2"},
		{"currency missing", 49, "-"},
		{"currency with letter", 49, "DKK"},
		{"PIN block not hex", 52, "0123456789ABCDEG"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRequest(exampleWith(t, tc.id, tc.v))
			if netbank.ErrorCodeOf(err) != netbank.EINVALID {
				t.Fatalf("ParseRequest = %v, want EINVALID", err)
			}
			if !strings.Contains(err.Error(), "Felt ") {
				t.Fatalf("error %q does not name the field", err)
			}
			if strings.Contains(err.Error(), examplePAN) || strings.Contains(err.Error(), examplePINBlock()) {
				t.Fatalf("error %q leaks a field value", err)
			}
		})
	}
}

func TestParseRequestMTIs(t *testing.T) {
	for _, mti := range []string{"0110", "0300", "0800", "9999", ""} {
		m := exampleWith(t, 0, mti)
		if _, err := ParseRequest(m); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("ParseRequest of MTI %q = %v, want EINVALID", mti, err)
		}
	}
	// 0220 and 0400 need field 90.
	for _, mti := range []string{MTICompletion, MTIReversal} {
		if _, err := ParseRequest(exampleWith(t, 0, mti)); err == nil || !strings.Contains(err.Error(), "Felt 90") {
			t.Errorf("%s without field 90: err = %v", mti, err)
		}
	}
}

func TestMerchantField43(t *testing.T) {
	m := Merchant{Name: "Netto Vesterbro", City: "Koebenhavn", Country: "DK"}
	s, err := m.Format()
	if err != nil {
		t.Fatal(err)
	}
	if want := "Netto Vesterbro          Koebenhavn   DK"; s != want {
		t.Fatalf("Format = %q, want %q", s, want)
	}
	back, err := ParseMerchant(s)
	if err != nil || back != m {
		t.Fatalf("ParseMerchant = %+v, %v", back, err)
	}
	full := Merchant{Name: strings.Repeat("N", 25), City: strings.Repeat("C", 13), Country: "SE"}
	if s, err := full.Format(); err != nil || len(s) != 40 {
		t.Fatalf("a full-width merchant: %q, %v", s, err)
	}
	for _, bad := range []Merchant{
		{Name: strings.Repeat("N", 26), City: "x", Country: "DK"},
		{Name: "x", City: strings.Repeat("C", 14), Country: "DK"},
		{Name: "x", City: "y", Country: "DNK"},
		{Name: "x", City: "y", Country: "dk"},
		{Name: "Kø", City: "y", Country: "DK"},
	} {
		if _, err := bad.Format(); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("Format(%+v) = %v, want EINVALID", bad, err)
		}
	}
	if _, err := ParseMerchant("too short"); err == nil {
		t.Error("ParseMerchant accepted 9 characters")
	}
}

func TestField48(t *testing.T) {
	good := []struct {
		in   string
		want map[string]string
	}{
		{"CVV2=123", map[string]string{"CVV2": "123"}},
		{"CVV2=123;", map[string]string{"CVV2": "123"}}, // one trailing separator
		{"CAVV=AAABBEg0VhI0VniQEjRWAAAAAAA=;RECURRING=1", map[string]string{"CAVV": "AAABBEg0VhI0VniQEjRWAAAAAAA=", "RECURRING": "1"}},
		{"WALLET=APPLE PAY;CVV2=000", map[string]string{"WALLET": "APPLE PAY", "CVV2": "000"}},
		{"X=a=b", map[string]string{"X": "a=b"}},
	}
	for _, tc := range good {
		got, err := ParseField48(tc.in)
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("ParseField48(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	bad := []string{
		"", ";", "CVV2=123;;", ";CVV2=123", "CVV2", "CVV2=", "=123", "cvv2=123", "CVV2=12", "CVV2=1234", "CVV2=12a",
		"RECURRING=2", "RECURRING=yes", "CAVV=not*base64", "CAVV=" + strings.Repeat("A", 65), "CVV2=123;CVV2=456",
		"A B=1", strings.Repeat("T", 21) + "=1", "X=tab\there", "X=æ",
	}
	for _, in := range bad {
		if got, err := ParseField48(in); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("ParseField48(%q) = %v, %v; want EINVALID", in, got, err)
		}
	}
	s, err := FormatField48(map[string]string{"RECURRING": "1", "CVV2": "123", "CAVV": "xyz="})
	if err != nil || s != "CAVV=xyz=;CVV2=123;RECURRING=1" {
		t.Fatalf("FormatField48 = %q, %v", s, err)
	}
	if s, err := FormatField48(nil); s != "" || err != nil {
		t.Fatalf("FormatField48(nil) = %q, %v", s, err)
	}
	for _, bad := range []map[string]string{{"X": "a;b"}, {"x": "1"}, {"CVV2": "12"}, {"X": ""}} {
		if _, err := FormatField48(bad); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("FormatField48(%v) = %v, want EINVALID", bad, err)
		}
	}
}

func TestBalancesField54(t *testing.T) {
	bs := []Balance{
		{AccountType: AccountChecking, AmountType: AmountLedger, Currency: "208", Amount: 1_234_56},
		{AccountType: AccountChecking, AmountType: AmountAvailable, Currency: "208", Amount: -500_00},
	}
	s, err := FormatBalances(bs)
	if err != nil {
		t.Fatal(err)
	}
	if want := "2001208C000000123456" + "2002208D000000050000"; s != want {
		t.Fatalf("FormatBalances = %q, want %q", s, want)
	}
	back, err := ParseBalances(s)
	if err != nil || !slices.Equal(back, bs) {
		t.Fatalf("ParseBalances = %+v, %v", back, err)
	}
	for _, bad := range []string{"", "2001208C00000012345", "2001208X000000123456", "20012A8C000000123456", strings.Repeat("2001208C000000000001", 7)} {
		if _, err := ParseBalances(bad); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("ParseBalances(%q) = %v, want EINVALID", bad, err)
		}
	}
	for _, bad := range [][]Balance{nil, {{AccountType: "2", AmountType: "01", Currency: "208"}}, {{AccountType: "20", AmountType: "01", Currency: "208", Amount: 1_000_000_000_000}}, make([]Balance, 7)} {
		if _, err := FormatBalances(bad); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("FormatBalances(%+v) = %v, want EINVALID", bad, err)
		}
	}
}

func TestOriginalDataField90(t *testing.T) {
	s := "0100" + "000001" + "0615120000" + "00000012345" + "00000000000"
	o, err := ParseOriginalData(s)
	if err != nil || o.MTI != "0100" || o.STAN != "000001" || o.TransmissionTime != "0615120000" || o.Acquirer != "00000012345" || o.Forwarder != "00000000000" {
		t.Fatalf("ParseOriginalData = %+v, %v", o, err)
	}
	if back, err := o.Format(); err != nil || back != s {
		t.Fatalf("Format = %q, %v", back, err)
	}
	for _, bad := range []string{s[:41], s + "0", "A" + s[1:]} {
		if _, err := ParseOriginalData(bad); netbank.ErrorCodeOf(err) != netbank.EINVALID {
			t.Errorf("ParseOriginalData(%q) = %v", bad, err)
		}
	}
	if _, err := (OriginalData{MTI: "100", STAN: "000001", TransmissionTime: "0615120000"}).Format(); err == nil {
		t.Error("Format accepted a 3-digit MTI")
	}
}

func TestResponseMTI(t *testing.T) {
	for in, want := range map[string]string{"0100": "0110", "0200": "0210", "0220": "0230", "0400": "0410", "0800": "0810", "0420": "0430", "0110": "", "0130": "", "01": "", "A100": ""} {
		if got := ResponseMTI(in); got != want {
			t.Errorf("ResponseMTI(%q) = %q, want %q", in, got, want)
		}
	}
}

// The response is the request MTI + 10 and echoes the fields the acquirer
// matches on (issue 5: "answer 38 auth code, 39 response code, 54 balance
// for inquiries").
func TestBuildResponse(t *testing.T) {
	req := examplePurchase()
	req.MTI, req.ProcessingCode = MTIAuthorization, "300000"
	req.Original = &OriginalData{MTI: "0100", STAN: "000009", TransmissionTime: "0615115959"}
	resp := Response{Code: CodeApproved, AuthCode: "A1B2C3", Balances: []Balance{{AccountType: AccountChecking, AmountType: AmountAvailable, Currency: "208", Amount: 99_00}}}
	m, err := BuildResponse(req, resp)
	if err != nil {
		t.Fatal(err)
	}
	if mti, _ := m.GetMTI(); mti != "0110" {
		t.Fatalf("MTI %s, want 0110", mti)
	}
	want := map[int]string{2: req.PAN, 3: "300000", 4: "000000012500", 7: req.TransmissionTime, 11: req.STAN, 12: req.LocalTime, 13: req.LocalDate,
		37: req.RRN, 41: req.TerminalID, 42: req.MerchantID, 49: req.Currency, 38: "A1B2C3", 39: "00", 54: "2002208C000000009900"}
	for id, v := range want {
		got, err := m.GetString(id)
		if id == 3 {
			got = strings.Repeat("0", 6-len(got)) + got
		}
		if err != nil || got != v {
			t.Errorf("field %d = %q, %v; want %q", id, got, err, v)
		}
	}
	for _, id := range []int{14, 18, 22, 25, 43, 48, 52} {
		if m.GetField(id) != nil {
			t.Errorf("field %d is echoed; the response must not carry it", id)
		}
	}
	if m.GetField(90) == nil {
		t.Error("field 90 is not echoed")
	}
	frame, err := Pack(m)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := Unpack(frame)
	parsed, err := ParseResponse(back)
	if err != nil || !reflect.DeepEqual(parsed, resp) {
		t.Fatalf("ParseResponse = %+v, %v; want %+v", parsed, err, resp)
	}

	for _, bad := range []Response{{Code: "99"}, {Code: ""}, {Code: "00", AuthCode: "12345"}, {Code: "00", AuthCode: "12 456"}, {Code: "00", Balances: make([]Balance, 7)}} {
		if _, err := BuildResponse(req, bad); err == nil {
			t.Errorf("BuildResponse(%+v) succeeded", bad)
		}
	}
	if _, err := BuildResponse(Request{MTI: "0110"}, Response{Code: "00"}); err == nil {
		t.Error("BuildResponse answered a response")
	}
}

func TestResponseCodesAreTheIssueList(t *testing.T) {
	want := []string{"00", "05", "12", "13", "14", "1A", "30", "41", "43", "51", "54", "55", "57", "61", "62", "75", "94", "96"}
	if got := ResponseCodes(); !slices.Equal(got, want) {
		t.Fatalf("ResponseCodes = %v, want %v", got, want)
	}
	for _, c := range want {
		if ResponseCodeDanish(c) == "" {
			t.Errorf("code %s has no Danish text", c)
		}
	}
}
