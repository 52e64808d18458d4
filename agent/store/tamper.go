package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"tradein/agent"
)

// Tamper evidence: what an edit of terminal.db with a SQLite tool leaves
// behind. The audit chain (audit.go) proves the log was not edited in the
// middle; on its own it cannot tell a chain whose newest entries were cut
// off, nor a staff role, a sale or an outbox item changed or removed
// without an audit entry. So the store also keeps:
//
//   - a tag (agent.FieldCipher.Tag, an HMAC under a key derived from
//     field.key) on every staff row, over all its columns: a role or PIN
//     hash set by hand no longer matches, and such a row is refused at
//     login (Staff) and left out of lists (ListStaff);
//   - a tag on every outbox item over what it sends (not its attempts);
//   - the seal (table tamper_seal, one row): the row counts of sales,
//     outbox and staff, the audit chain's head (seq and hash), and a tag
//     over them. Every write transaction that changes those tables or
//     appends to the chain updates the seal before it commits, from the
//     counts the seal held plus what the transaction itself did, never by
//     recounting: rows removed outside the app stay visible as a count
//     that does not match;
//   - the head file (headfile.go) beside the database, with the newest
//     audit head the store committed, so that a whole database swapped
//     for an older copy (which carries its own consistent seal) is seen;
//   - the platform's copy of the head (sync/anchor), which no one at the
//     shop can edit.
//
// CheckTamper compares all of this with the rows and names each kind of
// edit. The seal needs the field key: a store opened without a cipher
// (tests only) keeps no seal and no tags.

// sealVersion is the schema version that added the seal and the staff
// tags (migrations/0003_tamper.sql).
const sealVersion = 3

// CodeTampered is the error code of a record that was edited outside the
// app (its tag does not match).
const CodeTampered = agent.CodeTampered

// Finding kinds of CheckTamper: stable strings, shown by doctor.
const (
	TamperSealMissing      = "SEAL_MISSING"       // the seal row was deleted
	TamperSealEdited       = "SEAL_EDITED"        // the seal row's tag does not match
	TamperSealBroken       = "SEAL_BROKEN"        // the app saw a mismatch while writing (sticky)
	TamperStaffEdited      = "STAFF_EDITED"       // a staff row's tag does not match (role, PIN hash, …)
	TamperStaffDeleted     = "STAFF_DELETED"      // fewer staff rows than sealed
	TamperStaffAdded       = "STAFF_ADDED"        // more staff rows than sealed
	TamperSalesDeleted     = "SALES_DELETED"      // fewer sales rows than sealed
	TamperSalesAdded       = "SALES_ADDED"        // more sales rows than sealed
	TamperOutboxDeleted    = "OUTBOX_DELETED"     // fewer outbox items than sealed: deliveries dropped
	TamperOutboxAdded      = "OUTBOX_ADDED"       // more outbox items than sealed
	TamperOutboxEdited     = "OUTBOX_EDITED"      // an outbox item's tag does not match (payload, kind, …)
	TamperAuditTailDeleted = "AUDIT_TAIL_DELETED" // the chain ends before the sealed head (or is empty)
	TamperAuditAdded       = "AUDIT_ADDED"        // the chain goes past the sealed head
	TamperAuditReplaced    = "AUDIT_REPLACED"     // an entry at a sealed head has another hash
	TamperRolledBack       = "DATABASE_ROLLED_BACK"
	TamperHeadFileEdited   = "HEAD_FILE_EDITED"
	TamperHeadFileMissing  = "HEAD_FILE_MISSING"
)

// TamperFinding is one kind of edit CheckTamper found.
type TamperFinding struct {
	Kind   string // one of the Tamper… constants
	Detail string // what was found, in English, without personal data
}

// seal is the tamper_seal row.
type seal struct {
	sales, outbox, staff int64
	auditSeq             int64
	auditHash            string
	broken               string
}

func (s *Store) sealTag(v seal) string {
	return s.cipher.Tag("tamper_seal", strconv.FormatInt(v.sales, 10), strconv.FormatInt(v.outbox, 10),
		strconv.FormatInt(v.staff, 10), strconv.FormatInt(v.auditSeq, 10), v.auditHash, v.broken)
}

// The seal's statements (prepared on the write connection, store.go).
const (
	selectSealSQL = `SELECT sales_rows, outbox_rows, staff_rows, audit_seq, audit_hash, broken, tag
		FROM tamper_seal WHERE id = 1`
	updateSealSQL = `UPDATE tamper_seal SET sales_rows = ?, outbox_rows = ?, staff_rows = ?,
		audit_seq = ?, audit_hash = ?, broken = ?, tag = ? WHERE id = 1`
)

// readSeal reads the seal row; ok is false when there is none.
func readSeal(ctx context.Context, db queryer) (v seal, tag string, ok bool, err error) {
	return scanSeal(db.QueryRowContext(ctx, selectSealSQL))
}

