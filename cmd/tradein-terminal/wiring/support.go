package wiring

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"tradein/agent"
	"tradein/devices/serialport"
	"tradein/sync/api"
)

// Support implements agent.Support for the field-support screens over the
// App's devices, platform client, store and log. Safe for concurrent use.
type Support struct {
	app *App
}

var _ agent.Support = (*Support)(nil)

// ListPorts lists the system's serial ports with USB VID/PID, plus the
// configured ports the system does not list (pseudo-terminals and the
// links cmd/devsim makes), so the settings in force always appear.
func (s *Support) ListPorts(ctx context.Context) ([]agent.PortInfo, error) {
	ps, err := serialport.List(s.app.opt.PortLister)
	if err != nil {
		return nil, agent.Errorf(agent.CodeInternal, "list serial ports: %v", err)
	}
	out := make([]agent.PortInfo, 0, len(ps)+2)
	seen := map[string]bool{}
	for _, p := range ps {
		out = append(out, agent.PortInfo{Name: p.Name, IsUSB: p.IsUSB, VID: p.VID, PID: p.PID,
			SerialNumber: p.SerialNumber, Product: p.Product})
		seen[p.Name] = true
	}
	dc := s.app.devices.Config()
	for _, name := range []string{dc.Scanner.Port, dc.Printer.Port} {
		if name == "" || seen[name] {
			continue
		}
		if _, err := os.Stat(name); err == nil {
			out = append(out, agent.PortInfo{Name: name})
			seen[name] = true
		}
	}
	return out, nil
}

// DeviceConfig returns the device settings in force.
func (s *Support) DeviceConfig(ctx context.Context) (agent.DeviceConfig, error) {
	return s.app.devices.Config(), nil
}

// SaveDeviceConfig validates c, writes it to the settings file and
// reopens the devices with it. Nothing changes when c is invalid or the
// file cannot be written.
func (s *Support) SaveDeviceConfig(ctx context.Context, c agent.DeviceConfig) error {
	if err := ValidateDevices(c); err != nil {
		return err
	}
	a := s.app
	a.cfgMu.Lock()
	next := a.cfg
	next.Devices = c
	// Save the file's own language, not a --lang given for this run.
	onDisk := next
	if fileCfg, err := LoadConfig(a.layout.Config); err == nil {
		onDisk.Lang = fileCfg.Lang
	}
	if err := SaveConfig(a.layout.Config, onDisk); err != nil {
		a.cfgMu.Unlock()
		return agent.Errorf(agent.CodeInternal, "save device settings: %v", err)
	}
	a.cfg = next
	a.cfgMu.Unlock()
	a.devices.Apply(c)
	a.log.Info("device settings applied", "scanner_mode", c.Scanner.Mode, "scanner_port", c.Scanner.Port,
		"printer_port", c.Printer.Port, "printer_columns", c.Printer.Columns, "qr_mode", c.Printer.QRMode)
	return nil
}

// TestPrint queues the diagnostics ticket.
func (s *Support) TestPrint(ctx context.Context) (string, error) {
	a := s.app
	info, enrolled := a.Enrolled()
	dc := a.devices.Config()
	st := a.term.Status(ctx)
	lines := []string{
		"版本 Version: " + agent.Version,
		"系统 OS: " + runtime.GOOS + "/" + runtime.GOARCH,
		fmt.Sprintf("已注册 Enrolled: %v", enrolled),
		"终端号 Terminal: " + info.TerminalNo,
		"扫码枪 Scanner: " + dc.Scanner.Mode + " " + dc.Scanner.Port,
		fmt.Sprintf("打印机 Printer: %s %d列 QR=%s", dc.Printer.Port, dc.Printer.Columns, dc.Printer.QRMode),
		fmt.Sprintf("在线 Online: %v", st.Online),
		fmt.Sprintf("待同步 Queue: %d", st.QueueDepth),
		fmt.Sprintf("商品库版本 Library: %d", st.LibraryVersion),
		"规则版本 Rules: " + st.RulesVersion,
		"中文测试：以旧换新 补贴 ¥1,234.56",
	}
	id, err := a.devices.PrintReceipt(ctx, agent.Receipt{Kind: agent.ReceiptDiagnostics, Store: info,
		Lines: lines, PrintedAt: a.clock.Now()})
	if err != nil {
		return "", agent.Errorf(agent.CodeInternal, "queue the test ticket: %v", err)
	}
	return id, nil
}

