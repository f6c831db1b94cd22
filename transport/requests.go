package transport

import (
	"encoding/json"
	"strings"
	"sync"
)

// requests counts, by JSON-RPC id, the requests let through to the server
// and not yet answered.
type requests struct {
	mu       sync.Mutex
	open     map[string]int
	stopped  bool
	answered chan struct{} // made by stop; closed once open is empty
}

func newRequests() *requests {
	return &requests{open: map[string]int{}}
}

// admit reports whether a line may go to the server, counting it if it is
// a request. It counts before the server can see the line, so that no
// response can come first.
func (r *requests) admit(line []byte) bool {
	id, isRequest := requestID(line)
	return r.enter(id, isRequest)
}

// enter reports whether a message may go to the server, counting it under
// key if it will be answered.
func (r *requests) enter(key string, answered bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return false
	}
	if answered {
		r.open[key]++
	}
	return true
}

// stop, called once, admits nothing more. The channel it returns is closed
// once every request admitted has been answered.
func (r *requests) stop() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.answered = make(chan struct{})
	if len(r.open) == 0 {
		close(r.answered)
	}
	return r.answered
}

func (r *requests) answer(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open[id] == 0 {
		return // an answer to a request not counted, such as a parse error's
	}
	if r.open[id]--; r.open[id] == 0 {
		delete(r.open, id)
		r.closeIfAnswered()
	}
}

// forget stops waiting for the requests whose keys start with prefix: they
// can no longer be answered.
func (r *requests) forget(prefix string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for key := range r.open {
		if strings.HasPrefix(key, prefix) {
			delete(r.open, key)
		}
	}
	r.closeIfAnswered()
}

func (r *requests) closeIfAnswered() {
	if len(r.open) == 0 && r.stopped {
		select {
		case <-r.answered:
		default:
			close(r.answered)
		}
	}
}

// requestID is the id of a request the server will answer.
func requestID(line []byte) (string, bool) {
	var m message
	if json.Unmarshal(line, &m) != nil || m.Method == "" || strings.HasPrefix(m.Method, "notifications/") {
		return "", false
	}
	return m.idKey()
}

// responseID is the id a response answers.
func responseID(line []byte) (string, bool) {
	var m message
	if json.Unmarshal(line, &m) != nil || m.Method != "" {
		return "", false
	}
	return m.idKey()
}

// message is the part of a JSON-RPC message that tells requests, responses
// and notifications apart.
type message struct {
	ID     any    `json:"id"`
	Method string `json:"method"`
}

// idKey spells the id as the server echoes it, so that a request and its
// response match: decoding and re-encoding turns 7.0 into 7 and "x\u0079"
// into "xy".
func (m message) idKey() (string, bool) {
	switch m.ID.(type) {
	case string, float64:
		key, err := json.Marshal(m.ID)
		return string(key), err == nil
	}
	return "", false // no id, so no answer
}
