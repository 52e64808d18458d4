// Package anchor keeps a copy of the terminal's audit-chain head at the
// platform (POST /v1/terminals/audit-head, sync/api/openapi.yaml). The
// chain in agent/store proves the log was not edited in the middle, and
// the store's seal and head file reveal most edits on the PC itself; but
// whoever controls the PC could rebuild all of those. The platform's copy
// cannot be rebuilt from the shop: a chain that is shorter than, or does
// not contain, the head the platform anchored is flagged by the platform,
// in its answer and on the terminal's record there.
//
// The outbox drainer calls Anchor after every pass that delivered
// something, so the anchor moves with every delivery.
package anchor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"tradein/agent"
	"tradein/agent/store"
	"tradein/sync/api"
)

// Chain is the terminal's audit log. *store.Store implements it.
type Chain interface {
	AuditHead(ctx context.Context) (int64, string, error)
	AuditHashAt(ctx context.Context, seq int64) (string, error)
	SaveAnchorResult(ctx context.Context, r store.AnchorResult) error
}

// Platform is the call to the platform. *client.Client implements it.
type Platform interface {
	AuditHead(ctx context.Context, req api.AuditHeadRequest) (api.AuditHeadResponse, error)
}

// Anchorer reports the head and keeps the platform's verdict. It is safe
// for concurrent use; reports are serialised.
type Anchorer struct {
	chain    Chain
	platform Platform
	clock    agent.Clock
	log      *slog.Logger

	mu       sync.Mutex
	anchored int64 // the seq the platform anchored last; 0 until its first answer
}

// New returns an Anchorer.
func New(chain Chain, platform Platform, clock agent.Clock, log *slog.Logger) *Anchorer {
	if clock == nil {
		clock = agent.SystemClock{}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Anchorer{chain: chain, platform: platform, clock: clock, log: log.With("component", "anchor")}
}

// Anchor reports the current head and returns the platform's verdict,
// which it also saves in the store. A PROOF_NEEDED answer (this process
// does not know the anchored seq yet) is followed by one more request
// proving the head against the seq the platform named. A verdict other
// than OK, or a flag on the terminal's record, is logged as an error: the
// audit log was edited outside the app.
func (a *Anchorer) Anchor(ctx context.Context) (store.AnchorResult, error) {
	return a.run(ctx, false)
}

// Check asks for the platform's verdict on the current head without
// anchoring it, flagging anything at the platform or saving the answer
// (terminalctl doctor).
func (a *Anchorer) Check(ctx context.Context) (store.AnchorResult, error) {
	return a.run(ctx, true)
}

func (a *Anchorer) run(ctx context.Context, checkOnly bool) (store.AnchorResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	seq, hash, err := a.chain.AuditHead(ctx)
	if err != nil {
		return store.AnchorResult{}, err
	}
	resp, err := a.report(ctx, seq, hash, a.anchored, checkOnly)
	if err == nil && resp.Verdict == api.AnchorProofNeeded {
		resp, err = a.report(ctx, seq, hash, resp.AnchoredSeq, checkOnly)
	}
	if err != nil {
		return store.AnchorResult{}, err
	}
	if resp.Verdict == api.AnchorProofNeeded {
		return store.AnchorResult{}, fmt.Errorf("anchor: the platform asked twice for a proof (anchored seq %d)", resp.AnchoredSeq)
	}
	r := store.AnchorResult{Verdict: resp.Verdict, Flagged: resp.Flagged, AuditSeq: seq, CheckedAt: a.clock.Now()}
	if checkOnly {
		return r, nil
	}
	a.anchored = resp.AnchoredSeq
	if r.Verdict != api.AnchorOK || r.Flagged != "" {
		a.log.Error("the platform flagged this terminal's audit log: it was edited outside the app",
			"verdict", r.Verdict, "flagged", r.Flagged, "audit_seq", seq)
	}
	if err := a.chain.SaveAnchorResult(ctx, r); err != nil {
		return r, err
	}
	return r, nil
}

// report sends the head with the terminal's entry at since as the proof.
// When the chain has no entry at since (it is shorter than the anchored
// head), the head itself is sent as its own proof: the platform answers
// SHORTER.
func (a *Anchorer) report(ctx context.Context, seq int64, hash string, since int64, checkOnly bool) (api.AuditHeadResponse, error) {
	if since > seq {
		since = seq
	}
	sinceHash, err := a.chain.AuditHashAt(ctx, since)
	if errors.Is(err, agent.ErrNotFound) {
		since, sinceHash = seq, hash
	} else if err != nil {
		return api.AuditHeadResponse{}, err
	}
	return a.platform.AuditHead(ctx, api.AuditHeadRequest{AuditSeq: seq, AuditHash: hash, SinceSeq: since,
		SinceHash: sinceHash, CheckOnly: checkOnly})
}
