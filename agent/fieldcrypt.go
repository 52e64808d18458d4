package agent

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Field encryption of personal data at rest (docs/DOMAIN.md, "Personal data and security"): AES-256-GCM with a
// random 96-bit nonce per value and a 32-byte key kept in a 0600 file in the
// data directory, apart from the database, so that a copied database alone
// reveals nothing.

// FieldKeySize is the length of the field-encryption key (AES-256).
const FieldKeySize = 32

// sealedPrefix versions the sealed format so that a future key rotation can
// tell old values apart.
const sealedPrefix = "v1:"

// LoadOrCreateKey returns the 32-byte key stored at path, creating the file
// with fresh random bytes and mode 0600 when it does not exist.
//
// Creation is atomic: the key is written and synced to a temporary file in
// the same directory, which is then linked into place; when another process
// created the key first, its key wins and is returned, so two processes never
// end up with different keys. An existing key file that the group or others
// can read, or that does not hold exactly 32 bytes, is refused: a key that
// has been exposed or damaged must be dealt with by a person, not silently
// replaced (that would make every sealed value unreadable).
//
// On Windows the mode bits do not describe access (ACLs do; the installer
// restricts %ProgramData%\… to administrators), so the mode check is skipped.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key = make([]byte, FieldKeySize)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, fmt.Errorf("field key: generate: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".fieldkey-*") // created with mode 0600
	if err != nil {
		return nil, fmt.Errorf("field key: create: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after a successful link the key stays at path
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return nil, fmt.Errorf("field key: chmod: %w", err)
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("field key: write: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("field key: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("field key: close: %w", err)
	}
	// Link, unlike rename, never replaces a key another process created
	// meanwhile. Filesystems without hard links fall back to rename.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return nil, fmt.Errorf("field key: install: %w", err)
		}
	}
	syncDir(dir)
	return key, nil
}

// readKeyFile reads and checks an existing key file.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("field key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("field key %s: not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("field key %s: mode %04o lets the group or others read it; "+
			"run `chmod 600 %s` if it was not exposed, or restore the key from a backup", path, perm, path)
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("field key: %w", err)
	}
	if len(key) != FieldKeySize {
		return nil, fmt.Errorf("field key %s: holds %d bytes, want %d (damaged? restore it from a backup)", path, len(key), FieldKeySize)
	}
	return key, nil
}

// syncDir makes a new directory entry durable; errors are ignored because
// some platforms (Windows) cannot open a directory for syncing.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// FieldCipher seals and opens personal-data fields. It is safe for
// concurrent use.
type FieldCipher struct {
	aead   cipher.AEAD
	tagKey []byte // HMAC key for Tag, derived from the field key (fieldtag.go)
}

// NewFieldCipher returns a cipher for a 32-byte key (see LoadOrCreateKey).
func NewFieldCipher(key []byte) (*FieldCipher, error) {
	if len(key) != FieldKeySize {
		return nil, fmt.Errorf("field cipher: key has %d bytes, want %d", len(key), FieldKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("field cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("field cipher: %w", err)
	}
	return &FieldCipher{aead: aead, tagKey: deriveTagKey(key)}, nil
}

// Seal encrypts plain as "v1:" + base64(nonce | ciphertext | tag). The empty
// string stays empty, so that absent fields remain recognisable.
func (c *FieldCipher) Seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return "", fmt.Errorf("field cipher: nonce: %w", err)
	}
	out := c.aead.Seal(nonce, nonce, []byte(plain), nil)
	return sealedPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// Open reverses Seal. It fails when sealed is not in the v1 format or was
// sealed under another key or altered; the error never contains the value.
func (c *FieldCipher) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", errors.New("field cipher: unknown sealed format")
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", fmt.Errorf("field cipher: %w", err)
	}
	ns := c.aead.NonceSize()
	if len(raw) < ns+c.aead.Overhead() {
		return "", errors.New("field cipher: sealed value too short")
	}
	plain, err := c.aead.Open(nil, raw[:ns], raw[ns:], nil)
	if err != nil {
		return "", errors.New("field cipher: cannot open value (wrong key or altered)")
	}
	return string(plain), nil
}
