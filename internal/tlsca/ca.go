// Package tlsca keeps Nimbus's local certificate authority. Code written for
// the cloud calls https://{apiId}.execute-api.{region}.amazonaws.com and
// similar names; Nimbus answers those names itself, with certificates issued
// on demand by this CA, and points functions' trust stores at it.
package tlsca

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Authority issues leaf certificates for any server name.
type Authority struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	dir     string

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
}

const (
	caCertFile = "ca.pem"
	caKeyFile  = "ca-key.pem"
	bundleFile = "bundle.pem"
)

// Open loads the CA kept in dir, creating it on first use. The folder also
// receives bundle.pem: the system's roots plus this CA, for tools that take
// one trust file (SSL_CERT_FILE, AWS_CA_BUNDLE, REQUESTS_CA_BUNDLE).
func Open(dir string) (*Authority, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	a := &Authority{dir: dir, leaves: map[string]*tls.Certificate{}}
	certPEM, errCert := os.ReadFile(filepath.Join(dir, caCertFile))
	keyPEM, errKey := os.ReadFile(filepath.Join(dir, caKeyFile))
	if errCert == nil && errKey == nil {
		if err := a.parse(certPEM, keyPEM); err == nil && time.Until(a.cert.NotAfter) > 24*time.Hour {
			return a, a.writeBundle()
		}
	}
	if err := a.create(); err != nil {
		return nil, err
	}
	return a, a.writeBundle()
}

func (a *Authority) parse(certPEM, keyPEM []byte) error {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return errors.New("local CA: unreadable PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return err
	}
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return errors.New("local CA: key cannot sign")
	}
	a.cert, a.key, a.certPEM = cert, signer, certPEM
	return nil
}

func (a *Authority) create() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "Nimbus local CA", Organization: []string{"Nimbus (" + host + ")"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := writeFileAtomic(filepath.Join(a.dir, caKeyFile), keyPEM, 0o600); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(a.dir, caCertFile), certPEM, 0o644); err != nil {
		return err
	}
	return a.parse(certPEM, keyPEM)
}

// systemRootFiles are where Linux distributions and macOS keep their roots.
var systemRootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

func (a *Authority) writeBundle() error {
	var bundle []byte
	for _, f := range systemRootFiles {
		if b, err := os.ReadFile(f); err == nil {
			bundle = append(bundle, b...)
			if len(bundle) > 0 && bundle[len(bundle)-1] != '\n' {
				bundle = append(bundle, '\n')
			}
			break
		}
	}
	bundle = append(bundle, a.certPEM...)
	if old, err := os.ReadFile(a.BundlePath()); err == nil && bytes.Equal(old, bundle) {
		// Unchanged: a read-only data folder still starts.
		return nil
	}
	return writeFileAtomic(a.BundlePath(), bundle, 0o644)
}

// CertPath is the CA certificate (PEM), for NODE_EXTRA_CA_CERTS.
func (a *Authority) CertPath() string { return filepath.Join(a.dir, caCertFile) }

// BundlePath is the system roots plus the CA (PEM).
func (a *Authority) BundlePath() string { return filepath.Join(a.dir, bundleFile) }

// Pool is a pool holding only the CA, for Go clients in tests.
func (a *Authority) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.cert)
	return p
}

// ServerConfig is a TLS configuration that presents a certificate for
// whatever name the client asks for (SNI), or for localhost without SNI.
func (a *Authority) ServerConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			return a.Leaf(hello.ServerName)
		},
	}
}

// Leaf returns (and caches) a certificate for name.
func (a *Authority) Leaf(name string) (*tls.Certificate, error) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "" {
		name = "localhost"
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.leaves[name]; ok && time.Until(c.Leaf.NotAfter) > time.Hour {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(0, 0, 30),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	if name == "localhost" {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, key.Public(), a.key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der, a.cert.Raw}, PrivateKey: key, Leaf: leaf}
	a.leaves[name] = c
	return c, nil
}

func randomSerial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
