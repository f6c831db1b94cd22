package bcsim

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
)

// Client returns an HTTP client whose transport calls ServeHTTP in-process, without TCP.
// A dropped connection surfaces as a transport error wrapping syscall.ECONNRESET.
func (s *Store) Client() *http.Client {
	return &http.Client{Transport: transport{handler: s}}
}

type transport struct {
	handler http.Handler
}

func (t transport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "192.0.2.1:40000"
	rec := httptest.NewRecorder()
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			resp, err = nil, connectionReset()
		}
	}()
	t.handler.ServeHTTP(rec, in)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	if req.Method == http.MethodHead {
		rec.Body.Reset()
	}
	res := rec.Result()
	res.Request = req
	if res.ContentLength < 0 { // Result reads it from the header only
		res.ContentLength = int64(rec.Body.Len())
	}
	return res, nil
}

// connectionReset is the error a TCP client sees when the server drops the connection.
func connectionReset() error {
	return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
}
