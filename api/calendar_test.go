package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/netbank/netbank"
)

// RULE CAL-1: the calendar endpoint tells bank days from the days that are
// not, with the Danish reason, and keeps "reason" for bank days too.
func TestCalendarAscension2026(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/v1/calendar", url.Values{"from": {"2026-05-13"}, "to": {"2026-05-18"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, body %s", rec.Code, rec.Body)
	}
	// The exact wire format, byte for byte.
	want := `{"days":[` +
		`{"date":"2026-05-13","bank_day":true,"reason":""},` +
		`{"date":"2026-05-14","bank_day":false,"reason":"Kristi himmelfartsdag"},` +
		`{"date":"2026-05-15","bank_day":false,"reason":"Fredag efter Kristi himmelfartsdag"},` +
		`{"date":"2026-05-16","bank_day":false,"reason":"Lørdag"},` +
		`{"date":"2026-05-17","bank_day":false,"reason":"Søndag"},` +
		`{"date":"2026-05-18","bank_day":true,"reason":""}` +
		`]}` + "\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
	m := mustDecodeStrict(t, rec)
	if len(m) != 1 {
		t.Errorf("top-level keys %v, want only days", keys(m))
	}
}

// RULE CAL-1: every other closing day, seen through the API.
func TestCalendarClosingDays(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		date, reason string
	}{
		{"2026-01-01", "Nytårsdag"},
		{"2026-04-02", "Skærtorsdag"},
		{"2026-04-03", "Langfredag"},
		{"2026-04-05", "Påskedag"},
		{"2026-04-06", "2. påskedag"},
		{"2026-05-24", "Pinsedag"},
		{"2026-05-25", "2. pinsedag"},
		{"2026-06-05", "Grundlovsdag"},
		{"2026-12-24", "Juleaftensdag"},
		{"2026-12-25", "Juledag"},
		{"2026-12-26", "2. juledag"},
		{"2026-12-31", "Nytårsaftensdag"},
	} {
		rec := get(t, s, "/api/v1/calendar", url.Values{"from": {tc.date}, "to": {tc.date}})
		var got struct {
			Days []struct {
				Date    string `json:"date"`
				BankDay bool   `json:"bank_day"`
				Reason  string `json:"reason"`
			} `json:"days"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d, %v: %s", tc.date, rec.Code, err, rec.Body)
		}
		if len(got.Days) != 1 || got.Days[0].Date != tc.date || got.Days[0].BankDay || got.Days[0].Reason != tc.reason {
			t.Errorf("%s: got %+v, want not a bank day because %q", tc.date, got.Days, tc.reason)
		}
	}
}

// RULE CAL-1: a range covers every date, both ends included, up to 3 years.
func TestCalendarRange(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/v1/calendar", url.Values{"from": {"2026-01-01"}, "to": {"2029-01-01"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("exactly 3 years: status %d, body %.300s", rec.Code, rec.Body)
	}
	var got calendarResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if n := len(got.Days); n != 3*365+1+1 { // 2028 is a leap year; both ends count
		t.Errorf("got %d days, want %d", n, 3*365+2)
	}
	if first, last := got.Days[0].Date, got.Days[len(got.Days)-1].Date; first != "2026-01-01" || last != "2029-01-01" {
		t.Errorf("range %s … %s", first, last)
	}
	bank := 0
	for _, d := range got.Days {
		if d.BankDay != (d.Reason == "") {
			t.Errorf("%s: bank_day %v but reason %q", d.Date, d.BankDay, d.Reason)
		}
		if d.BankDay {
			bank++
		}
	}
	if bank < 700 || bank > 770 {
		t.Errorf("%d bank days in three years; expected about 250 a year", bank)
	}
}

// RULE CAL-1: bad periods are refused with invalid and a message that says why.
func TestCalendarBadInput(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		name    string
		query   url.Values
		mention string // the message must contain this
	}{
		{"more than 3 years", url.Values{"from": {"2026-01-01"}, "to": {"2029-01-02"}}, "3 år"},
		{"far more than 3 years", url.Values{"from": {"1900-01-01"}, "to": {"2200-12-31"}}, "3 år"},
		{"missing from", url.Values{"to": {"2026-05-14"}}, "from"},
		{"missing to", url.Values{"from": {"2026-05-14"}}, "to"},
		{"nothing", nil, "from"},
		{"empty from", url.Values{"from": {""}, "to": {"2026-05-14"}}, "from"},
		{"malformed from", url.Values{"from": {"14-05-2026"}, "to": {"2026-05-14"}}, "from"},
		{"malformed to", url.Values{"from": {"2026-05-14"}, "to": {"2026-5-14"}}, "to"},
		{"impossible date", url.Values{"from": {"2026-02-29"}, "to": {"2026-03-01"}}, "from"},
		{"date and time", url.Values{"from": {"2026-05-14T00:00:00Z"}, "to": {"2026-05-14"}}, "from"},
		{"to before from", url.Values{"from": {"2026-05-15"}, "to": {"2026-05-14"}}, "før"},
		{"before 1900", url.Values{"from": {"1899-12-31"}, "to": {"1900-01-01"}}, "1900"},
		{"after 2200", url.Values{"from": {"2200-12-31"}, "to": {"2201-01-01"}}, "2200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, "/api/v1/calendar", tc.query)
			e := mustError(t, rec, http.StatusBadRequest, netbank.EINVALID)
			if msg, _ := e["message"].(string); !strings.Contains(msg, tc.mention) {
				t.Errorf("message %q does not mention %q", msg, tc.mention)
			}
		})
	}
}
