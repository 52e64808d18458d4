package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzPayloadSealing: sealing then opening any payload never panics,
// gives back an equivalent document, and a sealed payload never holds the
// consumer's auth code or phone in clear.
func FuzzPayloadSealing(f *testing.F) {
	f.Add([]byte(`{"order_no":"O1","consumer":{"auth_code":"TIQ1.abc.def","phone":"13812345678","cref":"C1"}}`))
	f.Add([]byte(`{"consumer":{"auth_code":"","phone":"13800000000"}}`))
	f.Add([]byte(`{"consumer":{"auth_code":12}}`))
	f.Add([]byte(`{"consumer":"TIQ1.abc"}`))
	f.Add([]byte(`{"consumer":null,"x":{"consumer":{"auth_code":"nested"}}}`))
	f.Add([]byte(`{"a":{"auth_code":"Z"},"consumer":{"auth_code":"Z"}}`))
	f.Add([]byte(`[1,2,"consumer"]`))
	f.Add([]byte("not json, consumer"))
	f.Add([]byte(``))
	s := &Store{}
	c, err := newTestCipher()
	if err != nil {
		f.Fatal(err)
	}
	s.cipher = c
	f.Fuzz(func(t *testing.T, p []byte) {
		sealed, err := s.sealPayload(p)
		if err != nil {
			return // refused (a sensitive field that is not a string): fine, nothing stored
		}
		opened, err := s.openPayload(sealed)
		if err != nil {
			t.Fatalf("open of a sealed payload failed: %v", err)
		}
		var in, out any
		if json.Unmarshal(p, &in) != nil {
			if !bytes.Equal(opened, p) {
				t.Fatalf("non-JSON payload changed: %q -> %q", p, opened)
			}
			return
		}
		if err := json.Unmarshal(opened, &out); err != nil {
			t.Fatalf("opened payload is not JSON: %v", err)
		}
		if !reflect.DeepEqual(in, out) {
			t.Fatalf("round trip changed the payload:\n in %s\nout %s", p, opened)
		}
		var doc struct {
			Consumer struct {
				AuthCode string `json:"auth_code"`
				Phone    string `json:"phone"`
			} `json:"consumer"`
		}
		if json.Unmarshal(p, &doc) == nil {
			for _, secret := range []string{doc.Consumer.AuthCode, doc.Consumer.Phone} {
				if len(secret) >= 8 && bytes.Contains(sealed, []byte(secret)) {
					t.Fatalf("sealed payload holds %q in clear: %s", secret, sealed)
				}
			}
		}
	})
}

// FuzzUnpackRecord: any stored bytes decode or fail cleanly.
func FuzzUnpackRecord(f *testing.F) {
	packed, err := packRecord([]byte(`{"order_no":"O1","state":"COMMITTED"}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(packed)
	f.Add([]byte(`{"order_no":"O1"}`))
	f.Add(append([]byte{0x28, 0xb5, 0x2f, 0xfd}, 0, 0, 0))
	f.Add([]byte{})
	s := &Store{}
	f.Fuzz(func(t *testing.T, b []byte) {
		js, err := unpackRecord(b)
		if err == nil && len(js) > maxRecord {
			t.Fatalf("record of %d bytes accepted", len(js))
		}
		_, _ = s.decodeSale(b)
	})
}
