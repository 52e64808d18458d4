package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

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
	return packRecord(b)
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

// sealPayload seals the consumer's sensitive fields in an outbox payload.
// Payloads are the JSON of domain objects (agent.OutboxItem): a sale
// carries {"consumer":{"auth_code":…,"phone":…}}. Every object under a key
// "consumer" at any depth has its "auth_code" and "phone" strings sealed,
// keys matched without regard to case (as encoding/json matches them when
// sync decodes the payload). A payload that is not JSON, or has no such
// fields, is stored as given.
//
// The commit path does not come here: an item whose payload is the sale
// itself shares the sale's record (insertOutboxTx). This path serves the
// other items, so it can afford a full decode.
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

// mapPayload applies fn to the sensitive consumer fields of the payload
// and re-encodes it when anything changed. Numbers are kept exact
// (json.Number); duplicate keys collapse to the last one, as
// encoding/json reads them, so no earlier duplicate can stay in clear.
func (s *Store) mapPayload(p []byte, fn func(string) (string, error), verb string) ([]byte, error) {
	if !containsFold(p, "consumer") {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return p, nil // not JSON: nothing a JSON reader could take a field from
	}
	if _, err := dec.Token(); err != io.EOF {
		return p, nil // trailing data: not one JSON document
	}
	changed, err := mapConsumers(doc, false, fn)
	if err != nil {
		return nil, fmt.Errorf("store: %s outbox payload: %w", verb, err)
	}
	if !changed {
		return p, nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("store: %s outbox payload: %w", verb, err)
	}
	return out, nil
}

// mapConsumers walks v; inConsumer says v is the value of a "consumer" key.
func mapConsumers(v any, inConsumer bool, fn func(string) (string, error)) (bool, error) {
	changed := false
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if inConsumer && (strings.EqualFold(k, "auth_code") || strings.EqualFold(k, "phone")) {
				switch str := child.(type) {
				case nil:
					continue
				case string:
					if str == "" {
						continue
					}
					out, err := fn(str)
					if err != nil {
						return false, fmt.Errorf("consumer.%s: %w", strings.ToLower(k), err)
					}
					v[k] = out
					changed = true
					continue
				default:
					return false, fmt.Errorf("consumer.%s is not a string", strings.ToLower(k))
				}
			}
			c, err := mapConsumers(child, strings.EqualFold(k, "consumer"), fn)
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
	case []any:
		for _, child := range v {
			c, err := mapConsumers(child, false, fn)
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
	}
	return changed, nil
}

// containsFold reports whether b contains the ASCII word w in any case.
func containsFold(b []byte, w string) bool {
	n, wb := len(w), []byte(w)
	for i := 0; i+n <= len(b); i++ {
		if bytes.EqualFold(b[i:i+n], wb) {
			return true
		}
	}
	return false
}
