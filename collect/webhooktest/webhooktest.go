// Package webhooktest starts real webhook servers on 127.0.0.1 for tests:
// a healthy one, and ones with one fault each as Twilio meets them — an
// HTTP status, a slow answer, a body without Content-Type or over 64 kB, a
// redirect Twilio does not follow or a loop, a connection closed in the
// middle of the body, a port nothing listens on, a name that does not
// resolve, and HTTPS with certificates made for the test: expired, for
// another name, without the intermediate, self-signed.
//
// Every server is a real listener; tests reach it with real clients (the
// probe, the built binary) and close it through t.Cleanup.
package webhooktest

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// UnresolvableURL is a webhook URL whose name never resolves: .invalid is
// reserved for that (RFC 6761).
const UnresolvableURL = "http://no-such-webhook.invalid/twilio/voice"

// TwiMLBody is what a healthy webhook answers.
const TwiMLBody = `<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello from the test webhook.</Say></Response>`

// Server is one webhook server on 127.0.0.1.
type Server struct {
	// URL is the base URL, "http://127.0.0.1:PORT" or
	// "https://127.0.0.1:PORT": add the path.
	URL string
	// Addr is "127.0.0.1:PORT".
	Addr string

	requests  atomic.Int64
	closeOnce sync.Once
	close     func()
}

// Requests is the number of requests the server has received.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Port is the server's port.
func (s *Server) Port() string {
	_, port, _ := net.SplitHostPort(s.Addr)
	return port
}

// Close stops the server (t.Cleanup does it too).
func (s *Server) Close() { s.closeOnce.Do(s.close) }

// newServer prepares an httptest server that counts requests and keeps
// quiet about the failures it is there to cause.
func newServer(h http.Handler) (*Server, *httptest.Server) {
	s := &Server{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	return s, srv
}

// started fills the server's addresses once srv runs.
func (s *Server) started(t testing.TB, srv *httptest.Server) *Server {
	s.URL, s.Addr, s.close = srv.URL, srv.Listener.Addr().String(), srv.Close
	t.Cleanup(s.Close)
	return s
}

// Start starts an HTTP webhook server with handler h.
func Start(t testing.TB, h http.Handler) *Server {
	t.Helper()
	s, srv := newServer(h)
	srv.Start()
	return s.started(t, srv)
}

// TwiML answers like a healthy webhook: 200, text/xml, a short TwiML
// document.
func TwiML() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = io.WriteString(w, TwiMLBody)
	})
}

// Status answers every request with code and the HTML page nginx would
// send.
func Status(code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Server", "nginx")
		w.WriteHeader(code)
		text := http.StatusText(code)
		_, _ = io.WriteString(w, "<html><head><title>"+text+"</title></head><body>"+text+"</body></html>\n")
	})
}

// AllowOnly serves TwiML to method and answers 405 with an Allow header to
// every other method, as a framework route for one method does.
func AllowOnly(method string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		TwiML().ServeHTTP(w, r)
	})
}

// BasicAuth serves TwiML to requests with user and password and answers
// 401 with a Basic challenge to the others.
func BasicAuth(user, password string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="webhook"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		TwiML().ServeHTTP(w, r)
	})
}

// Slow answers TwiML after d; it stops waiting when the client goes away.
func Slow(d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
			TwiML().ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// NoContentType answers TwiML without a Content-Type header.
func NoContentType() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = nil // keep net/http from sniffing one
		_, _ = io.WriteString(w, TwiMLBody)
	})
}

// LargeBody answers a TwiML document of n bytes.
func LargeBody(n int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		const open, closing = "<Response><Say>", "</Say></Response>"
		_, _ = io.WriteString(w, open+strings.Repeat("x", max(0, n-len(open)-len(closing)))+closing)
	})
}

// Redirect answers code with Location location ("" sends none).
func Redirect(code int, location string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if location != "" {
			w.Header().Set("Location", location)
		}
		w.WriteHeader(code)
	})
}

// RedirectLoop answers every path with a 302 to the next of two paths,
// "/loop/a" and "/loop/b", round and round.
func RedirectLoop() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := "/loop/a"
		if r.URL.Path == "/loop/a" {
			next = "/loop/b"
		}
		http.Redirect(w, r, next, http.StatusFound)
	})
}

// ClosedMidBody sends the status line, headers announcing a 4 kB body and
// the first bytes of it, then closes the connection.
func ClosedMidBody() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "cannot hijack", http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 4096\r\n\r\n<Response><Say>")
		_ = buf.Flush()
	})
}

// RefusedURL is an http URL on a 127.0.0.1 port nothing listens on: the
// port was free a moment ago and is closed again.
func RefusedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("webhooktest: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("webhooktest: %v", err)
	}
	return "http://" + addr
}

// StartRaw starts a TCP server on 127.0.0.1 that reads the request, answers
// every connection with reply as it is (not HTTP, say) and closes it. Its
// URL is "http://127.0.0.1:PORT".
func StartRaw(t testing.TB, reply string) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("webhooktest: %v", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), Addr: ln.Addr().String(), close: func() { ln.Close() }}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.requests.Add(1)
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_, _ = c.Read(make([]byte, 4096))
				_, _ = io.WriteString(c, reply)
			}()
		}
	}()
	t.Cleanup(s.Close)
	return s
}
