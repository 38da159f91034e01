package web

// The price list and the exchange rates in the back office (package
// pricing; RULES PAY-5, CARD-5, CARD-6, CARD-8, CARD-19): administrators
// keep the reference rates current and change the prices.
//
//	GET  /backoffice/priser        the current rates (currency, rate, customer rates, date, by whom),
//	                               a form for a new rate, and the price list with a form per price;
//	                               ?historik=EUR adds the rate's earlier versions
//	POST /backoffice/priser/kurs   pricing.SetRateAs (currency, rate "746,12")
//	POST /backoffice/priser/pris   pricing.SetPriceAs (key, amount in the price's unit)
//
// Only the admin role reaches these pages (others get 403). Every change is
// audited by the pricing service in the same transaction as the change,
// with the staff member and the address as the actor; a refused change
// redraws the page with the service's Danish message (422).

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/audit"
	"github.com/netbank/netbank/identity"
	"github.com/netbank/netbank/pricing"
)

// boRateHistoryLimit is how many versions of a rate the history shows.
const boRateHistoryLimit = 20

// registerPricing adds the price list to the back office.
func (b *backoffice) registerPricing() {
	s := b.s
	admin := func(h http.HandlerFunc) http.Handler { return s.RequireStaff(identity.RoleAdmin, b.needPricing(h)) }
	s.Handle("GET /backoffice/priser", admin(b.pricingPage))
	s.Handle("POST /backoffice/priser/kurs", admin(b.setRate))
	s.Handle("POST /backoffice/priser/pris", admin(b.setPrice))
}

// needPricing answers "unavailable" when the server has no price list.
func (b *backoffice) needPricing(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if b.s.pricing == nil {
			b.s.Error(w, r, netbank.Errorf(netbank.EUNAVAILABLE, "back office without pricing"))
			return
		}
		h(w, r)
	}
}

// pricingActor is the staff member of the request as the price list
// records them.
func (b *backoffice) pricingActor(r *http.Request) pricing.Actor {
	a := b.actor(r)
	return pricing.Actor{ID: a.ID, Kind: audit.ActorStaff, IP: a.IP}
}

// boPricingView is the Data of bo_pricing.
type boPricingView struct {
	boBase
	Rates []boRateRow
	// Currencies can be given a rate: every known currency but DKK.
	Currencies []string
	Prices     []boPriceRow
	// MaxAgeDays is how many days a rate quotes (0: for ever); Margin the
	// transfer margin of the price list, as the customer rates use it.
	MaxAgeDays int
	Margin     string
	// Done and DoneArg are the flash after a change (catalog key, argument);
	// Error a refusal that belongs to no form.
	Done, DoneArg string
	Error         string
	// The rate form as typed, and its refusal.
	RateCurrency, RateValue, RateError string
	// History is the earlier versions of HistoryCurrency's rate.
	HistoryCurrency string
	History         []boRateRow
}

// boRateRow is one rate (or one version of it).
type boRateRow struct {
	Currency   string
	Rate       string // "746,1000"
	Sell, Buy  string // the customer rates at the margin
	Date       string
	UpdatedAt  string
	By         string
	Version    int64
	Stale      bool
	HistoryURL string
}

// boPriceRow is one price with its form.
type boPriceRow struct {
	Key         string
	Description string
	// UnitKey and UnitShortKey name the unit in the catalog; Text is the
	// price as people read it ("50,00 kr."), Input as the form shows it
	// ("50,00").
	UnitKey      string
	UnitShortKey string
	Text         string
	Input        string
	UpdatedAt    string
	By           string
	Error        string
}

// priceInput formats a price for its input field.
func priceInput(amount int64, unit string) string {
	if unit == pricing.UnitDKK {
		return netbank.FormatAmount(amount, 2)
	}
	return netbank.FormatAmount(amount, 0)
}

// pricingView loads the rates and the price list.
func (b *backoffice) pricingView(r *http.Request) (boPricingView, error) {
	ctx := r.Context()
	v := boPricingView{boBase: b.base(r, "pricing"), RateCurrency: "EUR"}
	board, err := b.s.pricing.RateBoard(ctx)
	if err != nil {
		return v, err
	}
	prices, err := b.s.pricing.Prices(ctx)
	if err != nil {
		return v, err
	}
	name := b.nameResolver(ctx)
	by := func(id string) string {
		switch {
		case id == "":
			return ""
		case id == audit.ActorSystem:
			return T(LangOf(r), "bo.pricing.system")
		}
		if n := name(id); n != "" {
			return n
		}
		return id
	}
	for _, l := range board {
		row := b.rateRow(l.Rate, by)
		row.Sell, row.Buy, row.Stale = pricing.FormatRate(l.Sell), pricing.FormatRate(l.Buy), l.Stale
		v.Rates = append(v.Rates, row)
	}
	for _, c := range netbank.Currencies() {
		if c.Code != "DKK" {
			v.Currencies = append(v.Currencies, c.Code)
		}
	}
	for _, p := range prices {
		v.Prices = append(v.Prices, boPriceRow{Key: p.Key, Description: p.Description, UnitKey: "bo.pricing.unit." + p.Unit,
			UnitShortKey: "bo.pricing.unitshort." + p.Unit,
			Text:         p.Text(), Input: priceInput(p.Amount, p.Unit), UpdatedAt: b.minute(p.UpdatedAt), By: by(p.UpdatedBy)})
		if p.Key == pricing.KeyFXMarginBP {
			v.Margin = p.Text()
		}
	}
	if age := b.s.pricing.MaxAge(); age > 0 {
		v.MaxAgeDays = int(age.Hours() / 24)
	}
	if cur := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("historik"))); cur != "" {
		if c, err := netbank.LookupCurrency(cur); err == nil {
			hist, err := b.s.pricing.RateHistory(ctx, c.Code, boRateHistoryLimit)
			if err != nil {
				return v, err
			}
			v.HistoryCurrency = c.Code
			for _, h := range hist {
				v.History = append(v.History, b.rateRow(h, by))
			}
		}
	}
	return v, nil
}

