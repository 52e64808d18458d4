// Package client is the terminal's client of the central platform
// (sync/api, contract in sync/api/openapi.yaml). It signs every request, bounds every attempt with
// a timeout, retries only calls that are safe to repeat, and maps the
// platform's error codes to *agent.Error values.
//
// Retry contract: every endpoint of the contract is safe to repeat. GETs and
// POST /v1/sn/query read only; an enrollment attempt is repeated with the
// same enrollment proof, which the platform answers with the same result
// (Enroll); every mutating call carries a request_no that the platform
// uses as an idempotency key, so a repeated attempt returns the original
// result instead of a second effect. The client therefore refuses to send
// a mutating request whose request_no (or any batch item's) is empty — it
// never sends a mutation it could not safely repeat. Only transport
// failures, per-attempt timeouts and 5xx answers are retried; a 4xx answer,
// including 429, is returned at once.
//
// A Client is safe for concurrent use.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"tradein/agent"
	"tradein/sync/api"
)

// Config configures a Client.
type Config struct {
	BaseURL    string // e.g. "https://platform.example.cn" (no trailing path)
	TerminalNo string // empty before enrollment
	HMACSecret []byte // empty before enrollment
	// CAPEM, when set, is the only CA trusted for the platform's TLS
	// certificate (pinning); the system roots are then ignored.
	CAPEM []byte
	// Timeout bounds each attempt (connect, send, wait, read). Default 10 s:
	// a clerk waits for try, and the platform's own budget is 3 s.
	Timeout time.Duration
	// MaxAttempts is how often a failing call is tried in all (default 3).
	MaxAttempts int
	// RetryBase is the first back-off delay between attempts (default
	// 200 ms); each later delay doubles, with full jitter, up to 2 s.
	RetryBase time.Duration
	Clock     agent.Clock  // signs X-Timestamp; default the system clock
	Logger    *slog.Logger // default slog.Default()
	// Transport, when set, replaces the HTTP transport (tests use it to
	// count connections); CAPEM is then ignored.
	Transport http.RoundTripper
}

// Client talks to the platform. See the package comment for its retry
// contract.
type Client struct {
	cfg    Config
	http   *resty.Client
	log    *slog.Logger
	proofs *enrollProofs // shared by the copies WithCredentials makes (Enroll)
}

const maxRetryDelay = 2 * time.Second

// New returns a client for cfg. It fails when BaseURL is not an http(s)
// URL or CAPEM holds no certificate.
func New(cfg Config) (*Client, error) {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if !strings.HasPrefix(cfg.BaseURL, "http://") && !strings.HasPrefix(cfg.BaseURL, "https://") {
		return nil, fmt.Errorf("platform client: base URL %q must start with http:// or https://", cfg.BaseURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 200 * time.Millisecond
	}
	if cfg.Clock == nil {
		cfg.Clock = agent.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	hc := resty.New().
		SetRetryCount(0). // retries are ours: see do
		SetDisableWarn(true).
		SetRedirectPolicy(resty.NoRedirectPolicy()).
		SetLogger(discardLogger{})
	switch {
	case cfg.Transport != nil:
		hc.SetTransport(cfg.Transport)
	case len(cfg.CAPEM) > 0:
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(cfg.CAPEM) {
			return nil, errors.New("platform client: pinned CA PEM holds no certificate")
		}
		hc.SetTLSClientConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	default:
		hc.SetTLSClientConfig(&tls.Config{MinVersion: tls.VersionTLS12})
	}
	return &Client{cfg: cfg, http: hc, log: cfg.Logger.With("component", "platform-client"),
		proofs: &enrollProofs{m: map[string]string{}}}, nil
}

// WithCredentials returns a client that signs with the enrolled terminal's
// credentials and shares c's connections.
func (c *Client) WithCredentials(terminalNo string, secret []byte) *Client {
	n := *c
	n.cfg.TerminalNo = terminalNo
	n.cfg.HMACSecret = append([]byte(nil), secret...)
	return &n
}

// CloseIdleConnections closes the client's idle keep-alive connections
// (at shutdown, and in tests before stopping a server: an HTTP server
// waits up to 5 s for connections that were dialled but never used).
func (c *Client) CloseIdleConnections() {
	if t, ok := c.http.GetClient().Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// request describes one call.
type request struct {
	method string
	target string // path and query, as signed
	body   any    // marshalled to JSON; nil sends no body
	signed bool   // false only for enrollment and health
}

func (r request) op() string {
	path, _, _ := strings.Cut(r.target, "?")
	return r.method + " " + path
}

// do performs r, retrying transport failures and 5xx answers up to
// MaxAttempts times (see the package comment for why that is safe), and
// decodes the envelope's data into out (when out is non-nil).
func (c *Client) do(ctx context.Context, r request, out any) error {
	var body []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return fmt.Errorf("%s: encode request: %w", r.op(), err)
		}
		body = b
	}
	if r.signed && (c.cfg.TerminalNo == "" || len(c.cfg.HMACSecret) == 0) {
		return &agent.Error{Code: agent.CodeUnauthorized, Detail: r.op() + ": terminal not enrolled"}
	}
	var lastErr error
	for attempt := 1; attempt <= c.cfg.MaxAttempts; attempt++ {
		if attempt > 1 {
			if err := c.sleep(ctx, attempt-1); err != nil {
				return fmt.Errorf("%s: %w (last failure: %v)", r.op(), err, lastErr)
			}
		}
		retry, err := c.attempt(ctx, r, body, attempt, out)
		if err == nil || !retry {
			return err
		}
		lastErr = err
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", r.op(), ctx.Err())
		}
	}
	return lastErr
}

