package transport

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// checkBind refuses to expose the server beyond this machine without a
// token, and reports whether addr is a loopback address.
func checkBind(addr, token string) (loopback bool, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("listen address %q: %w", addr, err)
	}
	loopback = isLoopbackName(host)
	if !loopback && token == "" {
		return false, fmt.Errorf("refusing to listen on %s without MCP_AUTH_TOKEN: anyone who can reach it could act on the store; "+
			"set MCP_AUTH_TOKEN, or listen on a loopback address such as 127.0.0.1:8080", addr)
	}
	return loopback, nil
}

// guard is what every MCP request passes before it reaches the server.
type guard struct {
	token    string // empty: no auth (loopback only, see checkBind)
	loopback bool   // bound to a loopback address
	log      *slog.Logger
}

func (g guard) wrap(next http.Handler) http.Handler {
	wantToken := sha256.Sum256([]byte(g.token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !g.allowedHost(r.Host):
			g.reject(w, r, http.StatusForbidden, fmt.Sprintf("Host %q is not allowed", r.Host))
		case !allowedOrigin(r.Header.Get("Origin")):
			g.reject(w, r, http.StatusForbidden, fmt.Sprintf("Origin %q is not allowed", r.Header.Get("Origin")))
		case g.token != "" && !tokenMatches(r, wantToken):
			w.Header().Set("WWW-Authenticate", "Bearer")
			g.reject(w, r, http.StatusUnauthorized, "a valid bearer token is required")
		default:
			if status, err := bufferBody(w, r); err != nil {
				g.reject(w, r, status, err.Error())
				return
			}
			next.ServeHTTP(w, r)
		}
	})
}

// allowedHost turns away, on a loopback bind, any Host that is not a
// loopback name: that is what a web page that rebinds its own domain to
// 127.0.0.1 sends. On other binds the bearer token is the guard, and any
// Host (a proxy's, a container's) is accepted.
func (g guard) allowedHost(hostport string) bool {
	if !g.loopback {
		return true
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.Trim(hostport, "[]")
	}
	return isLoopbackName(host)
}

// allowedOrigin accepts requests without an Origin (clients that are not
// browsers) and from pages served by this machine; other browser pages may not
// drive the server, whatever the bind.
func allowedOrigin(origin string) bool {
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && isLoopbackName(u.Hostname())
}

func isLoopbackName(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// tokenMatches compares digests in constant time, so neither the token's
// content nor its length can be learned from response times.
func tokenMatches(r *http.Request, want [sha256.Size]byte) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1 && ok && strings.EqualFold(scheme, "Bearer")
}

// bufferBody reads the whole body, within MaxMessageBytes and
// bodyReadTimeout, so that an oversized body is refused with 413 here rather
// than surfacing as a parse error from deep inside the MCP server.
func bufferBody(w http.ResponseWriter, r *http.Request) (status int, err error) {
	tooLarge := fmt.Errorf("the request body is larger than the limit of %d bytes", MaxMessageBytes)
	if r.ContentLength > MaxMessageBytes {
		return http.StatusRequestEntityTooLarge, tooLarge
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout)) // not every ResponseWriter supports deadlines
	defer rc.SetReadDeadline(time.Time{})
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxMessageBytes))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return http.StatusRequestEntityTooLarge, tooLarge
	}
	if err != nil {
		return http.StatusBadRequest, fmt.Errorf("reading the request body: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return http.StatusOK, nil
}

func (g guard) reject(w http.ResponseWriter, r *http.Request, status int, reason string) {
	g.log.Warn("rejected HTTP request", "status", status, "reason", reason,
		"method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": reason})
}
