package web

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Lang is a language of the user interface. Danish is the default; English
// is the second language.
type Lang string

// The languages of the user interface.
const (
	Danish  Lang = "da"
	English Lang = "en"
)

// langCookie is the cookie that remembers the user's choice of language.
const langCookie = "lang"

// parseLang accepts exactly the codes of the supported languages.
func parseLang(s string) (Lang, bool) {
	switch Lang(s) {
	case Danish, English:
		return Lang(s), true
	}
	return "", false
}

// LangOf returns the language for the request: the lang cookie if it names a
// supported language, else Danish. Accept-Language is deliberately ignored:
// this is a Danish bank, and a switch on every page makes the choice explicit.
func LangOf(r *http.Request) Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := parseLang(c.Value); ok {
			return l
		}
	}
	return Danish
}

// other returns the language the switch in the header offers.
func (l Lang) other() Lang {
	if l == English {
		return Danish
	}
	return English
}

// message is one entry of a catalog: the same text in both languages.
type message struct {
	da string
	en string
}

// catalog maps message keys to their texts. Each feature keeps its own
// catalog in its own file and adds it to messages below.
type catalog map[string]message

// messages is every text the templates may ask for with t.
var messages = mergeCatalogs(shellMessages, homeMessages, errorMessages, loginMessages, netbankMessages, backofficeMessages, keyappMessages, paymentsMessages, payfilesMessages, pricingMessages, historyMessages, apikeysMessages, agreementsMessages, cardsMessages, smsMessages, disputesMessages)

// mergeCatalogs joins catalogs and panics on a key defined twice, so that two
// features cannot silently overwrite each other's texts.
func mergeCatalogs(cs ...catalog) catalog {
	all := catalog{}
	for _, c := range cs {
		for k, v := range c {
			if _, dup := all[k]; dup {
				panic("web: message key defined twice: " + k)
			}
			all[k] = v
		}
	}
	return all
}

// T returns the text for key in lang, formatted with args (fmt verbs) when
// there are any. An unknown key comes back as itself, so a missing text is
// visible instead of blank; a test checks that every key in the templates
// exists.
func T(lang Lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m.da
	if lang == English && m.en != "" {
		s = m.en
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// switchLang handles the language switch: a GET with ?lang=da or ?lang=en
// stores the choice in a cookie and redirects (303) to the same path without
// the parameter. The redirect target is built only from the request's own
// path, so it can never point to another site.
func (s *Server) switchLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		lang, ok := parseLang(q.Get("lang"))
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{
			Name:     langCookie,
			Value:    string(lang),
			Path:     "/",
			MaxAge:   365 * 24 * 60 * 60,
			Secure:   s.secure,
			HttpOnly: true,
			SameSite: http.SameSiteLaxMode,
		})
		q.Del("lang")
		w.Header().Set("Location", localURL(r.URL.Path, q.Encode()))
		w.WriteHeader(http.StatusSeeOther)
	})
}

// localURL builds a same-site URL from a request path and an encoded query.
// Anything that a browser could read as another host ("//evil.example",
// "/\evil.example") collapses to "/".
func localURL(p, rawQuery string) string {
	if p == "" || p[0] != '/' {
		p = "/"
	}
	trailing := strings.HasSuffix(p, "/")
	p = path.Clean(p)
	if trailing && p != "/" {
		p += "/"
	}
	if strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\x00\r\n\t") {
		p = "/"
	}
	s := (&url.URL{Path: p}).EscapedPath()
	if rawQuery != "" {
		s += "?" + rawQuery
	}
	return s
}

// switchURL is the href of the language link: the current path and query
// with lang set to the other language.
func switchURL(r *http.Request, to Lang) string {
	q := r.URL.Query()
	q.Set("lang", string(to))
	return "?" + q.Encode()
}

