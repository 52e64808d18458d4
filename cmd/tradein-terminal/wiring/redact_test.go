package wiring

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLogRedactsPlatformURLCredentials: the app logs the platform URL it
// talks to at every start; configured with a user, a password and a token
// in it, terminal.log shows the host and none of them.
func TestLogRedactsPlatformURLCredentials(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	a, err := New(ctx, Options{DataDir: dir, PlatformURL: "http://shopuser:hunter2@127.0.0.1:1/?token=tok-SECRET-42",
		Fingerprint: "fp-redact"})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	b, err := os.ReadFile(NewLayout(dir).Log)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if !strings.Contains(log, "terminal ready") || !strings.Contains(log, "http://REDACTED@127.0.0.1:1/?REDACTED") {
		t.Fatalf("the platform URL is not in the log:\n%s", log)
	}
	for _, leak := range []string{"hunter2", "tok-SECRET-42", "shopuser"} {
		if strings.Contains(log, leak) {
			t.Fatalf("terminal.log carries %q:\n%s", leak, log)
		}
	}
}
