package ctl

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/cmd/tradein-terminal/wiring"
	"tradein/devices/serialport"
	"tradein/sync/client"
)

// verdict is the outcome of one doctor check.
type verdict int

const (
	pass verdict = iota
	warn         // worth a look, does not fail doctor
	fail         // a problem: doctor exits 1
	skip         // could not be checked because an earlier check failed
)

func (v verdict) mark() string {
	switch v {
	case pass:
		return "✓"
	case warn:
		return "!"
	case fail:
		return "✗"
	}
	return "-"
}

// check is one line of doctor's report, with indented detail lines.
type check struct {
	name    string
	verdict verdict
	text    string
	details []string
}

// MinFreeDisk is the free space below which doctor warns: a backup needs
// room for a full copy of the database, and SQLite needs room for its WAL.
const MinFreeDisk = 1 << 30

// platformTimeout bounds doctor's platform calls, so a dead network gives
// a finding in seconds rather than after the client's retries.
const platformTimeout = 5 * time.Second

// runDoctor runs every check, prints ✓/!/✗ lines and fails when any check
// failed.
func (c *cli) runDoctor(ctx context.Context, args []string) error {
	fs := newFlagSet("doctor")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("doctor", pos, 0); err != nil {
		return err
	}
	if !c.writeDoctor(ctx, c.env.Stdout) {
		return errProblem
	}
	return nil
}