// sleep waits the back-off delay before retry n (1-based), or until ctx ends.
func (c *Client) sleep(ctx context.Context, n int) error {
	d := c.cfg.RetryBase << (n - 1)
	if d > maxRetryDelay || d <= 0 {
		d = maxRetryDelay
	}
	d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1)) // jitter in [d/2, d]
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// attempt sends r once. retry reports whether a failure may be retried.
func (c *Client) attempt(ctx context.Context, r request, body []byte, n int, out any) (retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req := c.http.R().SetContext(actx).SetHeader("Accept", "application/json")
	if body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(body)
	}
	if r.signed {
		req.SetHeaders(api.SignedHeaders(c.cfg.TerminalNo, c.cfg.HMACSecret, c.cfg.Clock.Now(), r.method, r.target, body))
	}
	start := time.Now()
	resp, err := req.Execute(r.method, c.cfg.BaseURL+r.target)
	took := time.Since(start)
	if err != nil {
		c.log.Debug("platform call failed", "op", r.op(), "attempt", n, "ms", took.Milliseconds(), "err", err)
		if ctx.Err() != nil { // the caller gave up: not the platform's fault
			return false, fmt.Errorf("%s: %w", r.op(), ctx.Err())
		}
		return true, platformDown(r.op(), err)
	}
	status := resp.StatusCode()
	c.log.Debug("platform call", "op", r.op(), "attempt", n, "status", status, "ms", took.Milliseconds())
	return decodeResponse(r.op(), status, resp.Header(), resp.Body(), out)
}

// decodeResponse maps one HTTP answer to the call's result. It is a pure
// function of the answer so that the fuzz target can drive it.
func decodeResponse(op string, status int, h http.Header, raw []byte, out any) (retry bool, err error) {
	if status == http.StatusTooManyRequests {
		return false, &RateLimitedError{RetryAfter: retryAfter(h.Get("Retry-After")), Op: op}
	}
	var env api.Envelope
	decErr := json.NewDecoder(bytes.NewReader(raw)).Decode(&env)
	if status >= 500 {
		cause := fmt.Errorf("HTTP %d", status)
		if decErr == nil && env.Code != "" {
			cause = &agent.Error{Code: agent.Code(env.Code), Detail: env.Message}
		}
		return true, platformDown(op, cause)
	}
	if decErr != nil || env.Code == "" {
		// Not our platform speaking (a proxy page, a truncated body):
		// treat it as unreachable so the call is retried or queued.
		return true, platformDown(op, fmt.Errorf("HTTP %d: response is not a platform envelope", status))
	}
	if env.Code != api.CodeOK || status >= 300 {
		code := agent.Code(env.Code)
		if code == api.CodeOK {
			code = agent.CodeInternal
		}
		return false, &agent.Error{Code: code, Detail: env.Message}
	}
	if out == nil {
		return false, nil
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return true, platformDown(op, errors.New("response has no data"))
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return true, platformDown(op, fmt.Errorf("decode response data: %w", err))
	}
	return false, nil
}

// retryAfter parses a Retry-After header in seconds; an absent or bad value
// means one second.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return time.Second
	}
	if n > 3600 {
		n = 3600
	}
	return time.Duration(n) * time.Second
}

// discardLogger silences resty's own logger; the client logs with slog.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}
