package payfile

import "errors"

// Pacs008 renders t as a pacs.008.001.08 document.
func Pacs008(t InterbankTransfer) ([]byte, error) {
	return nil, errors.New("payfile: pacs.008 not written yet")
}
