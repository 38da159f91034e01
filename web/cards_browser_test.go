package web_test

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/card"
	"github.com/netbank/netbank/demo"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/internal/testkit/browser"
)

// TestCardsInBrowser walks the cards of the demo bank in Chromium under the
// real CSP: Lars sees his lost card, its replacement and his daughter
// Freja's Visa Junior on his budget account (RULE CARD-12), opens Freja's
// card (no Visa Secure under 15, CARD-11; no gambling) and blocks it as
// stolen (CARD-14); then the support staff issue a card in the back
// office and get its PIN letter. Screenshots: artifacts/screenshots/cards-*.png.
func TestCardsInBrowser(t *testing.T) {
	dir := t.TempDir()
	a, err := app.New(context.Background(), app.Config{DataDir: dir, Demo: true, Identity: identity.Config{RateLimit: 10000},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ts := httptest.NewServer(a.Handler)
	t.Cleanup(ts.Close)
	bank := &browserBank{app: a, url: ts.URL}
	var creds demo.Credentials
	data, err := os.ReadFile(filepath.Join(dir, "demo.json"))
	if err == nil {
		err = json.Unmarshal(data, &creds)
	}
	if err != nil {
		t.Fatal(err)
	}
	lars := creds.Users[1]
	if lars.Name != "Lars Bo Jensen" {
		t.Fatalf("second demo user is %s", lars.Name)
	}
	junior, err := a.Cards.ByPAN(context.Background(), creds.Cards[4].PAN)
	if err != nil {
		t.Fatal(err)
	}
	file := bank.enrolledFile(t, lars.UserNumber, lars.PINCode, "lars2026ab", t.TempDir())

	b := browser.New(t)
	x := tab{t, b.Context()}
	x.open(bank.url + "/login")
	x.fill("#user-number", lars.UserNumber)
	x.click("#private-submit")
	x.wait("#usf-pick")
	x.upload("#usf-file", file)
	x.fill("#code", "lars2026ab")
	x.click("#signature-submit")
	x.wait("#welcome")

	x.click("#nav-cards")
	x.wait("#cards")
	x.wantBody("Kort", "Visa Junior", "Freja Holm (fuldmagt)", "Visa Debit", "Spærret", "Kortet er bortkommet", "Beløbsgrænser")
	x.shot("cards-01-list")

	x.click(`a.acc-name[href="/netbank/kort/` + junior.ID + `"]`)
	x.wait("#card-facts")
	x.wantBody("Visa Junior", "Freja Holm", "Kortholderen er under 15 år", "Ikke spil, væddemål", "Saldoen tjekkes altid")
	x.shot("cards-02-junior")

	x.click("#nav-cards")
	x.wait("#block-cards-link")
	x.click("#block-cards-link")
	x.wait("#block-" + junior.ID)
	x.shot("cards-03-block")
	x.click("#block-" + junior.ID + ` input[value="stolen"]`)
	x.click("#block-" + junior.ID + ` button[type="submit"]`)
	x.wait("#card-blocked-done")
	x.wantBody("er spærret", "Kortet er stjålet")
	x.shot("cards-04-blocked")
	if c, _ := a.Cards.Card(context.Background(), junior.ID); c.Status != card.Blocked || c.BlockReason != card.ReasonStolen {
		t.Fatalf("junior card %s %s", c.Status, c.BlockReason)
	}

	// The back office: support finds Sofie and issues a card.
	var support demo.StaffLogin
	for _, s := range creds.Staff {
		if s.Username == "support" {
			support = s
		}
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(support.TOTPSecret, "="))
	if err != nil {
		t.Fatal(err)
	}
	s := tab{t, browser.New(t).Context()}
	s.open(bank.url + "/backoffice/login")
	s.fill("#username", support.Username)
	s.fill("#password", support.Password)
	s.fill("#totp", auth.TOTPCode(secret, time.Now()))
	s.click("#login-submit")
	s.wait("#staff-name")
	s.click("#nav-cards")
	s.wait("#q")
	s.fill("#q", "Sofie Andersen")
	s.click("#search-submit")
	s.wait("#results")
	s.click(`#results a.bo-strong-link`)
	s.wait("#issue-form")
	s.wantBody("Sofie Andersen", "Visa Basis", "Udløbet", "Bestilt – ikke aktiveret", "Udsted kort")
	s.shot("cards-05-backoffice")
	s.click("#issue-submit")
	s.wait("#pin-letter")
	s.wantBody("Din PIN-kode til Visa Debit", "Til kortproduktionen", "CVV2")
	if pin := s.text("#pin"); !regexp.MustCompile(`^\d{4}$`).MatchString(pin) {
		t.Errorf("PIN %q", pin)
	}
	s.shot("cards-06-pin-letter")
}
