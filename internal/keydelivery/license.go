package keydelivery

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/policy"
)

// serveLicense answers Widevine, PlayReady and FairPlay license requests.
// Issuing those licenses needs a vendor's license service and
// credentials, which Lockstream does not have yet; until then the answer
// is 501, never a made-up license. The policy is still evaluated first,
// so a caller without a valid token or entitlement gets 401 or 403 as it
// will once licenses are issued, and players can tell "not allowed" from
// "not available".
func (rq *request) serveLicense(kind policy.Kind) error {
	rq.kind = kind
	if err := rq.begin(http.MethodPost); err != nil {
		return err
	}
	var kids []keys.KID
	if kind == policy.KindPlayReady && !rq.r.URL.Query().Has("kid") {
		// PlayReady license URLs carry no key id: it is in the header the
		// client copies into its challenge.
		body, err := rq.readBody()
		if err != nil {
			return err
		}
		rq.r.Body = http.NoBody
		if kids, err = challengeKIDs(body); err != nil {
			return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest,
				Public: "The license challenge carries no readable PlayReady header (or give ?kid=).", Reason: "parse challenge", Err: err}
		}
	} else {
		kid, err := rq.queryKID()
		if err != nil {
			return err
		}
		kids = []keys.KID{kid}
	}
	rq.kids = kids
	if err := rq.readToken(); err != nil {
		return err
	}
	if _, err := rq.entitled(kids, false); err != nil {
		return err
	}
	name := drmName(kind)
	return errf(http.StatusNotImplemented, codeNotImplemented,
		fmt.Sprintf("No %s license server is configured for this account yet; Lockstream does not issue %s licenses itself.", name, name),
		"entitled, but no license server configured")
}

func drmName(kind policy.Kind) string {
	switch kind {
	case policy.KindWidevine:
		return "Widevine"
	case policy.KindPlayReady:
		return "PlayReady"
	case policy.KindFairPlay:
		return "FairPlay"
	}
	return kind.String()
}

// challengeKIDs returns the key ids of the WRMHEADER inside a PlayReady
// license challenge (SOAP AcquireLicense), where it sits in the clear in
// the LA element's ContentHeader.
func challengeKIDs(body []byte) ([]keys.KID, error) {
	const open, end = "<WRMHEADER", "</WRMHEADER>"
	i := bytes.Index(body, []byte(open))
	j := bytes.Index(body, []byte(end))
	if i < 0 || j < i {
		return nil, fmt.Errorf("no WRMHEADER element")
	}
	h, err := playready.ParseHeader(string(body[i : j+len(end)]))
	if err != nil {
		return nil, fmt.Errorf("parse WRMHEADER: %w", err)
	}
	kids := make([]keys.KID, 0, len(h.Keys))
	for _, k := range h.Keys {
		kids = append(kids, k.KID)
	}
	if len(kids) == 0 {
		return nil, fmt.Errorf("WRMHEADER names no key id")
	}
	return kids, nil
}
