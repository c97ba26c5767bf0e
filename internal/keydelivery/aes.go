package keydelivery

import (
	"net/http"

	"github.com/lockstream/lockstream/internal/policy"
)

// serveAES answers an HLS AES-128 key request: GET or POST
// {Prefix}/{msid}/?kid={kid} → the 16 raw key bytes. POST is allowed
// because Azure Media Player sent the legacy Bearer= token as a form
// body.
func (rq *request) serveAES() error {
	rq.kind = policy.KindEnvelope
	if err := rq.begin(http.MethodGet, http.MethodPost); err != nil {
		return err
	}
	kid, err := rq.queryKID()
	if err != nil {
		return err
	}
	if err = rq.readToken(); err != nil {
		return err
	}
	ck, err := rq.authorize(kid)
	if err != nil {
		return err
	}
	key, err := rq.s.open(ck)
	if err != nil {
		return err
	}
	defer clear(key[:])
	// Canonical names, one allocation (see setCommonHeaders).
	h, v := rq.w.Header(), make([]string, 2)
	v[0], v[1] = "application/octet-stream", "16"
	h["Content-Type"], h["Content-Length"] = v[0:1:1], v[1:2:2]
	rq.w.WriteHeader(http.StatusOK)
	_, _ = rq.w.Write(key[:])
	return nil
}
