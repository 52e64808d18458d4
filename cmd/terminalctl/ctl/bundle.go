package ctl

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"tradein/agent"
	"tradein/agent/redact"
	"tradein/cmd/tradein-terminal/wiring"
)

// runBundle writes the support bundle: a .tar.gz that field support can
// mail to the vendor. It holds the logs, the settings with secrets
// removed, the enrollment without its secret, the status and doctor
// reports and a queue summary (counts only). It never holds the database,
// the field key, photos or any consumer's personal data.
func (c *cli) runBundle(ctx context.Context, args []string) error {
	fs := newFlagSet("support-bundle")
	out := fs.String("out", "", "bundle file (default ./tradein-support-<UTC time>.tar.gz)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("support-bundle", pos, 0); err != nil {
		return err
	}
	now := c.env.Clock.Now()
	dst := *out
	if dst == "" {
		dst = "tradein-support-" + now.UTC().Format("20060102-150405") + ".tar.gz"
	}
	if abs, err := filepath.Abs(dst); err == nil {
		dst = abs
	}
	files, err := c.bundleFiles(ctx, now)
	if err != nil {
		return err
	}
	if err := writeTarGz(dst, files, now); err != nil {
		return err
	}
	fi, err := os.Stat(dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "支持包 Support bundle written: %s (%s, %d files)\n", dst, humanBytes(fi.Size()), len(files))
	for _, f := range files {
		fmt.Fprintf(c.env.Stdout, "  %s\n", f.name)
	}
	fmt.Fprintln(c.env.Stdout, "It holds no database, no field key and no consumer data.")
	return nil
}

// bundleFile is one file of the bundle.
type bundleFile struct {
	name string
	data []byte
}

// bundleFiles gathers the bundle's contents.
func (c *cli) bundleFiles(ctx context.Context, now time.Time) ([]bundleFile, error) {
	var files []bundleFile
	// Every file passes through redact.Text: reports quote the platform
	// URL, and logs written before the app redacted URLs may carry one
	// with credentials.
	add := func(name string, data []byte) {
		files = append(files, bundleFile{name, []byte(redact.Text(string(data)))})
	}

	var st, doc bytes.Buffer
	c.writeStatus(ctx, &st)
	add("status.txt", st.Bytes())
	c.writeDoctor(ctx, &doc)
	add("doctor.txt", doc.Bytes())
	add("queue-summary.txt", c.queueSummary(ctx))

	if b, err := os.ReadFile(c.layout.Config); err == nil {
		add("config.redacted.json", redactConfig(b))
	} else {
		add("config.redacted.json", []byte(fmt.Sprintf("{\"_note\": %q}\n", "config.json unreadable: "+err.Error())))
	}
	add("enrollment.redacted.json", c.redactedEnrollment())

	logs, err := filepath.Glob(c.layout.Log + "*")
	if err != nil {
		return nil, err
	}
	sort.Strings(logs)
	for _, p := range logs {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read log: %w", err)
		}
		add("logs/"+filepath.Base(p), scrubPersonal(b))
	}
	add("README.txt", []byte(fmt.Sprintf("tradein-terminal support bundle\nmade %s by terminalctl %s from %s\n"+
		"status.txt, doctor.txt: the reports of `terminalctl status` and `terminalctl doctor`\n"+
		"queue-summary.txt: counts only\nconfig/enrollment: secrets removed\n"+
		"logs/: the app's JSON logs, with anything shaped like a phone number, ID number or consumer code masked\n",
		now.UTC().Format(time.RFC3339), agent.Version, c.layout.Dir)))
	return files, nil
}

