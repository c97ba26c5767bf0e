package keydelivery

import (
	"net/http"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/license"
	"github.com/lockstream/lockstream/internal/policy"
	"github.com/lockstream/lockstream/internal/protect"
)

// PathFairPlayCertificate serves the FPS application certificate of a
// key's content key policy (GET …/FairPlay/certificate?kid=…), which
// players pass to their key session before they make an SPC.
const PathFairPlayCertificate = PathFairPlay + "certificate"

// serveFairPlayCertificate answers the certificate of the first FairPlay
// option of a policy publishing kid. It needs no token: the certificate
// is public (apps embed it), and key ids are in every playlist.
func (rq *request) serveFairPlayCertificate() error {
	rq.kind = policy.KindFairPlay
	if err := rq.begin(http.MethodGet); err != nil {
		return err
	}
	kid, err := rq.queryKID()
	if err != nil {
		return err
	}
	cks, err := rq.s.contentKeys(rq.ctx, kid)
	if err != nil {
		return err
	}
	for _, ck := range cks {
		if ck.Scope != rq.acct.path || !serves(policy.KindFairPlay, protect.KeyType(ck.Type)) {
			continue
		}
		pol, err := rq.s.policy(rq.ctx, rq.acct.path, ck.PolicyName)
		if err != nil {
			return err
		}
		for i := range pol.Options {
			if _, ok := pol.Options[i].Configuration.(*defs.ContentKeyPolicyFairPlayConfiguration); !ok {
				continue
			}
			if rq.s.Licenser == nil {
				return fromLicense(license.NotConfigured("FairPlay"))
			}
			resp, err := rq.s.Licenser.License(rq.ctx, license.Request{Kind: policy.KindFairPlay, Account: rq.acct.path, MediaServiceID: rq.msid,
				Certificate: true, Now: rq.s.Now(), Header: rq.r.Header, Query: rq.query(),
				Keys: []license.Key{{KID: kid, Option: &pol.Options[i], PolicyName: ck.PolicyName, LocatorName: ck.LocatorName}}})
			if err != nil {
				return fromLicense(err)
			}
			for k, vs := range resp.Header {
				rq.w.Header()[k] = vs
			}
			rq.w.WriteHeader(http.StatusOK)
			_, _ = rq.w.Write(resp.Body)
			return nil
		}
	}
	return errUnknownKey("no FairPlay option publishes key " + kid.String())
}
