package client_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tradein/agent"
	"tradein/sync/api"
	"tradein/sync/client"
)

// TestProductsRefusesBrokenPages: a page that breaks the paging rules on
// its own (its next token is its own token, more items than the limit
// asked for or than the delta's total) is refused with api.ErrBrokenPage
// instead of being handed to the refresher; a correct page passes.
func TestProductsRefusesBrokenPages(t *testing.T) {
	var page api.ProductPage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := json.Marshal(page)
		raw, _ := json.Marshal(api.Envelope{Code: api.CodeOK, Message: "success", Data: data})
		w.Header().Set("Content-Type", "application/json")
		w.Write(raw)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.Config{BaseURL: srv.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithCredentials("T1100000001", []byte("0123456789abcdef0123456789abcdef"))
	t.Cleanup(c.CloseIdleConnections)

	items := func(n int) []agent.Product {
		out := make([]agent.Product, n)
		for i := range out {
			body := fmt.Sprintf("690000%06d", i)
			out[i] = agent.Product{Barcode: body + string(agent.GTINCheckDigit(body)), Category: agent.CatTV, Status: agent.ProductActive}
		}
		return out
	}
	cases := []struct {
		name   string
		page   api.ProductPage
		token  string
		limit  int
		wantIn string // "" for a page that passes
	}{
		{"good first page", api.ProductPage{Items: items(2), Version: 3, NextPageToken: "N1", Total: 5}, "", 2, ""},
		{"good last page", api.ProductPage{Items: items(1), Version: 3, Total: 5}, "N2", 2, ""},
		{"own token again", api.ProductPage{Items: items(2), Version: 3, NextPageToken: "N1", Total: 5}, "N1", 2, "token of the page itself"},
		{"over the limit", api.ProductPage{Items: items(3), Version: 3, NextPageToken: "N2", Total: 5}, "N1", 2, "3 items for a limit of 2"},
		{"over the default limit", api.ProductPage{Items: items(api.MaxPageLimit + 1), Version: 3, Total: 10_000}, "", 0, "for a limit of 5000"},
		{"over the total", api.ProductPage{Items: items(2), Version: 3, Total: 1}, "", 2, "more than the delta's total of 1"},
	}
	for _, tc := range cases {
		page = tc.page
		got, err := c.Products(ctx, 1, tc.token, tc.limit)
		if tc.wantIn == "" {
			if err != nil || len(got.Items) != len(tc.page.Items) {
				t.Errorf("%s: %d items, %v; want the page", tc.name, len(got.Items), err)
			}
			continue
		}
		if !errors.Is(err, api.ErrBrokenPage) || errors.Is(err, agent.ErrPlatformDown) || !strings.Contains(err.Error(), tc.wantIn) {
			t.Errorf("%s: err = %v; want api.ErrBrokenPage saying %q", tc.name, err, tc.wantIn)
		}
		if len(got.Items) != 0 {
			t.Errorf("%s: a refused page still returned %d items", tc.name, len(got.Items))
		}
	}
}
