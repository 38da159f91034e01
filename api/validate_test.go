package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/dk"
)

// mustOutcome checks that rec is a 200 validation outcome whose JSON object
// has exactly the keys want (with the same JSON values), and returns it.
func mustOutcome(t *testing.T, rec *httptest.ResponseRecorder, want map[string]any) map[string]any {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
	}
	got := mustDecodeStrict(t, rec)
	gotKeys, wantKeys := keys(got), keys(want)
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("keys %v, want %v; body %s", gotKeys, wantKeys, rec.Body)
	}
	for k, v := range want {
		if v == anyString {
			if s, ok := got[k].(string); !ok || s == "" {
				t.Errorf("%s = %#v, want a non-empty string", k, got[k])
			}
			continue
		}
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	return got
}

// anyString in a mustOutcome want map accepts any non-empty string.
const anyString = "\x00any non-empty string"

// RULE PAY-5: IBANs are checked (country, length, format, check digits);
// RULE PAY-2: a Danish IBAN is split into registration number and account
// number, with the bank's name.
func TestValidateIBAN(t *testing.T) {
	s := newTestServer(t)
	unknownReg, err := dk.DanishIBAN("0001", "1234")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, value string
		want        map[string]any
	}{
		{"Danish", "DK5000400440116243", map[string]any{
			"valid": true, "error": "", "iban": "DK5000400440116243", "country": "DK",
			"reg": "0040", "account": "440116243", "bank": "Nordea",
		}},
		{"Danish in print format, lower case", "dk50 0040 0440 1162 43", map[string]any{
			"valid": true, "error": "", "iban": "DK5000400440116243", "country": "DK",
			"reg": "0040", "account": "440116243", "bank": "Nordea",
		}},
		{"Danish with unknown registration number", unknownReg, map[string]any{
			"valid": true, "error": "", "iban": unknownReg, "country": "DK",
			"reg": "0001", "account": "1234", "bank": "",
		}},
		{"German", "DE89 3704 0044 0532 0130 00", map[string]any{
			"valid": true, "error": "", "iban": "DE89370400440532013000", "country": "DE",
		}},
		{"wrong check digits", "DK5100400440116243", map[string]any{"valid": false, "error": anyString}},
		{"too short", "DK500040044011624", map[string]any{"valid": false, "error": anyString}},
		{"unknown country", "XX5000400440116243", map[string]any{"valid": false, "error": anyString}},
		{"not an IBAN", "hello", map[string]any{"valid": false, "error": anyString}},
		{"empty", "", map[string]any{"valid": false, "error": anyString}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustOutcome(t, get(t, s, "/api/v1/validate/iban", url.Values{"value": {tc.value}}), tc.want)
		})
	}
}