// writeDoctor runs the checks, writes the report to w and reports whether
// none failed.
func (c *cli) writeDoctor(ctx context.Context, w io.Writer) bool {
	checks := c.doctorChecks(ctx)
	failed := 0
	for _, ch := range checks {
		fmt.Fprintf(w, "%s %s: %s\n", ch.verdict.mark(), ch.name, ch.text)
		for _, d := range ch.details {
			fmt.Fprintf(w, "    %s\n", d)
		}
		if ch.verdict == fail {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(w, "\n诊断结果 RESULT: %d problem(s) found (✗ above)\n", failed)
		return false
	}
	fmt.Fprintln(w, "\n诊断结果 RESULT: no problems found")
	return true
}

// doctorChecks runs the checks in the order field support reads them:
// files first, then devices and network, then the database.
func (c *cli) doctorChecks(ctx context.Context) []check {
	var out []check
	cfg, cfgErr := wiring.LoadConfig(c.layout.Config)
	if cfgErr != nil {
		out = append(out, check{name: "配置 config.json", verdict: fail, text: cfgErr.Error()})
	} else {
		out = append(out, check{name: "配置 config.json", verdict: pass, text: "readable and valid"})
	}
	out = append(out, c.checkDisk())
	out = append(out, c.checkFieldKey())
	if cfgErr == nil {
		out = append(out, c.checkPorts(cfg)...)
		out = append(out, c.checkPlatform(ctx, cfg)...)
	}
	out = append(out, c.checkDatabase(ctx)...)
	if cfgErr == nil {
		out = append(out, c.checkAnchor(ctx, cfg))
	}
	return out
}

// checkDisk fails when the data directory cannot take writes (read-only,
// or a disk too full for the database to grow: the app's own check,
// wiring.DiskCheck) and warns when the disk is nearly full. It only reads.
func (c *cli) checkDisk() check {
	ch := check{name: "磁盘 Disk space"}
	free, readOnly, err := c.env.DiskState(c.layout.Dir)
	if err != nil {
		ch.verdict, ch.text = fail, fmt.Sprintf("cannot read free space of %s: %v", c.layout.Dir, err)
		return ch
	}
	if readOnly {
		ch.verdict = fail
		ch.text = fmt.Sprintf("READ-ONLY: %s cannot be written (its disk is mounted read-only, or the folder's permissions deny it): "+
			"the app cannot save sales", c.layout.Dir)
		ch.details = []string{"remount the disk read-write (a disk error can make Linux remount it read-only: check the disk), " +
			"or give the folder back to the user that runs the app"}
		return ch
	}
	var full *agent.DiskFullError
	if errors.As(wiring.DiskCheck(c.layout.Dir, c.layout.DB, c.env.DiskState), &full) {
		ch.verdict = fail
		ch.text = fmt.Sprintf("DISK FULL: %s free in %s: free at least %d MB, or sales cannot be saved",
			humanBytes(int64(free)), c.layout.Dir, full.NeedMB)
		return ch
	}
	ch.text = fmt.Sprintf("%s free in %s", humanBytes(int64(free)), c.layout.Dir)
	if free < MinFreeDisk {
		ch.verdict = warn
		ch.text += fmt.Sprintf(" (less than %s: free space before the next backup or upgrade)", humanBytes(MinFreeDisk))
	}
	return ch
}

// checkFieldKey checks that field.key exists, holds a key and is readable
// by its owner only (docs/DOMAIN.md, "Personal data and security"). Windows protects it with ACLs instead.
func (c *cli) checkFieldKey() check {
	ch := check{name: "密钥 field.key"}
	fi, err := os.Stat(c.layout.FieldKey)
	if err != nil {
		ch.verdict, ch.text = fail, fmt.Sprintf("%v: sealed consumer data and the enrollment secret cannot be opened without it", err)
		return ch
	}
	if fi.Size() != agent.FieldKeySize {
		ch.verdict, ch.text = fail, fmt.Sprintf("holds %d bytes, a key has %d: the file is damaged", fi.Size(), agent.FieldKeySize)
		return ch
	}
	if runtime.GOOS == "windows" {
		ch.text = "present (access is guarded by the folder's ACL)"
		return ch
	}
	if mode := fi.Mode().Perm(); mode&0o077 != 0 {
		ch.verdict, ch.text = fail, fmt.Sprintf("mode %04o: others can read the key; fix with: chmod 600 %s", mode, c.layout.FieldKey)
		return ch
	}
	ch.text = fmt.Sprintf("present, mode %04o", fi.Mode().Perm())
	return ch
}

// checkPorts lists the serial ports with USB VID/PID and checks that the
// configured scanner and printer ports exist.
func (c *cli) checkPorts(cfg wiring.Config) []check {
	list := check{name: "串口 Serial ports"}
	ports, err := serialport.List(c.env.PortLister)
	if err != nil {
		list.verdict, list.text = fail, err.Error()
		return []check{list}
	}
	known := map[string]bool{}
	for _, p := range ports {
		known[p.Name] = true
		list.details = append(list.details, p.Label())
	}
	list.text = fmt.Sprintf("%d found", len(ports))
	if len(ports) == 0 {
		list.verdict, list.text = warn, "none found (is the USB adapter plugged in?)"
	}
	out := []check{list}
	d := cfg.Devices
	configured := []struct{ label, port string }{}
	if d.Scanner.Mode == agent.ScannerSerial {
		configured = append(configured, struct{ label, port string }{"扫码枪 Scanner port", d.Scanner.Port})
	} else {
		out = append(out, check{name: "扫码枪 Scanner port", text: "scanner mode " + d.Scanner.Mode + ", no serial port needed"})
	}
	configured = append(configured, struct{ label, port string }{"打印机 Printer port", d.Printer.Port})
	for _, p := range configured {
		ch := check{name: p.label}
		switch {
		case p.port == "":
			ch.verdict, ch.text = warn, "not configured (choose it on the support screen 运维 → 设备)"
		case known[p.port] || exists(p.port):
			ch.text = p.port + " present"
		default:
			ch.verdict, ch.text = fail, p.port+" is configured but does not exist (unplugged, or the adapter got another name)"
		}
		out = append(out, ch)
	}
	return out
}

// checkPlatform checks reachability (GET /v1/health through the app's
// client), the transport security and, when enrolled, that the platform
// accepts this terminal's signature (clock and secret).
func (c *cli) checkPlatform(ctx context.Context, cfg wiring.Config) []check {
	tlsCheck, caPEM := c.checkTLS(cfg)
	reach := check{name: "平台 Platform reachable"}
	out := []check{tlsCheck}
	if tlsCheck.verdict == fail && caPEM == nil && cfg.PlatformCAFile != "" {
		reach.verdict, reach.text = skip, "not tried: the pinned CA cannot be read"
		return append(out, reach)
	}
	base, err := client.New(client.Config{BaseURL: cfg.PlatformURL, CAPEM: caPEM, Clock: c.env.Clock,
		Timeout: platformTimeout, MaxAttempts: 1, Logger: c.log})
	if err != nil {
		reach.verdict, reach.text = fail, err.Error()
		return append(out, reach)
	}
	defer base.CloseIdleConnections()
	start := time.Now()
	if err := base.Health(ctx); err != nil {
		reach.verdict, reach.text = fail, fmt.Sprintf("%s: %s", cfg.PlatformURL, explain(err))
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			reach.details = []string{"the platform's TLS certificate is not signed by the pinned CA (platform_ca_file) or has expired"}
		} else {
			reach.details = []string{"check the network cable / Wi-Fi, the proxy and platform_url in config.json"}
		}
		return append(out, reach)
	}
	reach.text = fmt.Sprintf("%s answered in %d ms", cfg.PlatformURL, time.Since(start).Milliseconds())
	out = append(out, reach)

	sig := check{name: "签名 Signed requests"}
	e, enrolled, err := wiring.LoadEnrollment(c.layout.Enrollment)
	switch {
	case err != nil:
		sig.verdict, sig.text = fail, err.Error()
		return append(out, sig)
	case !enrolled:
		sig.verdict, sig.text = warn, "terminal not enrolled (运维 → 注册终端)"
		return append(out, sig)
	}
	ci, err := c.lenientCipher()
	if err != nil {
		sig.verdict, sig.text = skip, "not tried: "+err.Error()
		return append(out, sig)
	}
	secret, err := e.Secret(ci)
	if err != nil {
		sig.verdict, sig.text = fail, err.Error()
		return append(out, sig)
	}
	if _, err := base.WithCredentials(e.Store.TerminalNo, secret).Rules(ctx); err != nil {
		sig.verdict, sig.text = fail, fmt.Sprintf("terminal %s: %s", e.Store.TerminalNo, explain(err))
		if agent.CodeOf(err) == agent.CodeUnauthorized {
			sig.details = []string{"the platform refused the signature: check the PC's clock (±300 s) or enroll the terminal again"}
		}
		return append(out, sig)
	}
	sig.text = fmt.Sprintf("the platform accepts terminal %s's signature (clock and secret OK)", e.Store.TerminalNo)
	return append(out, sig)
}

