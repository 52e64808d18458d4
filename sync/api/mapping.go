package api

import (
	"time"

	"tradein/agent"
)

// The functions below map the terminal's domain objects (as queued in the
// outbox) to wire requests. requestNo is the outbox item's idempotency key:
// sending the same item again must reuse it.

func amountsOf(s agent.Sale) Amounts {
	return Amounts{FinalPriceFen: s.FinalPriceFen, SubsidyFen: s.SubsidyFen, PayFen: s.PayFen}
}

func productRefOf(p agent.Product) ProductRef {
	return ProductRef{
		Barcode:     p.Barcode,
		Category:    p.Category,
		Brand:       p.Brand,
		Model:       p.Model,
		EnergyGrade: p.EnergyGrade,
	}
}

func tradeInOf(t *agent.TradeIn) *TradeInWire {
	if t == nil {
		return nil
	}
	return &TradeInWire{
		TicketNo:  t.TicketNo,
		Category:  t.Category,
		Brand:     t.Brand,
		Model:     t.Model,
		Condition: t.Condition,
		PriceFen:  t.PriceFen,
	}
}

// transTime is when the sale happened: when the clerk confirmed it (the
// rule set in force then computes it), else, for a sale stored before
// that time was recorded, its last update before commit, or its creation.
func transTime(s agent.Sale) time.Time {
	if !s.ConfirmedAt.IsZero() {
		return s.ConfirmedAt.UTC()
	}
	if !s.UpdatedAt.IsZero() {
		return s.UpdatedAt.UTC()
	}
	return s.CreatedAt.UTC()
}

// CommitRequestFromSale maps an online sale (frozen, paid) to its commit.
func CommitRequestFromSale(s agent.Sale, requestNo string) CommitRequest {
	return CommitRequest{
		RequestNo:  requestNo,
		FrozenNo:   s.FrozenNo,
		OrderNo:    s.OrderNo,
		TransTime:  transTime(s),
		Amounts:    amountsOf(s),
		Product:    productRefOf(s.Product),
		SN:         s.SN,
		TradeIn:    tradeInOf(s.TradeIn),
		PaymentRef: s.PaymentRef,
		RuleSetID:  s.RuleSetID,
	}
}

// CancelRequestFromSale maps an abandoned frozen sale to its cancel.
func CancelRequestFromSale(s agent.Sale, requestNo string) CancelRequest {
	reason := "abandoned"
	if s.RejectReason != "" {
		reason = s.RejectReason
	}
	return CancelRequest{RequestNo: requestNo, FrozenNo: s.FrozenNo, OrderNo: s.OrderNo, Reason: reason}
}

// RefundRequestFromSale maps a refunded sale to its refund.
func RefundRequestFromSale(s agent.Sale, requestNo string) RefundRequest {
	return RefundRequest{RequestNo: requestNo, OrderNo: s.OrderNo, RefundNo: s.RefundNo, Reason: s.RefundReason}
}

// TransactionFromSale maps an offline-captured sale to a batch item.
func TransactionFromSale(s agent.Sale, requestNo string) Transaction {
	return Transaction{
		RequestNo:  requestNo,
		OrderNo:    s.OrderNo,
		AuthCode:   s.Consumer.AuthCode,
		TransTime:  transTime(s),
		Amounts:    amountsOf(s),
		Product:    productRefOf(s.Product),
		SN:         s.SN,
		TradeIn:    tradeInOf(s.TradeIn),
		PaymentRef: s.PaymentRef,
		RuleSetID:  s.RuleSetID,
	}
}

// PickupFromDomain maps a recycler's pickup to a batch item.
func PickupFromDomain(p agent.Pickup, requestNo string) PickupItem {
	return PickupItem{
		RequestNo:     requestNo,
		ID:            p.ID,
		TicketNo:      p.TicketNo,
		OrderNo:       p.OrderNo,
		RecyclerID:    p.RecyclerID,
		Condition:     p.Condition,
		WeightGrams:   p.WeightGrams,
		CertificateNo: p.CertificateNo,
		PhotoSHA256:   p.PhotoSHA256,
		At:            p.At.UTC(),
	}
}
