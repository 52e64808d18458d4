package agent

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Staff PINs are stored only as argon2id hashes in the PHC string format
// "$argon2id$v=19$m=47104,t=2,p=1$<salt>$<hash>" (unpadded standard base64).
//
// Parameters: 46 MiB of memory, two passes, one lane — one pass more than
// OWASP's minimum argon2id configuration (m=46 MiB, t=1, p=1). Measured on the
// reference 2-core machine (2026-11, other builds running, so noisy): t=1
// hashed in 37-55 ms, t=2 in about 60 ms, which is the 50-100 ms we aim for:
// slow enough that a stolen database costs a memory-hard hash per guess,
// fast enough that a clerk does not notice it at login, and 46 MiB is
// affordable on a checkout PC. A PIN has at most 10^8 values, so the hash is
// a speed bump; the lockout (MaxPINFailures, PINLockout) is what stops
// guessing at the terminal. BenchmarkHashPIN measures it.
const (
	pinMemoryKiB = 46 * 1024
	pinTime      = 2
	pinThreads   = 1
	pinSaltLen   = 16
	pinKeyLen    = 32

	// Bounds on parameters read back from a stored hash, so that a damaged
	// or hostile hash string cannot make VerifyPIN allocate gigabytes.
	maxPINMemoryKiB = 1 << 20 // 1 GiB
	maxPINTime      = 16
	maxPINThreads   = 16
)

// PIN length bounds (digits).
const (
	PINMinLen = 4
	PINMaxLen = 8
)

// MaxPINFailures wrong PINs in a row lock the staff member out for
// PINLockout; a manager can unlock earlier by resetting the PIN.
const (
	MaxPINFailures = 5
	PINLockout     = 15 * time.Minute
)

// ValidatePIN reports whether pin is acceptable: PINMinLen to PINMaxLen ASCII
// digits. The error is coded CodeInvalidRequest and never quotes the PIN.
func ValidatePIN(pin string) error {
	if len(pin) < PINMinLen || len(pin) > PINMaxLen || firstNonDigit(pin) >= 0 {
		return &Error{Code: CodeInvalidRequest, Detail: fmt.Sprintf("PIN must be %d to %d digits", PINMinLen, PINMaxLen)}
	}
	return nil
}

// HashPIN validates pin (ValidatePIN) and returns its argon2id PHC string
// with a fresh random salt.
func HashPIN(pin string) (string, error) {
	if err := ValidatePIN(pin); err != nil {
		return "", err
	}
	salt := make([]byte, pinSaltLen)
	if _, err := io.ReadFull(rand.Reader, salt); err != nil {
		return "", fmt.Errorf("hash PIN: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, pinTime, pinMemoryKiB, pinThreads, pinKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, pinMemoryKiB, pinTime, pinThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPIN reports whether pin matches the PHC string hash, comparing in
// constant time. A malformed hash never matches. Hashes made with other
// parameters (within sane bounds) still verify, so parameters can change
// without locking staff out; see PINNeedsRehash.
func VerifyPIN(hash, pin string) bool {
	p, ok := parsePINHash(hash)
	if !ok {
		return false
	}
	key := argon2.IDKey([]byte(pin), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

// PINNeedsRehash reports whether hash was made with parameters other than
// the current ones; after a successful login the caller may store a new hash.
func PINNeedsRehash(hash string) bool {
	p, ok := parsePINHash(hash)
	return !ok || p.memory != pinMemoryKiB || p.time != pinTime || p.threads != pinThreads ||
		len(p.salt) != pinSaltLen || len(p.key) != pinKeyLen
}

type pinHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parsePINHash parses "$argon2id$v=19$m=…,t=…,p=…$salt$hash".
func parsePINHash(s string) (pinHash, bool) {
	var p pinHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, false
	}
	var m, t, th uint64
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, false
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, false
		}
		switch k {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			th = n
		default:
			return p, false
		}
	}
	if m < 8 || m > maxPINMemoryKiB || t < 1 || t > maxPINTime || th < 1 || th > maxPINThreads || m < 8*th {
		return p, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return p, false
	}
	return pinHash{memory: uint32(m), time: uint32(t), threads: uint8(th), salt: salt, key: key}, true
}
