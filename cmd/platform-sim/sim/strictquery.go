package sim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// queryParams lists the query parameters each API path takes; a path not
// listed takes none. sync/api/openapi.yaml documents the same parameters
// for each operation.
var queryParams = map[string][]string{
	"/v1/products":    {"since_version", "page_token", "limit"},
	"/v1/summary/day": {"date"},
}

// checkQuery refuses a query parameter the path does not take and a
// parameter given twice: url.Values.Get would read the first of two
// values silently, while a proxy or a log reader might take the last.
// A query that does not parse is refused too.
func checkQuery(r *http.Request, path string) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return invalid("query string does not parse: %v", err)
	}
	allowed := queryParams[path]
	for k, vs := range q {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return invalid("%s takes no query parameters; got %q", path, k)
			}
			return invalid("unknown query parameter %q (%s takes %s)", k, path, strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return invalid("query parameter %q given %d times", k, len(vs))
		}
	}
	return nil
}
