package client

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"tradein/agent"
	"tradein/sync/api"
)

// Compile-time check: the client is the agent's online Platform.
var _ agent.Platform = (*Client)(nil)

// missingRequestNo refuses a mutating request without its idempotency key
// before anything is sent (see the package comment).
func missingRequestNo(op, what string) error {
	return &agent.Error{Code: agent.CodeInvalidRequest, Detail: op + ": " + what + " request_no is empty; refusing to send a mutation that could not be retried safely"}
}

// Enroll registers this device with an enrollment code and returns the
// terminal's identity and signing secret. It needs no credentials.
//
// The first call for a (code, fingerprint) draws a random enrollment
// proof, which this client (and its WithCredentials copies) keeps in
// memory only and sends with every attempt and every later call for the
// same pair: an answer lost on the way is recovered by the client's retry,
// or by calling Enroll again (the support screen's "enroll" button) while
// the process runs. The proof is never stored or logged; after a restart
// the platform refuses a code this device already used, and enrolling
// again needs a new code.
func (c *Client) Enroll(ctx context.Context, code, fingerprint string) (api.EnrollResponse, error) {
	var out api.EnrollResponse
	proof, err := c.proofs.get(code, fingerprint)
	if err != nil {
		return out, err
	}
	err = c.do(ctx, request{method: http.MethodPost, target: "/v1/terminals/enroll",
		body: api.EnrollRequest{EnrollmentCode: code, DeviceFingerprint: fingerprint, EnrollmentProof: proof}}, &out)
	return out, err
}

// enrollProofs are the enrollment proofs this process drew, by code and
// fingerprint. It is safe for concurrent use.
type enrollProofs struct {
	mu sync.Mutex
	m  map[string]string
}

// get returns the proof for (code, fingerprint), drawing it on first use.
func (p *enrollProofs) get(code, fingerprint string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := code + "\x00" + fingerprint
	if v, ok := p.m[k]; ok {
		return v, nil
	}
	b := make([]byte, api.EnrollmentProofSize)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("enroll: draw the enrollment proof: %w", err)
	}
	p.m[k] = base64.StdEncoding.EncodeToString(b)
	return p.m[k], nil
}

// Health reports nil when the platform answers GET /v1/health with UP.
func (c *Client) Health(ctx context.Context) error {
	var out api.HealthResponse
	if err := c.do(ctx, request{method: http.MethodGet, target: "/v1/health"}, &out); err != nil {
		return err
	}
	if out.Status != "UP" {
		return platformDown("GET /v1/health", fmt.Errorf("status %q", out.Status))
	}
	return nil
}

// Rules fetches every rule set that covers the store (past, current and
// announced ones). It does not validate them: the refresher does, before
// it caches anything.
func (c *Client) Rules(ctx context.Context) (agent.RuleSets, error) {
	var out api.RulesResponse
	err := c.do(ctx, request{method: http.MethodGet, target: "/v1/rules", signed: true}, &out)
	return out.RuleSets, err
}

