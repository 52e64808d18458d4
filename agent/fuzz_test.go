package agent

import (
	"bytes"
	"crypto/ed25519"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for every parser of scanned or typed input. Plain `go test`
// runs the seeds; `go test -fuzz FuzzXxx ./agent/` explores further. Each
// target checks that bad input never panics and that valid input round-trips.

func FuzzValidateGTIN(f *testing.F) {
	for _, s := range []string{"6901234567892", "96385074", "036000291452", "10036000291459", "6901234567891", "", "abc", "69012345678921234", "0000000\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateGTIN(s)
		if err != nil && CodeOf(err) != CodeInvalidGTIN {
			t.Fatalf("code %s", CodeOf(err))
		}
		n := len(s)
		if (n == 8 || n == 12 || n == 13 || n == 14) && firstNonDigit(s) < 0 {
			fixed := s[:n-1] + string(GTINCheckDigit(s[:n-1]))
			if ValidateGTIN(fixed) != nil {
				t.Fatalf("%q with recomputed check digit refused", fixed)
			}
			if (err == nil) != (fixed == s) {
				t.Fatalf("%q: valid=%v but recomputed %q", s, err == nil, fixed)
			}
		} else if err == nil {
			t.Fatalf("%q accepted", s)
		}
	})
}

func FuzzValidateIMEI(f *testing.F) {
	for _, s := range []string{"490154203237518", "490154203237519", "35391805070987", "", "49015420323751X", "4901542032375180"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateIMEI(s)
		if len(s) == IMEILen && firstNonDigit(s) < 0 {
			fixed := s[:14] + string(LuhnCheckDigit(s[:14]))
			if ValidateIMEI(fixed) != nil {
				t.Fatalf("%q with recomputed check digit refused", fixed)
			}
			if (err == nil) != (fixed == s) {
				t.Fatalf("%q: valid=%v but recomputed %q", s, err == nil, fixed)
			}
			// Luhn catches every single-digit error.
			if err == nil {
				for i := 0; i < IMEILen; i++ {
					b := []byte(s)
					b[i] = '0' + (b[i]-'0'+1)%10
					if ValidateIMEI(string(b)) == nil {
						t.Fatalf("single-digit change at %d of %q accepted", i, s)
					}
				}
			}
		} else if err == nil {
			t.Fatalf("%q accepted", s)
		}
	})
}

func FuzzValidateSN(f *testing.F) {
	for _, s := range []string{"C02XK1ZJJG5H", "SN-2025-000123", "ABC12", "ABC 123", "序列号123456", strings.Repeat("A", 33), "\xff\xfe\xfd\xfc\xfb\xfa", " sncase000001\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// NormalizeSN: idempotent, no lower-case ASCII left, and one
		// validity for every case of the same letters.
		n := NormalizeSN(s)
		if NormalizeSN(n) != n || strings.IndexFunc(n, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0 {
			t.Fatalf("NormalizeSN(%q) = %q", s, n)
		}
		if (ValidateSN(n) == nil) != (ValidateSN(strings.TrimSpace(s)) == nil) {
			t.Fatalf("case changed the validity of %q", s)
		}
		err := ValidateSN(s)
		if err != nil {
			if CodeOf(err) != CodeInvalidSN {
				t.Fatalf("code %s", CodeOf(err))
			}
			return
		}
		if len(s) < SNMinLen || len(s) > SNMaxLen {
			t.Fatalf("%q of length %d accepted", s, len(s))
		}
		for i := 0; i < len(s); i++ {
			if !isSNByte(s[i]) {
				t.Fatalf("%q accepted with byte %q", s, s[i])
			}
		}
	})
}

