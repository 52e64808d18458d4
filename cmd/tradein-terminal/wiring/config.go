package wiring

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tradein/agent"
	"tradein/devices/scanner"
)

// Config is the terminal's settings file (config.json in the data
// directory). Field support edits the device part from the support screen
// (agent.Support.SaveDeviceConfig); the rest is written by the installer
// or by hand. Unknown fields are refused so that a typo is not silently
// ignored.
type Config struct {
	// PlatformURL is the central platform's base URL, e.g.
	// "https://subsidy.example.gov.cn". http:// is accepted for loopback
	// (the reference platform in the demo and tests).
	PlatformURL string `json:"platform_url"`
	// PlatformCAFile, when set, is the only CA trusted for the platform's
	// TLS certificate (pinning). Relative paths are relative to the data
	// directory.
	PlatformCAFile string `json:"platform_ca_file,omitempty"`
	// VerifyURLBase prefixes the order number in the receipt's verification
	// QR code.
	VerifyURLBase string `json:"verify_url_base"`
	// Lang is the UI language: "zh" (default) or "en".
	Lang string `json:"lang"`
	// Devices are the scanner and printer settings.
	Devices agent.DeviceConfig `json:"devices"`
	// LogMaxBytes is the size at which terminal.log is rotated; LogKeep how
	// many rotated files are kept.
	LogMaxBytes int64 `json:"log_max_bytes"`
	LogKeep     int   `json:"log_keep"`
}

// Defaults of a new configuration.
const (
	DefaultPlatformURL   = "http://127.0.0.1:8787"
	DefaultVerifyURLBase = "https://verify.tradein.example/r/"
	// 5 MB × 5 files keeps weeks of a shop's logs (a sale logs a few
	// lines) in 30 MB, small enough for a support bundle.
	DefaultLogMaxBytes = 5 << 20
	DefaultLogKeep     = 5
)

// DefaultConfig is the configuration of a fresh install: a serial scanner
// and an 80 mm printer on ports to be chosen on the support screen.
func DefaultConfig() Config {
	return Config{
		PlatformURL:   DefaultPlatformURL,
		VerifyURLBase: DefaultVerifyURLBase,
		Lang:          "zh",
		Devices: agent.DeviceConfig{
			Scanner: agent.ScannerConfig{Mode: agent.ScannerSerial, Baud: 9600, DataBits: 8, Parity: "none", StopBits: "1", Suffix: "CR"},
			Printer: agent.PrinterConfig{Baud: 9600, Columns: 48, QRMode: "native"},
		},
		LogMaxBytes: DefaultLogMaxBytes,
		LogKeep:     DefaultLogKeep,
	}
}

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.PlatformURL == "" {
		c.PlatformURL = d.PlatformURL
	}
	if c.VerifyURLBase == "" {
		c.VerifyURLBase = d.VerifyURLBase
	}
	if c.Lang == "" {
		c.Lang = d.Lang
	}
	if c.LogMaxBytes <= 0 {
		c.LogMaxBytes = d.LogMaxBytes
	}
	if c.LogKeep <= 0 {
		c.LogKeep = d.LogKeep
	}
	s := &c.Devices.Scanner
	if s.Mode == "" {
		s.Mode = agent.ScannerSerial
	}
	if s.Baud == 0 {
		s.Baud = 9600
	}
	if s.DataBits == 0 {
		s.DataBits = 8
	}
	if s.Parity == "" {
		s.Parity = "none"
	}
	if s.StopBits == "" {
		s.StopBits = "1"
	}
	if s.Suffix == "" {
		s.Suffix = "CR"
	}
	p := &c.Devices.Printer
	if p.Baud == 0 {
		p.Baud = 9600
	}
	if p.Columns == 0 {
		p.Columns = 48
	}
	if p.QRMode == "" {
		p.QRMode = "native"
	}
	return c
}

