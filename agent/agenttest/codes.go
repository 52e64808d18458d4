package agenttest

import (
	"crypto/ed25519"
	"fmt"
	"sync"
	"testing"
	"time"

	"tradein/agent"
)

// Region is the region code of every issued voucher (北京市); it covers
// the fixtures' store county 110105.
const Region = "110000"

// Issuer hands out consumer codes the way the platform's consumer app
// does: signed with the platform's key, one new voucher per code. It is
// safe for concurrent use.
type Issuer struct {
	Pub   ed25519.PublicKey // what the terminal and the Platform verify with
	priv  ed25519.PrivateKey
	clock agent.Clock
	mu    sync.Mutex
	seq   int
}

// NewIssuer returns an issuer with a fresh key pair, dating codes by clock.
func NewIssuer(t testing.TB, clock agent.Clock) *Issuer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Issuer{Pub: pub, priv: priv, clock: clock}
}

// Next returns fresh claims for a voucher of category cat valid for ttl
// from now: voucher V0001, V0002, … with consumer references CR0001, ….
func (is *Issuer) Next(cat agent.Category, ttl time.Duration) agent.ConsumerClaims {
	is.mu.Lock()
	is.seq++
	n := is.seq
	is.mu.Unlock()
	now := is.clock.Now()
	return agent.ConsumerClaims{VID: fmt.Sprintf("V%04d", n), Cat: cat, Reg: Region,
		Iat: now.Unix(), Exp: now.Add(ttl).Unix(), CRef: fmt.Sprintf("CR%04d", n)}
}

// Sign signs c as a consumer code.
func (is *Issuer) Sign(t testing.TB, c agent.ConsumerClaims) string {
	t.Helper()
	s, err := agent.SignConsumerCode(c, is.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Code returns a signed code for a new voucher of cat valid for ttl; mods
// change the claims before signing.
func (is *Issuer) Code(t testing.TB, cat agent.Category, ttl time.Duration, mods ...func(*agent.ConsumerClaims)) string {
	t.Helper()
	c := is.Next(cat, ttl)
	for _, m := range mods {
		m(&c)
	}
	return is.Sign(t, c)
}
