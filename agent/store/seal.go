package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"tradein/agent"
)

// The consumer's auth code and phone are the sensitive fields the store
// holds. They are sealed in the sale JSON and in outbox payloads; error
// messages name the field, never its value.

// sealConsumer returns c with AuthCode and Phone sealed.
func (s *Store) sealConsumer(c agent.Consumer) (agent.Consumer, error) {
	if s.cipher == nil {
		return c, nil
	}
	var err error
	if c.AuthCode, err = s.cipher.Seal(c.AuthCode); err != nil {
		return c, fmt.Errorf("store: seal consumer auth code: %w", err)
	}
	if c.Phone, err = s.cipher.Seal(c.Phone); err != nil {
		return c, fmt.Errorf("store: seal consumer phone: %w", err)
	}
	return c, nil
}

// openConsumer reverses sealConsumer.
func (s *Store) openConsumer(c agent.Consumer) (agent.Consumer, error) {
	if s.cipher == nil {
		return c, nil
	}
	var err error
	if c.AuthCode, err = s.cipher.Open(c.AuthCode); err != nil {
		return c, fmt.Errorf("store: open consumer auth code (wrong key file?): %w", err)
	}
	if c.Phone, err = s.cipher.Open(c.Phone); err != nil {
		return c, fmt.Errorf("store: open consumer phone (wrong key file?): %w", err)
	}
	return c, nil
}

// encodeSale returns the record stored in sales.data: the sale's JSON
// with the consumer's sensitive fields sealed, compressed (codec.go).
func (s *Store) encodeSale(sale agent.Sale) ([]byte, error) {
	var err error
	if sale.Consumer, err = s.sealConsumer(sale.Consumer); err != nil {
		return nil, err
	}
	b, err := json.Marshal(sale)
	if err != nil {
		return nil, fmt.Errorf("store: encode sale %s: %w", sale.OrderNo, err)
	}
	return packRecord(b), nil
}

// decodeSale reverses encodeSale.
func (s *Store) decodeSale(data []byte) (agent.Sale, error) {
	var sale agent.Sale
	js, err := unpackRecord(data)
	if err != nil {
		return sale, err
	}
	if err := json.Unmarshal(js, &sale); err != nil {
		return sale, fmt.Errorf("store: decode sale: %w", err)
	}
	if sale.Consumer, err = s.openConsumer(sale.Consumer); err != nil {
		return sale, fmt.Errorf("sale %s: %w", sale.OrderNo, err)
	}
	return sale, nil
}

// sensitivePayloadFields are the keys of the "consumer" object of an
// outbox payload (the JSON of an agent.Sale) that are sealed at rest.
var sensitivePayloadFields = []string{"auth_code", "phone"}

// sealPayload seals the consumer's sensitive fields in an outbox payload.
// Payloads are the JSON of domain objects (agent.OutboxItem): a sale
// carries {"consumer":{"auth_code":…,"phone":…}}; anything else has no
// such object and is stored as given. Other keys are kept as they are.
func (s *Store) sealPayload(p []byte) ([]byte, error) {
	if s.cipher == nil {
		return p, nil
	}
	return s.mapPayload(p, s.cipher.Seal, "seal")
}

// openPayload reverses sealPayload.
func (s *Store) openPayload(p []byte) ([]byte, error) {
	if s.cipher == nil {
		return p, nil
	}
	return s.mapPayload(p, s.cipher.Open, "open")
}

// mapPayload applies fn to the sensitive fields of the payload's
// top-level "consumer" object. To stay cheap on the commit path it does
// not rebuild the whole document: it decodes only the consumer object,
// rewrites it, and substitutes the rewritten object for every occurrence
// of the original bytes (an identical copy elsewhere in the document gets
// sealed too, which errs on the safe side).
func (s *Store) mapPayload(p []byte, fn func(string) (string, error), verb string) ([]byte, error) {
	if !bytes.Contains(p, []byte(`"consumer"`)) {
		return p, nil
	}
	var doc struct {
		Consumer json.RawMessage `json:"consumer"`
	}
	if err := json.Unmarshal(p, &doc); err != nil || len(doc.Consumer) == 0 || doc.Consumer[0] != '{' {
		return p, nil // not a JSON object with a consumer object: nothing to protect
	}
	var cons map[string]json.RawMessage
	if err := json.Unmarshal(doc.Consumer, &cons); err != nil {
		return p, nil
	}
	changed := false
	for _, k := range sensitivePayloadFields {
		v, ok := cons[k]
		if !ok {
			continue
		}
		var str string
		if err := json.Unmarshal(v, &str); err != nil {
			return nil, fmt.Errorf("store: outbox payload: consumer.%s is not a string", k)
		}
		if str == "" {
			continue
		}
		out, err := fn(str)
		if err != nil {
			return nil, fmt.Errorf("store: %s outbox payload consumer.%s: %w", verb, k, err)
		}
		enc, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("store: outbox payload: %w", err)
		}
		cons[k] = enc
		changed = true
	}
	if !changed {
		return p, nil
	}
	rewritten, err := json.Marshal(cons)
	if err != nil {
		return nil, fmt.Errorf("store: outbox payload: %w", err)
	}
	return bytes.ReplaceAll(p, doc.Consumer, rewritten), nil
}
