package web

import (
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/netbank/netbank"
	"github.com/netbank/netbank/auth"
	"github.com/netbank/netbank/identity"
)

// ---- creating a customer ----

// boCustomerForm is the customer form as entered, kept when it is shown
// again with errors.
type boCustomerForm struct {
	Business                                               bool
	Name, CPR, CVR, Mobile, Address, Postcode, City, Email string
}

// boFormErrors maps a field name to the catalog key of its error.
type boFormErrors map[string]string

// boNewCustomerView is the Data of bo_customer_new.
type boNewCustomerView struct {
	boBase
	Form   boCustomerForm
	Errors boFormErrors
	// General is a catalog key of an error that belongs to no field, or
	// Message a text from the bank's rules (Danish only).
	General string
	Message string
}

// newCustomerPage draws the empty form for a private customer, or for a
// business with ?type=erhverv.
func (b *backoffice) newCustomerPage(w http.ResponseWriter, r *http.Request) {
	v := boNewCustomerView{boBase: b.base(r, "new"), Form: boCustomerForm{Business: r.URL.Query().Get("type") == "erhverv"}}
	b.s.Render(w, r, http.StatusOK, "bo_customer_new", v)
}

// createCustomer validates the form field by field (Danish messages next to
// each field, the entered values kept) and creates the customer.
func (b *backoffice) createCustomer(w http.ResponseWriter, r *http.Request) {
	f := boCustomerForm{
		Business: r.PostFormValue("kind") == "business",
		Name:     strings.TrimSpace(r.PostFormValue("name")),
		CPR:      strings.TrimSpace(r.PostFormValue("cpr")),
		CVR:      strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("cvr")), " ", ""),
		Mobile:   strings.TrimSpace(r.PostFormValue("mobile")),
		Address:  strings.TrimSpace(r.PostFormValue("address")),
		Postcode: strings.TrimSpace(r.PostFormValue("postcode")),
		City:     strings.TrimSpace(r.PostFormValue("city")),
		Email:    strings.TrimSpace(r.PostFormValue("email")),
	}
	v := boNewCustomerView{boBase: b.base(r, "new"), Form: f, Errors: f.validate()}
	if len(v.Errors) > 0 {
		b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_customer_new", v)
		return
	}
	c := identity.Customer{Kind: identity.PrivateCustomer, Name: f.Name, CPR: f.CPR, Mobile: f.Mobile,
		Address: f.Address, Postcode: f.Postcode, City: f.City, Email: f.Email}
	if f.Business {
		c.Kind, c.CPR, c.CVR = identity.BusinessCustomer, "", f.CVR
	}
	c, err := b.s.identity.CreateCustomer(r.Context(), c, b.actor(r))
	switch netbank.ErrorCodeOf(err) {
	case "":
		http.Redirect(w, r, boPath+"/kunder/"+url.PathEscape(c.ID)+"?besked=oprettet", http.StatusSeeOther)
	case netbank.ECONFLICT:
		v.Errors = boFormErrors{"cpr": "bo.err.cpr.taken"}
		b.s.Render(w, r, http.StatusConflict, "bo_customer_new", v)
	case netbank.EINVALID:
		// The form checks what the rules check; this is a rule the form
		// does not know yet. Its message is safe to show.
		v.General, v.Message = "bo.err.general", netbank.ErrorMessageOf(err)
		b.s.Render(w, r, http.StatusUnprocessableEntity, "bo_customer_new", v)
	default:
		b.s.Error(w, r, err)
	}
}

