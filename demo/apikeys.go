package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/apikey"
	"github.com/netbank/netbank/identity"
)

// The demo's partner keys: the clearing that delivers payments from other
// banks, and a creditor with one creditor number.
const (
	// APIClearingName names the demo's clearing partner key.
	APIClearingName = "Demo-clearing"
	// APICreditorName and APICreditor are the demo creditor of the
	// creditor key: 8 digits starting with 8, so it serves both as a
	// Betalingsservice PBS number and as an FI creditor number (+71).
	APICreditorName = "Ørsted Salg & Service (demo)"
	APICreditor     = "81234567"
	// APIKeyName names the first private user's customer key.
	APIKeyName = "Demo-nøgle"
)

// APIToken is one API key of the demo bank as demo.json lists it: the
// token (shown nowhere else) and whose it is.
type APIToken struct {
	// Kind is "customer", "clearing" or "creditor" (apikey.Kind).
	Kind string `json:"kind"`
	// UserNumber is the user a customer key acts as.
	UserNumber string `json:"user_number,omitempty"`
	// Name is a partner key's name.
	Name string `json:"name,omitempty"`
	// CreditorNumber is a creditor key's creditor number.
	CreditorNumber string `json:"creditor_number,omitempty"`
	Token          string `json:"token"`
}

// SeedAPIKeys gives the demo bank API keys and adds them to demo.json
// under "api_tokens": a customer key of the first private user, a
// clearing partner key and a creditor partner key (creditor APICreditor),
// each valid for a year. It runs after SeedPeople and does nothing when
// demo.json is absent (not the demo's first start) or lists keys already;
// only the token's hash is kept in the bank, so demo.json is the one place
// a token can be read.
func SeedAPIKeys(ctx context.Context, keys *apikey.Service, id *identity.Service, clock netbank.Clock, dataDir string) error {
	path := filepath.Join(dataDir, "demo.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var creds Credentials
	if err := json.Unmarshal(data, &creds); err != nil {
		return fmt.Errorf("demo: %s: %w", path, err)
	}
	if len(creds.APITokens) > 0 {
		return nil
	}
	if len(creds.Users) == 0 {
		return fmt.Errorf("demo: %s lists no private user for an API key", path)
	}
	if clock == nil {
		clock = netbank.SystemClock{}
	}
	expires := apikey.MaxLifetime(clock.Now().UTC().Truncate(time.Microsecond))
	u, err := id.UserByLogin(ctx, creds.Users[0].UserNumber)
	if err != nil {
		return err
	}
	_, tok, err := keys.CreateForUser(ctx, u.ID, APIKeyName, expires, identity.System)
	if err != nil {
		return err
	}
	creds.APITokens = append(creds.APITokens, APIToken{Kind: string(apikey.Customer), UserNumber: u.Login, Token: tok})
	_, tok, err = keys.CreatePartner(ctx, apikey.PartnerRequest{Kind: apikey.Clearing, Name: APIClearingName, Expires: expires}, identity.System)
	if err != nil {
		return err
	}
	creds.APITokens = append(creds.APITokens, APIToken{Kind: string(apikey.Clearing), Name: APIClearingName, Token: tok})
	_, tok, err = keys.CreatePartner(ctx, apikey.PartnerRequest{Kind: apikey.Creditor, Name: APICreditorName,
		Creditors: []string{APICreditor}, Expires: expires}, identity.System)
	if err != nil {
		return err
	}
	creds.APITokens = append(creds.APITokens, APIToken{Kind: string(apikey.Creditor), Name: APICreditorName,
		CreditorNumber: APICreditor, Token: tok})
	out, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(out, '\n'), 0o600)
}
