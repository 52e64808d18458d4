package sim

import (
	"crypto/rand"
	"encoding/base32"
	"net"
	"net/http"

	"tradein/agent"
	"tradein/sync/api"
)

// EnrollmentCode is the answer of POST /admin/enrollment-codes.
type EnrollmentCode struct {
	Code    string `json:"code"`
	StoreID string `json:"store_id"`
	MaxUses int    `json:"max_uses"`
}

// handleAdminEnrollmentCodes issues a new single-use enrollment code for
// the demo store: what the platform operator hands field support when a
// terminal must enroll again (its enrollment was lost, or the answer of
// its first attempt never arrived). Loopback callers only.
func (s *Server) handleAdminEnrollmentCodes(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		writeEnvelope(w, http.StatusForbidden, api.Envelope{Code: string(agent.CodeUnauthorized), Message: "admin endpoints answer loopback callers only"})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeEnvelope(w, http.StatusMethodNotAllowed, api.Envelope{Code: string(agent.CodeInvalidRequest), Message: "method not allowed"})
		return
	}
	b := make([]byte, 10)
	rand.Read(b)
	code := EnrollmentCode{Code: "ENROLL-" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b),
		StoreID: DemoStoreID, MaxUses: 1}
	s.mu.Lock()
	_, err = s.db.ExecContext(r.Context(), "INSERT INTO enrollment_codes(code, store_id, max_uses) VALUES (?, ?, ?)",
		code.Code, code.StoreID, code.MaxUses)
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	s.log.Warn("enrollment code issued", "store_id", code.StoreID)
	writeData(w, http.StatusOK, code)
}
