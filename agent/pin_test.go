package agent

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestValidatePIN(t *testing.T) {
	for pin, ok := range map[string]bool{
		"1234": true, "00000000": true, "123456": true,
		"123": false, "123456789": false, "12a4": false, "": false, "１２３４": false,
	} {
		if err := ValidatePIN(pin); (err == nil) != ok {
			t.Errorf("ValidatePIN(%q) = %v, want ok=%v", pin, err, ok)
		} else if err != nil && len(pin) > 2 && strings.Contains(err.Error(), pin) {
			t.Errorf("error quotes the PIN: %v", err)
		}
	}
}

func TestHashAndVerifyPIN(t *testing.T) {
	h, err := HashPIN("482913")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=47104,t=2,p=1$") {
		t.Errorf("hash format %q", h)
	}
	if strings.Contains(h, "482913") {
		t.Error("hash contains the PIN")
	}
	if !VerifyPIN(h, "482913") {
		t.Error("right PIN refused")
	}
	if VerifyPIN(h, "482914") || VerifyPIN(h, "") {
		t.Error("wrong PIN accepted")
	}
	h2, _ := HashPIN("482913")
	if h == h2 {
		t.Error("two hashes of one PIN are equal: salt not random")
	}
	if PINNeedsRehash(h) {
		t.Error("fresh hash needs rehash")
	}
	if _, err := HashPIN("12"); CodeOf(err) != CodeInvalidRequest {
		t.Errorf("HashPIN(short) = %v", err)
	}
}

func TestVerifyPINMalformedHashes(t *testing.T) {
	h, _ := HashPIN("1234")
	parts := strings.Split(h, "$")
	for _, bad := range []string{
		"", "1234", "$argon2i$v=19$m=47104,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=47104,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5], // absurd memory
		"$argon2id$v=19$m=47104,t=0,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=47104,t=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=47104,t=1,p=1,x=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=47104,t=1,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=47104,t=1,p=1$" + parts[4] + "$",
	} {
		if VerifyPIN(bad, "1234") {
			t.Errorf("VerifyPIN accepted malformed hash %q", bad)
		}
		if !PINNeedsRehash(bad) {
			t.Errorf("PINNeedsRehash(%q) = false", bad)
		}
	}
}

func TestVerifyPINOtherParameters(t *testing.T) {
	// A hash made with older, cheaper parameters still verifies and asks for
	// a rehash, so parameter changes never lock staff out.
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("2468"), salt, 2, 8*1024, 1, 32)
	h := fmt.Sprintf("$argon2id$v=19$m=8192,t=2,p=1$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if !VerifyPIN(h, "2468") {
		t.Error("older parameters: right PIN refused")
	}
	if VerifyPIN(h, "2469") {
		t.Error("older parameters: wrong PIN accepted")
	}
	if !PINNeedsRehash(h) {
		t.Error("older parameters: PINNeedsRehash = false")
	}
}

func BenchmarkHashPIN(b *testing.B) {
	for b.Loop() {
		if _, err := HashPIN("482913"); err != nil {
			b.Fatal(err)
		}
	}
}