func scanSeal(row *sql.Row) (v seal, tag string, ok bool, err error) {
	err = row.Scan(&v.sales, &v.outbox, &v.staff, &v.auditSeq, &v.auditHash, &v.broken, &tag)
	if errors.Is(err, sql.ErrNoRows) {
		return v, "", false, nil
	}
	if err != nil {
		return v, "", false, fmt.Errorf("store: read seal: %w", err)
	}
	return v, tag, true, nil
}

// txChanges is what the current write transaction did to the sealed
// tables. Write transactions run one at a time (the single write
// connection), so one value per Store serves; mu only keeps the race
// detector's view of it simple.
type txChanges struct {
	mu            sync.Mutex
	sales, outbox int64 // rows added (negative: removed)
	staff         int64
	audit         bool   // entries were appended
	prevSeq       int64  // the head the first append of this transaction found
	prevHash      string //
	headSeq       int64  // the head after the last append
	headHash      string //
}

func (c *txChanges) reset() {
	c.mu.Lock()
	c.sales, c.outbox, c.staff, c.audit = 0, 0, 0, false
	c.prevSeq, c.prevHash, c.headSeq, c.headHash = 0, "", 0, ""
	c.mu.Unlock()
}

func (c *txChanges) add(sales, outbox, staff int64) {
	c.mu.Lock()
	c.sales += sales
	c.outbox += outbox
	c.staff += staff
	c.mu.Unlock()
}

func (c *txChanges) appended(prevSeq int64, prevHash string, seq int64, hash string) {
	c.mu.Lock()
	if !c.audit {
		c.audit, c.prevSeq, c.prevHash = true, prevSeq, prevHash
	}
	c.headSeq, c.headHash = seq, hash
	c.mu.Unlock()
}

func (c *txChanges) snapshot() txChanges {
	c.mu.Lock()
	defer c.mu.Unlock()
	return txChanges{sales: c.sales, outbox: c.outbox, staff: c.staff, audit: c.audit,
		prevSeq: c.prevSeq, prevHash: c.prevHash, headSeq: c.headSeq, headHash: c.headHash}
}

// resealTx brings the seal up to date with the transaction's changes,
// inside tx, just before it commits. It never seals over a mismatch: a
// seal whose tag is wrong, or a chain whose head is not the sealed one
// when this transaction appended to it, is recorded in the sticky broken
// column (and logged) before the new tag is written.
func (s *Store) resealTx(ctx context.Context, tx *sql.Tx) (headSeq int64, headHash string, err error) {
	ch := s.changes.snapshot()
	if !s.sealing || (!ch.audit && ch.sales == 0 && ch.outbox == 0 && ch.staff == 0) {
		return 0, "", nil
	}
	v, tag, ok, err := scanSeal(tx.StmtContext(ctx, s.selSeal).QueryRowContext(ctx))
	if err != nil || !ok {
		return 0, "", err // no seal: an unsealed database, CheckTamper reports it
	}
	var reasons []string
	if tag != s.sealTag(v) {
		reasons = append(reasons, "seal edited outside the app")
	}
	if ch.audit {
		switch {
		case ch.prevSeq < v.auditSeq:
			reasons = append(reasons, fmt.Sprintf("audit entries %d to %d deleted outside the app", ch.prevSeq+1, v.auditSeq))
		case ch.prevSeq > v.auditSeq:
			reasons = append(reasons, fmt.Sprintf("audit entries %d to %d added outside the app", v.auditSeq+1, ch.prevSeq))
		case ch.prevHash != v.auditHash:
			reasons = append(reasons, fmt.Sprintf("audit entry %d replaced outside the app", v.auditSeq))
		}
		v.auditSeq, v.auditHash = ch.headSeq, ch.headHash
	}
	if len(reasons) > 0 && !strings.Contains(v.broken, reasons[0]) {
		s.log.Warn("store: database edited outside the app", "found", strings.Join(reasons, "; "))
		v.broken = truncate(strings.TrimPrefix(v.broken+"; "+strings.Join(reasons, "; "), "; "), 1000)
	}
	v.sales += ch.sales
	v.outbox += ch.outbox
	v.staff += ch.staff
	if _, err := tx.StmtContext(ctx, s.updSeal).ExecContext(ctx,
		v.sales, v.outbox, v.staff, v.auditSeq, v.auditHash, v.broken, s.sealTag(v)); err != nil {
		return 0, "", fmt.Errorf("store: update seal: %w", err)
	}
	if !ch.audit {
		return 0, "", nil
	}
	return v.auditSeq, v.auditHash, nil
}