func (b *backoffice) rateRow(rt pricing.Rate, by func(string) string) boRateRow {
	return boRateRow{Currency: rt.Currency, Rate: rt.Text(), Date: rt.Date.Format("02.01.2006"), UpdatedAt: b.minute(rt.UpdatedAt),
		By: by(rt.UpdatedBy), Version: rt.Version,
		HistoryURL: boURL(boPath+"/priser", url.Values{"historik": {rt.Currency}}) + "#history"}
}

// pricingPage draws the rates and the price list.
func (b *backoffice) pricingPage(w http.ResponseWriter, r *http.Request) {
	v, err := b.pricingView(r)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	switch q.Get("besked") {
	case "kurs":
		if c, err := netbank.LookupCurrency(q.Get("valuta")); err == nil {
			v.Done, v.DoneArg = "bo.pricing.done.rate", c.Code
		}
	case "pris":
		if d, ok := pricing.Lookup(q.Get("pris")); ok {
			v.Done, v.DoneArg = "bo.pricing.done.price", d.Description
		}
	}
	b.s.Render(w, r, http.StatusOK, "bo_pricing", v)
}

// refused redraws the page with a refusal (422), or answers the error.
func (b *backoffice) pricingRefused(w http.ResponseWriter, r *http.Request, err error, fill func(*boPricingView)) {
	if netbank.ErrorCodeOf(err) != netbank.EINVALID {
		b.s.Error(w, r, err)
		return
	}
	v, verr := b.pricingView(r)
	if verr != nil {
		b.s.Error(w, r, verr)
		return
	}
	fill(&v)
	b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_pricing", v)
}

// setRate stores a new rate for a currency.
func (b *backoffice) setRate(w http.ResponseWriter, r *http.Request) {
	currency := strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency")))
	typed := cleanField(r.PostFormValue("rate"), 40)
	rate, err := pricing.ParseRate(typed)
	if err == nil {
		err = b.s.pricing.SetRateAs(r.Context(), currency, rate, b.pricingActor(r))
	}
	if err != nil {
		b.pricingRefused(w, r, err, func(v *boPricingView) {
			v.RateCurrency, v.RateValue, v.RateError = currency, typed, netbank.ErrorMessageOf(err)
		})
		return
	}
	http.Redirect(w, r, boURL(boPath+"/priser", url.Values{"besked": {"kurs"}, "valuta": {currency}}), http.StatusSeeOther)
}

// setPrice changes one price of the list.
func (b *backoffice) setPrice(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimSpace(r.PostFormValue("key"))
	typed := cleanField(r.PostFormValue("amount"), 40)
	d, ok := pricing.Lookup(key)
	var err error
	var amount int64
	switch {
	case !ok:
		err = netbank.Errorf(netbank.EINVALID, "Prislisten har ingen pris %q.", cleanField(key, 40))
	case d.Unit == pricing.UnitDKK:
		var m netbank.Money
		if m, err = netbank.ParseAmount(typed, "DKK"); err == nil {
			amount = m.Amount
		}
	default:
		var m netbank.Money
		if m, err = netbank.ParseAmount(typed, "JPY"); err != nil { // a whole number
			err = netbank.Errorf(netbank.EINVALID, "Skriv et helt tal, f.eks. 100.")
		}
		amount = m.Amount
	}
	if err == nil {
		err = b.s.pricing.SetPriceAs(r.Context(), key, amount, b.pricingActor(r))
	}
	if err != nil {
		b.pricingRefused(w, r, err, func(v *boPricingView) {
			for i := range v.Prices {
				if v.Prices[i].Key == key {
					v.Prices[i].Input, v.Prices[i].Error = typed, netbank.ErrorMessageOf(err)
				}
			}
			if !ok {
				v.Error = netbank.ErrorMessageOf(err)
			}
		})
		return
	}
	http.Redirect(w, r, boURL(boPath+"/priser", url.Values{"besked": {"pris"}, "pris": {key}})+"#price-"+key, http.StatusSeeOther)
}
