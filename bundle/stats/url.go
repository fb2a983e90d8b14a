package stats

import "strings"

// urlKey identifies a webhook endpoint without its query, fragment or
// user information: those may carry secrets and vary per request.
type urlKey struct {
	scheme, host, path string
}

// String is the endpoint as shown in by_url.csv, e.g. https://example.com/voice.
func (k urlKey) String() string {
	if k.host == "" && k.path == "" {
		return ""
	}
	if k.scheme == "" {
		return k.host + k.path
	}
	return k.scheme + "://" + k.host + k.path
}

// splitURL cuts a webhook URL into scheme, host and path without
// allocating in the common case (already lower-case scheme and host).
// It never fails: whatever is not recognised ends up in the path.
func splitURL(raw string) urlKey {
	s := strings.TrimSpace(raw)
	if s == "" {
		return urlKey{}
	}
	var k urlKey
	if i := strings.Index(s, "://"); i >= 0 && i < 16 {
		k.scheme = lowerASCII(s[:i])
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if k.scheme == "" && !strings.HasPrefix(s, "/") && strings.IndexByte(s, '/') < 0 && !strings.Contains(s, ".") {
		// Neither scheme nor anything host-like: keep it as a path.
		k.path = s
		return k
	}
	if k.scheme == "" && strings.HasPrefix(s, "/") {
		k.path = s
		return k
	}
	host, path := s, "/"
	if i := strings.IndexByte(s, '/'); i >= 0 {
		host, path = s[:i], s[i:]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	k.host = lowerASCII(host)
	k.path = path
	return k
}

// lowerASCII lower-cases s, allocating only when s has an upper-case letter.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
