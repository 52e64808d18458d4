// Package refresh keeps the terminal's cached rules and product library in
// step with the platform (docs/DOMAIN.md, sync/api/openapi.yaml).
//
// The library is synchronised as a delta by version, page by page. Every
// page is staged in the store (agent.Library.StageLibraryPage) together
// with the token of the next page, so an interrupted sync — network error,
// crash, power cut — resumes where it stopped instead of starting over.
// Only when the last page is staged does CommitLibrary apply the whole
// delta and move the version in one transaction: a sale never sees a
// half-updated library.
package refresh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"tradein/agent"
	"tradein/agent/backoff"
	"tradein/sync/api"
	"tradein/sync/status"
)

// Source is the part of the platform the refresher reads. *client.Client
// implements it.
type Source interface {
	Rules(ctx context.Context) (agent.RuleSets, error)
	Products(ctx context.Context, sinceVersion int64, pageToken string, limit int) (api.ProductPage, error)
}

// Progress is reported after every staged page, for the UI's progress bar.
type Progress struct {
	From, Target int64 // the delta being downloaded
	Done         int   // products staged so far (including before a resume)
	Total        int   // products in the whole delta, as the platform counts them
	Resumed      bool  // this sync continues an interrupted one
	Committed    bool  // the delta is applied; the library is at Target
}

// Config wires a Refresher. Source and Library are required.
type Config struct {
	Source  Source
	Library agent.Library
	// PageLimit is the page size asked for; 0 means api.MaxPageLimit. Big
	// pages mean fewer round trips and staging transactions; 5,000
	// products are about 2 MB of JSON, well inside the memory budget.
	PageLimit int
	// OnProgress, when set, is called from the syncing goroutine after
	// every page and after the commit. It must not block.
	OnProgress func(Progress)
	Status     *status.Tracker
	Clock      agent.Clock
	// Retry paces Run after a failure; a zero Base means DefaultRetry.
	Retry backoff.Policy
	// Interval is how often Run refreshes after a success; 0 means 1 h.
	Interval time.Duration
	Logger   *slog.Logger
}

// DefaultRetry paces refresh attempts after a failure: 5 s doubling to
// 10 min with ±20 % jitter. A library sync is not urgent (sales use the
// cached library meanwhile), so it backs off further than the outbox.
var DefaultRetry = backoff.Policy{Base: 5 * time.Second, Max: 10 * time.Minute, Jitter: 0.2}

// Refresher refreshes rules and library. Methods must not be called
// concurrently with each other (Run calls them from one goroutine).
type Refresher struct {
	cfg Config
	log *slog.Logger
}

