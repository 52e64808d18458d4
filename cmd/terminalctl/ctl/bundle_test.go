package ctl

import (
	"archive/tar"
	"compress/gzip"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradein/cmd/tradein-terminal/wiring"
)

// TestSupportBundleHasNoSecrets opens the bundle and looks for every
// secret and every piece of personal data the data directory holds.
func TestSupportBundleHasNoSecrets(t *testing.T) {
	dir := newDataDir(t)
	l := wiring.NewLayout(dir)
	// A setting with a secret and a URL with credentials, as a future
	// settings file might hold.
	var cfg map[string]any
	b, _ := os.ReadFile(l.Config)
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["proxy_url"] = "http://user:hunter2@proxy.example:3128/?token=abc123"
	cfg["api_token"] = "tok-SECRET-42"
	b, _ = json.Marshal(cfg)
	if err := os.WriteFile(l.Config, b, 0o600); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "bundle.tar.gz")
	r := run(t, dir, "", "support-bundle", "--out", out)
	if r.code != ExitOK {
		t.Fatalf("support-bundle: %s", r)
	}
	files := readBundle(t, out)
	for _, want := range []string{"status.txt", "doctor.txt", "queue-summary.txt", "config.redacted.json",
		"enrollment.redacted.json", "logs/terminal.log", "README.txt"} {
		if _, ok := files[want]; !ok {
			t.Errorf("bundle lacks %s (has %v)", want, keys(files))
		}
	}
	for name := range files {
		if strings.HasSuffix(name, ".db") || strings.Contains(name, "field.key") || strings.Contains(name, "photos") {
			t.Errorf("bundle holds %s", name)
		}
	}

	key, _ := os.ReadFile(l.FieldKey)
	e, _, err := wiring.LoadEnrollment(l.Enrollment)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"auth code": testAuthCode, "auth code body": strings.TrimPrefix(testAuthCode, "TIQ1."),
		"phone": testPhone, "ID number": testIDNumber,
		"sealed HMAC secret": e.SecretSeal, "field key (hex)": hex.EncodeToString(key),
		"field key (base64)": base64.StdEncoding.EncodeToString(key), "field key (raw)": string(key),
		"proxy password": "hunter2", "URL token": "abc123", "api token": "tok-SECRET-42",
	}
	for name, data := range files {
		for what, s := range secrets {
			if strings.Contains(data, s) {
				t.Errorf("%s holds the %s", name, what)
			}
		}
	}
	mustHave := func(name, s string) {
		if !strings.Contains(files[name], s) {
			t.Errorf("%s lacks %q:\n%s", name, s, files[name])
		}
	}
	mustHave("logs/terminal.log", "138****5678")
	mustHave("logs/terminal.log", "terminal ready")
	mustHave("enrollment.redacted.json", e.Store.TerminalNo)
	mustHave("enrollment.redacted.json", `"hmac_secret_sealed": "[removed]"`)
	mustHave("config.redacted.json", "platform_url")
	mustHave("queue-summary.txt", "pending items: 3")
	mustHave("queue-summary.txt", "SALE_OFFLINE   2")
	mustHave("status.txt", "Schema version:")
	mustHave("doctor.txt", "审计链 Audit chain")
	if strings.Contains(files["queue-summary.txt"], "O-T0001") {
		t.Error("the queue summary lists order numbers; it should hold counts only")
	}
}

func readBundle(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(h.Name, "tradein-support/")] = string(b)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestPlatformURLCredentialsRedactedEverywhere: a platform URL with a
// user, a password and a token in its query is configured; status, doctor
// (whose errors quote the URL), the support bundle and a log line the app
// wrote before its logs were redacted carry none of them.
func TestPlatformURLCredentialsRedactedEverywhere(t *testing.T) {
	dir := newDataDir(t)
	l := wiring.NewLayout(dir)
	cfg, err := wiring.LoadConfig(l.Config)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PlatformURL = "http://shopuser:hunter2@127.0.0.1:1/?token=tok-SECRET-42" // nothing listens on port 1
	if err := wiring.SaveConfig(l.Config, cfg); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(l.Log, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"level":"WARN","msg":"outbox: Post \"http://shopuser:hunter2@127.0.0.1:1/v1/transactions/batch?token=tok-SECRET-42\": refused"}` + "\n")
	f.Close()

	leaks := []string{"hunter2", "tok-SECRET-42", "shopuser"}
	check := func(what, text string) {
		t.Helper()
		for _, s := range leaks {
			if strings.Contains(text, s) {
				t.Errorf("%s carries %q:\n%s", what, s, text)
			}
		}
	}
	st := run(t, dir, "", "status")
	check("status", st.stdout+st.stderr)
	mustContain(t, st, "http://REDACTED@127.0.0.1:1/?REDACTED")
	doc := run(t, dir, "", "doctor")
	check("doctor", doc.stdout+doc.stderr)
	mustContain(t, doc, "✗ 平台 Platform reachable: http://REDACTED@127.0.0.1:1/?REDACTED")

	out := filepath.Join(t.TempDir(), "bundle.tar.gz")
	if r := run(t, dir, "", "support-bundle", "--out", out); r.code != ExitOK {
		t.Fatalf("support-bundle: %s", r)
	}
	for name, data := range readBundle(t, out) {
		check("bundle file "+name, string(data))
	}
}
