package e2e

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"net/url"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"tradein/agent"
)

// issuedVoucher is a voucher the platform issued, with its signed consumer
// code (what the consumer's QR code holds).
type issuedVoucher struct {
	Code      string
	VoucherID string
	CRef      string
	Region    string
}

// issueVouchers issues n phone vouchers to n new consumers on the platform
// and signs their TIQ1 codes with the platform's key, as the platform's
// consumer app would. The simulator has no issuing endpoint (consumers get
// vouchers from the government app, not from a shop), so this writes the
// rows into the simulator's database the way its seed does, in one
// transaction, and signs with the key the simulator stores there.
func issueVouchers(t testing.TB, p *platform, prefix string, n int) []issuedVoucher {
	t.Helper()
	out, err := issueVouchersDB(p.dbPath, prefix, n, time.Now())
	if err != nil {
		t.Fatalf("issue vouchers: %v", err)
	}
	return out
}

func issueVouchersDB(dbPath, prefix string, n int, now time.Time) ([]issuedVoucher, error) {
	ctx := context.Background()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	db, err := sql.Open("sqlite", "file:"+dbPath+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var seed []byte
	if err := db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'platform_ed25519_seed'").Scan(&seed); err != nil {
		return nil, fmt.Errorf("platform key: %w", err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("platform key seed has %d bytes", len(seed))
	}
	priv := ed25519.NewKeyFromSeed(seed)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	const region = "110000" // Beijing: covers the demo store's county
	exp := now.Add(30 * 24 * time.Hour)
	out := make([]issuedVoucher, n)
	for i := range n {
		cref := fmt.Sprintf("%sC%07d", prefix, i)
		vid := fmt.Sprintf("%sV%07d", prefix, i)
		if _, err := tx.ExecContext(ctx, "INSERT INTO consumers(cref, masked) VALUES (?, ?)", cref, "王*"); err != nil {
			return nil, fmt.Errorf("consumer %s: %w", cref, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO vouchers(voucher_id, cref, category, region, auth_code, issued_at, expires_at, status)
			VALUES (?, ?, ?, ?, NULL, ?, ?, 'ACTIVE')`, vid, cref, string(agent.CatPhone), region, now.Unix(), exp.Unix()); err != nil {
			return nil, fmt.Errorf("voucher %s: %w", vid, err)
		}
		code, err := agent.SignConsumerCode(agent.ConsumerClaims{VID: vid, Cat: agent.CatPhone, Reg: region,
			Iat: now.Unix(), Exp: exp.Unix(), CRef: cref}, priv)
		if err != nil {
			return nil, err
		}
		out[i] = issuedVoucher{Code: code, VoucherID: vid, CRef: cref, Region: region}
	}
	return out, tx.Commit()
}
