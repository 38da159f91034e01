package payfile

import (
	"bytes"
	"iter"
	"strings"
	"unicode/utf8"

	"github.com/netbank/netbank"
)

// MaxFileSize is the largest payment file the readers accept: 10 MiB,
// far more than the few thousand payments a business file holds. Parse,
// ParseFormat, ParseERH and ParseCSV refuse anything larger before they
// look at it.
const MaxFileSize = 10 << 20

// errTooLarge is the error for a file over MaxFileSize.
func errTooLarge() error {
	return netbank.Errorf(netbank.EINVALID, "Filen er for stor: en betalingsfil må højst fylde %d MB.", MaxFileSize>>20)
}

// painNamespace is the start of the pain.001 namespaces; the version
// follows it ("03", "09").
const painNamespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001."

// Detect tells which format a payment file is in (RULE PAY-6):
//   - XML whose namespace is pain.001.001.03 or pain.001.001.09;
//   - ERH: the first line that is not blank is an ERH record ("ERH356",…
//     with or without quotes, or the ERH001 header of older files);
//   - CSV: the first line that is not blank is a header line naming the
//     column "beløb" (or "amount").
//
// Anything else is an EINVALID error with a Danish message.
func Detect(data []byte) (Format, error) {
	if len(data) > MaxFileSize {
		return "", errTooLarge()
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	if len(trimmed) == 0 {
		return "", netbank.Errorf(netbank.EINVALID, "Filen er tom.")
	}
	if trimmed[0] == '<' {
		i := bytes.Index(trimmed, []byte(painNamespace))
		if i >= 0 {
			switch v := string(trimmed[i+len(painNamespace):]); {
			case strings.HasPrefix(v, "03"):
				return Pain00100103, nil
			case strings.HasPrefix(v, "09"):
				return Pain00100109, nil
			}
		}
		return "", netbank.Errorf(netbank.EINVALID,
			"XML-filen er ikke en betalingsfil i formatet pain.001.001.03 eller pain.001.001.09.")
	}
	first := firstLine(decodeText(trimmed))
	if isERHRecord(first) {
		return ERH, nil
	}
	if isCSVHeader(first) {
		return CSV, nil
	}
	return "", netbank.Errorf(netbank.EINVALID,
		"Filens format kendes ikke. En betalingsfil kan være pain.001 (XML), BEC's ERH-format eller CSV med en overskriftslinje, der har kolonnen »beløb«.")
}

// Parse detects the format of a payment file and reads it (RULE PAY-6).
// The error is for the file as a whole (too large, unknown format, no
// header line); bad lines are in File.Errors and the good ones in
// File.Lines.
func Parse(data []byte) (File, error) {
	format, err := Detect(data)
	if err != nil {
		return File{}, err
	}
	return ParseFormat(data, format)
}

// ParseFormat reads a payment file in the given format, without detecting
// it (`netbank convert --from`).
func ParseFormat(data []byte, format Format) (File, error) {
	if len(data) > MaxFileSize {
		return File{}, errTooLarge()
	}
	switch format {
	case Pain00100103, Pain00100109:
		return ParsePain001(data)
	case ERH:
		return ParseERH(data)
	case CSV:
		return ParseCSV(data)
	}
	return File{}, errUnknownFormat(format)
}

// errUnknownFormat is the error for a Format that is not one of Formats.
func errUnknownFormat(format Format) error {
	return netbank.Errorf(netbank.EINVALID,
		"Ukendt filformat %q – vælg pain.001.001.03, pain.001.001.09, erh eller csv.", string(format))
}

// ---- text shared by the line-based formats (ERH, CSV) ----

// decodeText turns the bytes of a text file into a string: UTF-8 when the
// bytes are valid UTF-8 (a byte order mark is dropped), otherwise
// Windows-1252, the superset of ISO-8859-1 that Danish Windows programs
// write (æ, ø, å are the same bytes in both). Byte values Windows-1252
// leaves undefined become the C1 control characters of ISO-8859-1, which
// the readers then refuse as text.
func decodeText(data []byte) string {
	if utf8.Valid(data) {
		return strings.TrimPrefix(string(data), "\ufeff")
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xA0:
			b.WriteRune(cp1252High[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// cp1252High maps the bytes 0x80–0x9F of Windows-1252 to Unicode; the five
// undefined bytes map to the ISO-8859-1 control character of that value.
var cp1252High = [32]rune{
	'\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
	'\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
	'\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
	'\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
}

// cp1252Byte returns the Windows-1252 byte of r, and false when r has none
// (or is one of the undefined code points).
func cp1252Byte(r rune) (byte, bool) {
	switch {
	case r < 0x80 || (r >= 0xA0 && r <= 0xFF):
		return byte(r), true
	}
	for i, x := range cp1252High {
		if x == r && !(x >= 0x80 && x < 0xA0) {
			return byte(0x80 + i), true
		}
	}
	return 0, false
}

// encodeCP1252 encodes s in Windows-1252. ok is false, and bad the first
// character without a Windows-1252 byte, when s cannot be encoded.
func encodeCP1252(s string) (out []byte, bad rune, ok bool) {
	out = make([]byte, 0, len(s))
	for _, r := range s {
		c, fits := cp1252Byte(r)
		if !fits {
			return nil, r, false
		}
		out = append(out, c)
	}
	return out, 0, true
}

// textLines yields the lines of decoded text with their numbers (from
// 1): LF or CRLF line ends, a final line end optional, and a DOS
// end-of-file mark (Ctrl-Z) at the end ignored. It does not copy the
// text.
func textLines(s string) iter.Seq2[int, string] {
	s = strings.TrimRight(s, "\x1a")
	s = strings.TrimSuffix(s, "\n")
	return func(yield func(int, string) bool) {
		if s == "" {
			return
		}
		rest := s
		for no := 1; ; no++ {
			line, after, more := strings.Cut(rest, "\n")
			if !yield(no, strings.TrimSuffix(line, "\r")) || !more {
				return
			}
			rest = after
		}
	}
}

// firstLine returns the first line of s that is not blank.
func firstLine(s string) string {
	for _, l := range textLines(s) {
		if strings.TrimSpace(l) != "" {
			return l
		}
	}
	return ""
}