// checkTLS describes the transport security of the platform URL and reads
// the pinned CA when one is configured (nil otherwise).
func (c *cli) checkTLS(cfg wiring.Config) (check, []byte) {
	ch := check{name: "加密 TLS"}
	u, err := url.Parse(cfg.PlatformURL)
	if err != nil {
		ch.verdict, ch.text = fail, err.Error()
		return ch, nil
	}
	if u.Scheme == "http" {
		if isLoopback(u.Hostname()) {
			ch.verdict, ch.text = warn, "plain HTTP, no TLS (acceptable only for the local demo platform on this PC)"
		} else {
			ch.verdict, ch.text = fail, "plain HTTP, no TLS, to "+u.Host+": consumer data would cross the network unencrypted; use https://"
		}
		return ch, nil
	}
	if cfg.PlatformCAFile == "" {
		ch.text = "https with the system's CA list (no pinned CA configured)"
		return ch, nil
	}
	p := cfg.PlatformCAFile
	if !filepath.IsAbs(p) {
		p = filepath.Join(c.layout.Dir, p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		ch.verdict, ch.text = fail, fmt.Sprintf("pinned CA: %v", err)
		return ch, nil
	}
	blk, _ := pem.Decode(b)
	var cert *x509.Certificate
	if blk != nil {
		cert, _ = x509.ParseCertificate(blk.Bytes)
	}
	if cert == nil {
		ch.verdict, ch.text = fail, "pinned CA "+p+" holds no certificate"
		return ch, nil
	}
	ch.text = fmt.Sprintf("https with pinned CA %q (%s), valid until %s", cert.Subject.CommonName, p,
		cert.NotAfter.Format(time.DateOnly))
	if c.env.Clock.Now().After(cert.NotAfter) {
		ch.verdict, ch.text = fail, ch.text+": EXPIRED"
	}
	return ch, b
}

// explain returns err's text with the cause an *agent.Error keeps out of
// its message (the client reports "PLATFORM_UNREACHABLE: GET /v1/health"
// and keeps the dial or certificate error in Err).
func explain(err error) string {
	msg := err.Error()
	var e *agent.Error
	if errors.As(err, &e) && e.Err != nil && !strings.Contains(msg, e.Err.Error()) {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkDatabase opens the database read-only (store.OpenReadOnly: doctor
// never migrates, creates or changes a file) and runs integrity_check and
// the audit-chain verification. A missing, empty or so damaged file that it
// does not open is the finding itself, with the backup to restore.
func (c *cli) checkDatabase(ctx context.Context) []check {
	open := check{name: "数据库 Database"}
	fi, err := os.Stat(c.layout.DB)
	if err != nil {
		open.verdict, open.text = fail, c.errNoDatabase().Error()
		if c.installed() {
			open.text = "MISSING: " + c.layout.DB + " is gone, but this installation has run before (it is enrolled or has backups)"
			open.details = c.restoreHint()
		}
		return []check{open}
	}
	ci, err := c.lenientCipher()
	if err != nil {
		open.verdict, open.text = fail, err.Error()
		return []check{open}
	}
	s, err := c.openReadOnlyWith(ctx, ci)
	if err != nil {
		open.verdict = fail
		switch agent.CodeOf(err) {
		case store.CodeSchemaTooNew:
			open.text = "NEWER THAN THIS PROGRAM: " + err.Error()
			open.details = []string{"install the newer program version; the database was not modified"}
		case store.CodeForeignDatabase:
			open.text = "NOT A TERMINAL DATABASE: " + err.Error()
		case store.CodeEmptyDatabase:
			open.text = "EMPTY, every sale, the queue and the staff are gone: " + err.Error()
			open.details = c.restoreHint()
		default:
			open.text = "DAMAGED, cannot be opened: " + err.Error()
			open.details = c.restoreHint()
		}
		return []check{open}
	}
	defer s.Close()
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		open.verdict, open.text = fail, "DAMAGED: "+err.Error()
		open.details = c.restoreHint()
		return []check{open}
	}
	open.text = fmt.Sprintf("%s, %s, schema version %d (not newer than this program)", c.layout.DB, humanBytes(fi.Size()), v)
	out := []check{open}

	integ := check{name: "完整性 integrity_check"}
	if err := s.IntegrityCheck(ctx); err != nil {
		integ.verdict, integ.text = fail, "DATABASE FILE DAMAGED: "+err.Error()
		integ.details = c.restoreHint()
	} else {
		integ.text = "ok"
	}
	out = append(out, integ)

	audit := check{name: "审计链 Audit chain"}
	n, err := s.VerifyAudit(ctx)
	switch {
	case errors.Is(err, store.ErrAuditBroken):
		audit.verdict = fail
		audit.text = fmt.Sprintf("BROKEN after %d good entries: %v", n, err)
		// The first bad entry is seq n+1 (entries are numbered 1, 2, …).
		if es, qerr := s.AuditEntries(ctx, int64(n), 1); qerr == nil && len(es) == 1 {
			e := es[0]
			audit.details = append(audit.details, fmt.Sprintf("first broken entry: seq %d, %s, action %s, subject %s, actor %s",
				e.Seq, e.At.Local().Format(time.DateTime), e.Action, e.Subject, e.Actor))
		}
		audit.details = append(audit.details, "the audit log was edited outside the app: keep this database for investigation and report it to the platform operator")
	case err != nil:
		audit.verdict, audit.text = fail, "cannot be read: "+err.Error()
		audit.details = c.restoreHint()
	default:
		audit.text = fmt.Sprintf("%d entries verified", n)
	}
	return append(out, audit, c.checkTamper(ctx, s))
}

// restoreHint names the newest backup to restore from, if any.
func (c *cli) restoreHint() []string {
	b := c.layout.NewestBackup()
	if b == "" {
		return []string{"no backup in " + c.layout.Backups + "; contact support before the app is started again"}
	}
	return []string{"close the app, then restore the newest good backup: terminalctl restore " + b}
}

// humanBytes formats a size: "512 B", "3.2 MiB", "41.0 GiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
