package demo

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/identity"
)

// The demo's partner keys: the clearing that delivers payments from other
// banks, a creditor with one creditor number, and a web shop using Visa
// Secure.
const (
	// APIClearingName names the demo's clearing partner key.
	APIClearingName = "Demo-clearing"
	// APICreditorName and APICreditor are the demo creditor of the
	// creditor key: 8 digits starting with 8, so it serves both as a
	// Betalingsservice PBS number and as an FI creditor number (+71).
	APICreditorName = "Ørsted Salg & Service (demo)"
	APICreditor     = "81234567"
	// APIMerchantName names the merchant key: a web shop that starts Visa
	// Secure authentications (CARD-11) and asks the block register
	// (CARD-16); `netbank terminal ecommerce` uses it.
	APIMerchantName = "Elgiganten Online (demo)"
	// APIKeyName names the first private user's customer key.
	APIKeyName = "Demo-nøgle"
)

// APIToken is one API key of the demo bank as demo.json lists it: the
// token (shown nowhere else) and whose it is.
type APIToken struct {
	// Kind is "customer", "clearing", "creditor" or "merchant" (apikey.Kind).
	Kind string `json:"kind"`
	// UserNumber is the user a customer key acts as.
	UserNumber string `json:"user_number,omitempty"`
	// Name is a partner key's name.
	Name string `json:"name,omitempty"`
	// CreditorNumber is a creditor key's creditor number.
	CreditorNumber string `json:"creditor_number,omitempty"`
	Token          string `json:"token"`
}

// Token returns the first token of kind k in demo.json ("" if none).
func (c Credentials) Token(k apikey.Kind) string {
	for _, t := range c.APITokens {
		if t.Kind == string(k) {
			return t.Token
		}
	}
	return ""
}

// SeedAPIKeys gives the demo bank API keys and adds them to demo.json
// under "api_tokens", in this order: a customer key of the first private
// user, a clearing partner key, a creditor partner key (creditor
// APICreditor) and a merchant partner key (APIMerchantName), each valid
// for a year. It runs after SeedPeople and does nothing when demo.json is
// absent (not the demo's first start); a kind demo.json lists already is
// not made again, so a demo bank from before a kind existed gets just the
// new one. Only the token's hash is kept in the bank, so demo.json is the
// one place a token can be read.
func SeedAPIKeys(ctx context.Context, keys *apikey.Service, id *identity.Service, clock netbank.Clock, dataDir string) error {
	creds, err := ReadCredentials(dataDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if clock == nil {
		clock = netbank.SystemClock{}
	}
	expires := apikey.MaxLifetime(clock.Now().UTC().Truncate(time.Microsecond))
	added := false
	for _, p := range []apikey.PartnerRequest{
		{Kind: apikey.Customer},
		{Kind: apikey.Clearing, Name: APIClearingName},
		{Kind: apikey.Creditor, Name: APICreditorName, Creditors: []string{APICreditor}},
		{Kind: apikey.Merchant, Name: APIMerchantName},
	} {
		if creds.Token(p.Kind) != "" {
			continue
		}
		p.Expires = expires
		tok, err := newKey(ctx, keys, id, creds, p)
		if err != nil {
			return err
		}
		creds.APITokens, added = append(creds.APITokens, tok), true
	}
	if !added {
		return nil
	}
	return writeCredentials(dataDir, creds)
}

// newKey makes the demo key p describes: for apikey.Customer the first
// private user's key, for a partner kind a partner key.
func newKey(ctx context.Context, keys *apikey.Service, id *identity.Service, creds Credentials, p apikey.PartnerRequest) (APIToken, error) {
	if p.Kind != apikey.Customer {
		_, tok, err := keys.CreatePartner(ctx, p, identity.System)
		out := APIToken{Kind: string(p.Kind), Name: p.Name, Token: tok}
		if len(p.Creditors) > 0 {
			out.CreditorNumber = p.Creditors[0]
		}
		return out, err
	}
	if len(creds.Users) == 0 {
		return APIToken{}, errors.New("demo: demo.json lists no private user for an API key")
	}
	u, err := id.UserByLogin(ctx, creds.Users[0].UserNumber)
	if err != nil {
		return APIToken{}, err
	}
	_, tok, err := keys.CreateForUser(ctx, u.ID, APIKeyName, p.Expires, identity.System)
	return APIToken{Kind: string(apikey.Customer), UserNumber: u.Login, Token: tok}, err
}
