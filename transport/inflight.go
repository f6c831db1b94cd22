package transport

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/mcpgo"
)

// The HTTP transports count, in requests, what they have yet to answer, so
// that shutdown can wait for every answer before it ends the streams.

// watchPostStreams tells deliveries of each message written on a Streamable
// HTTP response. A session's calls may have their notifications written on
// any of its POSTs' streams (each reads the session's queue), so the stream
// is named after the session; a request without one has its own.
func watchPostStreams(deliveries *mcpgo.Deliveries, next http.Handler) http.Handler {
	var seq atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stream := r.Header.Get(server.HeaderKeySessionID)
		if stream == "" {
			stream = "request " + strconv.FormatUint(seq.Add(1), 10)
		}
		events := &eventWriter{ResponseWriter: w, data: func(data []byte) { deliveries.Wrote(stream, data) }}
		next.ServeHTTP(events, r.WithContext(deliveries.Bind(r.Context(), stream)))
	})
}

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
// is written on the session's stream (see watchSSEStreams); after stop it
// refuses. The request's notifications are written on that stream too.
func countSSEMessages(reqs *requests, deliveries *mcpgo.Deliveries, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := peekBody(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, isRequest := requestID(body)
		session := r.URL.Query().Get("sessionId")
		key := sseKey(session, id)
		if !reqs.enter(key, isRequest) {
			refuseShuttingDown(w)
			return
		}
		status := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(status, r.WithContext(deliveries.Bind(r.Context(), session)))
		if isRequest && status.code != http.StatusAccepted {
			reqs.answer(key) // answered on the POST itself, or not at all
		}
	})
}

// watchSSEStreams tells reqs of each response written on an SSE stream, and
// deliveries of each message; it forgets what a stream that ends leaves
// unanswered.
func watchSSEStreams(reqs *requests, deliveries *mcpgo.Deliveries, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stream := &sseStream{requests: reqs, deliveries: deliveries}
		next.ServeHTTP(&eventWriter{ResponseWriter: w, data: stream.data}, r)
		if stream.session != "" {
			reqs.forget(sseKey(stream.session, ""))
		}
	})
}

func sseKey(session, id string) string { return session + " " + id }

// sseStream follows the events the library writes on one SSE stream: the
// first names the session, the others carry its messages.
type sseStream struct {
	requests   *requests
	deliveries *mcpgo.Deliveries
	session    string
}

func (s *sseStream) data(data []byte) {
	if s.session == "" {
		if _, query, found := strings.Cut(string(data), "sessionId="); found {
			s.session, _, _ = strings.Cut(query, "&")
		}
		return
	}
	if id, ok := responseID(data); ok {
		s.requests.answer(sseKey(s.session, id))
	}
	s.deliveries.Wrote(s.session, data)
}

// eventWriter passes the data of each server-sent event written through it,
// once written, to data.
type eventWriter struct {
	http.ResponseWriter
	data  func([]byte)
	lines lineSplitter
}

func (e *eventWriter) Write(p []byte) (int, error) {
	n, err := e.ResponseWriter.Write(p)
	e.lines.split(p, e.line)
	return n, err
}

func (e *eventWriter) line(line []byte) {
	if data, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r"), []byte("data:")); ok {
		e.data(bytes.TrimSpace(data))
	}
}

func (e *eventWriter) Flush() { http.NewResponseController(e.ResponseWriter).Flush() }

func (e *eventWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }

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
