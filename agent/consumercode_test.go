package agent

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// testKey returns a deterministic platform key pair.
func testKey(seed byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('a'+seed)), ed25519.SeedSize)))
	return priv.Public().(ed25519.PublicKey), priv
}

var testNow = time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaTime)

func testClaims() ConsumerClaims {
	return ConsumerClaims{VID: "V2025000001", Cat: CatFridge, Reg: "110000",
		Iat: testNow.Add(-time.Hour).Unix(), Exp: testNow.Add(24 * time.Hour).Unix(), CRef: "C-88"}
}

func TestConsumerCodeRoundTrip(t *testing.T) {
	pub, priv := testKey(0)
	code, err := SignConsumerCode(testClaims(), priv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(code, "TIQ1.") || strings.Count(code, ".") != 2 || strings.Contains(code, "=") {
		t.Fatalf("code format: %q", code)
	}
	got, err := VerifyConsumerCode(code, pub, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got != testClaims() {
		t.Errorf("claims = %+v, want %+v", got, testClaims())
	}
}

func TestConsumerCodeSignatureCoversExactBytes(t *testing.T) {
	// A code built by hand the way the platform documents it must verify.
	pub, priv := testKey(1)
	claims := `{"vid":"V9","cat":"phone","reg":"","iat":1,"exp":9999999999,"cref":"x","extra":true}`
	signed := "TIQ1." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	code := signed + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(signed)))
	c, err := VerifyConsumerCode(code, pub, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if c.VID != "V9" || c.Cat != CatPhone || c.Reg != "" {
		t.Errorf("claims %+v", c)
	}
}

func TestVerifyConsumerCodeErrors(t *testing.T) {
	pub, priv := testKey(0)
	otherPub, _ := testKey(2)
	good, _ := SignConsumerCode(testClaims(), priv)
	parts := strings.Split(good, ".")
	expired := testClaims()
	expired.Exp = testNow.Unix()
	expiredCode, _ := SignConsumerCode(expired, priv)
	otherClaims := testClaims()
	otherClaims.Cat = CatTV
	otherCode, _ := SignConsumerCode(otherClaims, priv)
	otherParts := strings.Split(otherCode, ".")

	tests := []struct {
		name string
		code string
		key  ed25519.PublicKey
		want Code
	}{
		{"wrong key", good, otherPub, CodeBadSignature},
		{"swapped claims", parts[0] + "." + otherParts[1] + "." + parts[2], pub, CodeBadSignature},
		{"flipped signature", parts[0] + "." + parts[1] + "." + flipFirst(parts[2]), pub, CodeBadSignature},
		{"expired at exp", expiredCode, pub, CodeVoucherExpired},
		{"no key", good, nil, CodeInvalidCode},
		{"opaque", "8f3a9c2e77", pub, CodeInvalidCode},
		{"two parts", parts[0] + "." + parts[1], pub, CodeInvalidCode},
		{"four parts", good + ".x", pub, CodeInvalidCode},
		{"padded", good + "=", pub, CodeInvalidCode},
		{"short signature", parts[0] + "." + parts[1] + ".AAAA", pub, CodeInvalidCode},
		{"claims not json", "TIQ1." + base64.RawURLEncoding.EncodeToString([]byte("hello")) + "." + parts[2], pub, CodeInvalidCode},
		{"claims missing vid", "TIQ1." + base64.RawURLEncoding.EncodeToString([]byte(`{"cat":"tv","exp":5}`)) + "." + parts[2], pub, CodeInvalidCode},
		{"bad region", "TIQ1." + base64.RawURLEncoding.EncodeToString([]byte(`{"vid":"v","cat":"tv","reg":"99","exp":5}`)) + "." + parts[2], pub, CodeInvalidCode},
		{"huge", "TIQ1." + strings.Repeat("A", 5000) + "." + parts[2], pub, CodeInvalidCode},
	}
	for _, tt := range tests {
		_, err := VerifyConsumerCode(tt.code, tt.key, testNow)
		if CodeOf(err) != tt.want {
			t.Errorf("%s: err = %v, want code %s", tt.name, err, tt.want)
		}
	}
	// One second before exp the code is still good.
	if _, err := VerifyConsumerCode(expiredCode, pub, testNow.Add(-time.Second)); err != nil {
		t.Errorf("one second before exp: %v", err)
	}
	if _, err := VerifyConsumerCode(expiredCode, pub, testNow); !errors.Is(err, ErrVoucherExpired) {
		t.Errorf("errors.Is(expired, ErrVoucherExpired) false: %v", err)
	}
}

func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestSignConsumerCodeRefusesBadClaims(t *testing.T) {
	_, priv := testKey(0)
	c := testClaims()
	c.VID = ""
	if _, err := SignConsumerCode(c, priv); CodeOf(err) != CodeInvalidCode {
		t.Errorf("empty vid: %v", err)
	}
	if _, err := SignConsumerCode(testClaims(), nil); CodeOf(err) != CodeInvalidCode {
		t.Errorf("no key: %v", err)
	}
}

func TestCheckClaims(t *testing.T) {
	c := testClaims() // fridge, 110000
	if err := CheckClaims(c, CatFridge, "110105"); err != nil {
		t.Errorf("matching: %v", err)
	}
	if err := CheckClaims(c, CatTV, "110105"); CodeOf(err) != CodeVoucherCategoryMismatch {
		t.Errorf("category: %v", err)
	}
	if err := CheckClaims(c, CatFridge, "310115"); CodeOf(err) != CodeVoucherRegionMismatch {
		t.Errorf("region: %v", err)
	}
	c.Reg = ""
	if err := CheckClaims(c, CatFridge, "310115"); err != nil {
		t.Errorf("national voucher: %v", err)
	}
}
