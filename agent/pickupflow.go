package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Limits of a recycler's pickup record.
const (
	// maxPhotoBytes bounds a pickup photo: a phone or webcam JPEG is
	// 0.5–5 MB; 16 MB refuses a wrong file without refusing a real photo.
	maxPhotoBytes = 16 << 20
	// maxPickupGrams is the heaviest old appliance (a large side-by-side
	// fridge is about 150 kg); 1 t catches a weight typed in the wrong unit.
	maxPickupGrams = 1_000_000
	maxCertNoLen   = 64
	// ticketSearchBefore is how long before a ticket's issue time the sale
	// carrying it may have been started (the wizard runs for minutes; a
	// day is generous and still a bounded search).
	ticketSearchBefore = 24 * time.Hour
)

// ticketFinder is implemented by stores that can find a sale by its
// trade-in ticket directly. Stores without it are searched by the ticket's
// issue time, which NewTicketNo encodes.
type ticketFinder interface {
	SaleByTicket(ctx context.Context, ticketNo string) (Sale, error)
}

// LookupTicket returns the sale whose trade-in carries the ticket (scanned
// from the receipt's QR code), with personal data masked. CodeNotFound
// when no sale on this terminal has it.
func (s *Session) LookupTicket(ctx context.Context, ticketNo string) (Sale, error) {
	if err := s.require(ActPickup); err != nil {
		return Sale{}, err
	}
	sale, err := s.t.saleByTicket(ctx, strings.TrimSpace(ticketNo))
	if err != nil {
		return Sale{}, err
	}
	return screenSale(sale), nil
}

func (t *Terminal) saleByTicket(ctx context.Context, ticketNo string) (Sale, error) {
	if !IsTicketNo(ticketNo) {
		return Sale{}, Errorf(CodeInvalidRequest, "%q is not a trade-in ticket number (TI + digits)", ticketNo)
	}
	notFound := Errorf(CodeNotFound, "no sale on this terminal carries ticket %s", ticketNo)
	if tf, ok := t.store.(ticketFinder); ok {
		sale, err := tf.SaleByTicket(ctx, ticketNo)
		if errors.Is(err, ErrNotFound) {
			return Sale{}, notFound
		}
		if err != nil {
			return Sale{}, internal("find sale by ticket", err)
		}
		return sale, nil
	}
	issued, err := time.ParseInLocation("060102150405", ticketNo[len(TicketPrefix):len(TicketPrefix)+12], ChinaTime)
	if err != nil {
		return Sale{}, notFound // a ticket of another system: not ours
	}
	sales, err := t.store.Sales(ctx, SaleFilter{From: issued.Add(-ticketSearchBefore), To: issued.Add(time.Second)})
	if err != nil {
		return Sale{}, internal("search sales for ticket", err)
	}
	for _, sale := range sales {
		if sale.TradeIn != nil && sale.TradeIn.TicketNo == ticketNo {
			return sale, nil
		}
	}
	return Sale{}, notFound
}