// shellMessages are the texts of the layout around every page.
var shellMessages = catalog{
	"site.skip":          {"Gå til indhold", "Skip to content"},
	"site.home":          {"%s – til forsiden", "%s – go to the front page"},
	"site.lang.label":    {"Sprog", "Language"},
	"site.lang.da":       {"Dansk", "Dansk"},
	"site.lang.en":       {"English", "English"},
	"site.lang.switch":   {"Skift sprog til engelsk", "Change language to Danish"},
	"footer.fetched":     {"Siden hentet", "Page fetched"},
	"footer.fetched.why": {"Tidspunktet viser, at siden kommer direkte fra banken. Passer det ikke med nu, så log ikke på.", "The time shows that the page came straight from the bank. If it does not match the present, do not log in."},
	"footer.tagline":     {"%s – dansk netbank for private og erhverv", "%s – Danish online banking for personal and business customers"},
	"footer.never":       {"Vi beder dig aldrig om koder på e-mail, sms eller telefon.", "We never ask for your codes by e-mail, text message or phone."},
	"nav.home":           {"Gå til forsiden", "Go to the front page"},
}

// homeMessages are the texts of the start page.
var homeMessages = catalog{
	"home.title":         {"netbank for private og erhverv", "online banking for personal and business customers"},
	"home.eyebrow":       {"Netbank for private og erhverv", "Online banking for personal and business customers"},
	"home.heading":       {"Hele din økonomi samlet ét sted", "All your finances in one place"},
	"home.lead":          {"%s er en dansk netbank for privatkunder og virksomheder. Se dine konti, betal regninger, overfør penge og hold styr på dit Visa Debit-kort – når det passer dig, på computer, tablet og mobil.", "%s is a Danish online bank for personal and business customers. See your accounts, pay bills, transfer money and keep track of your Visa Debit card – whenever it suits you, on your computer, tablet or phone."},
	"home.login":         {"Log på", "Log in"},
	"home.login.heading": {"Log på netbanken", "Log in to the online bank"},
	"home.login.text":    {"Privatkunder logger på med brugernummer, underskriftskode og underskriftsfil. Erhvervskunder bruger bruger-id, adgangskode og nøglekort.", "Personal customers log in with their user number, signature code and signature file. Business customers use their user ID, password and key card."},
	"home.firsttime":     {"Første gang? Log på med dit brugernummer og den pinkode, vi har sendt dig med posten.", "First time? Log in with your user number and the PIN code we sent you by post."},

	"home.features.heading": {"Det kan du i netbanken", "What you can do in the online bank"},
	"home.accounts.title":   {"Konti", "Accounts"},
	"home.accounts.text":    {"Se saldo, disponibelt beløb og alle posteringer. Søg i tidligere bevægelser, og følg med i reserverede beløb.", "See your balance, available amount and every entry. Search earlier transactions and keep an eye on reserved amounts."},
	"home.payments.title":   {"Betalinger", "Payments"},
	"home.payments.text":    {"Overfør til egne og andres konti, betal indbetalingskort, og send penge til udlandet. Læg betalinger til en senere dato, og slet dem, indtil de er gennemført.", "Transfer to your own and other people's accounts, pay Danish payment slips and send money abroad. Schedule payments for a later date and cancel them until they are made."},
	"home.cards.title":      {"Visa Debit", "Visa Debit"},
	"home.cards.text":       {"Betal i butikker, på nettet og med mobilen, og hæv kontanter i ind- og udland. Mister du kortet, spærrer du det selv med det samme – døgnet rundt.", "Pay in shops, online and with your phone, and withdraw cash in Denmark and abroad. If you lose your card, you block it yourself straight away – day or night."},
	"home.business.title":   {"Erhverv", "Business"},
	"home.business.text":    {"Virksomheder giver hver medarbejder en brugerprofil, så alle kan netop det, de skal: se, oprette, godkende eller administrere.", "Businesses give each employee a user profile, so everyone can do exactly what they need to: view, create, approve or administer."},

	"home.security.heading":  {"Sådan beskytter du dig mod svindel", "How to protect yourself from fraud"},
	"home.security.lead":     {"Vi beder dig aldrig om koder på e-mail, sms eller telefon.", "We never ask for your codes by e-mail, text message or phone."},
	"home.security.codes":    {"Det gælder din pinkode, din underskriftskode, koder fra dit nøglekort og din underskriftsfil. Bliver du bedt om dem, er det svindel: læg på, og svar ikke.", "That goes for your PIN code, your signature code, key card codes and your signature file. If anyone asks for them, it is fraud: hang up and do not reply."},
	"home.security.messages": {"Vi skriver kun til dig om din netbank via Beskeder, når du er logget på.", "We only write to you about your online bank through Messages, once you are logged in."},
	"home.security.fetched":  {"Nederst på hver side står, hvornår siden er hentet. Passer tidspunktet ikke med nu, så log ikke på.", "At the bottom of every page you can see when it was fetched. If the time does not match the present, do not log in."},
	"home.security.block":    {"Er dit kort bortkommet, eller kender andre din pinkode? Spær kortet med det samme.", "Lost your card, or does someone else know your PIN? Block the card straight away."},
}