// CheckPlatform calls GET /v1/health directly (with the same CA pinning
// as the client) to report reachability, round trip and clock skew.
func (s *Support) CheckPlatform(ctx context.Context) (agent.Connectivity, error) {
	a := s.app
	cfg := a.Config()
	c := agent.Connectivity{URL: cfg.PlatformURL}
	hc := &http.Client{Timeout: 10 * time.Second}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	c.TLS = "system CA"
	if cfg.PlatformCAFile != "" {
		p := cfg.PlatformCAFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(a.layout.Dir, p)
		}
		pem, err := os.ReadFile(p)
		if err != nil {
			return c, agent.Errorf(agent.CodeInternal, "pinned CA: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return c, agent.Errorf(agent.CodeInternal, "pinned CA %s holds no certificate", p)
		}
		tr.TLSClientConfig.RootCAs = pool
		c.TLS = "pinned CA"
	}
	hc.Transport = tr
	if strings.HasPrefix(cfg.PlatformURL, "http://") {
		c.TLS = "plain HTTP (no TLS)"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(cfg.PlatformURL, "/")+"/v1/health", nil)
	if err != nil {
		return c, agent.Errorf(agent.CodeInvalidRequest, "platform URL: %v", err)
	}
	start := time.Now()
	resp, err := hc.Do(req)
	c.RoundTrip = time.Since(start)
	if err != nil {
		c.Detail = err.Error()
		a.tracker.ObserveProbe(agent.ErrPlatformDown)
		return c, nil
	}
	defer resp.Body.Close()
	if resp.TLS != nil {
		c.TLS = tlsVersion(resp.TLS.Version) + ", " + c.TLS
	}
	var env struct {
		Code string             `json:"code"`
		Data api.HealthResponse `json:"data"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&env); err != nil || resp.StatusCode != http.StatusOK {
		c.Detail = fmt.Sprintf("HTTP %d from the health endpoint", resp.StatusCode)
		return c, nil
	}
	c.Reachable = env.Data.Status == "UP"
	c.ServerTime = env.Data.Time
	if !c.ServerTime.IsZero() {
		// The server stamped its time somewhere within the round trip;
		// its middle is the best local estimate of that moment.
		c.ClockSkew = c.ServerTime.Sub(start.Add(c.RoundTrip / 2)).Round(time.Millisecond)
	}
	c.Detail = fmt.Sprintf("platform %s, status %s", env.Data.Version, env.Data.Status)
	if c.ClockSkew > 300*time.Second || c.ClockSkew < -300*time.Second {
		c.Detail += "; clock skew beyond the platform's 300 s window: signed requests will be refused — fix the PC's clock"
	}
	if c.Reachable {
		a.tracker.ObserveProbe(nil)
	}
	return c, nil
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLS 1.3"
	case tls.VersionTLS12:
		return "TLS 1.2"
	}
	return fmt.Sprintf("TLS 0x%04x", v)
}

// Enrollment reports the enrolled store and terminal.
func (s *Support) Enrollment(ctx context.Context) (agent.StoreInfo, bool, error) {
	info, ok := s.app.Enrolled()
	return info, ok, nil
}

// Enroll enrolls the terminal with a one-time code. The identity is part
// of every order number and receipt, so the app restarts shortly after
// (Options.Restart) to rebuild the Terminal with it.
func (s *Support) Enroll(ctx context.Context, code string) (agent.StoreInfo, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return agent.StoreInfo{}, agent.Errorf(agent.CodeInvalidRequest, "enter the enrollment code from the platform")
	}
	info, err := s.app.enrollWith(ctx, code)
	if err != nil {
		return agent.StoreInfo{}, err
	}
	if r := s.app.opt.Restart; r != nil {
		// Give the screen a moment to show the new identity first.
		time.AfterFunc(3*time.Second, r)
	}
	return info, nil
}

// RefreshLibrary refreshes rules and library now, reporting products
// staged of the delta's total.
func (s *Support) RefreshLibrary(ctx context.Context, progress func(done, total int64)) error {
	err := s.app.refreshNow(ctx, progress)
	var e *agent.Error
	if err != nil && !errors.As(err, &e) {
		// A local failure (the store): keep the text for support.
		return &agent.Error{Code: agent.CodeInternal, Detail: "refresh rules and library", Err: err}
	}
	return err
}

// Backup writes a consistent copy of the database into backups/ and
// returns its path. Progress is reported in bytes of the database: 0 of
// its size when the copy starts, the copy's size when it is done (SQLite's
// VACUUM INTO gives no progress in between).
func (s *Support) Backup(ctx context.Context, progress func(done, total int64)) (string, error) {
	a := s.app
	var total int64
	if fi, err := os.Stat(a.layout.DB); err == nil {
		total = fi.Size()
	}
	if progress != nil {
		progress(0, total)
	}
	name := "terminal-" + a.clock.Now().UTC().Format("20060102-150405") + ".db"
	dst := filepath.Join(a.layout.Backups, name)
	if err := a.store.Backup(ctx, dst); err != nil {
		return "", agent.Errorf(agent.CodeInternal, "backup: %v", err)
	}
	if fi, err := os.Stat(dst); err == nil && progress != nil {
		progress(fi.Size(), max(fi.Size(), total))
	}
	a.log.Info("database backed up", "path", dst)
	return dst, nil
}

// LogTail returns the newest n log lines, oldest first.
func (s *Support) LogTail(ctx context.Context, n int) ([]string, error) {
	if n <= 0 || n > 10000 {
		return nil, agent.Errorf(agent.CodeInvalidRequest, "ask for 1 to 10000 log lines")
	}
	lines, err := s.app.logs.Tail(n)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, agent.Errorf(agent.CodeInternal, "read the log: %v", err)
	}
	return lines, nil
}
