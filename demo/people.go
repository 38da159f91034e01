package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/netbank/netbank/account"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
)

// Credentials is demo.json: what a tester needs to log in to the demo bank.
// It is written into the data directory in demo mode only, once, when the
// demo people are created (the PIN codes and passwords are stored hashed,
// so they cannot be recovered later).
type Credentials struct {
	// ZPK is the zone PIN key of the demo's card terminals (hex), added
	// with Cards by SeedCards (cards.go).
	ZPK           string          `json:"zpk,omitempty"`
	Users         []PrivateLogin  `json:"users"`
	BusinessUsers []BusinessLogin `json:"business_users"`
	Staff         []StaffLogin    `json:"staff"`
	// APITokens are the demo's API keys (apikeys.go), added by SeedAPIKeys.
	APITokens []APIToken `json:"api_tokens,omitempty"`
	// Cards are the demo's test cards, one per case of CardCases (cards.go).
	Cards []Card `json:"cards,omitempty"`
}

// FileName is the name of demo.json in the data directory.
const FileName = "demo.json"

// ReadCredentials reads demo.json from the data directory dir; when there
// is none the error wraps os.ErrNotExist.
func ReadCredentials(dir string) (Credentials, error) {
	var creds Credentials
	path := filepath.Join(dir, FileName)
	data, err := os.ReadFile(path)
	if err != nil {
		return creds, err
	}
	if err := json.Unmarshal(data, &creds); err != nil {
		return creds, fmt.Errorf("demo: %s: %w", path, err)
	}
	return creds, nil
}

// writeCredentials writes demo.json into dir, readable by the bank's user
// only.
func writeCredentials(dir string, creds Credentials) error {
	data, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, FileName), append(data, '\n'), 0o600)
}

// PrivateLogin is a private user's first-login letter.
type PrivateLogin struct {
	UserNumber string `json:"user_number"`
	PINCode    string `json:"pin_code"`
	Name       string `json:"name"`
}

// BusinessLogin is a business user's letter: user id, password, key card.
type BusinessLogin struct {
	UserID   string            `json:"user_id"`
	Password string            `json:"password"`
	Name     string            `json:"name"`
	Profile  string            `json:"profile"`
	KeyCard  map[string]string `json:"key_card"`
}

// StaffLogin is a staff member's username, password and TOTP secret (base32).
type StaffLogin struct {
	Username   string `json:"username"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
	Roles      string `json:"roles"`
}

// LinkAccounts gives the demo customers their accounts: each demo ledger
// account becomes an account of the customer named as its owner. It is
// idempotent.
func LinkAccounts(ctx context.Context, accounts *account.Service, id *identity.Service) error {
	for _, a := range Accounts {
		found, err := id.FindCustomers(ctx, a.Owner, 2)
		if err != nil {
			return err
		}
		if len(found) != 1 {
			return fmt.Errorf("demo: %d customers named %q", len(found), a.Owner)
		}
		if _, err := accounts.Link(ctx, found[0].ID, a.ID, a.Product, a.Name); err != nil {
			return err
		}
	}
	return nil
}

// person is a demo private customer.
type person struct {
	name, cpr, mobile, address, postcode, city, email string
}

var people = []person{
	{"Mette Kjær Nielsen", "150385-1234", "20 45 67 89", "Vestergade 12, 2. th.", "8000", "Aarhus C", "mette.kjaer@example.dk"},
	{"Lars Bo Jensen", "020779-2345", "31 22 44 66", "Nørrebrogade 144, 4. tv.", "2200", "København N", "larsbo@example.dk"},
	{"Sofie Andersen", "110702-4566", "42 18 90 12", "Kollegievej 3, værelse 214", "5230", "Odense M", "sofie.a@example.dk"},
	{"Freja Holm", "230913-4788", "", "Nørrebrogade 144, 4. tv.", "2200", "København N", ""},
}

// SeedPeople creates the demo customers, their users and the bank's demo
// staff, and writes demo.json into dataDir. It does nothing if the demo
// people exist already (demo.json from the first start stays).
func SeedPeople(ctx context.Context, id *identity.Service, dataDir string) (Credentials, error) {
	if found, err := id.FindCustomers(ctx, people[0].name, 1); err != nil {
		return Credentials{}, err
	} else if len(found) > 0 {
		creds, err := ReadCredentials(dataDir)
		if errors.Is(err, os.ErrNotExist) {
			return Credentials{}, nil
		}
		return creds, err
	}
	var creds Credentials
	for _, p := range people {
		c, err := id.CreateCustomer(ctx, identity.Customer{Kind: identity.PrivateCustomer, Name: p.name, CPR: p.cpr, Mobile: p.mobile,
			Address: p.address, Postcode: p.postcode, City: p.city, Email: p.email}, identity.System)
		if err != nil {
			return Credentials{}, err
		}
		u, pin, err := id.CreatePrivateUser(ctx, c.ID, "", identity.System)
		if err != nil {
			return Credentials{}, err
		}
		creds.Users = append(creds.Users, PrivateLogin{UserNumber: u.Login, PINCode: pin, Name: p.name})
	}
	biz, err := id.CreateCustomer(ctx, identity.Customer{Kind: identity.BusinessCustomer, Name: "Hansen & Søn Tømrer ApS", CVR: "25313763",
		Mobile: "86 12 34 56", Address: "Industrivej 8", Postcode: "8260", City: "Viby J", Email: "kontor@hansen-toemrer.example.dk"}, identity.System)
	if err != nil {
		return Credentials{}, err
	}
	for _, b := range []struct {
		login, name string
		profile     []identity.Permission
	}{
		{"jens.hansen", "Jens Hansen", []identity.Permission{identity.PermView, identity.PermCreate, identity.PermApprove, identity.PermAdmin}},
		{"pia.hansen", "Pia Hansen", []identity.Permission{identity.PermView, identity.PermCreate, identity.PermApprove}},
		{"bogholder", "Karin Mortensen", []identity.Permission{identity.PermView, identity.PermCreate}},
		{"revisor", "Ole Brandt", []identity.Permission{identity.PermView}},
	} {
		u, password, card, err := id.CreateBusinessUser(ctx, biz.ID, b.login, b.name, b.profile, identity.System)
		if err != nil {
			return Credentials{}, err
		}
		creds.BusinessUsers = append(creds.BusinessUsers, BusinessLogin{UserID: u.Login, Password: password, Name: b.name,
			Profile: profileString(b.profile), KeyCard: card.Codes})
	}
	for _, s := range []struct {
		username, name, password string
		roles                    []string
	}{
		{"admin", "Birgitte Lauridsen", "demo-admin-Netbank1", []string{identity.RoleAdmin}},
		{"support", "Kasper Thomsen", "demo-support-Netbank1", []string{identity.RoleSupport, identity.RoleContract}},
	} {
		_, secret, err := id.CreateStaff(ctx, s.username, s.name, s.password, s.roles, identity.System)
		if err != nil {
			return Credentials{}, err
		}
		creds.Staff = append(creds.Staff, StaffLogin{Username: s.username, Password: s.password, TOTPSecret: auth.Base32Secret(secret), Roles: strings.Join(s.roles, ",")})
	}
	return creds, writeCredentials(dataDir, creds)
}

func profileString(p []identity.Permission) string {
	s := make([]string, len(p))
	for i, q := range p {
		s[i] = string(q)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}