// errorMessages are the texts of the 404 page and the error page.
var errorMessages = catalog{
	"notfound.title": {"Siden findes ikke", "Page not found"},
	"notfound.text":  {"Vi kan ikke finde den side, du leder efter. Måske er linket forældet, eller adressen er skrevet forkert.", "We cannot find the page you are looking for. The link may be out of date, or the address may be mistyped."},

	"error.incident":      {"Fejl-id", "Incident ID"},
	"error.incident.hint": {"Oplys fejl-id'et, hvis du kontakter banken om fejlen.", "Please quote the incident ID if you contact the bank about this error."},
	"error.login":         {"Log på", "Log in"},

	"error.invalid.title":      {"Oplysningerne kunne ikke godkendes", "The details could not be accepted"},
	"error.invalid.text":       {"Der er fejl i det, du har indtastet. Gå tilbage, ret oplysningerne, og prøv igen.", "Something you entered is not valid. Go back, correct the details and try again."},
	"error.notfound.title":     {"Siden findes ikke", "Page not found"},
	"error.notfound.text":      {"Det, du leder efter, findes ikke, eller du har ikke adgang til det.", "What you are looking for does not exist, or you do not have access to it."},
	"error.forbidden.title":    {"Adgang nægtet", "Access denied"},
	"error.forbidden.text":     {"Du har ikke adgang til denne side eller handling.", "You do not have access to this page or action."},
	"error.unauthorized.title": {"Du er ikke logget på", "You are not logged in"},
	"error.unauthorized.text":  {"Du er ikke logget på, eller du er blevet logget af. Log på for at fortsætte.", "You are not logged in, or you have been logged out. Log in to continue."},
	"error.conflict.title":     {"Oplysningerne er forældede", "The information is out of date"},
	"error.conflict.text":      {"Noget er ændret, siden du hentede siden. Hent siden igen, og kontroller oplysningerne, før du prøver igen.", "Something has changed since you fetched the page. Reload the page and check the details before you try again."},
	"error.insufficient.title": {"Der er ikke dækning på kontoen", "Insufficient funds"},
	"error.insufficient.text":  {"Beløbet er større end det disponible beløb på kontoen. Vælg et mindre beløb eller en anden konto.", "The amount is larger than the available amount on the account. Choose a smaller amount or another account."},
	"error.unavailable.title":  {"Netbanken er midlertidigt utilgængelig", "The online bank is temporarily unavailable"},
	"error.unavailable.text":   {"Vi kan ikke gennemføre din handling lige nu. Prøv igen om et par minutter.", "We cannot complete your request right now. Please try again in a few minutes."},
	"error.internal.title":     {"Der opstod en fejl", "Something went wrong"},
	"error.internal.text":      {"Vi beklager. Der opstod en fejl hos os. Prøv igen senere.", "We are sorry. An error occurred on our side. Please try again later."},
	"error.csrf.title":         {"Sikkerhedstjekket fejlede", "Security check failed"},
	"error.csrf.text":          {"Vi kunne ikke bekræfte, at anmodningen kom fra bankens egne sider. Hent siden igen, og prøv igen.", "We could not confirm that the request came from the bank's own pages. Reload the page and try again."},
	"error.input.title":        {"Oplysningerne kan ikke modtages", "The data cannot be received"},
	"error.input.text":         {"Det, der blev sendt, er ikke tekst fra bankens formularer. Gå tilbage, ret det, og prøv igen.", "What was sent is not text from the bank's forms. Go back, correct it and try again."},
	"error.toolarge.title":     {"For meget data", "Too much data"},
	"error.toolarge.text":      {"Det, der blev sendt, er større, end banken tager imod. Gå tilbage, og send mindre.", "What was sent is larger than the bank accepts. Go back and send less."},
	"error.method.title":       {"Handlingen er ikke tilladt", "Action not allowed"},
	"error.method.text":        {"Siden kan ikke bruges på den måde. Gå til forsiden, og prøv igen.", "The page cannot be used that way. Go to the front page and try again."},
}
