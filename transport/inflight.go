package transport

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The HTTP transports count, in requests, what they have yet to answer, so
// that shutdown can wait for every answer before it ends the streams.

// countHandlers counts each Streamable HTTP request until its handler
// returns, which is once its response is written; after stop it refuses.
func countHandlers(reqs *requests, next http.Handler) http.Handler {
	var seq atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strconv.FormatUint(seq.Add(1), 10)
		if !reqs.enter(key, true) {
			refuseShuttingDown(w)
			return
		}
		defer reqs.answer(key)
		next.ServeHTTP(w, r)
	})
}

// countSSEMessages counts each request posted to /message until its response
// is written on the session's stream (see watchSSEStreams); after stop it refuses.
func countSSEMessages(reqs *requests, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := peekBody(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, isRequest := requestID(body)
		key := sseKey(r.URL.Query().Get("sessionId"), id)
		if !reqs.enter(key, isRequest) {
			refuseShuttingDown(w)
			return
		}
		status := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(status, r)
		if isRequest && status.code != http.StatusAccepted {
			reqs.answer(key) // answered on the POST itself, or not at all
		}
	})
}

// watchSSEStreams tells reqs of each response written on an SSE stream, and
// forgets what a stream that ends leaves unanswered.
func watchSSEStreams(reqs *requests, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stream := &sseStream{ResponseWriter: w, requests: reqs}
		next.ServeHTTP(stream, r)
		if stream.session != "" {
			reqs.forget(sseKey(stream.session, ""))
		}
	})
}

func sseKey(session, id string) string { return session + " " + id }

// sseStream watches the events the library writes on one SSE stream: the
// first names the session, the others carry its messages.
type sseStream struct {
	http.ResponseWriter
	requests *requests
	session  string
	lines    lineSplitter
}

func (s *sseStream) Write(p []byte) (int, error) {
	n, err := s.ResponseWriter.Write(p)
	s.lines.split(p, s.line)
	return n, err
}

func (s *sseStream) line(line []byte) {
	data, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r"), []byte("data:"))
	if !ok {
		return
	}
	data = bytes.TrimSpace(data)
	if s.session == "" {
		if _, query, found := strings.Cut(string(data), "sessionId="); found {
			s.session, _, _ = strings.Cut(query, "&")
		}
		return
	}
	if id, ok := responseID(data); ok {
		s.requests.answer(sseKey(s.session, id))
	}
}

func (s *sseStream) Flush() { http.NewResponseController(s.ResponseWriter).Flush() }

func (s *sseStream) Unwrap() http.ResponseWriter { return s.ResponseWriter }

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// peekBody reads the body guard buffered and bounded, leaving it to be read again.
func peekBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, err
}

func refuseShuttingDown(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(int(shuttingDownRetryAfter/time.Second)))
	w.Header().Set("Connection", "close")
	http.Error(w, "the server is shutting down: try again shortly", http.StatusServiceUnavailable)
}

// shuttingDownRetryAfter is a guess at how long a restart takes.
const shuttingDownRetryAfter = 5 * time.Second
