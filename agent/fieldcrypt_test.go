package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "field.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != FieldKeySize {
		t.Fatalf("key length %d", len(k1))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("reload: %v, same=%v", err, bytes.Equal(k1, k2))
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key", len(entries))
	}
}

func TestLoadOrCreateKeyConcurrentCreatorsAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "field.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for i := range keys {
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("creator %d got a different key", i)
		}
	}
}

func TestLoadOrCreateKeyRefusesBadFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not describe access on Windows")
	}
	dir := t.TempDir()
	wide := filepath.Join(dir, "wide.key")
	if err := os.WriteFile(wide, bytes.Repeat([]byte{1}, 32), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreateKey(wide)
	if err == nil || !strings.Contains(err.Error(), "0644") || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("group-readable key: err = %v", err)
	}
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(short); err == nil {
		t.Error("short key accepted")
	}
	if _, err := LoadOrCreateKey(filepath.Join(dir, "missing-dir", "k")); err == nil {
		t.Error("key in a missing directory accepted")
	}
}

func TestFieldCipher(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	c, err := NewFieldCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"13812345678", "110101199003071234", "王小明", "x"} {
		s1, err := c.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		s2, _ := c.Seal(plain)
		if s1 == s2 {
			t.Error("two seals of one value are equal: nonce reused")
		}
		if !strings.HasPrefix(s1, "v1:") || len(plain) > 3 && strings.Contains(s1, plain) {
			t.Errorf("sealed form %q", s1)
		}
		got, err := c.Open(s1)
		if err != nil || got != plain {
			t.Errorf("Open = %q, %v", got, err)
		}
	}
	if s, err := c.Seal(""); s != "" || err != nil {
		t.Errorf("Seal(\"\") = %q, %v", s, err)
	}
	if s, err := c.Open(""); s != "" || err != nil {
		t.Errorf("Open(\"\") = %q, %v", s, err)
	}

	sealed, _ := c.Seal("13812345678")
	other, _ := NewFieldCipher(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(sealed); err == nil {
		t.Error("opened under another key")
	}
	tampered := []byte(sealed)
	tampered[len(tampered)-2] ^= 1
	for _, bad := range []string{string(tampered), "v1:!!!", "v1:AAAA", "13812345678", "v2:" + sealed[3:]} {
		if got, err := c.Open(bad); err == nil {
			t.Errorf("Open(%q) = %q, want error", bad, got)
		} else if strings.Contains(err.Error(), "13812345678") {
			t.Errorf("error reveals the value: %v", err)
		}
	}
	if _, err := NewFieldCipher([]byte("short")); err == nil {
		t.Error("short key accepted")
	}
}
