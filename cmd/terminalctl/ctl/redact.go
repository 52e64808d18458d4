package ctl

import (
	"io"

	"tradein/agent/redact"
)

// redactWriter passes each write through redact.Text. terminalctl writes
// whole lines per call (fmt.Fprintf), so a URL is never split between two
// writes.
type redactWriter struct{ w io.Writer }

func (r redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, redact.Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
