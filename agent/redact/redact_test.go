package redact

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pa55@platform.example/api":        "https://REDACTED@platform.example/api",
		"https://platform.example/v1?token=abc&x=1":     "https://platform.example/v1?REDACTED",
		"http://127.0.0.1:8787":                         "http://127.0.0.1:8787",
		"https://u@h.example/p?access_token=s#frag-key": "https://REDACTED@h.example/p?REDACTED",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	in := `PLATFORM_UNREACHABLE: Get "https://shop:s3cret@platform.example/v1/health?token=T0K3N": dial tcp: refused; ` +
		`plain http://127.0.0.1:8787/v1/rules stays`
	got := Text(in)
	for _, leak := range []string{"s3cret", "T0K3N", "shop:"} {
		if strings.Contains(got, leak) {
			t.Fatalf("Text left %q in %q", leak, got)
		}
	}
	if !strings.Contains(got, `"https://REDACTED@platform.example/v1/health?REDACTED": dial tcp`) ||
		!strings.Contains(got, "http://127.0.0.1:8787/v1/rules stays") {
		t.Fatalf("Text = %q", got)
	}
}

// TestHandler: the message, string attributes, errors and groups of a log
// record reach the log file without credentials.
func TestHandler(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(Handler(slog.NewJSONHandler(&b, nil))).With("platform_url", "https://a:b1@p.example/?key=k1")
	log.Warn("call https://a:b2@p.example/x failed", "err", errors.New(`Post "https://a:b3@p.example/v1?sig=k2": EOF`),
		slog.Group("req", "url", "https://a:b4@p.example/?t=k3"), "n", 3)
	out := b.String()
	for _, leak := range []string{"b1", "b2", "b3", "b4", "k1", "k2", "k3"} {
		if strings.Contains(out, leak) {
			t.Fatalf("log line carries %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, `"n":3`) || !strings.Contains(out, "p.example") {
		t.Fatalf("log line lost its content: %s", out)
	}
}

// FuzzText: Text is idempotent, and no URL left in its output carries a
// password or a query other than the placeholder.
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"", "no url here", "https://u:p@h/x?q=1", `Get "http://a:b@c:1/?t=2": EOF`, "a://@?#", "x://[::1]:80/?",
		"http://h/%zz?x", "https://u:p@h/ and ftp://x:y@z/?w", "://", "h://u:p@",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if Text(out) != out {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, Text(out))
		}
		for _, m := range urlInText.FindAllString(out, -1) {
			u, err := url.Parse(m)
			if err != nil {
				continue
			}
			if _, has := u.User.Password(); has {
				t.Fatalf("password left in %q (from %q)", out, s)
			}
			if u.RawQuery != "" && u.RawQuery != Removed && u.RawQuery != "%5Bremoved%5D" {
				t.Fatalf("query %q left in %q (from %q)", u.RawQuery, out, s)
			}
		}
	})
}
