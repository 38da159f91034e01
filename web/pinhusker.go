package web

// The PIN memoriser ("PIN-kode-husker", RULE CARD-21) in the net bank:
//
//	GET /netbank/kort/pinkodehusker   the 40 fields, the instructions, and pinhusker.js
//
// The printed PIN-kode-husker the bank hands out is a card of 40 coloured
// fields: the cardholder picks 4 of them in a pattern only they know,
// writes the PIN's digits there and the digits 0–9 in the rest, so that
// every digit stands in exactly 4 fields. Here the browser does the
// writing (web/static/pinhusker.js): the customer types the PIN and clicks
// the 4 fields of the pattern in order, and the script fills all 40 with
// the PIN in the pattern and the remaining 36 digits in a random order
// drawn with crypto.getRandomValues. The page is then printed.
//
// The bank never learns the PIN or the pattern: the page has no form
// around them (the PIN field has no name, autocomplete is off), the
// script sends nothing, and it forgets the pattern once the fields are
// filled, so neither the screen nor the printout shows which fields were
// chosen. The page names no card either: a memoriser found with a card
// must not say which card it is for. Without JavaScript the page shows the
// empty fields and how to fill them in by hand.

import (
	"fmt"
	"net/http"
)

// The memoriser's grid: 4 rows of 10 fields, like the printed card.
const (
	pinRows    = 4
	pinColumns = 10
	// pinColours is the number of field colours, which lie in blocks of
	// 2×2 fields so a pattern is easy to remember by colour and place.
	pinColours = 5
)

// pinField is one field of the memoriser.
type pinField struct {
	// Index is the field's place (0–39, row by row); Name its column
	// letter and row number ("C2"); Colour its colour class (0–4).
	Index  int
	Name   string
	Colour int
}

// nbPINMemoriserView is the Data of nb_card_pin.
type nbPINMemoriserView struct {
	Rows [][]pinField
}

// pinMemoriserFields lays out the 40 fields row by row.
func pinMemoriserFields() [][]pinField {
	rows := make([][]pinField, pinRows)
	for r := range pinRows {
		for c := range pinColumns {
			rows[r] = append(rows[r], pinField{Index: r*pinColumns + c, Name: fmt.Sprintf("%c%d", 'A'+c, r+1),
				Colour: (c/2 + 2*(r/2)) % pinColours})
		}
	}
	return rows
}

// handlePINMemoriser draws the PIN memoriser.
func (s *Server) handlePINMemoriser(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, "nb_card_pin", nbPINMemoriserView{Rows: pinMemoriserFields()})
}
