package wiring

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tradein/agent"
)

func TestConfigRoundTripAndDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Lang != "zh" || c.Devices.Printer.Columns != 48 || c.Devices.Scanner.Suffix != "CR" {
		t.Fatalf("defaults: %+v", c)
	}
	c.Devices.Scanner.Port = "/dev/ttyUSB0"
	c.Devices.Scanner.Suffix = "IDLE"
	if err := SaveConfig(path, c); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || (!isWindows() && fi.Mode().Perm() != 0o600) {
		t.Fatalf("config file mode: %v %v", fi.Mode(), err)
	}
	got, err := LoadConfig(path)
	if err != nil || got != c {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	// A file with only a few fields gets the rest from the defaults.
	if err := os.WriteFile(path, []byte(`{"platform_url":"https://p.example"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err = LoadConfig(path)
	if err != nil || got.PlatformURL != "https://p.example" || got.Devices.Printer.QRMode != "native" {
		t.Fatalf("partial file: %+v, %v", got, err)
	}
}

func TestConfigRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"typo":       `{"platfrom_url":"https://p.example"}`,
		"not json":   `platform_url = x`,
		"bad url":    `{"platform_url":"ftp://p.example"}`,
		"bad lang":   `{"lang":"fr"}`,
		"bad baud":   `{"devices":{"scanner":{"mode":"serial","port":"/dev/ttyS0","baud":1234}}}`,
		"bad suffix": `{"devices":{"scanner":{"mode":"serial","port":"/dev/ttyS0","suffix":"ETX"}}}`,
		"bad mode":   `{"devices":{"scanner":{"mode":"bluetooth"}}}`,
		"bad qr":     `{"devices":{"printer":{"qr_mode":"svg"}}}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want an error naming the file", name, err)
		}
	}
}

func TestValidateDevices(t *testing.T) {
	ok := DefaultConfig().Devices
	ok.Scanner.Port = "/dev/ttyACM0"
	if err := ValidateDevices(ok); err != nil {
		t.Fatal(err)
	}
	for _, change := range []func(*agent.DeviceConfig){
		func(d *agent.DeviceConfig) { d.Scanner.DataBits = 9 },
		func(d *agent.DeviceConfig) { d.Scanner.Parity = "mark" },
		func(d *agent.DeviceConfig) { d.Scanner.StopBits = "3" },
		func(d *agent.DeviceConfig) { d.Printer.Port = "/dev/ttyUSB1"; d.Printer.Baud = 7 },
		func(d *agent.DeviceConfig) { d.Printer.Columns = 42 },
	} {
		d := ok
		change(&d)
		if err := ValidateDevices(d); agent.CodeOf(err) != agent.CodeInvalidRequest {
			t.Errorf("%+v: err = %v, want INVALID_REQUEST", d, err)
		}
	}
}

func TestEnrollmentFileSealsTheSecret(t *testing.T) {
	dir := t.TempDir()
	key, err := agent.LoadOrCreateKey(filepath.Join(dir, "field.key"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := agent.NewFieldCipher(key)
	secret := "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=" // base64 of 32 bytes
	sealed, _ := c.Seal(secret)
	e := Enrollment{Store: agent.StoreInfo{TerminalNo: "T1"}, SecretSeal: sealed, PlatformKey: "x"}
	path := filepath.Join(dir, "enrollment.json")
	if err := SaveEnrollment(path, e); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), secret) {
		t.Fatal("enrollment.json holds the secret in clear")
	}
	got, ok, err := LoadEnrollment(path)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	b, err := got.Secret(c)
	if err != nil || len(b) != 32 {
		t.Fatalf("secret: %d bytes, %v", len(b), err)
	}
	if _, ok, err := LoadEnrollment(filepath.Join(dir, "none.json")); ok || err != nil {
		t.Fatalf("missing file: %v %v", ok, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m["hmac_secret_sealed"] == nil {
		t.Fatalf("file layout: %s", raw)
	}
}

func TestLogFileRotatesAndTails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "terminal.log")
	l, err := OpenLogFile(path, 1000, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < 200; i++ {
		if _, err := fmt.Fprintf(l, "{\"n\":%03d,\"pad\":\"%s\"}\n", i, strings.Repeat("x", 30)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{path, path + ".1", path + ".2", path + ".3"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 1000 {
			t.Fatalf("%s is %d bytes, over the 1000-byte limit", p, fi.Size())
		}
	}
	if _, err := os.Stat(path + ".4"); !os.IsNotExist(err) {
		t.Fatal("more rotated files kept than asked for")
	}
	lines, err := l.Tail(40)
	if err != nil || len(lines) != 40 {
		t.Fatalf("tail: %d lines, %v", len(lines), err)
	}
	// Oldest first, ending with the last record, across files.
	for i, line := range lines {
		if want := fmt.Sprintf("{\"n\":%03d,", 160+i); !strings.HasPrefix(line, want) {
			t.Fatalf("line %d = %q, want prefix %q", i, line, want)
		}
	}
}

func TestOneAppPerDataDirectory(t *testing.T) {
	dir := t.TempDir()
	l, err := LockDataDir(filepath.Join(dir, "terminal.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockDataDir(filepath.Join(dir, "terminal.lock")); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second lock: %v, want refused", err)
	}
	l.Release()
	l2, err := LockDataDir(filepath.Join(dir, "terminal.lock"))
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
}