func FuzzValidateRegion(f *testing.F) {
	for _, s := range []string{"110105", "820000", "100000", "11010", "11010A", "", "１１０１０５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := ValidateRegion(s); err != nil {
			if RegionCovers(s, s) && s != "" {
				// An invalid county is covered by nothing but "".
				t.Fatalf("invalid %q covers itself", s)
			}
			return
		}
		if !RegionCovers(s, s) || !RegionCovers(s[:2], s) || !RegionCovers(s[:2]+"0000", s) || !RegionCovers("", s) {
			t.Fatalf("valid %q not covered by its own levels", s)
		}
	})
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"6901234567892\r\n", "490154203237518", "C02XK1ZJJG5H", "TIQ1.a.b", "TI25031007300500420007", " ", "", "\x00\x01", "TI\u0660\u0661"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		kind, v := Classify(raw)
		if v != strings.TrimSpace(raw) {
			t.Fatalf("value %q is not the trimmed input", v)
		}
		if k2, v2 := Classify(v); k2 != kind || v2 != v {
			t.Fatalf("Classify not idempotent: %s then %s", kind, k2)
		}
		ok := map[ScanKind]bool{
			ScanConsumer: IsSignedCodeFormat(v),
			ScanTicket:   IsTicketNo(v),
			ScanProduct:  ValidateGTIN(v) == nil,
			ScanIMEI:     ValidateIMEI(v) == nil,
			ScanSN:       ValidateSN(v) == nil,
			ScanUnknown:  true,
		}[kind]
		if !ok {
			t.Fatalf("%q classified as %s but does not validate as one", v, kind)
		}
	})
}

func FuzzNewTicketNo(f *testing.F) {
	f.Add(int64(1740000000), "T310115000042", 7)
	f.Add(int64(0), "", -1)
	f.Add(int64(4102444800), "终端-x", 1<<40)
	f.Add(int64(1740000000), "T1", math.MinInt) // -seq overflows
	f.Fuzz(func(t *testing.T, unix int64, terminal string, seq int) {
		if unix < 0 || unix > 4102444800 { // years 1970..2100: four-digit years only
			return
		}
		n := NewTicketNo(time.Unix(unix, 0), terminal, seq)
		if kind, v := Classify(n); kind != ScanTicket || v != n {
			t.Fatalf("NewTicketNo made %q, classified %s", n, kind)
		}
	})
}

// FuzzParseConsumerCode fuzzes splitConsumerCode, the parser inside
// VerifyConsumerCode: it refuses with CodeInvalidCode only, and what
// verifies parses to the same claims.
func FuzzParseConsumerCode(f *testing.F) {
	_, priv := testKey(0)
	good, _ := SignConsumerCode(testClaims(), priv)
	for _, s := range []string{good, good + "=", "TIQ1.", "TIQ1..", "TIQ1.e30.AAAA", "TIQ1.bnVsbA." + strings.Repeat("A", 86), "opaque-code-123", ""} {
		f.Add(s)
	}
	pub, _ := testKey(0)
	f.Fuzz(func(t *testing.T, code string) {
		c, _, _, perr := splitConsumerCode(code)
		vc, verr := VerifyConsumerCode(code, pub, testNow)
		if perr != nil {
			if CodeOf(perr) != CodeInvalidCode {
				t.Fatalf("parse code %s", CodeOf(perr))
			}
			if verr == nil {
				t.Fatal("verified what does not parse")
			}
			return
		}
		if verr == nil && vc != c {
			t.Fatalf("verify %+v != parse %+v", vc, c)
		}
		if verr != nil {
			switch CodeOf(verr) {
			case CodeBadSignature, CodeVoucherExpired:
			default:
				t.Fatalf("verify of a parsable code: %v", verr)
			}
		}
	})
}

