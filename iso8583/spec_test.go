package iso8583

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/moov-io/iso8583/encoding"
	"github.com/moov-io/iso8583/specs"
)

// Field 52 is a fixed 16-character ASCII field in the bank's spec, and the
// stock spec is left alone (issue 5, "Authorization engine").
func TestSpecField52IsSixteenHexCharacters(t *testing.T) {
	f := Spec.Fields[52].Spec()
	if f.Length != 16 || f.Enc != encoding.ASCII {
		t.Fatalf("Spec field 52: length %d, encoding %T; want 16 ASCII", f.Length, f.Enc)
	}
	if stock := specs.Spec87ASCII.Fields[52].Spec(); stock.Length != 8 || stock.Enc == encoding.ASCII {
		t.Fatal("Spec87ASCII's field 52 was modified")
	}
	for id := range specs.Spec87ASCII.Fields {
		if id != 52 && Spec.Fields[id] != specs.Spec87ASCII.Fields[id] {
			t.Errorf("field %d differs from Spec87ASCII", id)
		}
	}

	m, err := BuildRequest(examplePurchase())
	if err != nil {
		t.Fatal(err)
	}
	frame, err := Pack(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(frame, []byte(examplePINBlock())) {
		t.Fatal("the packed message does not carry the PIN block as 16 hex characters")
	}
}

func TestPackUnpackFrame(t *testing.T) {
	m, err := BuildRequest(examplePurchase())
	if err != nil {
		t.Fatal(err)
	}
	frame, err := Pack(m)
	if err != nil {
		t.Fatal(err)
	}
	if n := int(binary.BigEndian.Uint16(frame)); n != len(frame)-2 {
		t.Fatalf("header says %d, body is %d bytes", n, len(frame)-2)
	}
	if !bytes.HasPrefix(frame[2:], []byte("0100")) {
		t.Fatalf("body starts with %q, want the MTI 0100", frame[2:6])
	}
	back, err := Unpack(frame)
	if err != nil {
		t.Fatal(err)
	}
	req, err := ParseRequest(back)
	if err != nil {
		t.Fatal(err)
	}
	want := examplePurchase()
	if req.PAN != want.PAN || req.Amount != want.Amount || req.PINBlock != want.PINBlock || req.Merchant != want.Merchant || req.STAN != want.STAN {
		t.Fatalf("round trip: got %+v", req)
	}
}

func TestUnpackRefusesBadFrames(t *testing.T) {
	m, _ := BuildRequest(examplePurchase())
	frame, _ := Pack(m)
	withHeader := func(body []byte) []byte {
		out := make([]byte, 2, 2+len(body))
		binary.BigEndian.PutUint16(out, uint16(len(body)))
		return append(out, body...)
	}
	// Field 60 is not in the spec: set its bit in the primary bitmap.
	bitmap, _ := hex.DecodeString(string(frame[6:22]))
	bitmap[7] |= 0x10 // bit 60
	unknownField := append(append(append([]byte{}, frame[2:6]...), []byte(strings.ToUpper(hex.EncodeToString(bitmap)))...), frame[22:]...)
	tests := []struct {
		name  string
		frame []byte
	}{
		{"empty", nil},
		{"one byte", []byte{0}},
		{"header longer than body", frame[:len(frame)-1]},
		{"header shorter than body", append(append([]byte{}, frame...), 'X')},
		{"trailing bytes inside the frame", withHeader(append(append([]byte{}, frame[2:]...), 'X'))},
		{"truncated body", withHeader(frame[2 : len(frame)-3])},
		{"field not in the spec", withHeader(unknownField)},
		{"not ISO 8583", withHeader([]byte("GET / HTTP/1.1\r\n\r\n"))},
	}
	for _, tc := range tests {
		if _, err := Unpack(tc.frame); err == nil {
			t.Errorf("%s: Unpack succeeded", tc.name)
		} else if strings.Contains(err.Error(), examplePAN) {
			t.Errorf("%s: the error %q contains the PAN", tc.name, err)
		}
	}
}

func TestWriteReadLength(t *testing.T) {
	var b bytes.Buffer
	if _, err := WriteLength(&b, 300); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), []byte{0x01, 0x2C}) {
		t.Fatalf("WriteLength(300) wrote % X, want 01 2C (big-endian)", b.Bytes())
	}
	if n, err := ReadLength(&b); err != nil || n != 300 {
		t.Fatalf("ReadLength = %d, %v", n, err)
	}
	if _, err := WriteLength(&b, MaxMessageLength+1); err == nil {
		t.Fatal("WriteLength accepted 65536")
	}
}

// docs/iso8583.md shows a packed 0100 in hex; it must be what Pack makes of
// examplePurchase, so the document cannot drift from the code.
func TestDocumentedHexExampleMatchesPack(t *testing.T) {
	doc, err := os.ReadFile("../docs/iso8583.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)<!-- hex-example -->\\s*```text\\n(.*?)```").FindSubmatch(doc)
	if block == nil {
		t.Fatal("docs/iso8583.md has no hex example block")
	}
	var hexDigits strings.Builder
	for _, line := range strings.Split(string(block[1]), "\n") {
		// Lines are "0000  0100 ...  |ascii|": offset, hex bytes, ASCII.
		fields := strings.SplitN(line, "|", 2)
		parts := strings.Fields(fields[0])
		if len(parts) < 2 {
			continue
		}
		hexDigits.WriteString(strings.Join(parts[1:], ""))
	}
	documented, err := hex.DecodeString(hexDigits.String())
	if err != nil {
		t.Fatal(err)
	}
	m, err := BuildRequest(examplePurchase())
	if err != nil {
		t.Fatal(err)
	}
	frame, err := Pack(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(documented, frame) {
		t.Fatalf("docs/iso8583.md shows\n%s\nPack makes\n%s", hexDump(documented), hexDump(frame))
	}
}

// hexDump formats b as the document does: 16 bytes per line, offset, hex,
// printable ASCII.
func hexDump(b []byte) string {
	var out strings.Builder
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		var h, a strings.Builder
		for i, c := range line {
			if i > 0 {
				h.WriteByte(' ')
			}
			h.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
			if c >= 0x20 && c < 0x7F {
				a.WriteByte(c)
			} else {
				a.WriteByte('.')
			}
		}
		out.WriteString(strings.ToUpper(hex.EncodeToString([]byte{byte(off >> 8), byte(off)})))
		out.WriteString("  ")
		out.WriteString(h.String())
		out.WriteString(strings.Repeat(" ", 47-h.Len()))
		out.WriteString("  |")
		out.WriteString(a.String())
		out.WriteString("|\n")
	}
	return out.String()
}
