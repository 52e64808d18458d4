package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The head file sits beside the database (terminal.db → terminal.head)
// and holds the newest audit head the store committed, tagged under the
// field key. The seal inside the database cannot reveal a database that
// was swapped whole for an older copy (the copy carries its own consistent
// seal); the head file can: its head is then newer than the database's.
//
// After each commit that appended to the chain the store hands the new
// head to a writer goroutine, which rewrites the file (temporary file,
// rename over) with the newest head it was given, at most once per
// headInterval; Close writes the last one. Writing it on the commit path
// cost more than the rest of a sale's commit (a create and a rename per
// sale: about 2 ms of a 1 ms commit on the test machine), and once per
// commit even off the path it slowed a drain's one-by-one completions by
// a third (renames competing with the WAL's fsyncs). A lag of a fraction
// of a second changes nothing: replacing the database takes longer. It is
// not fsynced either: after a crash or power cut the file can only lag
// behind the database, which CheckTamper accepts; it never runs ahead of
// what was committed. Restore rewrites it for the database it puts in
// place.

// headRecord is the head file's JSON.
type headRecord struct {
	AuditSeq  int64  `json:"audit_seq"`
	AuditHash string `json:"audit_hash"`
	Tag       string `json:"tag"`
}

// HeadFilePath returns the head file of the database at dbPath.
func HeadFilePath(dbPath string) string {
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + ".head"
}

// headWriter is the head file's writer goroutine and the newest head it
// was handed. Heads only move forward: two commits finishing out of order
// never move the file backwards.
type headWriter struct {
	mu      sync.Mutex
	want    int64  // newest head handed over
	hash    string // its hash
	written int64  // newest head written
	closed  bool
	kick    chan struct{} // capacity 1: "there is something to write"
	stop    chan struct{} // closed by Close: end a rest early
	done    chan struct{} // closed when the goroutine has ended
}

// writeHead hands the head of a commit to the writer goroutine, starting
// it on first use. Failing to write the file is logged, never an error of
// the committed transaction.
func (s *Store) writeHead(seq int64, hash string) {
	if s.cipher == nil || seq == 0 {
		return
	}
	h := &s.head
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || seq <= h.want {
		return
	}
	h.want, h.hash = seq, hash
	if h.kick == nil {
		h.kick, h.stop, h.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go s.headLoop()
	}
	select {
	case h.kick <- struct{}{}:
	default: // a write is already due; it will take the newest head
	}
}

// headInterval is the least time between two writes of the head file.
const headInterval = 250 * time.Millisecond

// headLoop writes the newest head when it is kicked, then rests for
// headInterval (heads handed over meanwhile are written after the rest),
// until Close.
func (s *Store) headLoop() {
	defer close(s.head.done)
	rest := time.NewTimer(headInterval)
	rest.Stop() // never fired: Reset below needs no drain
	defer rest.Stop()
	for range s.head.kick {
		s.flushHead()
		rest.Reset(headInterval)
		select {
		case <-rest.C:
		case <-s.head.stop:
			return
		}
	}
}

// flushHead writes the newest head handed over, if it is not written yet.
// Only headLoop and, after it ended, closeHead call it.
func (s *Store) flushHead() {
	h := &s.head
	h.mu.Lock()
	seq, hash := h.want, h.hash
	h.mu.Unlock()
	if seq <= h.written {
		return
	}
	if err := writeHeadFile(s.path, s.cipher.Tag, seq, hash); err != nil {
		s.log.Warn("store: write head file", "err", err)
		return
	}
	h.written = seq
}

// closeHead stops the writer goroutine after it wrote the newest head.
func (s *Store) closeHead() {
	h := &s.head
	h.mu.Lock()
	already := h.closed
	h.closed = true
	kick, stop, done := h.kick, h.stop, h.done
	h.mu.Unlock()
	if already || kick == nil {
		return
	}
	close(stop)
	close(kick)
	<-done
	s.flushHead()
}

func headTagFields(dbPath string, seq int64, hash string) []string {
	return []string{filepath.Base(dbPath), strconv.FormatInt(seq, 10), hash}
}

// writeHeadFile writes the head file of dbPath atomically (owner-only).
func writeHeadFile(dbPath string, tag func(kind string, fields ...string) string, seq int64, hash string) error {
	b, err := json.Marshal(headRecord{AuditSeq: seq, AuditHash: hash, Tag: tag("audit_head", headTagFields(dbPath, seq, hash)...)})
	if err != nil {
		return err
	}
	path := HeadFilePath(dbPath)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".head-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// writeHeadOf writes the head file for the database at dbPath from its
// newest audit entry (Restore and the first seal use it). Without a tag
// function the file is removed: a stale head would accuse the database.
func writeHeadOf(ctx context.Context, db queryer, dbPath string, tag func(kind string, fields ...string) string) error {
	if tag == nil {
		if err := os.Remove(HeadFilePath(dbPath)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	var seq int64
	var hash string
	err := db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		seq, hash = 0, GenesisHash
	} else if err != nil {
		return fmt.Errorf("store: head file: %w", err)
	}
	return writeHeadFile(dbPath, tag, seq, hash)
}

// headFindings compares the head file with the database whose chain ends
// at liveSeq (read in tx).
func (s *Store) headFindings(ctx context.Context, tx queryer, liveSeq int64) []TamperFinding {
	path := HeadFilePath(s.path)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if liveSeq == 0 {
			return nil
		}
		return []TamperFinding{{Kind: TamperHeadFileMissing, Detail: fmt.Sprintf(
			"%s is missing: whether the database was replaced by an older copy cannot be checked here", filepath.Base(path))}}
	}
	if err != nil {
		return []TamperFinding{{Kind: TamperHeadFileMissing, Detail: fmt.Sprintf("%s cannot be read: %v", filepath.Base(path), err)}}
	}
	var h headRecord
	if err := json.Unmarshal(b, &h); err != nil ||
		!s.cipher.TagEqual(h.Tag, "audit_head", headTagFields(s.path, h.AuditSeq, h.AuditHash)...) {
		return []TamperFinding{{Kind: TamperHeadFileEdited, Detail: fmt.Sprintf("%s was edited outside the app (its tag does not match)", filepath.Base(path))}}
	}
	if h.AuditSeq > liveSeq {
		return []TamperFinding{{Kind: TamperRolledBack, Detail: fmt.Sprintf(
			"the database's audit chain ends at entry %d but %s records entry %d: the database was replaced by an older copy or its newest entries were deleted",
			liveSeq, filepath.Base(path), h.AuditSeq)}}
	}
	if h.AuditSeq == 0 {
		return nil
	}
	var hash string
	if err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = ?`, h.AuditSeq).Scan(&hash); err != nil || hash != h.AuditHash {
		return []TamperFinding{{Kind: TamperAuditReplaced, Detail: fmt.Sprintf(
			"audit entry %d differs from the head recorded in %s: the chain was rewritten", h.AuditSeq, filepath.Base(path))}}
	}
	return nil
}
