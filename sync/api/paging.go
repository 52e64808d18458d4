package api

import (
	"errors"
	"fmt"
)

// ErrBrokenPage marks answers of GET /v1/products that break the paging
// rules of the contract, so that a terminal following them would page for
// ever or stage more than the delta holds: a page whose next_page_token is
// its own token or a token already served in the same download, a page
// with more items than the limit asked for, and pages that add up to more
// items than the delta's total. A terminal keeps its cached library and
// stops the download.
var ErrBrokenPage = errors.New("the platform broke the library paging contract")

// Check checks the paging rules one page can break on its own, given the
// token and the limit it was asked for (limit ≤ 0: the platform's default,
// at most MaxPageLimit). Its errors wrap ErrBrokenPage.
func (p ProductPage) Check(askedToken string, limit int) error {
	if askedToken != "" && p.NextPageToken == askedToken {
		return fmt.Errorf("%w: next_page_token is the token of the page itself", ErrBrokenPage)
	}
	if limit <= 0 || limit > MaxPageLimit {
		limit = MaxPageLimit
	}
	if len(p.Items) > limit {
		return fmt.Errorf("%w: %d items for a limit of %d", ErrBrokenPage, len(p.Items), limit)
	}
	if len(p.Items) > p.Total {
		return fmt.Errorf("%w: %d items, more than the delta's total of %d", ErrBrokenPage, len(p.Items), p.Total)
	}
	return nil
}