// validate checks the form as the identity service will, but field by
// field, and returns the errors by field.
func (f boCustomerForm) validate() boFormErrors {
	errs := boFormErrors{}
	tooLong := func(s string) bool { return utf8.RuneCountInString(s) > 200 }
	if f.Name == "" {
		errs["name"] = "bo.err.name.missing"
	} else if tooLong(f.Name) {
		errs["name"] = "bo.err.toolong"
	}
	if f.Business {
		switch {
		case f.CVR == "":
			errs["cvr"] = "bo.err.cvr.missing"
		case len(f.CVR) != 8 || strings.Trim(f.CVR, "0123456789") != "" || f.CVR[0] == '0':
			errs["cvr"] = "bo.err.cvr.format"
		case identity.ValidateCVR(f.CVR) != nil:
			errs["cvr"] = "bo.err.cvr.check"
		}
	} else {
		n := strings.ReplaceAll(f.CPR, "-", "")
		switch {
		case f.CPR == "":
			errs["cpr"] = "bo.err.cpr.missing"
		case len(n) != 10 || strings.Trim(n, "0123456789") != "":
			errs["cpr"] = "bo.err.cpr.format"
		default:
			if _, err := identity.ParseCPR(f.CPR); err != nil {
				errs["cpr"] = "bo.err.cpr.date"
			}
		}
	}
	if f.Mobile != "" {
		m := strings.TrimPrefix(strings.NewReplacer(" ", "", "-", "").Replace(f.Mobile), "+45")
		if len(m) != 8 || strings.Trim(m, "0123456789") != "" {
			errs["mobile"] = "bo.err.mobile"
		}
	}
	// The address is where the PIN letter and the key card go.
	if f.Address == "" {
		errs["address"] = "bo.err.address.missing"
	} else if tooLong(f.Address) {
		errs["address"] = "bo.err.toolong"
	}
	if len(f.Postcode) != 4 || strings.Trim(f.Postcode, "0123456789") != "" {
		errs["postcode"] = "bo.err.postcode"
	}
	if f.City == "" {
		errs["city"] = "bo.err.city.missing"
	} else if tooLong(f.City) {
		errs["city"] = "bo.err.toolong"
	}
	if f.Email != "" {
		if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email || tooLong(f.Email) {
			errs["email"] = "bo.err.email"
		}
	}
	return errs
}

// ---- the customer card ----

// boCustomerView is the Data of bo_customer.
type boCustomerView struct {
	boBase
	Customer boCustomerDetails
	Users    []boUserRow
	// HasUser is set when a private customer has a user already.
	HasUser bool
	// Flash is the catalog key of a note after an action (?besked=).
	Flash     string
	FlashBad  bool
	BizForm   boBusinessUserForm
	BizErrors boFormErrors
	BizError  string
	// Perms lists the permissions of a business user profile (BIZ-5).
	Perms []boPerm
	// Inbox is the card's sections "Beskeder" and "Kontrakter"
	// (backoffice_inbox.go); nil without an inbox.
	Inbox *boCardInbox
}

// boCustomerDetails is the customer as the card shows it.
type boCustomerDetails struct {
	boCustomerRow
	CPRFull   bool
	BirthDate string
	Age       int
	Mobile    string
	Email     string
	Address   string
	Postcode  string
	City      string
	CreatedAt string
}

// boUserRow is one user on the customer card.
type boUserRow struct {
	ID, Login, Name string
	Business        bool
	Status          identity.UserStatus
	StatusKey       string
	// Tone colours the status: ok, wait, bad, off.
	Tone string
	// ProfileKeys are the catalog keys of a business user's permissions.
	ProfileKeys   []string
	CreatedAt     string
	BlockedAt     string
	PINExpiresAt  string
	CanUnblock    bool
	SignatureFile string
}

// boPerm is one permission checkbox of the business user form.
type boPerm struct {
	Value   string
	Key     string
	HintKey string
	Checked bool
}

// boBusinessUserForm is the business user form as entered.
type boBusinessUserForm struct {
	Login, Name string
	Profile     []string
}

// boStatus maps a user status to its catalog key and tone.
func boStatus(u identity.User) (key, tone string) {
	switch u.Status {
	case identity.PINIssued:
		return "bo.status.pin_issued", "wait"
	case identity.Active:
		return "bo.status.active", "ok"
	case identity.SignatureBlocked:
		if u.Kind == identity.BusinessUser {
			return "bo.status.attempts_blocked", "bad"
		}
		return "bo.status.signature_blocked", "bad"
	case identity.SelfBlocked:
		return "bo.status.self_blocked", "bad"
	case identity.Disabled:
		return "bo.status.disabled", "off"
	}
	return "bo.status.unknown", "off"
}

// boFlashes are the notes the card may show after an action, by ?besked=.
var boFlashes = map[string]struct {
	key string
	bad bool
}{
	"oprettet":      {"bo.flash.created", false},
	"ophaevet":      {"bo.flash.unblocked", false},
	"ikke-spaerret": {"bo.flash.notblocked", true},
	"signatur":      {"bo.flash.needpin", true},
	"har-bruger":    {"bo.flash.hasuser", true},
}

