package transport

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestFrameLimiterCutsLongLines(t *testing.T) {
	t.Parallel()
	in := "short\n" + strings.Repeat("x", 25) + "\n" + "0123456789\n" + "tail"
	want := "short\n" + strings.Repeat("x", 10) + "\n" + "0123456789\n" + "tail"
	readers := map[string]func(io.Reader) io.Reader{
		"whole":       func(r io.Reader) io.Reader { return r },
		"byte a time": iotest.OneByteReader,
		"half":        iotest.HalfReader,
	}
	for name, wrap := range readers {
		got, err := io.ReadAll(&frameLimiter{r: wrap(strings.NewReader(in)), max: 10})
		if err != nil || string(got) != want {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
}