// New returns a Refresher for cfg.
func New(cfg Config) (*Refresher, error) {
	if cfg.Source == nil || cfg.Library == nil {
		return nil, errors.New("refresh: Config.Source and Config.Library are required")
	}
	if cfg.PageLimit <= 0 || cfg.PageLimit > api.MaxPageLimit {
		cfg.PageLimit = api.MaxPageLimit
	}
	if cfg.Clock == nil {
		cfg.Clock = agent.SystemClock{}
	}
	if cfg.Retry.Base <= 0 {
		cfg.Retry = DefaultRetry
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Hour
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Refresher{cfg: cfg, log: log.With("component", "refresh")}, nil
}

// Refresh refreshes the rules, then the library.
func (r *Refresher) Refresh(ctx context.Context) error {
	if err := r.Rules(ctx); err != nil {
		return err
	}
	_, err := r.Library(ctx)
	return err
}

// Rules fetches the rule sets and caches them once they pass
// agent.RuleSets.Validate. Sets that fail it are not cached: the last good
// sets stay in force (a nonsense answer must never replace working rules)
// and the error, coded CodeInvalidRequest, says what was wrong. Refresh
// stops at that error like at any other, and Run tries again with backoff.
func (r *Refresher) Rules(ctx context.Context) error {
	rules, err := r.cfg.Source.Rules(ctx)
	r.observe(err)
	if err != nil {
		return fmt.Errorf("refresh rules: %w", err)
	}
	if err := rules.Validate(); err != nil {
		r.log.Error("platform sent invalid rules; keeping the cached ones", "err", err)
		return fmt.Errorf("refresh rules: refused: %w", err)
	}
	if err := r.cfg.Library.SaveRules(ctx, rules); err != nil {
		return fmt.Errorf("refresh rules: save: %w", err)
	}
	ids := make([]string, len(rules))
	for i, s := range rules {
		ids[i] = s.ID + "@" + s.Version
	}
	r.log.Info("rules refreshed", "sets", ids)
	return nil
}

// Library brings the local library up to the platform's version, resuming
// a staged delta when there is one. It returns the final progress.
func (r *Refresher) Library(ctx context.Context) (Progress, error) {
	p, err := r.library(ctx)
	if errors.Is(err, ErrPagingBroken) {
		r.log.Error("library download abandoned; the cached library is kept", "version", p.From, "err", err)
		if derr := r.cfg.Library.DiscardLibraryStaging(ctx); derr != nil {
			return p, fmt.Errorf("refresh library: %w (and discarding the staged pages failed: %v)", err, derr)
		}
		return p, fmt.Errorf("refresh library: %w; library kept at version %d", err, p.From)
	}
	if err != nil && errors.Is(err, errRestart) {
		// The staged delta cannot be continued: drop it and start again
		// from the committed version. At most once per call.
		r.log.Warn("library staging discarded; starting the delta again", "err", err)
		if derr := r.cfg.Library.DiscardLibraryStaging(ctx); derr != nil {
			return p, fmt.Errorf("refresh library: discard staging: %w", derr)
		}
		p, err = r.library(ctx)
	}
	if err != nil {
		return p, fmt.Errorf("refresh library: %w", err)
	}
	return p, nil
}

// errRestart marks a staged delta that the platform no longer serves.
var errRestart = errors.New("staged delta cannot be resumed")

// ErrPagingBroken marks a library download that the platform's answers
// make impossible to finish (api.ErrBrokenPage, the same error): a page
// token served a second time (following it would download the same pages
// for ever, and every page would be staged again), a page with more items
// than asked for, or more products than the total the platform stated for
// the delta. Library discards the staged pages and returns it at once
// without trying again: the cached library stays at its last committed
// version, sales go on with it, and the next refresh starts the delta from
// the beginning. The platform did answer, so the connection status is left
// alone.
var ErrPagingBroken = api.ErrBrokenPage

func (r *Refresher) library(ctx context.Context) (Progress, error) {
	lib := r.cfg.Library
	var p Progress
	var token string
	st, resuming, err := lib.LibraryStaging(ctx)
	if err != nil {
		return p, fmt.Errorf("read staging: %w", err)
	}
	if resuming {
		p = Progress{From: st.From, Target: st.Target, Done: st.Staged, Resumed: true}
		token = st.NextToken
		if token == "" {
			// Every page was staged; the crash came before the commit.
			return r.commit(ctx, p)
		}
	} else {
		v, err := lib.LibraryVersion(ctx)
		if err != nil {
			return p, fmt.Errorf("read version: %w", err)
		}
		p.From = v
	}

	pages, stop := r.fetchPages(ctx, p.From, token)
	defer stop()
	for f := range pages {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		page, err := f.page, f.err
		if errors.Is(err, ErrPagingBroken) {
			return p, fmt.Errorf("%w after %d products", err, p.Done)
		}
		if err != nil {
			if resuming && f.token != "" && agent.CodeOf(err) == agent.CodeInvalidRequest {
				// The platform refuses the stored page token (it
				// restarted, or the token expired).
				return p, fmt.Errorf("%w: %v", errRestart, err)
			}
			return p, fmt.Errorf("page after version %d: %w", p.From, err)
		}
		if p.Target == 0 {
			p.Target = page.Version
			if page.Version < p.From {
				// The platform renumbered its library; the delta we
				// hold is meaningless. Start over from nothing.
				return p, fmt.Errorf("platform version %d is below ours (%d): %w", page.Version, p.From, errRestart)
			}
			if page.Version == p.From && len(page.Items) == 0 && page.NextPageToken == "" {
				return p, nil // up to date
			}
		} else if page.Version != p.Target {
			return p, fmt.Errorf("platform moved the delta target from %d to %d: %w", p.Target, page.Version, errRestart)
		}
		if p.Done+len(page.Items) > page.Total {
			return p, fmt.Errorf("%w: %d products after %d staged, more than the delta's total of %d",
				ErrPagingBroken, len(page.Items), p.Done, page.Total)
		}
		if err := lib.StageLibraryPage(ctx, p.From, p.Target, page.Items, page.NextPageToken); err != nil {
			return p, fmt.Errorf("stage page: %w", err)
		}
		p.Done += len(page.Items)
		p.Total = max(page.Total, p.Done)
		r.progress(p)
		if page.NextPageToken == "" {
			return r.commit(ctx, p)
		}
	}
	return p, errors.New("the page download ended before the last page")
}

// fetched is one page of the delta, or the error that ended the download.
type fetched struct {
	token string // the page token it was asked for
	page  api.ProductPage
	err   error
}

// fetchPages downloads the pages of the delta from version `from`,
// starting at token, one request after another, staying one page ahead of
// the caller: the platform prepares page n+1 while the store stages page
// n. The channel closes after the last page, after an error (sent as the
// last value) or when stop is called; stop waits for the download to end.
//
// It never asks for the same page token twice in one download: a page
// whose next token was already asked for ends the download with
// ErrPagingBroken, as the platform would send it round the same pages for
// ever.
func (r *Refresher) fetchPages(ctx context.Context, from int64, token string) (<-chan fetched, func()) {
	out := make(chan fetched, 1)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(out)
		asked := map[string]bool{}
		for {
			asked[token] = true
			page, err := r.cfg.Source.Products(ctx, from, token, r.cfg.PageLimit)
			r.observe(err)
			select {
			case out <- fetched{token: token, page: page, err: err}:
			case <-done:
				return
			}
			if err != nil || page.NextPageToken == "" {
				return
			}
			token = page.NextPageToken
			if asked[token] {
				err := fmt.Errorf("%w: page token %.40q served again after %d pages (the download would never end)",
					ErrPagingBroken, token, len(asked))
				select {
				case out <- fetched{token: token, err: err}:
				case <-done:
				}
				return
			}
		}
	}()
	stop := func() {
		close(done)
		<-finished
	}
	return out, stop
}

