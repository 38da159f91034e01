package iso8583

import (
	"github.com/netbank/netbank/cardsec"
)

// examplePAN is a Luhn-valid card number under the demo BIN 457199.
const examplePAN = "4571991234567890"

// examplePINBlock returns the encrypted PIN block of PIN 1234 on examplePAN
// under the demo zone PIN key.
func examplePINBlock() string {
	zpk, err := cardsec.ParseKey(cardsec.DemoZPK)
	if err != nil {
		panic(err)
	}
	b, err := cardsec.EncodePINBlock("1234", examplePAN, zpk)
	if err != nil {
		panic(err)
	}
	return b
}

// examplePurchase is the chip + PIN purchase of docs/iso8583.md: 125,00 kr.
// at a supermarket.
func examplePurchase() Request {
	return Request{
		MTI:              MTIAuthorization,
		PAN:              examplePAN,
		ProcessingCode:   "000000",
		Amount:           12500,
		TransmissionTime: "0615120000",
		STAN:             "000001",
		LocalTime:        "140000",
		LocalDate:        "0615",
		Expiry:           "2812",
		MCC:              "5411",
		POSEntryMode:     "051",
		POSCondition:     ConditionPresent,
		RRN:              "000000000001",
		TerminalID:       "TERM0001",
		MerchantID:       "MERCHANT0000001",
		Merchant:         Merchant{Name: "Netto Vesterbro", City: "Koebenhavn", Country: "DK"},
		Currency:         "208",
		PINBlock:         examplePINBlock(),
	}
}