func FuzzConsumerCodeRoundTrip(f *testing.F) {
	f.Add("V2025000001", "fridge", "110000", int64(1700000000), int64(1800000000), "C-88")
	f.Add("v", "phone", "", int64(0), int64(1), "")
	f.Add("\"quoted\"\n", "家电", "820000", int64(-5), int64(9e18), "☃")
	_, priv := testKey(3)
	pub := priv.Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, vid, cat, reg string, iat, exp int64, cref string) {
		c := ConsumerClaims{VID: vid, Cat: Category(cat), Reg: reg, Iat: iat, Exp: exp, CRef: cref}
		code, err := SignConsumerCode(c, priv)
		if err != nil {
			if CodeOf(err) != CodeInvalidCode {
				t.Fatalf("sign: %v", err)
			}
			return
		}
		if len(code) > MaxConsumerCodeLen {
			return // too long to scan; parse refuses it by design
		}
		if kind, _ := Classify(code); kind != ScanConsumer {
			t.Fatalf("signed code classified %s", kind)
		}
		got, err := VerifyConsumerCode(code, pub, time.Unix(exp-1, 0))
		if err != nil {
			t.Fatalf("signed code does not verify: %v", err)
		}
		if utf8.ValidString(vid+cat+reg+cref) && got != c {
			t.Fatalf("round trip %+v != %+v", got, c)
		}
		if _, err := VerifyConsumerCode(code, pub, time.Unix(exp, 0)); CodeOf(err) != CodeVoucherExpired {
			t.Fatalf("at exp: %v", err)
		}
	})
}

func FuzzParseFen(f *testing.F) {
	for _, s := range []string{"4999", "4,999.5", "¥4,999.00", "￥0.01", "-1", "1.234", "", ".5", "1e3", "999999999999.99", "9999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseFen(s)
		if err != nil {
			if CodeOf(err) != CodeInvalidAmount {
				t.Fatalf("code %s", CodeOf(err))
			}
			return
		}
		if v < 0 {
			t.Fatalf("%q parsed negative %d", s, v)
		}
		back, err := ParseFen(v.String())
		if err != nil || back != v {
			t.Fatalf("%q → %d → %q → %d, %v", s, v, v.String(), back, err)
		}
	})
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"110101199003071234", "13812345678", "欧阳娜娜", "王", "", "\xff\xfe", "1-2-3-4", "    x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, mask := range map[string]func(string) string{"MaskID": MaskID, "MaskPhone": MaskPhone} {
			out := mask(s)
			if utf8.RuneCountInString(s) >= 4 && out == s && strings.Trim(s, "*") != "" {
				t.Fatalf("%s(%q) returned the input unmasked", name, s)
			}
			if strings.TrimSpace(s) != "" && !strings.Contains(out, "*") && out != "" {
				t.Fatalf("%s(%q) = %q has no mask", name, s, out)
			}
		}
	})
}

func FuzzPINHashParse(f *testing.F) {
	h, _ := HashPIN("1234")
	for _, s := range []string{h, "", "$argon2id$v=19$m=1,t=1,p=1$$", "$argon2id$v=19$m=4294967295,t=1,p=255$c2FsdHNhbHQ$c2FsdHNhbHRzYWx0c2FsdA", "$$$$$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := parsePINHash(s)
		if !ok {
			return
		}
		if p.memory > maxPINMemoryKiB || p.time > maxPINTime || p.threads > maxPINThreads || p.threads == 0 || len(p.salt) < 8 {
			t.Fatalf("%q parsed to unsafe parameters %+v", s, p)
		}
	})
}

func FuzzFieldCipherOpen(f *testing.F) {
	c, _ := NewFieldCipher(bytes.Repeat([]byte{9}, FieldKeySize))
	sealed, _ := c.Seal("13812345678")
	for _, s := range []string{sealed, "", "v1:", "v1:AAAA", "v1:" + strings.Repeat("A", 40), "13812345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out, err := c.Open(s); err == nil && s != "" && !strings.HasPrefix(s, "v1:") {
			t.Fatalf("opened %q to %q", s, out)
		}
		sealed, err := c.Seal(s)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := c.Open(sealed); err != nil || back != s {
			t.Fatalf("round trip of %q: %q, %v", s, back, err)
		}
	})
}