// Products fetches one page of the product library delta after
// sinceVersion. Pass the previous page's NextPageToken (and the same
// sinceVersion) to continue; limit ≤ 0 uses the platform's default. A page
// that breaks the paging rules on its own (api.ProductPage.Check) is an
// error matching api.ErrBrokenPage, not PLATFORM_DOWN: the platform
// answered, and asking again would get the same page. The rules that span
// pages are the refresher's (sync/refresh).
func (c *Client) Products(ctx context.Context, sinceVersion int64, pageToken string, limit int) (api.ProductPage, error) {
	q := url.Values{}
	q.Set("since_version", strconv.FormatInt(sinceVersion, 10))
	if pageToken != "" {
		q.Set("page_token", pageToken)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out api.ProductPage
	if err := c.do(ctx, request{method: http.MethodGet, target: "/v1/products?" + q.Encode(), signed: true}, &out); err != nil {
		return api.ProductPage{}, err
	}
	if err := out.Check(pageToken, limit); err != nil {
		return api.ProductPage{}, fmt.Errorf("GET /v1/products: %w", err)
	}
	return out, nil
}

// QuerySNs asks the status of up to api.MaxSNQuery serial numbers. They
// are sent in their agent.NormalizeSN form, the form the platform answers
// in (sync/api/openapi.yaml, schema SN).
func (c *Client) QuerySNs(ctx context.Context, sns []string) (api.SNQueryResponse, error) {
	norm := make([]string, len(sns))
	for i, sn := range sns {
		norm[i] = agent.NormalizeSN(sn)
	}
	var out api.SNQueryResponse
	err := c.do(ctx, request{method: http.MethodPost, target: "/v1/sn/query", signed: true,
		body: api.SNQueryRequest{SNList: norm}}, &out)
	return out, err
}

// QuerySN asks the status of one serial number (agent.Platform).
func (c *Client) QuerySN(ctx context.Context, sn string) (agent.SNStatus, error) {
	sn = agent.NormalizeSN(sn)
	out, err := c.QuerySNs(ctx, []string{sn})
	if err != nil {
		return agent.SNUnknownStat, err
	}
	if len(out.Items) != 1 || out.Items[0].SN != sn {
		return agent.SNUnknownStat, platformDown("POST /v1/sn/query", fmt.Errorf("answer has %d items for 1 SN", len(out.Items)))
	}
	return out.Items[0].DomainStatus(), nil
}

// TryVoucher freezes the consumer's voucher (agent.Platform).
func (c *Client) TryVoucher(ctx context.Context, t agent.VoucherTry) (agent.VoucherFrozen, error) {
	const op = "POST /v1/vouchers/try"
	if t.RequestNo == "" {
		return agent.VoucherFrozen{}, missingRequestNo(op, "try")
	}
	var out api.TryResponse
	if err := c.do(ctx, request{method: http.MethodPost, target: "/v1/vouchers/try", signed: true,
		body: api.TryRequestFrom(t)}, &out); err != nil {
		return agent.VoucherFrozen{}, err
	}
	return out.Frozen(), nil
}

// CommitVoucher redeems a frozen voucher and locks the SN.
func (c *Client) CommitVoucher(ctx context.Context, r api.CommitRequest) (api.CommitResponse, error) {
	const op = "POST /v1/vouchers/commit"
	if r.RequestNo == "" {
		return api.CommitResponse{}, missingRequestNo(op, "commit")
	}
	var out api.CommitResponse
	err := c.do(ctx, request{method: http.MethodPost, target: "/v1/vouchers/commit", signed: true, body: r}, &out)
	return out, err
}

// CancelVoucher releases a frozen voucher.
func (c *Client) CancelVoucher(ctx context.Context, r api.CancelRequest) error {
	const op = "POST /v1/vouchers/cancel"
	if r.RequestNo == "" {
		return missingRequestNo(op, "cancel")
	}
	var out api.CancelResponse
	return c.do(ctx, request{method: http.MethodPost, target: "/v1/vouchers/cancel", signed: true, body: r}, &out)
}

// RefundVoucher refunds a committed sale: the SN is unlocked and, when the
// rule says so, the consumer's quota restored.
func (c *Client) RefundVoucher(ctx context.Context, r api.RefundRequest) (api.RefundResponse, error) {
	const op = "POST /v1/vouchers/refund"
	if r.RequestNo == "" {
		return api.RefundResponse{}, missingRequestNo(op, "refund")
	}
	var out api.RefundResponse
	err := c.do(ctx, request{method: http.MethodPost, target: "/v1/vouchers/refund", signed: true, body: r}, &out)
	return out, err
}

// TransactionsBatch reports offline-captured sales; the result has one
// verdict per item, in order.
func (c *Client) TransactionsBatch(ctx context.Context, b api.TransactionBatch) (api.BatchResult, error) {
	itemNos := make([]string, len(b.Items))
	for i, it := range b.Items {
		itemNos[i] = it.RequestNo
	}
	return c.postBatch(ctx, "/v1/transactions/batch", b.RequestNo, itemNos, b)
}

// PickupsBatch reports recycler pickups; one verdict per item, in order.
func (c *Client) PickupsBatch(ctx context.Context, b api.PickupBatch) (api.BatchResult, error) {
	itemNos := make([]string, len(b.Items))
	for i, it := range b.Items {
		itemNos[i] = it.RequestNo
	}
	return c.postBatch(ctx, "/v1/pickups/batch", b.RequestNo, itemNos, b)
}

// postBatch posts the batch body, whose request_no is batchNo and whose
// items carry itemNos, to target. Every request_no must be set; an answer
// without exactly one verdict per item is PLATFORM_DOWN, as any answer
// the client cannot use.
func (c *Client) postBatch(ctx context.Context, target, batchNo string, itemNos []string, body any) (api.BatchResult, error) {
	op := "POST " + target
	if batchNo == "" {
		return api.BatchResult{}, missingRequestNo(op, "batch")
	}
	for i, no := range itemNos {
		if no == "" {
			return api.BatchResult{}, missingRequestNo(op, fmt.Sprintf("item %d", i))
		}
	}
	var out api.BatchResult
	if err := c.do(ctx, request{method: http.MethodPost, target: target, signed: true, body: body}, &out); err != nil {
		return api.BatchResult{}, err
	}
	if len(out.Items) != len(itemNos) {
		return api.BatchResult{}, platformDown(op, fmt.Errorf("%d verdicts for %d items", len(out.Items), len(itemNos)))
	}
	return out, nil
}

// DaySummary fetches the terminal's totals of date (YYYY-MM-DD, China time).
func (c *Client) DaySummary(ctx context.Context, date string) (api.DaySummary, error) {
	q := url.Values{}
	q.Set("date", date)
	var out api.DaySummary
	err := c.do(ctx, request{method: http.MethodGet, target: "/v1/summary/day?" + q.Encode(), signed: true}, &out)
	return out, err
}

// AuditHead reports the head of the terminal's audit chain and returns
// the platform's verdict (sync/anchor uses it after every delivery).
func (c *Client) AuditHead(ctx context.Context, req api.AuditHeadRequest) (api.AuditHeadResponse, error) {
	var out api.AuditHeadResponse
	err := c.do(ctx, request{method: http.MethodPost, target: "/v1/terminals/audit-head", signed: true, body: req}, &out)
	return out, err
}
