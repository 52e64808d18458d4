package sim

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

// Faults is the fault-injection setting, as flags and as the body of
// POST /admin/faults. Rates are probabilities in [0, 1] drawn per request;
// faults apply to /v1/ requests whose path starts with PathPrefix (all when
// empty). At most one of error, timeout, reset and rate limit hits a
// request, tried in that order; latency adds to any of them.
type Faults struct {
	LatencyMS     int     `json:"latency_ms"`      // added before answering
	ErrorRate     float64 `json:"error_rate"`      // 500 INTERNAL
	TimeoutRate   float64 `json:"timeout_rate"`    // hang until the client gives up (or HangMS)
	ResetRate     float64 `json:"reset_rate"`      // close the TCP connection without an answer
	RateLimitRate float64 `json:"rate_limit_rate"` // 429 RATE_LIMITED with Retry-After
	RetryAfterS   int     `json:"retry_after_s"`   // Retry-After seconds (default 1)
	HangMS        int     `json:"hang_ms"`         // longest hang of a timeout (default 60000)
	PathPrefix    string  `json:"path_prefix"`
}

// Validate reports a setting that makes no sense.
func (f Faults) Validate() error {
	for name, r := range map[string]float64{"error_rate": f.ErrorRate, "timeout_rate": f.TimeoutRate,
		"reset_rate": f.ResetRate, "rate_limit_rate": f.RateLimitRate} {
		if r < 0 || r > 1 || r != r {
			return fmt.Errorf("%s %v: want a probability between 0 and 1", name, r)
		}
	}
	if f.LatencyMS < 0 || f.LatencyMS > 600_000 {
		return fmt.Errorf("latency_ms %d: want 0..600000", f.LatencyMS)
	}
	if f.RetryAfterS < 0 || f.RetryAfterS > 3600 {
		return fmt.Errorf("retry_after_s %d: want 0..3600", f.RetryAfterS)
	}
	if f.HangMS < 0 || f.HangMS > 600_000 {
		return fmt.Errorf("hang_ms %d: want 0..600000", f.HangMS)
	}
	if f.PathPrefix != "" && !strings.HasPrefix(f.PathPrefix, "/v1/") {
		return fmt.Errorf("path_prefix %q: must start with /v1/", f.PathPrefix)
	}
	return nil
}

// faultInjector applies the current Faults. Safe for concurrent use.
type faultInjector struct {
	mu      sync.Mutex
	f       Faults
	rnd     *rand.Rand
	stopped chan struct{} // closed on shutdown: hung requests end
	once    sync.Once
}

// newFaultInjector returns an injector applying f, drawing from a source
// seeded with seed (a random seed when zero).
func newFaultInjector(f Faults, seed uint64) *faultInjector {
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &faultInjector{f: f, rnd: rand.New(rand.NewPCG(seed, seed)), stopped: make(chan struct{})}
}

func (fi *faultInjector) set(f Faults) {
	fi.mu.Lock()
	fi.f = f
	fi.mu.Unlock()
}

func (fi *faultInjector) get() Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.f
}

func (fi *faultInjector) stop() { fi.once.Do(func() { close(fi.stopped) }) }

type faultKind int

const (
	faultNone faultKind = iota
	faultError
	faultTimeout
	faultReset
	faultRateLimit
)

// draw picks the fault for one request.
func (fi *faultInjector) draw(path string) (Faults, faultKind) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.f
	if !strings.HasPrefix(path, "/v1/") || (f.PathPrefix != "" && !strings.HasPrefix(path, f.PathPrefix)) {
		return f, faultNone
	}
	hit := func(rate float64) bool { return rate > 0 && fi.rnd.Float64() < rate }
	switch {
	case hit(f.ErrorRate):
		return f, faultError
	case hit(f.TimeoutRate):
		return f, faultTimeout
	case hit(f.ResetRate):
		return f, faultReset
	case hit(f.RateLimitRate):
		return f, faultRateLimit
	}
	return f, faultNone
}

// middleware injects the drawn fault before the API sees the request, so
// a faulted request has no effect on the platform's state.
func (fi *faultInjector) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, kind := fi.draw(r.URL.Path)
		if f.LatencyMS > 0 && strings.HasPrefix(r.URL.Path, "/v1/") && (f.PathPrefix == "" || strings.HasPrefix(r.URL.Path, f.PathPrefix)) {
			t := time.NewTimer(time.Duration(f.LatencyMS) * time.Millisecond)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-fi.stopped:
				t.Stop()
			}
		}
		switch kind {
		case faultError:
			writeEnvelope(w, http.StatusInternalServerError, api.Envelope{Code: string(agent.CodeInternal), Message: "injected fault: server error"})
		case faultTimeout:
			hang := time.Duration(f.HangMS) * time.Millisecond
			if hang <= 0 {
				hang = time.Minute
			}
			t := time.NewTimer(hang)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
			case <-fi.stopped:
			}
			writeEnvelope(w, http.StatusServiceUnavailable, api.Envelope{Code: string(agent.CodeInternal), Message: "injected fault: timeout"})
		case faultReset:
			resetConnection(w)
		case faultRateLimit:
			ra := f.RetryAfterS
			if ra <= 0 {
				ra = 1
			}
			w.Header().Set("Retry-After", strconv.Itoa(ra))
			writeEnvelope(w, http.StatusTooManyRequests, api.Envelope{Code: string(agent.CodeRateLimited), Message: "injected fault: rate limited"})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// resetConnection hijacks the connection and closes it with SO_LINGER 0,
// so the client sees a TCP reset instead of an answer.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2 or a test recorder: abort the stream instead
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// handleAdminFaults serves GET and POST /admin/faults, from loopback
// callers only: fault injection is a test and demo tool, never reachable
// from another host.
func (s *Server) handleAdminFaults(w http.ResponseWriter, r *http.Request) {
	if !loopbackOnly(w, r) {
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeData(w, http.StatusOK, s.faults.get())
	case http.MethodPost:
		var f Faults
		body, err := readSmall(w, r)
		if err == nil {
			err = checkContentType(r, body)
		}
		if err == nil {
			err = decodeBody(body, &f)
		}
		if err == nil {
			if verr := f.Validate(); verr != nil {
				err = agent.Errorf(agent.CodeInvalidRequest, "%v", verr)
			}
		}
		if err != nil {
			writeError(w, err)
			return
		}
		s.faults.set(f)
		s.log.Warn("fault injection changed", "faults", fmt.Sprintf("%+v", f))
		writeData(w, http.StatusOK, f)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeEnvelope(w, http.StatusMethodNotAllowed, api.Envelope{Code: string(agent.CodeInvalidRequest), Message: "use GET or POST"})
	}
}

// loopbackOnly answers 403 to a caller that is not on loopback and
// reports whether the admin request may go on.
func loopbackOnly(w http.ResponseWriter, r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		writeEnvelope(w, http.StatusForbidden, api.Envelope{Code: string(agent.CodeUnauthorized), Message: "admin endpoints answer loopback callers only"})
		return false
	}
	return true
}

// readSmall reads an admin request body (limit 64 KiB).
func readSmall(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return nil, agent.Errorf(agent.CodeInvalidRequest, "read body: %v", err)
	}
	return b, nil
}
