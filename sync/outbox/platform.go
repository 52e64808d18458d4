package outbox

import (
	"context"

	"tradein/sync/api"
)

// Platform is the part of the central platform the drainer delivers to.
// *client.Client implements it; the drainer needs nothing else of it.
//
// Errors follow the client's contract: platform error codes arrive as
// *agent.Error, an unreachable platform, a 5xx or a timeout as an error
// matching agent.ErrPlatformDown, and 429 as *client.RateLimitedError.
type Platform interface {
	CommitVoucher(ctx context.Context, r api.CommitRequest) (api.CommitResponse, error)
	CancelVoucher(ctx context.Context, r api.CancelRequest) error
	RefundVoucher(ctx context.Context, r api.RefundRequest) (api.RefundResponse, error)
	TransactionsBatch(ctx context.Context, b api.TransactionBatch) (api.BatchResult, error)
	PickupsBatch(ctx context.Context, b api.PickupBatch) (api.BatchResult, error)
}
