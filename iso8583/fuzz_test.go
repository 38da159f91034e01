package iso8583

import (
	"reflect"
	"testing"
)

// FuzzUnpack: no bytes make the decoder path panic (Unpack, ParseRequest,
// BuildResponse), and a request that parses survives BuildRequest → Pack →
// Unpack → ParseRequest unchanged.
func FuzzUnpack(f *testing.F) {
	for _, r := range []Request{examplePurchase(), func() Request {
		r := examplePurchase()
		r.MTI, r.PINBlock = MTIReversal, ""
		r.Field48 = map[string]string{TagCVV2: "123", TagRecurring: "1"}
		r.Original = &OriginalData{MTI: "0100", STAN: "000001", TransmissionTime: "0615120000"}
		return r
	}()} {
		m, err := BuildRequest(r)
		if err != nil {
			f.Fatal(err)
		}
		frame, err := Pack(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(frame)
	}
	f.Add([]byte{0, 4, '0', '1', '0', '0'})
	f.Add([]byte{0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, frame []byte) {
		m, err := Unpack(frame)
		if err != nil {
			return
		}
		req, err := ParseRequest(m)
		if err != nil {
			return
		}
		if _, err := BuildResponse(req, Response{Code: CodeApproved, AuthCode: "ABC123"}); err != nil {
			t.Fatalf("BuildResponse for a parsed request: %v", err)
		}
		again, err := BuildRequest(req)
		if err != nil {
			t.Fatalf("BuildRequest for a parsed request: %v", err)
		}
		frame2, err := Pack(again)
		if err != nil {
			t.Fatalf("Pack: %v", err)
		}
		m2, err := Unpack(frame2)
		if err != nil {
			t.Fatalf("Unpack of a packed request: %v", err)
		}
		req2, err := ParseRequest(m2)
		if err != nil {
			t.Fatalf("ParseRequest of a rebuilt request: %v", err)
		}
		if !reflect.DeepEqual(req, req2) {
			t.Fatalf("round trip changed the request\n %+v\n %+v", req, req2)
		}
	})
}
