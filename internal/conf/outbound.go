package conf

import (
	"crypto/x509"
	"os"
	"strings"

	"github.com/lockstream/lockstream/internal/netguard"
)

func (c *Conf) validateOutbound() error {
	if err := netguard.ValidateAllowHosts(c.Outbound.AllowHosts); err != nil {
		return &FieldError{Field: "outbound.allowHosts", Value: strings.Join(c.Outbound.AllowHosts, ","), Msg: err.Error()}
	}
	if f := c.Outbound.CAFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return &FieldError{Field: "outbound.caFile", Value: f, Msg: "cannot be read: " + err.Error()}
		}
		if !x509.NewCertPool().AppendCertsFromPEM(b) {
			return &FieldError{Field: "outbound.caFile", Value: f, Msg: "holds no PEM certificate"}
		}
	}
	return nil
}