// queueSummary counts the outbox by kind and attempts; no order numbers.
func (c *cli) queueSummary(ctx context.Context) []byte {
	var b bytes.Buffer
	s, err := c.openReadOnly(ctx)
	if err != nil {
		fmt.Fprintf(&b, "database unreadable: %v\n", err)
		return b.Bytes()
	}
	defer s.Close()
	p, err := s.Pending(ctx)
	if err != nil {
		fmt.Fprintf(&b, "queue unreadable: %v\n", err)
		return b.Bytes()
	}
	if v, err := s.SchemaVersion(ctx); err == nil {
		fmt.Fprintf(&b, "schema version: %d\n", v)
	}
	fmt.Fprintf(&b, "pending items: %d\noffline sales: %d (subsidy %s)\n", p.Items, p.OfflineSales, p.OfflineSubsidyFen)
	if p.Items > 0 {
		fmt.Fprintf(&b, "oldest pending since: %s\n", p.OldestPendingSince.UTC().Format(time.RFC3339))
	}
	items, err := s.OutboxItems(ctx, 0)
	if err != nil {
		fmt.Fprintf(&b, "items unreadable: %v\n", err)
		return b.Bytes()
	}
	byKind := map[agent.OutboxKind]int{}
	failing := 0
	for _, it := range items {
		byKind[it.Kind]++
		if it.Attempts > 0 {
			failing++
		}
	}
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-14s %d\n", k, byKind[agent.OutboxKind(k)])
	}
	fmt.Fprintf(&b, "items with failed attempts: %d\n", failing)
	return b.Bytes()
}

// redactedEnrollment is enrollment.json without the sealed HMAC secret.
func (c *cli) redactedEnrollment() []byte {
	e, ok, err := wiring.LoadEnrollment(c.layout.Enrollment)
	var v any
	switch {
	case err != nil:
		v = map[string]string{"_note": "enrollment.json unreadable: " + err.Error()}
	case !ok:
		v = map[string]string{"_note": "not enrolled"}
	default:
		v = struct {
			Store       agent.StoreInfo `json:"store"`
			PlatformURL string          `json:"platform_url"`
			EnrolledAt  time.Time       `json:"enrolled_at"`
			PlatformKey string          `json:"platform_public_key"`
			Secret      string          `json:"hmac_secret_sealed"`
		}{e.Store, redact.URL(e.PlatformURL), e.EnrolledAt, e.PlatformKey, "[removed]"}
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}

// secretKey matches setting names whose values are secrets.
var secretKey = regexp.MustCompile(`(?i)secret|passw|token|private|credential|(^|_)key$|hmac|(^|_)pin($|_)`)

// redactConfig returns config.json with every secret-looking value
// replaced and URLs stripped of user info and query strings. The settings
// file holds no secrets today; this keeps it so when one is added. A file
// that does not parse is not copied (it might hold anything), only named.
func redactConfig(b []byte) []byte {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return []byte(fmt.Sprintf("{\"_note\": %q}\n", "config.json does not parse ("+err.Error()+"); not copied"))
	}
	v = redactValue("", v)
	out, _ := json.MarshalIndent(v, "", "  ")
	return append(out, '\n')
}

func redactValue(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = redactValue(k, e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = redactValue(key, e)
		}
		return x
	case string:
		if secretKey.MatchString(key) && x != "" {
			return "[removed]"
		}
		if strings.Contains(x, "://") {
			return redact.URL(x)
		}
	}
	return v
}

// Shapes of personal data that must never leave the shop, masked in the
// logs as a second line of defence (the app does not log them).
var (
	consumerCodeRE = regexp.MustCompile(regexp.QuoteMeta(agent.ConsumerCodePrefix) + `[A-Za-z0-9_\-.=]+`)
	idNumberRE     = regexp.MustCompile(`\b\d{17}[\dXx]\b`)
	phoneRE        = regexp.MustCompile(`\b1[3-9]\d{9}\b`)
)

// scrubPersonal masks consumer codes, ID numbers and mobile numbers.
func scrubPersonal(b []byte) []byte {
	b = consumerCodeRE.ReplaceAll(b, []byte(agent.ConsumerCodePrefix+"[removed]"))
	b = idNumberRE.ReplaceAllFunc(b, func(m []byte) []byte { return []byte(agent.MaskID(string(m))) })
	return phoneRE.ReplaceAllFunc(b, func(m []byte) []byte { return []byte(agent.MaskPhone(string(m))) })
}

// writeTarGz writes files into a new .tar.gz at dst (mode 0600).
func writeTarGz(dst string, files []bundleFile, now time.Time) (err error) {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("support bundle: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, bf := range files {
		hdr := &tar.Header{Name: "tradein-support/" + bf.name, Mode: 0o600, Size: int64(len(bf.data)), ModTime: now}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("support bundle: %w", err)
		}
		if _, err := io.Copy(tw, bytes.NewReader(bf.data)); err != nil {
			return fmt.Errorf("support bundle: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("support bundle: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("support bundle: %w", err)
	}
	return f.Sync()
}
