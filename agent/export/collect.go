package export

import (
	"context"
	"time"

	"tradein/agent"
)

// Lister lists sales as agent.Session.Sales does: newest first, at most
// one page (the session caps a page at 1,000 sales).
type Lister func(ctx context.Context, f agent.SaleFilter) ([]agent.Sale, error)

// maxExportSales bounds one export: a year of a busy shop (~100,000 sales)
// fits, and a runaway filter cannot fill the memory of a shop PC.
const maxExportSales = 200000

// CollectSales gathers every sale f selects by paging through list: each
// next page asks for sales created up to and including the oldest one seen
// (CreatedAt < oldest+1ns), and sales already seen are dropped by order
// number, so sales sharing a timestamp across a page boundary are neither
// lost nor doubled. It stops when a page brings nothing new, at f.Limit
// when set, or at maxExportSales. Sales come back newest first. progress,
// when set, receives the count so far (total 0: unknown).
func CollectSales(ctx context.Context, list Lister, f agent.SaleFilter, progress func(done, total int64)) ([]agent.Sale, error) {
	limit := f.Limit
	if limit <= 0 || limit > maxExportSales {
		limit = maxExportSales
	}
	f.Limit = 0 // the session's own page size
	seen := map[string]bool{}
	var out []agent.Sale
	for len(out) < limit {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		page, err := list(ctx, f)
		if err != nil {
			return nil, err
		}
		added := 0
		var oldest time.Time
		for _, s := range page {
			if oldest.IsZero() || s.CreatedAt.Before(oldest) {
				oldest = s.CreatedAt
			}
			if seen[s.OrderNo] || len(out) >= limit {
				continue
			}
			seen[s.OrderNo] = true
			out = append(out, s)
			added++
		}
		if progress != nil {
			progress(int64(len(out)), 0)
		}
		if added == 0 {
			break
		}
		f.To = oldest.Add(time.Nanosecond)
	}
	return out, nil
}
