package sim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

// The admin routes below let an operator (or `make demo`) change what the
// reference platform serves without editing its database: publish rule
// sets or products, pause and resume a category or a whole set. They
// answer loopback callers only, and validate what they are given as the
// terminal validates it (agent.RuleSets.Validate, the product checks of
// UpsertProducts).

// adminBodyLimit bounds an admin body: a whole library of a few thousand
// products fits.
const adminBodyLimit = 16 << 20

// PauseRequest is the body of POST /admin/pause and POST /admin/resume.
// An empty Category pauses or resumes the whole rule set.
type PauseRequest struct {
	RuleSetID string         `json:"rule_set_id"`
	Category  agent.Category `json:"category,omitempty"`
	Message   string         `json:"message,omitempty"`  // required to pause
	ResumeAt  time.Time      `json:"resume_at,omitzero"` // announced resumption, optional
}

// ProductsRequest is the body of POST /admin/products.
type ProductsRequest struct {
	Items []agent.Product `json:"items"`
}

// ProductsResult is the answer of POST /admin/products.
type ProductsResult struct {
	Version int64 `json:"version"` // the library version the products were published as
	Count   int   `json:"count"`
}

// adminRoutes registers the rule and product admin routes on mux.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/admin/rules", s.adminHandler(http.MethodPost, s.adminRules))
	mux.HandleFunc("/admin/products", s.adminHandler(http.MethodPost, s.adminProducts))
	mux.HandleFunc("/admin/pause", s.adminHandler(http.MethodPost, func(ctx context.Context, body []byte) (any, error) { return s.adminPause(ctx, body, true) }))
	mux.HandleFunc("/admin/resume", s.adminHandler(http.MethodPost, func(ctx context.Context, body []byte) (any, error) { return s.adminPause(ctx, body, false) }))
}

// adminHandler wraps an admin action: loopback only, one method, a
// bounded body sent as application/json, answers in the envelope.
func (s *Server) adminHandler(method string, do func(ctx context.Context, body []byte) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !loopbackOnly(w, r) {
			return
		}
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeEnvelope(w, http.StatusMethodNotAllowed, api.Envelope{Code: string(agent.CodeInvalidRequest), Message: "use " + method})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, adminBodyLimit))
		if err != nil {
			writeError(w, agent.Errorf(agent.CodeInvalidRequest, "read body: %v", err))
			return
		}
		if err := checkContentType(r, body); err != nil {
			writeError(w, err)
			return
		}
		out, err := do(r.Context(), body)
		if err != nil {
			writeError(w, err)
			return
		}
		writeData(w, http.StatusOK, out)
	}
}

// adminRules replaces every rule set with the body's (api.RulesResponse).
func (s *Server) adminRules(ctx context.Context, body []byte) (any, error) {
	sets, err := DecodeRuleSets(body)
	if err != nil {
		return nil, err
	}
	if err := s.SetRules(ctx, sets); err != nil {
		return nil, err
	}
	s.log.Warn("rule sets published", "sets", sets.Versions())
	return api.RulesResponse{RuleSets: sets}, nil
}

// adminProducts publishes the body's products as one library version.
func (s *Server) adminProducts(ctx context.Context, body []byte) (any, error) {
	ps, err := DecodeProducts(body)
	if err != nil {
		return nil, err
	}
	v, err := s.UpsertProducts(ctx, ps...)
	if err != nil {
		return nil, err
	}
	s.log.Warn("products published", "count", len(ps), "version", v)
	return ProductsResult{Version: v, Count: len(ps)}, nil
}

// adminPause pauses (pause) or resumes a category or a set.
func (s *Server) adminPause(ctx context.Context, body []byte, pause bool) (any, error) {
	var req PauseRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if req.RuleSetID == "" {
		return nil, invalid("rule_set_id is required")
	}
	var p *agent.Pause
	if pause {
		if req.Message == "" {
			return nil, invalid("message is required: the clerk is told why")
		}
		p = &agent.Pause{Message: req.Message, ResumeAt: req.ResumeAt}
	}
	if err := s.SetPause(ctx, req.RuleSetID, req.Category, p); err != nil {
		return nil, err
	}
	s.log.Warn("pause changed", "set", req.RuleSetID, "category", req.Category, "paused", pause)
	sets, err := s.rulesNoCall(ctx)
	if err != nil {
		return nil, err
	}
	return api.RulesResponse{RuleSets: sets}, nil
}

// DecodeRuleSets reads rule sets as GET /v1/rules serves them
// ({"rule_sets": [...]}) or as a bare JSON array, strictly (unknown
// fields are refused), and validates them (agent.RuleSets.Validate).
func DecodeRuleSets(raw []byte) (agent.RuleSets, error) {
	var sets agent.RuleSets
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		if err := decodeBody(raw, &sets); err != nil {
			return nil, err
		}
	} else {
		var env api.RulesResponse
		if err := decodeBody(raw, &env); err != nil {
			return nil, err
		}
		sets = env.RuleSets
	}
	if err := sets.Validate(); err != nil {
		return nil, err
	}
	return sets, nil
}

// DecodeProducts reads products as {"items": [...]} or a bare JSON array,
// strictly; UpsertProducts validates each.
func DecodeProducts(raw []byte) ([]agent.Product, error) {
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		var ps []agent.Product
		if err := decodeBody(raw, &ps); err != nil {
			return nil, err
		}
		return ps, nil
	}
	var req ProductsRequest
	if err := decodeBody(raw, &req); err != nil {
		return nil, err
	}
	return req.Items, nil
}

// LoadRulesFile publishes the rule sets of a JSON file (-rules FILE).
func (s *Server) LoadRulesFile(ctx context.Context, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sets, err := DecodeRuleSets(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return s.SetRules(ctx, sets)
}

// LoadProductsFile publishes the products of a JSON file (-products FILE).
func (s *Server) LoadProductsFile(ctx context.Context, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	ps, err := DecodeProducts(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := s.UpsertProducts(ctx, ps...); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