// customerCard shows a customer, the users and what staff can do for them.
// Viewing it is audited (it shows personal data); the full CPR number is
// shown to administrators only.
func (b *backoffice) customerCard(w http.ResponseWriter, r *http.Request) {
	v, err := b.cardView(r, r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	if f, ok := boFlashes[r.URL.Query().Get("besked")]; ok {
		v.Flash, v.FlashBad = f.key, f.bad
	}
	if v.Customer.Business {
		v.BizForm.Profile = []string{string(identity.PermView)}
		v.Perms = boPerms(v.BizForm.Profile)
	}
	b.s.Render(w, r, http.StatusOK, "bo_customer", v)
}

// cardView loads a customer card and records the look-up in the audit log.
func (b *backoffice) cardView(r *http.Request, id string) (boCustomerView, error) {
	ctx := r.Context()
	c, err := b.s.identity.Customer(ctx, id)
	if err != nil {
		return boCustomerView{}, err
	}
	users, err := b.s.identity.UsersOfCustomer(ctx, c.ID)
	if err != nil {
		return boCustomerView{}, err
	}
	v := boCustomerView{boBase: b.base(r, "customers")}
	full := v.IsAdmin()
	view := "masked"
	if full && c.Kind == identity.PrivateCustomer {
		view = "full"
	}
	if err := b.record(r, "customer.viewed", c.ID, map[string]string{"cpr": view}); err != nil {
		return boCustomerView{}, err
	}
	v.Customer = boCustomerDetails{boCustomerRow: boRow(c, full), CPRFull: full, Mobile: c.Mobile, Email: c.Email,
		Address: c.Address, Postcode: c.Postcode, City: c.City, CreatedAt: b.date(c.CreatedAt)}
	if !c.BirthDate.IsZero() {
		v.Customer.BirthDate, v.Customer.Age = b.date(c.BirthDate), c.Age(b.s.clock.Now())
	}
	for _, u := range users {
		row := boUserRow{ID: u.ID, Login: u.Login, Name: u.Name, Business: u.Kind == identity.BusinessUser, Status: u.Status,
			CreatedAt: b.date(u.CreatedAt), BlockedAt: b.dateTime(u.BlockedAt)}
		row.StatusKey, row.Tone = boStatus(u)
		switch {
		case row.Business:
			row.CanUnblock = u.Status == identity.SelfBlocked || u.Status == identity.SignatureBlocked
			for _, p := range u.Profile {
				row.ProfileKeys = append(row.ProfileKeys, "bo.perm."+string(p))
			}
		default:
			// AUTH-5: a blocked signature is lifted by a new PIN letter only.
			row.CanUnblock = u.Status == identity.SelfBlocked
			row.SignatureFile = auth.SignatureFileName(u.Login)
			if u.Status == identity.PINIssued {
				row.PINExpiresAt = b.date(u.PINExpiresAt)
			}
			if u.Status != identity.Disabled {
				v.HasUser = true
			}
		}
		v.Users = append(v.Users, row)
	}
	if v.Inbox, err = b.cardInbox(r, c.ID); err != nil {
		return boCustomerView{}, err
	}
	return v, nil
}

// boPerms lists the permissions (BIZ-5) with the checked ones marked.
func boPerms(checked []string) []boPerm {
	var out []boPerm
	for _, p := range []identity.Permission{identity.PermView, identity.PermCreate, identity.PermApprove, identity.PermAdmin} {
		out = append(out, boPerm{Value: string(p), Key: "bo.perm." + string(p), HintKey: "bo.perm." + string(p) + ".hint",
			Checked: slices.Contains(checked, string(p))})
	}
	return out
}

// ---- users ----

// createUser gives the customer a net bank user: a private user with a PIN
// letter (AUTH-1), or a business user with a password letter and a key
// card (BIZ-1, BIZ-5).
func (b *backoffice) createUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, err := b.s.identity.Customer(ctx, r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	if c.Kind == identity.PrivateCustomer {
		// One net bank user per private customer. This also keeps a
		// reloaded letter page (the browser sends the form again) from
		// making a second user.
		users, err := b.s.identity.UsersOfCustomer(ctx, c.ID)
		if err != nil {
			b.s.Error(w, r, err)
			return
		}
		for _, u := range users {
			if u.Status != identity.Disabled {
				http.Redirect(w, r, cardURL(c.ID, "har-bruger", u.ID), http.StatusSeeOther)
				return
			}
		}
		u, pin, err := b.s.identity.CreatePrivateUser(ctx, c.ID, "", b.actor(r))
		if err != nil {
			b.s.Error(w, r, err)
			return
		}
		b.pinLetter(w, r, c, u, pin, false)
		return
	}

	form := boBusinessUserForm{
		Login:   strings.ToLower(strings.TrimSpace(r.PostFormValue("login"))),
		Name:    strings.TrimSpace(r.PostFormValue("name")),
		Profile: r.PostForm["profile"],
	}
	errs := form.validate()
	var general string
	if len(errs) == 0 {
		profile := make([]identity.Permission, 0, len(form.Profile))
		for _, p := range form.Profile {
			profile = append(profile, identity.Permission(p))
		}
		u, password, card, err := b.s.identity.CreateBusinessUser(ctx, c.ID, form.Login, form.Name, profile, b.actor(r))
		switch netbank.ErrorCodeOf(err) {
		case "":
			b.businessLetter(w, r, c, u, password, &card)
			return
		case netbank.ECONFLICT:
			errs["login"] = "bo.err.login.taken"
		case netbank.EINVALID:
			general = netbank.ErrorMessageOf(err)
		default:
			b.s.Error(w, r, err)
			return
		}
	}
	v, err := b.cardView(r, c.ID)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	v.BizForm, v.BizErrors, v.BizError, v.Perms = form, errs, general, boPerms(form.Profile)
	status := http.StatusUnprocessableEntity
	if errs["login"] == "bo.err.login.taken" {
		status = http.StatusConflict
	}
	b.s.Render(w, r, status, "bo_customer", v)
}

// validate checks a business user form as the identity service will.
func (f boBusinessUserForm) validate() boFormErrors {
	errs := boFormErrors{}
	switch {
	case f.Login == "":
		errs["login"] = "bo.err.login.missing"
	case len(f.Login) < 3 || len(f.Login) > 32:
		errs["login"] = "bo.err.login.length"
	case strings.Trim(f.Login, "abcdefghijklmnopqrstuvwxyz0123456789._-") != "":
		errs["login"] = "bo.err.login.chars"
	case strings.Trim(f.Login, "0123456789") == "":
		errs["login"] = "bo.err.login.digits"
	}
	if f.Name == "" {
		errs["name"] = "bo.err.name.missing"
	} else if utf8.RuneCountInString(f.Name) > 200 {
		errs["name"] = "bo.err.toolong"
	}
	if len(f.Profile) == 0 {
		errs["profile"] = "bo.err.profile"
	}
	for _, p := range f.Profile {
		switch identity.Permission(p) {
		case identity.PermView, identity.PermCreate, identity.PermApprove, identity.PermAdmin:
		default:
			errs["profile"] = "bo.err.profile"
		}
	}
	return errs
}

// userAndCustomer loads a user of the path and the user's customer.
func (b *backoffice) userAndCustomer(r *http.Request) (identity.User, identity.Customer, error) {
	u, err := b.s.identity.User(r.Context(), r.PathValue("id"))
	if err != nil {
		return identity.User{}, identity.Customer{}, err
	}
	c, err := b.s.identity.Customer(r.Context(), u.CustomerID)
	return u, c, err
}

// cardURL is the customer card of a user, with a note and the user's row.
func cardURL(customerID, flash, userID string) string {
	u := boURL(boPath+"/kunder/"+url.PathEscape(customerID), url.Values{"besked": {flash}})
	if userID != "" {
		u += "#bruger-" + userID
	}
	return u
}

// userRedirect sends a user's link (from the audit log) to the card.
func (b *backoffice) userRedirect(w http.ResponseWriter, r *http.Request) {
	u, err := b.s.identity.User(r.Context(), r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, boPath+"/kunder/"+url.PathEscape(u.CustomerID)+"#bruger-"+u.ID, http.StatusSeeOther)
}

// issuePIN sends a private user a new PIN letter: it lifts a blocked
// signature (AUTH-5) and answers a forgotten signature code; every copy of
// the old signature file stops working (AUTH-6).
func (b *backoffice) issuePIN(w http.ResponseWriter, r *http.Request) {
	u, c, err := b.userAndCustomer(r)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	if u.Status == identity.SignatureBlocked {
		// The PIN lifts the block: the user's API keys stay revoked.
		if err := b.revokeAPIKeys(r, u.ID, "signature unblocked by a new PIN code"); err != nil {
			b.s.Error(w, r, err)
			return
		}
	}
	pin, err := b.s.identity.IssuePIN(r.Context(), u.ID, b.actor(r))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	if u, err = b.s.identity.User(r.Context(), u.ID); err != nil {
		b.s.Error(w, r, err)
		return
	}
	b.pinLetter(w, r, c, u, pin, true)
}

// unblockUser lifts a block the user chose (AUTH-9: only the bank lifts
// it) or a business user's block after failed attempts.
func (b *backoffice) unblockUser(w http.ResponseWriter, r *http.Request) {
	u, err := b.s.identity.User(r.Context(), r.PathValue("id"))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	flash := "ophaevet"
	switch {
	case u.Kind == identity.PrivateUser && u.Status == identity.SignatureBlocked:
		flash = "signatur"
	case u.Status != identity.SelfBlocked && u.Status != identity.SignatureBlocked:
		flash = "ikke-spaerret"
	default:
		// API keys made before the block stay dead: revoked before the
		// block is lifted (a block the user's keys never saw would
		// otherwise leave them working).
		if err := b.revokeAPIKeys(r, u.ID, "user unblocked by the bank"); err != nil {
			b.s.Error(w, r, err)
			return
		}
		if err := b.s.identity.Unblock(r.Context(), u.ID, b.actor(r)); err != nil {
			b.s.Error(w, r, err)
			return
		}
	}
	http.Redirect(w, r, cardURL(u.CustomerID, flash, u.ID), http.StatusSeeOther)
}

// revokeAPIKeys revokes every API key of a user whose block the bank lifts
// (AUTH-5, AUTH-9): a key must not come back to life with the user.
func (b *backoffice) revokeAPIKeys(r *http.Request, userID, reason string) error {
	if b.s.apikeys == nil {
		return nil
	}
	return b.s.apikeys.RevokeUser(r.Context(), userID, b.actor(r), reason)
}

// issueKeyCard gives a business user a new key card; the old card (or key
// app) stops working.
func (b *backoffice) issueKeyCard(w http.ResponseWriter, r *http.Request) {
	u, c, err := b.userAndCustomer(r)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	card, err := b.s.identity.IssueKeyCard(r.Context(), u.ID, b.actor(r))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	b.businessLetter(w, r, c, u, "", &card)
}

// issuePassword gives a business user a new password letter.
func (b *backoffice) issuePassword(w http.ResponseWriter, r *http.Request) {
	u, c, err := b.userAndCustomer(r)
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	password, err := b.s.identity.IssuePassword(r.Context(), u.ID, b.actor(r))
	if err != nil {
		b.s.Error(w, r, err)
		return
	}
	b.businessLetter(w, r, c, u, password, nil)
}

// ---- letters ----

// boRecipient is the address block of a letter.
type boRecipient struct {
	Name, Attention, Address, Postcode, City string
}

// boPINLetterView is the Data of bo_pin_letter.
type boPINLetterView struct {
	boBase
	CustomerID    string
	UserID        string
	To            boRecipient
	UserNumber    string
	PIN           string
	Date          string
	ExpiresAt     string
	SignatureFile string
	// Reissue is set for a new PIN to an existing user.
	Reissue bool
}

// pinLetter draws the printable PIN letter. The PIN is in it once: the
// bank keeps only its hash.
func (b *backoffice) pinLetter(w http.ResponseWriter, r *http.Request, c identity.Customer, u identity.User, pin string, reissue bool) {
	b.s.Render(w, r, http.StatusOK, "bo_pin_letter", boPINLetterView{
		boBase:     b.base(r, "customers"),
		CustomerID: c.ID, UserID: u.ID,
		To:         boRecipient{Name: c.Name, Address: c.Address, Postcode: c.Postcode, City: c.City},
		UserNumber: u.Login, PIN: pin,
		Date: b.date(b.s.clock.Now()), ExpiresAt: b.date(u.PINExpiresAt),
		SignatureFile: auth.SignatureFileName(u.Login),
		Reissue:       reissue,
	})
}

// boKeyPair is one key number and its code on a key card.
type boKeyPair struct{ Key, Code string }

// boBusinessLetterView is the Data of bo_business_letter: a password
// letter, a key card, or both (a new business user).
type boBusinessLetterView struct {
	boBase
	CustomerID string
	UserID     string
	To         boRecipient
	UserLogin  string
	Password   string
	Serial     string
	Pairs      []boKeyPair
	Date       string
	// Profile keys of the user's permissions.
	ProfileKeys []string
}

// businessLetter draws the printable password letter and/or key card.
func (b *backoffice) businessLetter(w http.ResponseWriter, r *http.Request, c identity.Customer, u identity.User, password string, card *auth.KeyCard) {
	v := boBusinessLetterView{
		boBase:     b.base(r, "customers"),
		CustomerID: c.ID, UserID: u.ID,
		To:        boRecipient{Name: c.Name, Attention: u.Name, Address: c.Address, Postcode: c.Postcode, City: c.City},
		UserLogin: u.Login, Password: password,
		Date: b.date(b.s.clock.Now()),
	}
	for _, p := range u.Profile {
		v.ProfileKeys = append(v.ProfileKeys, "bo.perm."+string(p))
	}
	if card != nil {
		v.Serial = card.Serial
		for k, code := range card.Codes {
			v.Pairs = append(v.Pairs, boKeyPair{Key: k, Code: code})
		}
		sort.Slice(v.Pairs, func(i, j int) bool { return v.Pairs[i].Key < v.Pairs[j].Key })
	}
	b.s.Render(w, r, http.StatusOK, "bo_business_letter", v)
}
