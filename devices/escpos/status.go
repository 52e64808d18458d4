package escpos

import "fmt"

// Real-time status requests (DLE EOT n), bit meanings as in Epson's ESC/POS
// reference. The printer answers each with one byte at once, even while
// busy, unless it is powered off or disconnected. Printer.Status asks 1, 2
// and 4 (2's bit 6 already says "an error occurred"); 3 tells which error.
const (
	StatusPrinter    byte = 1 // printer status: bit 3 offline
	StatusOffline    byte = 2 // offline cause: bit 2 cover open, bit 5 paper end stop, bit 6 error
	StatusError      byte = 3 // error cause: bit 3 autocutter, bit 5 unrecoverable, bit 6 auto-recoverable (head too hot)
	StatusPaperRoll  byte = 4 // roll sensor: bits 2–3 near end, bits 5–6 paper out
	statusFixedMask  byte = 0x93
	statusFixedValue byte = 0x12 // bits 1 and 4 set, bits 0 and 7 clear in every reply
)

// StatusRequest is the 3-byte request for status n.
func StatusRequest(n byte) []byte { return []byte{DLE, EOT, n} }

// Status is the printer's condition as DLE EOT reports it.
type Status struct {
	Offline      bool
	CoverOpen    bool
	PaperNearEnd bool
	PaperOut     bool
	Error        bool // cutter or unrecoverable error
}

// Ready reports whether the printer can print now. A nearly-empty roll
// still prints.
func (s Status) Ready() bool { return !s.Offline && !s.CoverOpen && !s.PaperOut && !s.Error }

// Code is the stable agent.DeviceStatus code of the worst condition, ""
// when ready and not near end.
func (s Status) Code() string {
	switch {
	case s.PaperOut:
		return "PAPER_OUT"
	case s.CoverOpen:
		return "COVER_OPEN"
	case s.Error:
		return "ERROR"
	case s.Offline:
		return "OFFLINE"
	case s.PaperNearEnd:
		return "PAPER_NEAR_END"
	}
	return ""
}

// Detail is Code in English words, for logs and support.
func (s Status) Detail() string {
	switch s.Code() {
	case "PAPER_OUT":
		return "paper out"
	case "COVER_OPEN":
		return "cover open"
	case "ERROR":
		return "printer error"
	case "OFFLINE":
		return "offline"
	case "PAPER_NEAR_END":
		return "paper near end"
	}
	return "ready"
}

// Apply merges the reply b to request n into s. A byte whose fixed bits are
// wrong is not a status reply (line noise, or an echo) and is rejected.
func (s *Status) Apply(n, b byte) error {
	if b&statusFixedMask != statusFixedValue {
		return fmt.Errorf("escpos: %#02x is not a status reply", b)
	}
	switch n {
	case StatusPrinter:
		s.Offline = b&0x08 != 0
	case StatusOffline:
		s.CoverOpen = b&0x04 != 0
		s.PaperOut = s.PaperOut || b&0x20 != 0
		s.Error = s.Error || b&0x40 != 0
	case StatusError:
		s.Error = s.Error || b&(0x08|0x20|0x40) != 0
	case StatusPaperRoll:
		s.PaperNearEnd = b&0x0c != 0
		s.PaperOut = s.PaperOut || b&0x60 != 0
	default:
		return fmt.Errorf("escpos: unknown status request %d", n)
	}
	return nil
}

// Reply is the byte a printer in condition s sends for request n (used by
// cmd/devsim's printer and by tests).
func (s Status) Reply(n byte) byte {
	b := statusFixedValue
	switch n {
	case StatusPrinter:
		if !s.Ready() {
			b |= 0x08
		}
	case StatusOffline:
		if s.CoverOpen {
			b |= 0x04
		}
		if s.PaperOut {
			b |= 0x20
		}
		if s.Error {
			b |= 0x40
		}
	case StatusError:
		if s.Error {
			b |= 0x20 // reported as unrecoverable: the operator must look
		}
	case StatusPaperRoll:
		if s.PaperNearEnd || s.PaperOut {
			b |= 0x0c
		}
		if s.PaperOut {
			b |= 0x60
		}
	}
	return b
}
