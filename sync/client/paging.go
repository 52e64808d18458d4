package client

import (
	"fmt"

	"tradein/sync/api"
)

// checkPage checks the paging rules one answer of GET /v1/products can
// break on its own (sync/api/openapi.yaml, ProductPage):
//   - a next_page_token equal to the token asked for: following it would
//     fetch the same page for ever;
//   - more items than the limit asked for (api.MaxPageLimit when the
//     platform's default was asked for);
//   - more items than total, the size of the whole delta.
func checkPage(p api.ProductPage, askedToken string, limit int) error {
	if askedToken != "" && p.NextPageToken == askedToken {
		return fmt.Errorf("page breaks the paging contract: next_page_token is the token of the page itself")
	}
	if limit <= 0 || limit > api.MaxPageLimit {
		limit = api.MaxPageLimit
	}
	if len(p.Items) > limit {
		return fmt.Errorf("page breaks the paging contract: %d items for a limit of %d", len(p.Items), limit)
	}
	if len(p.Items) > p.Total {
		return fmt.Errorf("page breaks the paging contract: %d items, more than the delta's total of %d", len(p.Items), p.Total)
	}
	return nil
}
