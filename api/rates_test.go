package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/netbank/netbank/internal/testkit"
	"github.com/netbank/netbank/pricing"
)

// RULE PAY-5: GET /api/v1/rates answers the bank's current reference
// rates with the customer rates of the price list's margin, as exact
// decimals, without a login; the keys are those the document describes.
func TestRates_PAY5(t *testing.T) {
	db := testkit.OpenSQLite(t)
	clock := testkit.NewClock(time.Now())
	svc := pricing.New(db.Pricing(), pricing.Config{Clock: clock})
	srv := New(Config{Clock: clock, Pricing: svc})

	get := func() (int, map[string]any) {
		t.Helper()
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Prefix+"/rates", nil))
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("not JSON: %v: %s", err, rec.Body)
		}
		return rec.Code, body
	}
	status, body := get()
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	if body["per"] != 100.0 || body["margin_bp"] != 100.0 {
		t.Errorf("per/margin: %v", body)
	}
	rates := body["rates"].([]any)
	if len(rates) != 8 {
		t.Fatalf("%d rates, want the 8 of a fresh bank", len(rates))
	}
	byCur := map[string]map[string]any{}
	for _, r := range rates {
		m := r.(map[string]any)
		byCur[m["currency"].(string)] = m
	}
	for cur, want := range map[string][3]string{
		"EUR": {"746.1000", "753.5610", "738.6390"},
		"JPY": {"4.2330", "4.2753", "4.1907"},
		"SEK": {"67.8000", "68.4780", "67.1220"},
	} {
		got := byCur[cur]
		if got["reference"] != want[0] || got["sell"] != want[1] || got["buy"] != want[2] || got["stale"] != false {
			t.Errorf("%s: %v, want %v", cur, got, want)
		}
	}
	var keys []string
	for k := range byCur["EUR"] {
		keys = append(keys, k)
	}
	if len(keys) != 7 {
		t.Errorf("rate keys %v, want currency, reference, sell, buy, date, updated_at, stale", keys)
	}

	// A new rate and margin show at once; an old rate says it is stale.
	if err := svc.SetRate(t.Context(), "EUR", 7472500, "stf_test"); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetPrice(t.Context(), pricing.KeyFXMarginBP, 50, "stf_test"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(pricing.DefaultMaxAge + time.Hour)
	_, body = get()
	for _, r := range body["rates"].([]any) {
		m := r.(map[string]any)
		switch m["currency"] {
		case "EUR":
			want := map[string]any{"currency": "EUR", "reference": "747.2500", "sell": "750.9863", "buy": "743.5138",
				"date": m["date"], "updated_at": m["updated_at"], "stale": true}
			if !reflect.DeepEqual(m, want) {
				t.Errorf("EUR after a new rate: %v, want %v", m, want)
			}
		}
	}
	if body["margin_bp"] != 50.0 {
		t.Errorf("margin %v, want 50", body["margin_bp"])
	}

	// Without the price list: unavailable, in Danish.
	rec := httptest.NewRecorder()
	New(Config{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Prefix+"/rates", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("without pricing: %d %s", rec.Code, rec.Body)
	}
}

func TestDecimalRate(t *testing.T) {
	for rate, want := range map[int64]string{7461000: "746.1000", 42330: "4.2330", 1: "0.0001", 10000: "1.0000", 999: "0.0999"} {
		if got := decimalRate(rate); got != want {
			t.Errorf("decimalRate(%d) = %q, want %q", rate, got, want)
		}
	}
}
