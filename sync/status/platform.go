package status

import (
	"context"

	"tradein/agent"
)

// observedPlatform is an agent.Platform whose every call outcome feeds the
// tracker, so the clerk's own online calls (SN query, voucher try) keep the
// online/offline state current between probes.
type observedPlatform struct {
	p agent.Platform
	t *Tracker
}

// Platform wraps p so that the tracker observes every call. The app passes
// the result to agent.Deps.Platform.
func (t *Tracker) Platform(p agent.Platform) agent.Platform {
	return observedPlatform{p: p, t: t}
}

func (o observedPlatform) QuerySN(ctx context.Context, sn string) (agent.SNStatus, error) {
	st, err := o.p.QuerySN(ctx, sn)
	o.observe(ctx, err)
	return st, err
}

func (o observedPlatform) TryVoucher(ctx context.Context, v agent.VoucherTry) (agent.VoucherFrozen, error) {
	f, err := o.p.TryVoucher(ctx, v)
	o.observe(ctx, err)
	return f, err
}

// observe records err unless the caller gave up (a clerk cancelling a
// slow call says nothing about the platform).
func (o observedPlatform) observe(ctx context.Context, err error) {
	if err != nil && ctx.Err() != nil {
		return
	}
	o.t.Observe(err)
}
