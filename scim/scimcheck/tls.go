package scimcheck

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/entracode"
)

// expiryWarning is how long before a certificate expires the check warns.
const expiryWarning = 30 * 24 * time.Hour

// checkTLS checks what Entra checks of the endpoint's TLS: version 1.2 or
// later, a chain complete and trusted (by RootCAs or the system roots),
// the hostname, the expiry, the key size. It reports whether the other
// checks can connect.
func (r *runner) checkTLS(ctx context.Context) bool {
	start := time.Now()
	res := Result{Check: "tls"}
	r.progress(res)
	u, _ := url.Parse(r.base)
	if u.Scheme != "https" {
		res.Status, res.Message = Skip, "http:// URL: no TLS to check (Entra only connects to https:// Tenant URLs; fine for a local test)"
		r.add(res)
		return true
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "443"
	}
	failTLS := func(msg, fix string) bool {
		res.Status, res.Message, res.Fix = Fail, msg, fix
		res.EntraCode, res.Quarantine = entracode.CredentialValidationUnavailable, true
		res.Duration = time.Since(start)
		r.add(res)
		return false
	}
	dctx, cancel := context.WithTimeout(ctx, r.cfg.timeout())
	defer cancel()
	dial := func(min uint16) (*tls.Conn, error) {
		d := tls.Dialer{Config: &tls.Config{ServerName: host, MinVersion: min, InsecureSkipVerify: true}} //nolint:gosec // verified below, to say why
		c, err := d.DialContext(dctx, "tcp", net.JoinHostPort(host, port))
		if err != nil {
			return nil, err
		}
		return c.(*tls.Conn), nil
	}
	conn, err := dial(tls.VersionTLS12)
	if err != nil {
		var ne net.Error
		if old, err2 := dial(tls.VersionTLS10); err2 == nil {
			v := old.ConnectionState().Version
			old.Close()
			return failTLS(fmt.Sprintf("the server speaks %s only; Entra requires TLS 1.2 or later", tls.VersionName(v)),
				"enable TLS 1.2 (and 1.3) on the server or load balancer")
		}
		if errors.As(err, &ne) || strings.Contains(err.Error(), "connect") {
			return failTLS("cannot connect: "+err.Error(), "make the host reachable on port "+port+" from Entra (AzureActiveDirectory service tag), and check DNS")
		}
		return failTLS("TLS handshake failed: "+err.Error(), "serve TLS 1.2+ with an ECDHE-GCM cipher suite and an RSA-2048 or ECDSA P-256 certificate")
	}
	cs := conn.ConnectionState()
	conn.Close()
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		return failTLS("the server sent no certificate", "configure the server's certificate")
	}
	leaf, now := certs[0], r.cfg.now()
	res.Message = fmt.Sprintf("%s, certificate for %s issued by %s", tls.VersionName(cs.Version), leafName(leaf), issuerName(leaf))

	for _, c := range certs {
		if now.After(c.NotAfter) {
			return failTLS(fmt.Sprintf("certificate %q expired on %s", c.Subject.CommonName, c.NotAfter.UTC().Format(time.DateOnly)),
				"renew the certificate (and automate it, e.g. ACME)")
		}
		if now.Before(c.NotBefore) {
			return failTLS(fmt.Sprintf("certificate %q is not valid before %s", c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339)),
				"check the server's clock and the certificate's validity dates")
		}
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, verr := leaf.Verify(x509.VerifyOptions{Roots: r.cfg.RootCAs, Intermediates: inter, DNSName: host, CurrentTime: now})
	var (
		hostErr    x509.HostnameError
		unknownErr x509.UnknownAuthorityError
	)
	switch {
	case verr == nil:
	case errors.As(verr, &hostErr):
		return failTLS(fmt.Sprintf("the certificate is not valid for %s: %v", host, verr),
			"use a certificate whose subject alternative names include "+host+" (the Tenant URL's host)")
	case errors.As(verr, &unknownErr) && selfSigned(leaf):
		return failTLS("the certificate is self-signed: "+verr.Error(),
			"use a certificate from a public CA (Entra trusts public CAs only; a self-signed or private-CA certificate fails Test Connection)")
	case errors.As(verr, &unknownErr) && r.completesChain(dctx, leaf, inter, host, now):
		return failTLS("the chain is incomplete: the server does not send the intermediate certificate "+issuerName(leaf)+" (a browser fetches it from the certificate's AIA URL; Entra does not)",
			"configure the server with the full chain (the certificate followed by the intermediates, e.g. fullchain.pem)")
	case errors.As(verr, &unknownErr):
		return failTLS("the chain is not trusted: "+verr.Error(),
			"use a certificate from a public CA and serve the full chain (certificate, then intermediates)")
	default:
		return failTLS("the certificate does not verify: "+verr.Error(), "use a valid certificate from a public CA")
	}
	if msg := weakKey(leaf); msg != "" {
		return failTLS(msg, "use an RSA key of at least 2048 bits or an ECDSA key of at least 256 bits")
	}
	res.Status = Pass
	soonest := leaf
	for _, c := range certs {
		if c.NotAfter.Before(soonest.NotAfter) {
			soonest = c
		}
	}
	left := soonest.NotAfter.Sub(now)
	res.Message += fmt.Sprintf(", valid until %s (%d days)", soonest.NotAfter.UTC().Format(time.DateOnly), int(left.Hours()/24))
	if left < expiryWarning {
		res.Status = Warn
		res.Message = fmt.Sprintf("certificate %q expires in %d days (%s); %s", soonest.Subject.CommonName, int(left.Hours()/24), soonest.NotAfter.UTC().Format(time.DateOnly), res.Message)
		res.Fix = "renew the certificate before it expires: Entra then quarantines the job"
	}
	res.Duration = time.Since(start)
	r.add(res)
	return true
}

func leafName(c *x509.Certificate) string {
	if len(c.DNSNames) > 0 {
		return strings.Join(c.DNSNames, ", ")
	}
	if len(c.IPAddresses) > 0 {
		return c.IPAddresses[0].String()
	}
	return c.Subject.CommonName
}

func issuerName(c *x509.Certificate) string {
	switch {
	case c.Issuer.CommonName != "":
		return c.Issuer.CommonName
	case len(c.Issuer.Organization) > 0:
		return c.Issuer.Organization[0]
	}
	return c.Issuer.String()
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

func weakKey(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Sprintf("the certificate's RSA key has %d bits; Entra requires 2048 or more", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			return fmt.Sprintf("the certificate's ECDSA key has %d bits; Entra requires 256 or more", k.Curve.Params().BitSize)
		}
	}
	return ""
}

// completesChain reports whether the intermediate the leaf's AIA URL
// names makes the chain verify: the server left it out.
func (r *runner) completesChain(ctx context.Context, leaf *x509.Certificate, inter *x509.CertPool, host string, now time.Time) bool {
	for _, u := range leaf.IssuingCertificateURL {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			continue
		}
		resp, err := r.hc.Do(req)
		if err != nil {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			continue
		}
		if b, _ := pem.Decode(data); b != nil {
			data = b.Bytes
		}
		ic, err := x509.ParseCertificate(data)
		if err != nil {
			continue
		}
		pool := inter.Clone()
		pool.AddCert(ic)
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: r.cfg.RootCAs, Intermediates: pool, DNSName: host, CurrentTime: now}); err == nil {
			return true
		}
	}
	return false
}