// commit applies the staged delta.
func (r *Refresher) commit(ctx context.Context, p Progress) (Progress, error) {
	if err := r.cfg.Library.CommitLibrary(ctx, p.Target); err != nil {
		return p, fmt.Errorf("commit version %d: %w", p.Target, err)
	}
	p.Committed = true
	p.Total = max(p.Total, p.Done)
	r.progress(p)
	r.log.Info("library updated", "from", p.From, "to", p.Target, "products", p.Done, "resumed", p.Resumed)
	return p, nil
}

func (r *Refresher) progress(p Progress) {
	if r.cfg.OnProgress != nil {
		r.cfg.OnProgress(p)
	}
}

func (r *Refresher) observe(err error) {
	if errors.Is(err, ErrPagingBroken) {
		return // the platform answered; see ErrPagingBroken
	}
	if r.cfg.Status != nil && (err == nil || agent.CodeOf(err) != agent.CodeInvalidRequest) {
		r.cfg.Status.Observe(err)
	}
}

// Run refreshes now, then every Interval, until ctx ends. After a failure
// it retries with the backoff policy; each retry resumes the staged delta.
func (r *Refresher) Run(ctx context.Context) error {
	failures := 0
	for {
		wait := r.cfg.Interval
		if err := r.Refresh(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failures++
			wait = r.cfg.Retry.Delay(failures)
			r.log.Warn("refresh failed; will retry", "err", err, "attempt", failures, "retry_in", wait)
		} else {
			failures = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
