package agent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Tamper evidence under the field key: records that must not be edited
// outside the app (a staff member's role and PIN hash, the store's seal of
// row counts and the audit chain's head) carry a tag, an HMAC-SHA256 under
// a key derived from the field key. Anyone who edits the database with a
// SQLite tool but does not use the key cannot produce a matching tag.
//
// The tag key is derived (HMAC of a fixed label under the field key) rather
// than the field key itself, so that the AES key is used for one purpose
// only.

// tagKeyLabel names the derived key; changing it invalidates every tag.
const tagKeyLabel = "tradein terminal record tag v1"

func deriveTagKey(fieldKey []byte) []byte {
	m := hmac.New(sha256.New, fieldKey)
	m.Write([]byte(tagKeyLabel))
	return m.Sum(nil)
}

// Tag returns hex(HMAC-SHA256) of kind and fields under the derived tag
// key. Each part is written as a netstring "<byte length>:<bytes>,", so no
// two different field lists have the same encoding; kind keeps a tag of
// one record type from being valid for another.
func (c *FieldCipher) Tag(kind string, fields ...string) string {
	m := hmac.New(sha256.New, c.tagKey)
	for _, f := range append([]string{kind}, fields...) {
		m.Write([]byte(strconv.Itoa(len(f))))
		m.Write([]byte{':'})
		m.Write([]byte(f))
		m.Write([]byte{','})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// TagEqual reports whether tag is Tag(kind, fields...), in constant time.
func (c *FieldCipher) TagEqual(tag, kind string, fields ...string) bool {
	return hmac.Equal([]byte(tag), []byte(c.Tag(kind, fields...)))
}
