package sim

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"tradein/agent"
)

// DemoCode is a freshly issued consumer qualification code.
type DemoCode struct {
	Code      string // TIQ1.… signed with the platform key
	VoucherID string
	CRef      string
	Category  agent.Category
	Region    string
	ExpiresAt time.Time
}

// CodeRequest asks for a new voucher and its signed consumer code.
type CodeRequest struct {
	Category agent.Category
	Region   string        // voucher region; "" means 110000 (Beijing, the demo store's city)
	ValidFor time.Duration // default 30 days
	// CRef names an existing consumer (a second voucher for the same
	// person, e.g. to show QUOTA_EXHAUSTED); empty creates a new consumer.
	CRef string
}

// IssueCode creates a voucher as r asks and returns its TIQ1 code signed
// with the platform key.
func (s *Server) IssueCode(ctx context.Context, r CodeRequest) (DemoCode, error) {
	rules, err := s.rulesNoCall(ctx)
	if err != nil {
		return DemoCode{}, err
	}
	if r.Region == "" {
		r.Region = "110000"
	}
	known := false
	for _, set := range rules {
		if _, ok := set.Rule(r.Category); ok && agent.RegionCovers(set.RegionPrefix, DemoCounty) {
			known = true
		}
	}
	if !known {
		return DemoCode{}, fmt.Errorf("category %q has no subsidy rule in any rule set", r.Category)
	}
	if err := agent.ValidateRegion(r.Region); err != nil {
		return DemoCode{}, err
	}
	if r.ValidFor <= 0 {
		r.ValidFor = 30 * 24 * time.Hour
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return DemoCode{}, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM consumers").Scan(&n); err != nil {
		return DemoCode{}, err
	}
	d := DemoCode{CRef: r.CRef, Category: r.Category, Region: r.Region, ExpiresAt: now.Add(r.ValidFor).Truncate(time.Second)}
	if d.CRef == "" {
		d.CRef = fmt.Sprintf("C%04d", n+1)
		masked := demoSurnames[n%len(demoSurnames)] + "*"
		if _, err := tx.ExecContext(ctx, "INSERT INTO consumers(cref, masked) VALUES (?, ?)", d.CRef, masked); err != nil {
			return DemoCode{}, err
		}
	}
	d.VoucherID = newID("V", now)
	if _, err := tx.ExecContext(ctx, "INSERT INTO vouchers VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
		d.VoucherID, d.CRef, string(r.Category), r.Region, now.Unix(), d.ExpiresAt.Unix(), voucherActive); err != nil {
		return DemoCode{}, fmt.Errorf("issue voucher: %w", err)
	}
	d.Code, err = agent.SignConsumerCode(agent.ConsumerClaims{VID: d.VoucherID, Cat: r.Category, Reg: r.Region,
		Iat: now.Unix(), Exp: d.ExpiresAt.Unix(), CRef: d.CRef}, s.priv)
	if err != nil {
		return DemoCode{}, err
	}
	return d, tx.Commit()
}

var demoSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"}

// rulesNoCall loads the rule sets outside a request.
func (s *Server) rulesNoCall(ctx context.Context) (agent.RuleSets, error) {
	var raw []byte
	if err := s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaRules).Scan(&raw); err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	return s.decodeRulesCached(raw)
}

// WriteQRPNG writes content as a QR code PNG (size×size pixels, error
// correction M) to path.
func WriteQRPNG(path, content string, size int) error {
	hints := map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_ERROR_CORRECTION: "M", gozxing.EncodeHintType_MARGIN: 4}
	bm, err := qrcode.NewQRCodeWriter().Encode(content, gozxing.BarcodeFormat_QR_CODE, size, size, hints)
	if err != nil {
		return fmt.Errorf("encode QR: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, bm); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