func TestValidateIBANExactBody(t *testing.T) {
	rec := get(t, newTestServer(t), "/api/v1/validate/iban", url.Values{"value": {"DK5000400440116243"}})
	want := `{"valid":true,"error":"","iban":"DK5000400440116243","country":"DK","reg":"0040","account":"440116243","bank":"Nordea"}` + "\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

// A missing value is an outcome too: not valid, with a Danish message.
func TestValidateIBANMissingValue(t *testing.T) {
	rec := do(t, newTestServer(t), http.MethodGet, "/api/v1/validate/iban")
	got := mustOutcome(t, rec, map[string]any{"valid": false, "error": anyString})
	if got["error"] != "IBAN mangler" {
		t.Errorf("error = %q", got["error"])
	}
}

// RULE PAY-4: payment slips (FIK +01, +04, +15, +71, +73, +75) are validated
// with their check digits; for the giro types the giro account is the
// creditor.
func TestValidatePaymentSlip(t *testing.T) {
	s := newTestServer(t)
	valid := func(typ, id, creditor string) map[string]any {
		return map[string]any{"valid": true, "type": typ, "payment_id": id, "creditor": creditor, "error": ""}
	}
	invalid := func(typ string) map[string]any {
		return map[string]any{"valid": false, "type": typ, "payment_id": "", "creditor": "", "error": anyString}
	}
	for _, tc := range []struct {
		name, line string
		want       map[string]any
	}{
		{"+71 as printed", "+71< 000100017156728+81234567<", valid("71", "000100017156728", "81234567")},
		{"+71 without spaces and final <", "+71<000100017156728+81234567", valid("71", "000100017156728", "81234567")},
		{"+73 has no payment id", "+73< +81234567<", valid("73", "", "81234567")},
		{"+75", "+75< 0000000012345674+87654321<", valid("75", "0000000012345674", "87654321")},
		{"+01 giro account as creditor", "+01< +1234567<", valid("01", "", "1234567")},
		{"+04 giro account as creditor", "+04< 1234567890123452+1234567<", valid("04", "1234567890123452", "1234567")},
		{"+15 giro account as creditor", "+15< 0000000012345674+12345678<", valid("15", "0000000012345674", "12345678")},

		{"+71 wrong check digit", "+71< 000100017156729+81234567<", invalid("71")},
		{"+71 id too short", "+71< 00010001715672+81234567<", invalid("71")},
		{"+71 creditor not starting with 8", "+71< 000100017156728+71234567<", invalid("71")},
		{"+71 without <", "+71 000100017156728+81234567<", invalid("71")},
		{"+04 wrong check digit", "+04< 1234567890123453+1234567<", invalid("04")},
		{"+01 giro account too short", "+01<+123456<", invalid("01")},
		{"unknown type", "+72< 000100017156728+81234567<", invalid("")},
		{"no type", "000100017156728 81234567", invalid("")},
		{"empty", "", invalid("")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, "/api/v1/validate/payment-slip", url.Values{"code_line": {tc.line}})
			mustOutcome(t, rec, tc.want)
		})
	}
}

// RULE PAY-4: the exact wire format of the example in the brief.
func TestValidatePaymentSlipExactBody(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/v1/validate/payment-slip", url.Values{"code_line": {"+71< 000100017156728+81234567<"}})
	want := `{"valid":true,"type":"71","payment_id":"000100017156728","creditor":"81234567","error":""}` + "\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}

	rec = do(t, s, http.MethodGet, "/api/v1/validate/payment-slip")
	want = `{"valid":false,"type":"","payment_id":"","creditor":"","error":"Kodelinjen er tom"}` + "\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("missing code_line: body\n got %s\nwant %s", got, want)
	}
}

// RULE PAY-4: a code line pasted into a URL without encoding (its '+' signs
// arrive as spaces) is still read correctly; a properly encoded one is read
// as it is.
func TestValidatePaymentSlipUnencodedPlus(t *testing.T) {
	s := newTestServer(t)
	for _, target := range []string{
		"/api/v1/validate/payment-slip?code_line=+71<+000100017156728+81234567<",
		"/api/v1/validate/payment-slip?code_line=+71<%20000100017156728+81234567<",
		"/api/v1/validate/payment-slip?code_line=%2B71%3C+000100017156728%2B81234567%3C",
		"/api/v1/validate/payment-slip?code_line=%2B71%3C%20000100017156728%2B81234567%3C",
	} {
		t.Run(target, func(t *testing.T) {
			mustOutcome(t, do(t, s, http.MethodGet, target), map[string]any{
				"valid": true, "type": "71", "payment_id": "000100017156728", "creditor": "81234567", "error": "",
			})
		})
	}
	// Unencoded and wrong: the type is still recognised from the raw line.
	mustOutcome(t, do(t, s, http.MethodGet, "/api/v1/validate/payment-slip?code_line=+71<+000100017156729+81234567<"),
		map[string]any{"valid": false, "type": "71", "payment_id": "", "creditor": "", "error": anyString})
}

// RULE PAY-4: the types the API still reports for an invalid line are
// exactly the types dk accepts (dk refuses every other type as unknown).
func TestSlipTypesAgreeWithDK(t *testing.T) {
	for n := range 100 {
		typ := fmt.Sprintf("%02d", n)
		_, err := dk.ParseCodeLine("+" + typ + "<")
		unknown := strings.Contains(netbank.ErrorMessageOf(err), "Ukendt kortart")
		if known := slices.Contains(slipTypes, typ); known == unknown {
			t.Errorf("type %s: in slipTypes %v, but dk says %v", typ, known, err)
		}
	}
}