// sealNew seals a database that has just been migrated to the schema with
// the seal (a new one, or one written before the seal existed): what it
// holds now is taken as the truth, every staff row is tagged and the seal
// row is written. It runs only right after that migration, never on a
// database that lost its seal row later (that is a finding).
func (s *Store) sealNew(ctx context.Context) error {
	if !s.sealing {
		return nil
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, _, sealed, err := readSeal(ctx, tx); err != nil || sealed {
			return err
		}
		staff, err := queryAll(ctx, tx, "seal staff", `SELECT `+staffColumns+` FROM staff`, nil, scanStaff)
		if err != nil {
			return err
		}
		for _, st := range staff {
			if _, err := tx.ExecContext(ctx, `UPDATE staff SET tag = ? WHERE id = ?`, s.staffTag(st), st.ID); err != nil {
				return fmt.Errorf("store: seal staff %s: %w", st.ID, err)
			}
		}
		queued, err := queryAll(ctx, tx, "seal outbox", outboxRowSelect, nil, scanOutboxRow)
		if err != nil {
			return err
		}
		for _, r := range queued {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET tag = ? WHERE seq = ?`, s.outboxTag(r), r.seq); err != nil {
				return fmt.Errorf("store: seal outbox item %d: %w", r.seq, err)
			}
		}
		var v seal
		v.auditHash = GenesisHash
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM sales), (SELECT COUNT(*) FROM outbox),
			(SELECT COUNT(*) FROM staff)`).Scan(&v.sales, &v.outbox, &v.staff); err != nil {
			return fmt.Errorf("store: seal: count rows: %w", err)
		}
		err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&v.auditSeq, &v.auditHash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: seal: audit head: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tamper_seal (id, sales_rows, outbox_rows, staff_rows,
			audit_seq, audit_hash, broken, tag) VALUES (1, ?, ?, ?, ?, ?, '', ?)`,
			v.sales, v.outbox, v.staff, v.auditSeq, v.auditHash, s.sealTag(v)); err != nil {
			return fmt.Errorf("store: seal: %w", err)
		}
		s.log.Info("store: database sealed", "sales", v.sales, "outbox", v.outbox, "staff", v.staff, "audit_seq", v.auditSeq)
		return nil
	})
}

// staffTag is the tag of a staff row over every column.
func (s *Store) staffTag(st agent.Staff) string {
	return s.cipher.Tag("staff", st.ID, st.Name, string(st.Role), st.PINHash,
		strconv.Itoa(st.FailedTries), strconv.FormatInt(nanos(st.LockedUntil), 10), strconv.Itoa(boolInt(st.Active)))
}

// staffTagOK reports whether tag is the staff row's tag (always true for
// a store without a cipher, which keeps no tags).
func (s *Store) staffTagOK(st agent.Staff, tag string) bool {
	return s.cipher == nil || s.cipher.TagEqual(tag, "staff", st.ID, st.Name, string(st.Role), st.PINHash,
		strconv.Itoa(st.FailedTries), strconv.FormatInt(nanos(st.LockedUntil), 10), strconv.Itoa(boolInt(st.Active)))
}

// outboxRow is what an outbox item's tag covers, as stored.
type outboxRow struct {
	seq                      int64
	kind, requestNo, orderNo string
	payload                  []byte // nil when shares is set
	shares                   bool   // the payload is the sale's record
	created                  int64
	tag                      string
}

func scanOutboxRow(row scanner) (outboxRow, error) {
	var r outboxRow
	err := row.Scan(&r.seq, &r.kind, &r.requestNo, &r.orderNo, &r.payload, &r.shares, &r.created, &r.tag)
	if err != nil {
		return r, fmt.Errorf("store: outbox row: %w", err)
	}
	return r, nil
}

// outboxTag is the tag of an outbox item over what is sent ("" without a
// cipher). The payload enters as its SHA-256.
func (s *Store) outboxTag(r outboxRow) string {
	if s.cipher == nil {
		return ""
	}
	return s.cipher.Tag("outbox", outboxTagFields(r)...)
}

func (s *Store) outboxTagOK(r outboxRow) bool {
	return s.cipher == nil || s.cipher.TagEqual(r.tag, "outbox", outboxTagFields(r)...)
}

func outboxTagFields(r outboxRow) []string {
	sum := ""
	if r.payload != nil {
		h := sha256.Sum256(r.payload)
		sum = hex.EncodeToString(h[:])
	}
	return []string{r.kind, r.requestNo, r.orderNo, sum, strconv.Itoa(boolInt(r.shares)), strconv.FormatInt(r.created, 10)}
}

// errStaffTampered is Staff's answer for a row whose tag does not match.
func errStaffTampered(id string) error {
	return &agent.Error{Code: CodeTampered, Detail: fmt.Sprintf(
		"staff %s: the record was edited outside the app (role or PIN changed with a database tool); "+
			"it cannot log in until support has run terminalctl doctor", id)}
}

// CheckTamper compares the seal, the staff tags, the audit chain's head
// and the head file with the database and returns one finding per kind of
// edit (none: nothing found). It only reads. It needs the field key: a
// store opened without a cipher returns an error.
func (s *Store) CheckTamper(ctx context.Context) ([]TamperFinding, error) {
	if s.cipher == nil {
		return nil, errors.New("store: tamper check needs the field key")
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: tamper check: %w", err)
	}
	defer tx.Rollback()
	var out []TamperFinding
	add := func(kind, format string, args ...any) {
		out = append(out, TamperFinding{Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}

	// Staff rows, each against its own tag.
	rows, err := tx.QueryContext(ctx, `SELECT `+staffColumns+`, tag FROM staff ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: tamper check: staff: %w", err)
	}
	for rows.Next() {
		var tag string
		st, err := scanStaffTag(rows, &tag)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: tamper check: staff: %w", err)
		}
		if !s.staffTagOK(st, tag) {
			add(TamperStaffEdited, "staff %s (now role %s, active %v): record edited outside the app", st.ID, st.Role, st.Active)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: tamper check: staff: %w", err)
	}

	// Outbox items, each against its own tag.
	queued, err := queryAll(ctx, tx, "tamper check: outbox", outboxRowSelect, nil, scanOutboxRow)
	if err != nil {
		return nil, err
	}
	for _, r := range queued {
		if !s.outboxTagOK(r) {
			add(TamperOutboxEdited, "outbox item %d (%s of order %s): edited outside the app", r.seq, r.kind, r.orderNo)
		}
	}

	var live seal
	live.auditHash = GenesisHash
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM sales), (SELECT COUNT(*) FROM outbox),
		(SELECT COUNT(*) FROM staff)`).Scan(&live.sales, &live.outbox, &live.staff); err != nil {
		return nil, fmt.Errorf("store: tamper check: count rows: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&live.auditSeq, &live.auditHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: tamper check: audit head: %w", err)
	}

	v, tag, ok, err := readSeal(ctx, tx)
	if err != nil {
		return nil, err
	}
	if !ok {
		add(TamperSealMissing, "the seal row (table tamper_seal) was deleted outside the app: row counts and the audit head cannot be checked against it")
	} else {
		if tag != s.sealTag(v) {
			add(TamperSealEdited, "the seal row was edited outside the app; the counts below compare with its edited values")
		}
		if v.broken != "" {
			add(TamperSealBroken, "the app found while writing: %s", v.broken)
		}
		counts := []struct {
			what           string
			live, sealed   int64
			deleted, added string
			why            string
		}{
			{"sales rows", live.sales, v.sales, TamperSalesDeleted, TamperSalesAdded, ""},
			{"outbox items", live.outbox, v.outbox, TamperOutboxDeleted, TamperOutboxAdded,
				" (those sales and messages will never reach the platform)"},
			{"staff rows", live.staff, v.staff, TamperStaffDeleted, TamperStaffAdded, ""},
		}
		for _, c := range counts {
			switch {
			case c.live < c.sealed:
				add(c.deleted, "%d %s deleted outside the app: %d now, %d sealed%s", c.sealed-c.live, c.what, c.live, c.sealed, c.why)
			case c.live > c.sealed:
				add(c.added, "%d %s added outside the app: %d now, %d sealed", c.live-c.sealed, c.what, c.live, c.sealed)
			}
		}
		switch {
		case live.auditSeq < v.auditSeq && live.auditSeq == 0:
			add(TamperAuditTailDeleted, "all %d audit entries deleted outside the app", v.auditSeq)
		case live.auditSeq < v.auditSeq:
			add(TamperAuditTailDeleted, "audit entries %d to %d (the newest) deleted outside the app", live.auditSeq+1, v.auditSeq)
		case live.auditSeq > v.auditSeq:
			add(TamperAuditAdded, "audit entries %d to %d added outside the app", v.auditSeq+1, live.auditSeq)
		case live.auditHash != v.auditHash:
			add(TamperAuditReplaced, "audit entry %d differs from the sealed head", v.auditSeq)
		}
	}

	f := s.headFindings(ctx, tx, live.auditSeq)
	return append(out, f...), nil
}

// outboxRowSelect reads every outbox item as scanOutboxRow scans it.
const outboxRowSelect = `SELECT seq, kind, request_no, order_no, payload, shares_sale, created_at, tag FROM outbox ORDER BY seq`

// scanStaffTag reads staffColumns followed by the tag.
func scanStaffTag(row scanner, tag *string) (agent.Staff, error) {
	var st agent.Staff
	var role string
	var locked int64
	var active int
	err := row.Scan(&st.ID, &st.Name, &role, &st.PINHash, &st.FailedTries, &locked, &active, tag)
	st.Role = agent.Role(role)
	st.LockedUntil = fromNanos(locked)
	st.Active = active != 0
	return st, err
}