// Validate reports the first setting that cannot work, as
// CodeInvalidRequest with a sentence for field support.
func (c Config) Validate() error {
	u, err := url.Parse(c.PlatformURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return agent.Errorf(agent.CodeInvalidRequest, "platform_url %q must be an http(s) URL", c.PlatformURL)
	}
	if c.Lang != "zh" && c.Lang != "en" {
		return agent.Errorf(agent.CodeInvalidRequest, "lang %q must be zh or en", c.Lang)
	}
	return ValidateDevices(c.Devices)
}

// ValidateDevices checks device settings the way the drivers will read
// them, so that a bad setting is refused on the support screen rather than
// failing later at the port.
func ValidateDevices(d agent.DeviceConfig) error {
	bad := func(format string, a ...any) error { return agent.Errorf(agent.CodeInvalidRequest, format, a...) }
	s := d.Scanner
	switch s.Mode {
	case agent.ScannerSerial, agent.ScannerWedge, agent.ScannerOff:
	default:
		return bad("scanner mode %q must be serial, wedge or off", s.Mode)
	}
	if s.Mode == agent.ScannerSerial {
		// An empty port is allowed: a fresh install has none until field
		// support picks one; the status bar shows the scanner missing.
		if err := checkLine(s.Baud, s.DataBits, s.Parity, s.StopBits); err != nil {
			return bad("scanner: %v", err)
		}
		if _, err := scannerSuffix(s.Suffix); err != nil {
			return bad("scanner: %v", err)
		}
		if s.IdleTimeout < 0 || s.IdleTimeout > 10*time.Second {
			return bad("scanner idle timeout %s must be between 0 and 10s", s.IdleTimeout)
		}
	}
	p := d.Printer
	if p.Port != "" {
		if err := checkLine(p.Baud, 8, "none", "1"); err != nil {
			return bad("printer: %v", err)
		}
	}
	if p.Columns != 32 && p.Columns != 48 {
		return bad("printer columns %d must be 32 (58 mm) or 48 (80 mm)", p.Columns)
	}
	if p.QRMode != "native" && p.QRMode != "raster" {
		return bad("printer QR mode %q must be native or raster", p.QRMode)
	}
	return nil
}

// checkLine checks serial line settings.
func checkLine(baud, dataBits int, parity, stopBits string) error {
	switch baud {
	case 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200:
	default:
		return fmt.Errorf("baud %d is not a standard rate (1200 … 115200)", baud)
	}
	if dataBits < 5 || dataBits > 8 {
		return fmt.Errorf("data bits %d must be 5 to 8", dataBits)
	}
	switch strings.ToLower(parity) {
	case "none", "even", "odd":
	default:
		return fmt.Errorf("parity %q must be none, even or odd", parity)
	}
	switch stopBits {
	case "1", "1.5", "2":
	default:
		return fmt.Errorf("stop bits %q must be 1, 1.5 or 2", stopBits)
	}
	return nil
}

// scannerSuffix maps the support screen's suffix names (agent.ScannerConfig
// says "IDLE" for frames ended by silence) to the framer's.
func scannerSuffix(s string) (scanner.Suffix, error) {
	if strings.EqualFold(strings.TrimSpace(s), "IDLE") {
		return scanner.SuffixNone, nil
	}
	return scanner.ParseSuffix(s)
}

// LoadConfig reads the configuration at path. A missing file yields the
// defaults; a file that does not parse or validate is an error that names
// the file, never silently replaced.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return DefaultConfig(), nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	var c Config
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	c = c.withDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// SaveConfig writes c to path atomically (temporary file, fsync, rename),
// so a power cut never leaves half a settings file.
func SaveConfig(path string, c Config) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return writeFileAtomic(path, append(b, '\n'), 0o600)
}

// writeFileAtomic writes data to path through a synced temporary file in
// the same directory and a rename.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // a no-op after the rename
	if err := tmp.Chmod(mode); err != nil && !isWindows() {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
