package netguard

import (
	"fmt"
	"io"
	"net/http"
)

// capTransport caps response bodies: a declared length over the cap fails
// at once, an undeclared one when the cap is crossed while reading.
type capTransport struct {
	base http.RoundTripper
	max  int64 // negative: no cap
}

func (t *capTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || t.max < 0 {
		return resp, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, fmt.Errorf("netguard: %s: %d bytes declared, cap %d: %w", req.URL.Redacted(), resp.ContentLength, t.max, ErrTooLarge)
	}
	resp.Body = &capBody{rc: resp.Body, left: t.max}
	return resp, nil
}

type capBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *capBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrTooLarge
	}
	// Read one byte past the cap to tell "exactly the cap" from "more".
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), ErrTooLarge
	}
	return n, err
}

func (b *capBody) Close() error { return b.rc.Close() }
