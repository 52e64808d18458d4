package wiring

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"tradein/agent"
	"tradein/sync/api"
)

// Enrollment is the terminal's identity at the platform, kept in
// enrollment.json (mode 0600). The HMAC secret is sealed with the field
// key, so the file alone does not let anyone sign requests as this
// terminal.
type Enrollment struct {
	Store       agent.StoreInfo `json:"store"`
	SecretSeal  string          `json:"hmac_secret_sealed"`
	PlatformKey string          `json:"platform_public_key"` // base64 Ed25519
	PlatformURL string          `json:"platform_url"`
	EnrolledAt  time.Time       `json:"enrolled_at"`
}

// Secret opens the sealed HMAC secret.
func (e Enrollment) Secret(c *agent.FieldCipher) ([]byte, error) {
	s, err := c.Open(e.SecretSeal)
	if err != nil {
		return nil, fmt.Errorf("enrollment: open the signing secret (was field.key replaced?): %w", err)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("enrollment: signing secret: %w", err)
	}
	return b, nil
}

// Key decodes the platform's public key.
func (e Enrollment) Key() (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(e.PlatformKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("enrollment: bad platform public key")
	}
	return ed25519.PublicKey(b), nil
}

// enrollmentFrom turns the platform's answer into an Enrollment, sealing
// the secret.
func enrollmentFrom(r api.EnrollResponse, platformURL string, c *agent.FieldCipher, now time.Time) (Enrollment, error) {
	secret, err := r.Secret()
	if err != nil {
		return Enrollment{}, err
	}
	if _, err := r.PublicKey(); err != nil {
		return Enrollment{}, err
	}
	sealed, err := c.Seal(base64.StdEncoding.EncodeToString(secret))
	if err != nil {
		return Enrollment{}, fmt.Errorf("enrollment: seal secret: %w", err)
	}
	return Enrollment{
		Store: agent.StoreInfo{MerchantNo: r.MerchantNo, TerminalNo: r.TerminalNo, StoreName: r.Store.Name,
			UniSCID: r.Store.UniSCID, CountyCode: r.Store.CountyCode},
		SecretSeal: sealed, PlatformKey: r.PlatformPublicKey, PlatformURL: platformURL, EnrolledAt: now.UTC(),
	}, nil
}

// LoadEnrollment reads enrollment.json; ok is false when the terminal was
// never enrolled.
func LoadEnrollment(path string) (e Enrollment, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Enrollment{}, false, nil
	}
	if err != nil {
		return Enrollment{}, false, fmt.Errorf("enrollment: %w", err)
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return Enrollment{}, false, fmt.Errorf("enrollment %s: %w", path, err)
	}
	if e.Store.TerminalNo == "" || e.SecretSeal == "" {
		return Enrollment{}, false, fmt.Errorf("enrollment %s: terminal number or secret missing", path)
	}
	return e, true, nil
}

// SaveEnrollment writes e atomically with mode 0600.
func SaveEnrollment(path string, e Enrollment) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("enrollment: %w", err)
	}
	return writeFileAtomic(path, append(b, '\n'), 0o600)
}

// Fingerprint identifies this installation to the platform at
// enrollment: a hash of the OS machine id, the host name and the data
// directory (never the raw ids). Enrolling again from the same
// installation with the same code returns the same terminal; a second data
// directory on one PC (a demo beside the shop's) is a different terminal.
func Fingerprint(dataDir string) string {
	parts := []string{dataDir}
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(p); err == nil {
			parts = append(parts, strings.TrimSpace(string(b)))
			break
		}
	}
	if h, err := os.Hostname(); err == nil {
		parts = append(parts, h)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return "fp-" + hex.EncodeToString(sum[:16])
}
