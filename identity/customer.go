package identity

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netbank/netbank"
)

const cprLabel = "cpr"

// sealCustomer replaces the clear CPR by its stored form.
func (s *Service) sealCustomer(c Customer) Customer {
	if c.CPR != "" {
		c.CPRCipher = s.seal.seal([]byte(c.CPR), cprLabel)
		c.CPRHash = s.seal.lookupHash(c.CPR)
		c.CPR = ""
	}
	return c
}

// openCustomer decrypts the stored CPR.
func (s *Service) openCustomer(c Customer) (Customer, error) {
	plain, err := s.seal.open(c.CPRCipher, cprLabel)
	if err != nil {
		return Customer{}, err
	}
	c.CPR = string(plain)
	return c, nil
}

func normalizeCPR(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "-", "")
}

// ParseCPR checks a CPR number (DDMMYY-SSSS, the dash optional) and returns
// the birth date it encodes. The century follows the 7th digit, as the CPR
// office defines it; the old modulus-11 check is not required (numbers
// without it have been issued since 2007).
func ParseCPR(cpr string) (time.Time, error) {
	n := normalizeCPR(cpr)
	if len(n) != 10 || strings.Trim(n, "0123456789") != "" {
		return time.Time{}, netbank.Errorf(netbank.EINVALID, "CPR-nummeret skal være 10 cifre (ddmmåå-xxxx).")
	}
	d := func(i int) int { return int(n[i]-'0')*10 + int(n[i+1]-'0') }
	day, month, yy := d(0), d(2), d(4)
	c7 := int(n[6] - '0')
	var year int
	switch {
	case c7 <= 3:
		year = 1900 + yy
	case c7 == 4 || c7 == 9:
		if yy <= 36 {
			year = 2000 + yy
		} else {
			year = 1900 + yy
		}
	default:
		if yy <= 57 {
			year = 2000 + yy
		} else {
			year = 1800 + yy
		}
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if month < 1 || month > 12 || t.Day() != day || t.Month() != time.Month(month) {
		return time.Time{}, netbank.Errorf(netbank.EINVALID, "CPR-nummeret indeholder ikke en gyldig fødselsdato.")
	}
	return t, nil
}

// ValidateCVR checks a CVR number: 8 digits with the modulus-11 check.
func ValidateCVR(cvr string) error {
	if len(cvr) != 8 || strings.Trim(cvr, "0123456789") != "" || cvr[0] == '0' {
		return netbank.Errorf(netbank.EINVALID, "CVR-nummeret skal være 8 cifre.")
	}
	weights := []int{2, 7, 6, 5, 4, 3, 2, 1}
	sum := 0
	for i, w := range weights {
		sum += int(cvr[i]-'0') * w
	}
	if sum%11 != 0 {
		return netbank.Errorf(netbank.EINVALID, "CVR-nummeret er ikke gyldigt (kontrolcifferet passer ikke).")
	}
	return nil
}

func validateCustomer(c *Customer) error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 200 {
		return netbank.Errorf(netbank.EINVALID, "Navnet skal være mellem 1 og 200 tegn.")
	}
	for _, f := range []string{c.Address, c.City, c.Email, c.Mobile, c.Postcode} {
		if utf8.RuneCountInString(f) > 200 {
			return netbank.Errorf(netbank.EINVALID, "Et af felterne er for langt (højst 200 tegn).")
		}
	}
	if c.Mobile != "" {
		m := strings.ReplaceAll(strings.TrimPrefix(strings.ReplaceAll(c.Mobile, " ", ""), "+45"), "-", "")
		if len(m) != 8 || strings.Trim(m, "0123456789") != "" {
			return netbank.Errorf(netbank.EINVALID, "Mobilnummeret skal være 8 cifre (evt. med +45 foran).")
		}
		c.Mobile = "+45" + m
	}
	switch c.Kind {
	case PrivateCustomer:
		birth, err := ParseCPR(c.CPR)
		if err != nil {
			return err
		}
		c.CPR = normalizeCPR(c.CPR)
		c.BirthDate = birth
		c.CVR = ""
	case BusinessCustomer:
		if err := ValidateCVR(c.CVR); err != nil {
			return err
		}
		c.CPR = ""
	default:
		return netbank.Errorf(netbank.EINVALID, "Ukendt kundetype %q.", c.Kind)
	}
	return nil
}