// RecordPickup records the collection of the old appliance of a ticket:
// the sale must be committed (or in review) and not picked up before. The
// photo, when given, is written to Deps.PhotosDir named by its SHA-256
// (content-addressed, so a retry never duplicates it) before the pickup,
// its audit entry and its PICKUP outbox row are saved in one transaction.
func (s *Session) RecordPickup(ctx context.Context, p Pickup, photo []byte) (Pickup, error) {
	if err := s.require(ActPickup); err != nil {
		return Pickup{}, err
	}
	p.TicketNo = strings.TrimSpace(p.TicketNo)
	p.CertificateNo = strings.TrimSpace(p.CertificateNo)
	switch {
	case !ValidCondition(p.Condition):
		return Pickup{}, Errorf(CodeInvalidRequest, "condition must be GOOD, WORN or BROKEN")
	case p.WeightGrams <= 0 || p.WeightGrams > maxPickupGrams:
		return Pickup{}, Errorf(CodeInvalidRequest, "weight must be between 1 g and %d kg", maxPickupGrams/1000)
	case p.CertificateNo == "" || len(p.CertificateNo) > maxCertNoLen || !printableASCII(p.CertificateNo):
		return Pickup{}, Errorf(CodeInvalidRequest, "the certificate number has 1 to %d printable characters", maxCertNoLen)
	case len(photo) > maxPhotoBytes:
		return Pickup{}, Errorf(CodeInvalidRequest, "the photo has %d bytes; at most %d", len(photo), maxPhotoBytes)
	}
	t := s.t
	t.mutMu.Lock()
	defer t.mutMu.Unlock()

	sale, err := t.saleByTicket(ctx, p.TicketNo)
	if err != nil {
		return Pickup{}, err
	}
	if sale.State != SaleCommitted && sale.State != SaleReview {
		return Pickup{}, Errorf(CodeIllegalState, "sale %s of ticket %s is %s; nothing to pick up", sale.OrderNo, p.TicketNo, sale.State)
	}
	if prev, err := t.store.PickupByTicket(ctx, p.TicketNo); err == nil {
		return Pickup{}, Errorf(CodeAlreadyPickedUp, "ticket %s was picked up at %s", p.TicketNo, prev.At.In(ChinaTime).Format("2006-01-02 15:04"))
	} else if !errors.Is(err, ErrNotFound) {
		return Pickup{}, internal("read pickup", err)
	}

	now := t.clock.Now()
	p.ID = t.ids.next(prefixPickup, now)
	p.OrderNo = sale.OrderNo
	p.RecyclerID = s.staff.ID
	p.At = now
	p.PhotoSHA256 = ""
	if len(photo) > 0 {
		sum, err := t.savePhoto(photo)
		if err != nil {
			return Pickup{}, err
		}
		p.PhotoSHA256 = sum
	}
	payload, err := json.Marshal(p)
	if err != nil {
		return Pickup{}, internal("encode pickup", err)
	}
	item := OutboxItem{Kind: OutboxPickup, RequestNo: t.ids.next(prefixRequest, now), OrderNo: sale.OrderNo,
		Payload: payload, CreatedAt: now, NextAttemptAt: now}
	a := AuditEntry{At: now, Actor: s.staff.ID, Action: "pickup.record", Subject: p.TicketNo,
		Detail: fmt.Sprintf("order=%s condition=%s weight_g=%d photo=%t", sale.OrderNo, p.Condition, p.WeightGrams, p.PhotoSHA256 != "")}
	if err := t.store.SavePickup(ctx, p, a, item); err != nil {
		return Pickup{}, internal("save pickup", err)
	}
	return p, nil
}

// savePhoto writes the photo durably to the photos dir as <sha256><ext>
// and returns the hex digest. The file is written to a temporary name,
// synced and renamed, so a crash never leaves a half photo under its name.
func (t *Terminal) savePhoto(photo []byte) (string, error) {
	if t.photos == "" {
		return "", Errorf(CodeInvalidRequest, "this terminal has no photos folder configured; record the pickup without a photo")
	}
	sum := sha256.Sum256(photo)
	hexSum := hex.EncodeToString(sum[:])
	if err := os.MkdirAll(t.photos, 0o700); err != nil {
		return "", internal("create photos folder", err)
	}
	final := filepath.Join(t.photos, hexSum+photoExt(photo))
	if _, err := os.Stat(final); err == nil {
		return hexSum, nil // the same photo is already stored
	}
	tmp, err := os.CreateTemp(t.photos, ".photo-*")
	if err != nil {
		return "", internal("create photo file", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(photo); err != nil {
		tmp.Close()
		return "", internal("write photo", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", internal("sync photo", err)
	}
	if err := tmp.Close(); err != nil {
		return "", internal("close photo", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", internal("store photo", err)
	}
	return hexSum, nil
}

// photoExt names the image format from its magic bytes.
func photoExt(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return ".jpg"
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return ".png"
	default:
		return ".bin"
	}
}
