package refresh_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tradein/agent"
	"tradein/agent/agenttest"
	"tradein/agent/store"
	"tradein/sync/api"
	"tradein/sync/client"
	"tradein/sync/refresh"
	"tradein/sync/status"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// pagedSource serves the library delta from a script: page(token) is the
// answer to the page token asked for ("" for the first page). It counts the
// calls and, so that a refresher without paging guards ends instead of
// looping for ever, fails every call after maxCalls.
type pagedSource struct {
	page     func(token string) api.ProductPage
	calls    int
	maxCalls int
}

var errRunaway = errors.New("test source: the refresher kept paging past the call limit")

func (s *pagedSource) Rules(context.Context) (agent.RuleSets, error) {
	return nil, errors.New("test source: no rules")
}

func (s *pagedSource) Products(_ context.Context, since int64, token string, _ int) (api.ProductPage, error) {
	s.calls++
	if s.calls > s.maxCalls {
		return api.ProductPage{}, errRunaway
	}
	return s.page(token), nil
}

// products returns n library products with valid, distinct barcodes
// starting at serial first.
func products(first, n int) []agent.Product {
	out := make([]agent.Product, n)
	for i := range out {
		body := fmt.Sprintf("690000%06d", first+i)
		out[i] = agent.Product{Barcode: body + string(agent.GTINCheckDigit(body)), Name: "p", Brand: "b",
			Model: "m", Category: agent.CatTV, EnergyGrade: 1, FiledPriceFen: agent.Yuan(1000), Status: agent.ProductActive}
	}
	return out
}

// libraryAtVersion1 is a terminal store whose cached library holds three
// products at version 1: the last good library a broken delta must leave
// alone.
func libraryAtVersion1(t *testing.T) *store.Store {
	return agenttest.OpenStore(t, agenttest.StoreOptions{Products: products(0, 3), LibraryVersion: 1})
}

// wantLibraryKept checks that the store still holds the version-1 library
// and no staged delta.
func wantLibraryKept(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	if v, err := st.LibraryVersion(ctx); err != nil || v != 1 {
		t.Errorf("library version = %d, %v; want the last good version 1", v, err)
	}
	if n, err := st.LibraryProducts(ctx); err != nil || n != 3 {
		t.Errorf("library products = %d, %v; want the last good library's 3", n, err)
	}
	if stg, ok, err := st.LibraryStaging(ctx); err != nil || ok {
		t.Errorf("staging after a broken download = %+v, %v, %v; want it discarded", stg, ok, err)
	}
}

