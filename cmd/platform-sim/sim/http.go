package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tradein/agent"
	"tradein/sync/api"
)

// endpoint is one route of the API.
type endpoint struct {
	method string
	path   string
	signed bool // requires the signing headers
	// handle serves a request whose body was read (and, when signed,
	// authenticated). It returns the data of a successful answer or an
	// error carrying an agent.Code.
	handle func(c *call) (any, error)
}

// call is one request being served.
type call struct {
	r        *http.Request
	body     []byte
	terminal terminal // set for signed endpoints
}

func (s *Server) endpoints() []endpoint {
	return []endpoint{
		{http.MethodGet, "/v1/health", false, s.handleHealth},
		{http.MethodPost, "/v1/terminals/enroll", false, s.handleEnroll},
		{http.MethodPost, "/v1/terminals/audit-head", true, s.handleAuditHead},
		{http.MethodGet, "/v1/rules", true, s.handleRules},
		{http.MethodGet, "/v1/products", true, s.handleProducts},
		{http.MethodPost, "/v1/sn/query", true, s.handleSNQuery},
		{http.MethodPost, "/v1/vouchers/try", true, s.handleTry},
		{http.MethodPost, "/v1/vouchers/commit", true, s.handleCommit},
		{http.MethodPost, "/v1/vouchers/cancel", true, s.handleCancel},
		{http.MethodPost, "/v1/vouchers/refund", true, s.handleRefund},
		{http.MethodPost, "/v1/transactions/batch", true, s.handleTransactions},
		{http.MethodPost, "/v1/pickups/batch", true, s.handlePickups},
		{http.MethodGet, "/v1/summary/day", true, s.handleDaySummary},
	}
}

// routes builds the handler: /admin/ (loopback only) and the API, behind
// panic recovery, request logging and fault injection.
func (s *Server) routes() http.Handler {
	byPath := map[string]map[string]endpoint{}
	for _, e := range s.endpoints() {
		if byPath[e.path] == nil {
			byPath[e.path] = map[string]endpoint{}
		}
		byPath[e.path][e.method] = e
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/admin/faults", s.handleAdminFaults)
	s.adminRoutes(mux)
	mux.HandleFunc("/admin/enrollment-codes", s.handleAdminEnrollmentCodes)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		methods, ok := byPath[r.URL.Path]
		if !ok {
			writeError(w, agent.Errorf(agent.CodeNotFound, "no endpoint %s", r.URL.Path))
			return
		}
		e, ok := methods[r.Method]
		if !ok {
			w.Header().Set("Allow", allowed(methods))
			writeEnvelope(w, http.StatusMethodNotAllowed, api.Envelope{Code: string(agent.CodeInvalidRequest),
				Message: fmt.Sprintf("method %s not allowed on %s", r.Method, r.URL.Path)})
			return
		}
		s.serveEndpoint(w, r, e)
	})
	return s.recoverer(s.logRequests(s.faults.middleware(mux)))
}

// allowed lists the methods of a path for the Allow header, sorted.
func allowed(m map[string]endpoint) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}

// serveEndpoint reads the body (at most api.MaxBodyBytes), authenticates a
// signed request and runs the handler.
func (s *Server) serveEndpoint(w http.ResponseWriter, r *http.Request, e endpoint) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, api.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeEnvelope(w, http.StatusRequestEntityTooLarge, api.Envelope{Code: string(agent.CodeInvalidRequest),
				Message: fmt.Sprintf("request body exceeds %d bytes", api.MaxBodyBytes)})
			return
		}
		writeError(w, agent.Errorf(agent.CodeInvalidRequest, "read body: %v", err))
		return
	}
	if err := checkContentType(r, body); err != nil {
		writeError(w, err)
		return
	}
	if err := checkQuery(r, e.path); err != nil {
		writeError(w, err)
		return
	}
	c := &call{r: r, body: body}
	if e.signed {
		t, err := s.authenticate(r, body)
		if err != nil {
			writeError(w, err)
			return
		}
		c.terminal = t
		setLogAttr(r, slog.String("terminal_no", t.No))
	}
	data, err := e.handle(c)
	if err != nil {
		writeError(w, err)
		return
	}
	if a, ok := data.(answer); ok {
		writeAnswer(w, a)
		return
	}
	writeData(w, http.StatusOK, data)
}

