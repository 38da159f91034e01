// Package iso8583 is the bank's adapter to the card network: the ISO 8583
// wire format in which acquirers send authorization requests for the
// bank's Visa Debit cards, a TCP server that answers them, and a client for
// the terminal simulator and the tests (issue 5, "Authorization engine";
// docs/iso8583.md describes the format byte for byte).
//
// The format is moov-io/iso8583's specs.Spec87ASCII (ISO 8583:1987, ASCII
// fields, hex bitmap) with one change: field 52 carries the 8-byte PIN
// block as 16 hexadecimal ASCII characters, a fixed 16-character ASCII
// field. Every message on the wire is prefixed by its length as 2 bytes,
// big-endian binary.
//
// The package knows the format, not the bank: Request is a checked, typed
// view of the fields the bank uses, Response what the authorization engine
// answers, and Server hands each request to a Handler and writes the
// answer. Decisions (PIN, CVV2, balance, limits) are the engine's.
package iso8583

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	moov "github.com/moov-io/iso8583"
	"github.com/moov-io/iso8583/encoding"
	moovErrors "github.com/moov-io/iso8583/errors"
	"github.com/moov-io/iso8583/field"
	"github.com/moov-io/iso8583/prefix"
	"github.com/moov-io/iso8583/specs"
)

// Message is an ISO 8583 message (moov-io/iso8583's), so callers of this
// package need not import moov-io/iso8583 themselves.
type Message = moov.Message

// HeaderLength is the size of the length prefix in front of every message.
const HeaderLength = 2

// MaxMessageLength is the longest message the 2-byte header can announce.
const MaxMessageLength = 1<<16 - 1

// Spec is the bank's message specification: specs.Spec87ASCII with field
// 52 as a fixed 16-character ASCII field holding the PIN block in hex. (The
// stock field 52 is 8 bytes written as hex by its encoder, which a string
// value cannot be packed through.) Spec87ASCII itself is not modified.
var Spec = func() *moov.MessageSpec {
	fields := make(map[int]field.Field, len(specs.Spec87ASCII.Fields))
	for id, f := range specs.Spec87ASCII.Fields {
		fields[id] = f
	}
	fields[52] = field.NewString(&field.Spec{
		Length:      16,
		Description: "PIN Data (ISO 9564 format 0 PIN block, 16 hex characters)",
		Enc:         encoding.ASCII,
		Pref:        prefix.ASCII.Fixed,
	})
	return &moov.MessageSpec{Name: "netbank ISO 8583:1987 ASCII", Fields: fields}
}()

// NewMessage returns an empty message of the bank's Spec with the given
// MTI (e.g. "0100").
func NewMessage(mti string) *Message {
	m := moov.NewMessage(Spec)
	m.MTI(mti)
	return m
}

// Pack returns m as it goes on the wire: the 2-byte big-endian length, then
// the packed message.
func Pack(m *Message) ([]byte, error) {
	body, err := m.Pack()
	if err != nil {
		return nil, fmt.Errorf("iso8583: packing: %w", err)
	}
	if len(body) > MaxMessageLength {
		return nil, fmt.Errorf("iso8583: message of %d bytes is too long for the 2-byte header", len(body))
	}
	out := make([]byte, HeaderLength, HeaderLength+len(body))
	binary.BigEndian.PutUint16(out, uint16(len(body)))
	return append(out, body...), nil
}

// Unpack reads one framed message (2-byte length, then exactly that many
// bytes, nothing after). It never panics, whatever the bytes; errors name
// the field that failed but never contain field values (a PAN, a PIN
// block).
func Unpack(frame []byte) (*Message, error) {
	if len(frame) < HeaderLength {
		return nil, fmt.Errorf("iso8583: frame of %d bytes has no length header", len(frame))
	}
	n := int(binary.BigEndian.Uint16(frame))
	if n != len(frame)-HeaderLength {
		return nil, fmt.Errorf("iso8583: the header says %d bytes, the frame has %d", n, len(frame)-HeaderLength)
	}
	m, err := unpackBody(frame[HeaderLength:])
	if err != nil {
		return nil, err
	}
	return m, nil
}

// unpackBody unpacks a message without its header, strictly: the fields
// must use up exactly all the bytes. On an error it still returns what was
// decoded before it (nil after a panic), for the server's format-error
// answer. A panic inside the decoder (there
// should be none) becomes an error, because one connection's bad bytes must
// not take the bank down.
func unpackBody(body []byte) (m *Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, errors.New("iso8583: the decoder failed on this message")
		}
	}()
	m = moov.NewMessage(Spec)
	if err := m.Unpack(body); err != nil {
		return m, &UnpackError{Field: unpackField(err)}
	}
	// moov-io/iso8583 ignores bytes after the last field; a message that
	// packs back shorter had trailing bytes.
	again, err := m.Pack()
	if err != nil || len(again) != len(body) {
		return m, &UnpackError{Field: "trailing bytes"}
	}
	return m, nil
}

// UnpackError says that a message could not be decoded, and where.
type UnpackError struct {
	// Field is the id of the field that failed ("0" the MTI, "1" the
	// bitmap), or "trailing bytes".
	Field string
}

// Error implements error.
func (e *UnpackError) Error() string {
	if e.Field == "trailing bytes" {
		return "iso8583: bytes after the last field"
	}
	return "iso8583: cannot decode field " + e.Field
}

// unpackField digs the failing field id out of moov-io's error without
// keeping its text, which may quote the raw data.
func unpackField(err error) string {
	var ue *moovErrors.UnpackError
	if !errors.As(err, &ue) || ue.FieldID == "" {
		return "?"
	}
	return ue.FieldID
}

// ReadLength reads the 2-byte big-endian length header (a
// connection.MessageLengthReader).
func ReadLength(r io.Reader) (int, error) {
	var h [HeaderLength]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(h[:])), nil
}

// WriteLength writes the 2-byte big-endian length header (a
// connection.MessageLengthWriter).
func WriteLength(w io.Writer, length int) (int, error) {
	if length < 0 || length > MaxMessageLength {
		return 0, fmt.Errorf("iso8583: message of %d bytes is too long for the 2-byte header", length)
	}
	var h [HeaderLength]byte
	binary.BigEndian.PutUint16(h[:], uint16(length))
	return w.Write(h[:])
}
