package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestLanguageSwitch(t *testing.T) {
	s, _ := MustServer(t)
	tests := []struct {
		target   string
		lang     string
		location string
	}{
		{"/?lang=en", "en", "/"},
		{"/?lang=da", "da", "/"},
		{"/konti?side=2&lang=en", "en", "/konti?side=2"},
		{"/konti/?lang=en", "en", "/konti/"},
	}
	for _, tt := range tests {
		w := do(s, httptest.NewRequest("GET", tt.target, nil))
		if w.Code != http.StatusSeeOther {
			t.Errorf("%s: status %d, want 303", tt.target, w.Code)
			continue
		}
		if got := w.Header().Get("Location"); got != tt.location {
			t.Errorf("%s: Location %q, want %q", tt.target, got, tt.location)
		}
		var c *http.Cookie
		for _, x := range w.Result().Cookies() {
			if x.Name == "lang" {
				c = x
			}
		}
		if c == nil || c.Value != tt.lang || c.Path != "/" || !c.HttpOnly {
			t.Errorf("%s: lang cookie %+v", tt.target, c)
		}
	}
}

func TestLanguageFromCookie(t *testing.T) {
	s, _ := MustServer(t)
	get := func(cookie string) string {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: "lang", Value: cookie})
		}
		w := do(s, r)
		if w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
		return body(t, w)
	}

	// Danish is the default, whatever the browser prefers.
	for _, c := range []string{"", "fr", "EN", "da"} {
		b := get(c)
		if !strings.Contains(b, `<html lang="da">`) || !strings.Contains(b, "Log på") {
			t.Errorf("cookie %q: not Danish", c)
		}
	}
	en := get("en")
	if !strings.Contains(en, `<html lang="en">`) {
		t.Error("cookie en: not English")
	}
	text := visibleText(en)
	for _, want := range []string{"All your finances in one place", "Log in", "We never ask for your codes", "Dansk"} {
		if !strings.Contains(text, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
	if strings.Contains(text, "Log på") {
		t.Error("English page still says Log på")
	}
	if !strings.Contains(en, `href="?lang=da"`) {
		t.Error("English page has no link back to Danish")
	}
}

func TestLanguageSwitchIgnoresOtherValuesAndMethods(t *testing.T) {
	s := csrfServer(t)
	if w := do(s, httptest.NewRequest("GET", "/?lang=fr", nil)); w.Code != http.StatusOK {
		t.Errorf("?lang=fr: status %d, want the page", w.Code)
	}
	r := httptest.NewRequest("POST", "/betal?lang=en", nil)
	withCSRF(s, r)
	if w := do(s, r); w.Code != http.StatusOK || len(w.Result().Cookies()) != 0 {
		t.Errorf("POST ?lang=en: status %d, cookies %v; want no switch", w.Code, w.Result().Cookies())
	}
}

// The switch redirects back to the page it was clicked on, and to nowhere
// else: paths that a browser would read as another host collapse to "/".
func TestLanguageSwitchNoOpenRedirect(t *testing.T) {
	s, _ := MustServer(t)
	for _, target := range []string{
		"//evil.example/?lang=en",
		"//evil.example?lang=en",
		"///evil.example/?lang=en",
		"/\\evil.example/?lang=en",
		"/%2F%2Fevil.example/?lang=en",
		"/%5C%5Cevil.example?lang=en",
		"/./%2Fevil.example?lang=en",
		"/..//evil.example?lang=en",
		"/?lang=en&next=https://evil.example",
		"/?lang=en&redirect=//evil.example",
		"/login%0d%0aLocation:%20https://evil.example?lang=en",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		r.URL, r.RequestURI = u, target
		w := do(s, r)
		if w.Code != http.StatusSeeOther {
			t.Errorf("%s: status %d", target, w.Code)
			continue
		}
		loc := w.Header().Get("Location")
		l, err := url.Parse(loc)
		if err != nil || l.Scheme != "" || l.Host != "" || !strings.HasPrefix(loc, "/") ||
			strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") || strings.ContainsAny(loc, "\r\n\\") {
			t.Errorf("%s: Location %q leaves the bank", target, loc)
		}
		resolved, _ := url.Parse("https://bank.example/")
		if got := resolved.ResolveReference(l); got.Host != "bank.example" {
			t.Errorf("%s: Location %q resolves to host %q", target, loc, got.Host)
		}
	}
}

func TestCatalogComplete(t *testing.T) {
	for k, m := range messages {
		if strings.TrimSpace(m.da) == "" || strings.TrimSpace(m.en) == "" {
			t.Errorf("%s: missing a language: %+v", k, m)
		}
		if strings.Count(m.da, "%") != strings.Count(m.en, "%") {
			t.Errorf("%s: Danish and English take different arguments", k)
		}
	}
}

// Every key a template asks for with t exists in the catalog.
func TestTemplateKeysExist(t *testing.T) {
	keyRE := regexp.MustCompile(`\bt "([^"]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s: unknown message key %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range errorKinds {
		for _, key := range []string{k.texts.Title, k.texts.Text} {
			if _, ok := messages[key]; !ok {
				t.Errorf("error page key %q missing", key)
			}
		}
	}
}

func TestT(t *testing.T) {
	if got := T(Danish, "home.login"); got != "Log på" {
		t.Errorf("T(da) = %q", got)
	}
	if got := T(English, "home.login"); got != "Log in" {
		t.Errorf("T(en) = %q", got)
	}
	if got := T(English, "footer.tagline", "Netbank"); !strings.HasPrefix(got, "Netbank – Danish") {
		t.Errorf("T with args = %q", got)
	}
	if got := T(Danish, "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key = %q", got)
	}
}

func TestMergeCatalogsRefusesDuplicates(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic on a duplicate key")
		}
	}()
	mergeCatalogs(catalog{"a": {"x", "y"}}, catalog{"a": {"z", "w"}})
}