// writeAnswer sends a stored (or just stored) idempotent answer verbatim.
func writeAnswer(w http.ResponseWriter, a answer) {
	var env api.Envelope
	if json.Unmarshal(a.envelope, &env) == nil {
		if rl, ok := w.(interface{ setCode(string) }); ok {
			rl.setCode(env.Code)
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(a.envelope)))
	if a.replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(a.status)
	w.Write(a.envelope)
}

// decodeBody decodes a JSON request body strictly: valid UTF-8 (encoding/json
// would replace bad bytes silently), one object, no unknown fields, no
// trailing data, and every key exactly a field's name and once per object
// (checkKeys). Errors are CodeInvalidRequest with the reason.
func decodeBody(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return agent.Errorf(agent.CodeInvalidRequest, "empty body; want a JSON object")
	}
	if !utf8.Valid(body) {
		return agent.Errorf(agent.CodeInvalidRequest, "body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return agent.Errorf(agent.CodeInvalidRequest, "field %q: want %s, got JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return agent.Errorf(agent.CodeInvalidRequest, "malformed JSON: %v", err)
	}
	if dec.More() {
		return agent.Errorf(agent.CodeInvalidRequest, "trailing data after the JSON object")
	}
	return checkKeys(body, reflect.TypeOf(v))
}

// writeData sends a successful envelope.
func writeData(w http.ResponseWriter, status int, data any) {
	raw, err := json.Marshal(data)
	if err != nil {
		writeError(w, fmt.Errorf("encode response: %w", err))
		return
	}
	writeEnvelope(w, status, api.Envelope{Code: api.CodeOK, Message: "success", Data: raw})
}

// writeError sends err's code with its HTTP status. Terminal-side
// validation codes become INVALID_REQUEST (contractCode). An error without
// an agent code is an INTERNAL failure: it is logged, and its text is not
// sent to the client.
func writeError(w http.ResponseWriter, err error) {
	setRetryAfter(w, err)
	var ae *agent.Error
	if !errors.As(err, &ae) || ae.Code == agent.CodeInternal {
		if rl, ok := w.(interface{ setErr(error) }); ok {
			rl.setErr(err)
		}
		writeEnvelope(w, http.StatusInternalServerError, api.Envelope{Code: string(agent.CodeInternal), Message: "internal error"})
		return
	}
	code := contractCode(ae.Code)
	msg := ae.Detail
	if code != ae.Code {
		msg = ae.Error() // keep the terminal-side code in the message
	}
	if msg == "" {
		msg = string(code)
	}
	writeEnvelope(w, api.HTTPStatus(code), api.Envelope{Code: string(code), Message: msg})
}

func writeEnvelope(w http.ResponseWriter, status int, env api.Envelope) {
	raw := encodeEnvelope(env)
	if rl, ok := w.(interface{ setCode(string) }); ok {
		rl.setCode(env.Code)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(status)
	w.Write(raw)
}

// recoverer turns a handler panic into a 500 INTERNAL answer and a log
// line; the server keeps running.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v) // a deliberate connection abort (fault injection)
				}
				s.log.Error("handler panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
				writeEnvelope(w, http.StatusInternalServerError, api.Envelope{Code: string(agent.CodeInternal), Message: "internal error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers what was answered, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	code   string
	err    error
	attrs  []slog.Attr
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}
func (r *statusRecorder) setCode(c string)            { r.code = c }
func (r *statusRecorder) setErr(err error)            { r.err = err }
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type logAttrsKey struct{}

// setLogAttr adds an attribute to the request's log line.
func setLogAttr(r *http.Request, a slog.Attr) {
	if rec, ok := r.Context().Value(logAttrsKey{}).(*statusRecorder); ok {
		rec.attrs = append(rec.attrs, a)
	}
}

// logRequests writes one structured line per request. Bodies are never
// logged: they hold consumer codes.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), logAttrsKey{}, rec))
		next.ServeHTTP(rec, r)
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.String("code", rec.code),
			slog.Int64("us", time.Since(start).Microseconds()),
		}
		attrs = append(attrs, rec.attrs...)
		level := slog.LevelInfo
		if rec.err != nil {
			attrs = append(attrs, slog.String("err", rec.err.Error()))
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}
