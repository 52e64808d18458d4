// Package redact removes credentials that travel inside URLs from text
// the terminal writes where others read it: its log files, terminalctl's
// status and doctor reports, the support bundle. A platform URL may carry
// a user and password (https://user:pass@host/) or a token in its query
// (…/?token=…); the settings file is redacted in the bundle, but the same
// URL also appears in error messages ("Get \"https://user:pass@…\": …"),
// in status lines and in log attributes, so redaction is applied where the
// text is written, not where each URL is formatted.
package redact

import (
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
)

// Removed replaces a removed credential. It is a plain word, not
// "[removed]": brackets in a URL's authority read as an IPv6 address, and
// redacted text must stay parsable (Text is idempotent).
const Removed = "REDACTED"

// URL returns s with the user information and the query of the URL
// replaced by Removed; the scheme, host and path stay, so a reader still
// sees where the terminal talks to. A string that does not parse as a URL
// is replaced whole: it might be anything.
func URL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "[unparsable URL removed]"
	}
	if u.User != nil {
		u.User = url.User(Removed)
	}
	if u.RawQuery != "" {
		u.RawQuery = Removed
	}
	if u.Fragment != "" {
		u.Fragment = ""
		u.RawFragment = ""
	}
	return u.String()
}

// urlInText finds URLs in free text: a scheme, "://", and everything up
// to white space or a character that ends a quoted or bracketed URL in
// messages and JSON.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>\x60\\]+`)

// Text returns s with every URL in it that carries user information or a
// query passed through URL. Other text is unchanged. It is idempotent.
func Text(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlInText.ReplaceAllStringFunc(s, func(m string) string {
		if !strings.ContainsAny(m, "@?#") {
			return m
		}
		return URL(m)
	})
}

// Handler wraps h so that every record's message and string, error and
// stringer attribute values (in groups too) pass through Text before h
// sees them. It is safe for concurrent use when h is.
func Handler(h slog.Handler) slog.Handler { return handler{h} }

type handler struct{ next slog.Handler }

func (h handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Text(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h handler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = attr(a)
	}
	return handler{h.next.WithAttrs(red)}
}

func (h handler) WithGroup(name string) slog.Handler { return handler{h.next.WithGroup(name)} }

// attr redacts one attribute's value.
func attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Text(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, x := range g {
			red[i] = attr(x)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			if s := x.Error(); Text(s) != s {
				return slog.String(a.Key, Text(s))
			}
		case interface{ String() string }:
			if s := x.String(); Text(s) != s {
				return slog.String(a.Key, Text(s))
			}
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
