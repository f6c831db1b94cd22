package badstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// Answer answers every request with status, body and the headers given as
// name, value pairs, without letting the simulator see the request.
func Answer(status int, body string, headers ...string) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		setPairs(w.Header(), headers)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// Sometimes misbehaves as m on the given share of requests, at random.
func Sometimes(share float64, m Misbehaviour) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		if rand.Float64() < share {
			m(w, r, behave)
			return
		}
		behave.ServeHTTP(w, r)
	}
}

// ConcurrencyRefusals refuses the given share of requests as BigCommerce
// does when a concurrency cap is hit: 429 at once, with most of the quota
// left, a quota window's reset 30s away and X-Retry-After: 1.
func ConcurrencyRefusals(share float64) Misbehaviour {
	return Sometimes(share, Answer(http.StatusTooManyRequests, `{"status":429,"title":"Too many concurrent requests"}`,
		"X-Rate-Limit-Requests-Left", "120", "X-Rate-Limit-Requests-Quota", "150",
		"X-Rate-Limit-Time-Reset-Ms", "30000", "X-Rate-Limit-Time-Window-Ms", "30000", "X-Retry-After", "1"))
}

// redirectedMark is on the query of the request a Redirect points to, so
// that the redirect is followed by a well-behaved answer, not another redirect.
const redirectedMark = "redirected"

// Redirect answers every request with status (a 3xx) pointing to the same
// path on base, or on the store itself when base is "", once.
func Redirect(status int, base string) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		if r.URL.Query().Has(redirectedMark) {
			behave.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		q.Set(redirectedMark, "1")
		w.Header().Set("Location", base+r.URL.Path+"?"+q.Encode())
		w.WriteHeader(status)
	}
}

// EchoToken answers every request with status and a JSON body made from
// format, whose %s becomes the access token the request carried, spelled
// with \u escapes throughout, as a store echoing headers might.
func EchoToken(status int, format string) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		var escaped strings.Builder
		for _, c := range r.Header.Get("X-Auth-Token") {
			fmt.Fprintf(&escaped, `\u%04x`, c)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, format, escaped.String())
	}
}

// OverrideHeaders lets the simulator answer, with the headers given as name,
// value pairs in place of its own: absurd rate limits on a good answer, say.
func OverrideHeaders(headers ...string) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		answer := record(behave, r)
		setPairs(answer.Header(), headers)
		replay(w, answer.Code, answer.Header(), answer.Body.Bytes())
	}
}

// Rewrite lets the simulator do its work and answers what rewrite makes of
// its status and body instead: the client is told something else.
func Rewrite(rewrite func(r *http.Request, status int, body []byte) (int, []byte)) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		answer := record(behave, r)
		status, body := rewrite(r, answer.Code, answer.Body.Bytes())
		replay(w, status, answer.Header(), body)
	}
}

// AnswerAfter lets the simulator do its work, then answers status and body in
// place of its answer: a write applied, and a reply that says otherwise.
func AnswerAfter(status int, body string) Misbehaviour {
	return Rewrite(func(*http.Request, int, []byte) (int, []byte) { return status, []byte(body) })
}

// GarbleWrites lets the simulator do its work and answers every write with
// an unreadable 200, and every read with what readBack makes of its body: a
// write applied, and a store that reads it back otherwise.
func GarbleWrites(readBack func(body []byte) []byte) Misbehaviour {
	return Rewrite(func(r *http.Request, status int, body []byte) (int, []byte) {
		if r.Method != http.MethodGet {
			return http.StatusOK, []byte("<html>ok</html>")
		}
		return status, readBack(body)
	})
}

// V3Answer is the loose shape of a V3 answer, for rewriting one.
type V3Answer struct {
	Data   []map[string]any `json:"data"`
	Meta   map[string]any   `json:"meta,omitempty"`
	Title  string           `json:"title,omitempty"`
	Errors map[string]any   `json:"errors,omitempty"`
}

// RewriteV3 rewrites the simulator's V3 answers that have a data array with
// edit, which returns the status to answer with; other answers pass as they are.
func RewriteV3(edit func(a *V3Answer, status int) int) Misbehaviour {
	return Rewrite(func(_ *http.Request, status int, body []byte) (int, []byte) {
		var a V3Answer
		if err := json.Unmarshal(body, &a); err != nil || a.Data == nil {
			return status, body
		}
		status = edit(&a, status)
		edited, err := json.Marshal(a)
		if err != nil {
			panic(err) // maps of decoded JSON always encode
		}
		return status, edited
	})
}

// EditData answers with the simulator's data array as edit leaves it.
func EditData(edit func(data []map[string]any) []map[string]any) Misbehaviour {
	return RewriteV3(func(a *V3Answer, status int) int {
		a.Data = edit(a.Data)
		return status
	})
}

// ConfirmOnly answers with only the first n entries of the data array: a
// 2xx that leaves out some of what was sent, applied all the same.
func ConfirmOnly(n int) Misbehaviour {
	return EditData(func(data []map[string]any) []map[string]any { return data[:min(n, len(data))] })
}

// MultiStatus answers 207 with the data array's entry at index left out and
// named in errors, as refused on field with message.
func MultiStatus(index int, field, message string) Misbehaviour {
	return RewriteV3(func(a *V3Answer, status int) int {
		if index >= len(a.Data) {
			return status
		}
		a.Data = append(a.Data[:index:index], a.Data[index+1:]...)
		a.Title = "Some customers could not be updated"
		a.Errors = map[string]any{strconv.Itoa(index) + "." + field: message}
		return http.StatusMultiStatus
	})
}

// DripBody lets the simulator answer, then sends its status and headers at
// once and the body one byte per every, as a stalled store or proxy might.
func DripBody(every time.Duration) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		answer := record(behave, r)
		maps.Copy(w.Header(), answer.Header())
		w.WriteHeader(answer.Code)
		flusher, _ := w.(http.Flusher)
		flusher.Flush()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for _, b := range answer.Body.Bytes() {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
			_, _ = w.Write([]byte{b})
			flusher.Flush()
		}
	}
}

// record is the simulator's answer to r, not yet sent.
func record(behave http.Handler, r *http.Request) *httptest.ResponseRecorder {
	answer := httptest.NewRecorder()
	behave.ServeHTTP(answer, r)
	return answer
}

// replay sends an answer whose body may have been changed.
func replay(w http.ResponseWriter, status int, header http.Header, body []byte) {
	maps.Copy(w.Header(), header)
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_, _ = bytes.NewReader(body).WriteTo(w)
}

func setPairs(h http.Header, pairs []string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Set(pairs[i], pairs[i+1])
	}
}
