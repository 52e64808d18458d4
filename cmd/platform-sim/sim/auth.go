package sim

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

// terminal is an enrolled terminal and its store.
type terminal struct {
	No         string
	StoreID    string
	MerchantNo string
	StoreName  string
	UniSCID    string
	County     string
	Secret     []byte
}

func unauthorized(format string, args ...any) error {
	return agent.Errorf(agent.CodeUnauthorized, format, args...)
}

// authenticate checks the four signing headers of r (api.StringToSign):
// a known terminal, a timestamp within api.MaxSkew of the platform clock,
// a nonce this terminal has not used, and a valid HMAC. The nonce is
// recorded only after the signature verified, so nobody can burn another
// terminal's nonces.
func (s *Server) authenticate(r *http.Request, body []byte) (terminal, error) {
	no := r.Header.Get(api.HeaderTerminalNo)
	ts := r.Header.Get(api.HeaderTimestamp)
	nonce := r.Header.Get(api.HeaderNonce)
	sig := r.Header.Get(api.HeaderSignature)
	if no == "" || ts == "" || nonce == "" || sig == "" {
		return terminal{}, unauthorized("missing signing header (%s, %s, %s, %s)", api.HeaderTerminalNo, api.HeaderTimestamp, api.HeaderNonce, api.HeaderSignature)
	}
	at, ok := api.ParseTimestamp(ts)
	if !ok {
		return terminal{}, unauthorized("X-Timestamp is not Unix seconds")
	}
	now := s.clock.Now()
	if skew := now.Sub(at); skew > api.MaxSkew || skew < -api.MaxSkew {
		return terminal{}, unauthorized("X-Timestamp is %s away from platform time (limit %s)", skew.Round(time.Second), api.MaxSkew)
	}
	if !api.ValidNonce(nonce) {
		return terminal{}, unauthorized("X-Nonce must be 16..64 characters of [A-Za-z0-9_-]")
	}
	t, err := s.terminal(r, no)
	if err != nil {
		return terminal{}, err
	}
	if !api.VerifySignature(t.Secret, r.Method, r.URL.RequestURI(), ts, nonce, body, sig) {
		return terminal{}, unauthorized("bad signature")
	}
	if !s.nonces.add(no+"\x00"+nonce, now) {
		return terminal{}, unauthorized("nonce already used")
	}
	return t, nil
}

// terminal loads an enrolled terminal.
func (s *Server) terminal(r *http.Request, no string) (terminal, error) {
	var t terminal
	err := s.db.QueryRowContext(r.Context(), `
		SELECT t.terminal_no, t.store_id, s.merchant_no, s.name, s.uniscid, s.county_code, t.hmac_secret
		FROM terminals t JOIN stores s ON s.store_id = t.store_id WHERE t.terminal_no = ?`, no).
		Scan(&t.No, &t.StoreID, &t.MerchantNo, &t.StoreName, &t.UniSCID, &t.County, &t.Secret)
	if errors.Is(err, sql.ErrNoRows) {
		return terminal{}, unauthorized("unknown terminal")
	}
	if err != nil {
		return terminal{}, fmt.Errorf("load terminal: %w", err)
	}
	return t, nil
}

// nonceCache remembers nonces for twice api.MaxSkew: a request older than
// MaxSkew is refused by its timestamp, so a nonce never needs remembering
// longer. It lives in memory; after a restart the timestamp window still
// bounds replays to requests captured in the last five minutes. Safe for
// concurrent use.
type nonceCache struct {
	mu        sync.Mutex
	seen      map[string]time.Time
	lastPrune time.Time
}

func newNonceCache() *nonceCache { return &nonceCache{seen: map[string]time.Time{}} }

// add records key at now and reports whether it was new.
func (c *nonceCache) add(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.lastPrune) > api.MaxSkew {
		for k, at := range c.seen {
			if now.Sub(at) > 2*api.MaxSkew {
				delete(c.seen, k)
			}
		}
		c.lastPrune = now
	}
	if _, dup := c.seen[key]; dup {
		return false
	}
	c.seen[key] = now
	return true
}
