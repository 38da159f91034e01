package dk

import "github.com/netbank/netbank"

// LuhnValid reports whether digits (at least two ASCII digits, nothing else)
// ends in a correct Luhn check digit: counting from the right, starting with
// the check digit, the digits are weighted 1, 2, 1, 2, …; products above 9
// have 9 subtracted (their digit sum); the total must be divisible by 10.
// This is the modulus-10 check used on payment cards and on the payment id
// of Danish payment slips.
func LuhnValid(digits string) bool {
	if len(digits) < 2 || !isDigits(digits) {
		return false
	}
	return luhnSum(digits, false)%10 == 0
}

// LuhnCheckDigit returns the Luhn check digit for payload as an ASCII
// character '0'–'9', so payload+string(d) is Luhn-valid. payload must be
// one or more ASCII digits.
func LuhnCheckDigit(payload string) (byte, error) {
	if payload == "" {
		return 0, netbank.Errorf(netbank.EINVALID, "Der er ingen cifre at beregne et kontrolciffer for")
	}
	if !isDigits(payload) {
		return 0, netbank.Errorf(netbank.EINVALID, "Der må kun være cifre, når kontrolcifferet skal beregnes")
	}
	sum := luhnSum(payload, true)
	return byte('0' + (10-sum%10)%10), nil
}

// luhnSum weights the digits of s from the right. If doubleFirst is true
// the rightmost digit gets weight 2 (s is a payload without check digit);
// otherwise it gets weight 1 (s ends in its check digit).
func luhnSum(s string, doubleFirst bool) int {
	sum := 0
	double := doubleFirst
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum
}
