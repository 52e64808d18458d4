package agent

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		raw   string
		kind  ScanKind
		value string
	}{
		{"6901234567892\r\n", ScanProduct, "6901234567892"},
		{"  96385074\t", ScanProduct, "96385074"},
		{"490154203237518\n", ScanIMEI, "490154203237518"},
		{"490154203237519", ScanSN, "490154203237519"}, // bad Luhn: still a plausible SN
		{"C02XK1ZJJG5H\r", ScanSN, "C02XK1ZJJG5H"},
		{"TIQ1.abc.def", ScanConsumer, "TIQ1.abc.def"},
		{"TI25011512000012340001", ScanTicket, "TI25011512000012340001"},
		{"TI12345678901234", ScanTicket, "TI12345678901234"},           // 14 digits
		{"TI1234567890123", ScanSN, "TI1234567890123"},                 // 13 digits: not a ticket
		{"TI123456789012345678901", ScanSN, "TI123456789012345678901"}, // 21 digits
		{"https://example.com/qr?x=1", ScanUnknown, "https://example.com/qr?x=1"},
		{"", ScanUnknown, ""},
		{" \r\n", ScanUnknown, ""},
		{"abc", ScanUnknown, "abc"},
	}
	for _, tt := range tests {
		kind, v := Classify(tt.raw)
		if kind != tt.kind || v != tt.value {
			t.Errorf("Classify(%q) = %s %q, want %s %q", tt.raw, kind, v, tt.kind, tt.value)
		}
	}
}

func TestClassifySignedCode(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	_ = pub
	code, err := SignConsumerCode(ConsumerClaims{VID: "V1", Cat: CatFridge, Reg: "110000", Iat: 1, Exp: 2}, priv)
	if err != nil {
		t.Fatal(err)
	}
	if kind, v := Classify(code + "\r\n"); kind != ScanConsumer || v != code {
		t.Errorf("Classify(signed code) = %s %q", kind, v)
	}
}

func TestNewTicketNo(t *testing.T) {
	now := time.Date(2025, 3, 9, 23, 30, 5, 0, time.UTC) // 2025-03-10 07:30:05 in China
	got := NewTicketNo(now, "T310115000042", 7)
	if want := "TI25031007300500420007"; got != want {
		t.Errorf("NewTicketNo = %q, want %q", got, want)
	}
	seen := map[string]bool{}
	for _, term := range []string{"T310115000042", "T-A", "", "终端"} {
		for seq := 0; seq < 300; seq++ {
			n := NewTicketNo(now, term, seq)
			if kind, v := Classify(n); kind != ScanTicket || v != n {
				t.Fatalf("Classify(%q) = %s", n, kind)
			}
			if seen[n] {
				t.Fatalf("duplicate ticket %q", n)
			}
			seen[n] = true
		}
	}
	if n := NewTicketNo(now, "x", -5); !IsTicketNo(n) || !strings.HasSuffix(n, "0005") {
		t.Errorf("negative seq: %q", n)
	}
}