// TestLibraryPagingGuards: a platform that serves a page token again or
// more products than the delta's stated total makes the download fail at
// once with ErrPagingBroken, after a handful of requests, instead of
// paging (and staging) for ever; the last good library stays in place.
func TestLibraryPagingGuards(t *testing.T) {
	cases := []struct {
		name      string
		page      func(token string) api.ProductPage
		wantCalls int // most requests before the refresher gives up
		wantIn    string
	}{
		{
			name: "same token again",
			page: func(token string) api.ProductPage {
				// Every page, first or not, points at the same next page.
				return api.ProductPage{Items: products(100, 2), Version: 2, NextPageToken: "AAA", Total: 1_000_000}
			},
			wantCalls: 2, wantIn: "served again",
		},
		{
			name: "two tokens in a circle",
			page: func(token string) api.ProductPage {
				next := map[string]string{"": "A", "A": "B", "B": "A"}[token]
				return api.ProductPage{Items: nil, Version: 2, NextPageToken: next, Total: 0}
			},
			wantCalls: 3, wantIn: "served again",
		},
		{
			name: "more products than the total",
			page: func(token string) api.ProductPage {
				// Fresh tokens every time, two products a page, a total of 5.
				n := len(token)
				return api.ProductPage{Items: products(100+2*n, 2), Version: 2, NextPageToken: token + "x", Total: 5}
			},
			// The third page breaks the total; the download runs up to two
			// pages ahead of staging.
			wantCalls: 5, wantIn: "more than the delta's total of 5",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := libraryAtVersion1(t)
			src := &pagedSource{page: tc.page, maxCalls: 500}
			r, err := refresh.New(refresh.Config{Source: src, Library: st, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Library(context.Background())
			if !errors.Is(err, refresh.ErrPagingBroken) {
				t.Fatalf("after %d requests: err = %v; want ErrPagingBroken", src.calls, err)
			}
			if !strings.Contains(err.Error(), tc.wantIn) || !strings.Contains(err.Error(), "library kept at version 1") {
				t.Errorf("error %q does not say %q and that the library was kept", err, tc.wantIn)
			}
			if src.calls > tc.wantCalls {
				t.Errorf("%d requests; want at most %d", src.calls, tc.wantCalls)
			}
			wantLibraryKept(t, st)

			// The next refresh starts the delta again and fails the same
			// way: the guard holds on every attempt.
			src.calls = 0
			if _, err := r.Library(context.Background()); !errors.Is(err, refresh.ErrPagingBroken) || src.calls > tc.wantCalls {
				t.Fatalf("second attempt: %v after %d requests", err, src.calls)
			}
			wantLibraryKept(t, st)
		})
	}
}

// TestLibraryPagingGuardOnResume: a download resumed from a staged page
// token is guarded too: the platform answering that very token with itself
// as the next page is caught on the first request.
func TestLibraryPagingGuardOnResume(t *testing.T) {
	ctx := context.Background()
	st := libraryAtVersion1(t)
	// An earlier run staged the first page of the delta 1→2 and stopped.
	if err := st.StageLibraryPage(ctx, 1, 2, products(100, 2), "RESUME"); err != nil {
		t.Fatal(err)
	}
	src := &pagedSource{maxCalls: 500, page: func(token string) api.ProductPage {
		return api.ProductPage{Items: products(102, 2), Version: 2, NextPageToken: "RESUME", Total: 100}
	}}
	r, err := refresh.New(refresh.Config{Source: src, Library: st, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Library(ctx); !errors.Is(err, refresh.ErrPagingBroken) || src.calls != 1 {
		t.Fatalf("resumed download: %v after %d requests; want ErrPagingBroken after 1", err, src.calls)
	}
	wantLibraryKept(t, st)
}

// TestLibraryPagingWellBehaved: the guards leave a correct delta alone:
// distinct tokens and exactly the stated total commit the new version.
func TestLibraryPagingWellBehaved(t *testing.T) {
	ctx := context.Background()
	st := libraryAtVersion1(t)
	all := products(100, 7)
	src := &pagedSource{maxCalls: 500, page: func(token string) api.ProductPage {
		start := len(token) * 3
		end := min(start+3, len(all))
		next := ""
		if end < len(all) {
			next = token + "n"
		}
		return api.ProductPage{Items: all[start:end], Version: 2, NextPageToken: next, Total: len(all)}
	}}
	r, err := refresh.New(refresh.Config{Source: src, Library: st, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Library(ctx)
	if err != nil || !p.Committed || p.Done != 7 || p.Total != 7 || src.calls != 3 {
		t.Fatalf("progress %+v, err %v after %d requests; want 7 of 7 committed after 3", p, err, src.calls)
	}
	if n, err := st.LibraryProducts(ctx); err != nil || n != 10 {
		t.Fatalf("library products = %d, %v; want 10", n, err)
	}
}

// TestLibraryBrokenPageFromClient: a page the client itself refuses (here
// more products than the delta's total, on the first and only page) ends
// the download the same way, after one request, and leaves the connection
// status online: the platform answered.
func TestLibraryBrokenPageFromClient(t *testing.T) {
	ctx := context.Background()
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		data, _ := json.Marshal(api.ProductPage{Items: products(100, 3), Version: 2, Total: 2})
		raw, _ := json.Marshal(api.Envelope{Code: api.CodeOK, Message: "success", Data: data})
		w.Header().Set("Content-Type", "application/json")
		w.Write(raw)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.Config{BaseURL: srv.URL, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithCredentials("T1101050001", []byte("0123456789abcdef0123456789abcdef"))
	t.Cleanup(c.CloseIdleConnections)

	clock := agenttest.NewClock(time.Date(2026, 5, 1, 10, 0, 0, 0, agent.ChinaTime))
	tracker := status.NewTracker(clock)
	tracker.Observe(nil) // online
	st := libraryAtVersion1(t)
	r, err := refresh.New(refresh.Config{Source: c, Library: st, Status: tracker, Clock: clock, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Library(ctx)
	if !errors.Is(err, refresh.ErrPagingBroken) || !strings.Contains(err.Error(), "more than the delta's total of 2") {
		t.Fatalf("err = %v; want ErrPagingBroken about the total", err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests; want 1 (asking again gets the same page)", n)
	}
	wantLibraryKept(t, st)
	if s := tracker.State(); !s.Online || s.LastError != "" {
		t.Errorf("status after a broken page: online %v, last error %q; want online with no error", s.Online, s.LastError)
	}
}
