// Command identity-provider stands in, on loopback only, for the Auth0 tenant that a real Omni
// trusts, so that the SDK's login flow can be finished offline: a test asks it for an ID token of
// a verified email and hands that token to Omni's ConfirmPublicKey, as Omni's web UI would.
//
// It generates a throw-away CA and server certificate at start (written to -ca-file, for the
// SSL_CERT_FILE of the Omni process), serves OIDC discovery and the JWKS over HTTPS, and mints
// RS256 ID tokens at POST /token. It prints "ISSUER=https://127.0.0.1:PORT/" once it listens.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback only)")
	caFile := flag.String("ca-file", "", "where to write the PEM certificate that Omni must trust")
	audience := flag.String("audience", "", "the Auth0 client ID configured in Omni")
	flag.Parse()

	if *caFile == "" || *audience == "" {
		log.Fatal("-ca-file and -audience are required")
	}

	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}

	host := listener.Addr().(*net.TCPAddr)
	if !host.IP.IsLoopback() {
		log.Fatalf("refusing to listen on %s: loopback only", host)
	}

	issuer := fmt.Sprintf("https://%s/", host.String())

	certificate, err := selfSignedCertificate(host.IP, *caFile)
	if err != nil {
		log.Fatalf("certificate: %v", err)
	}

	signingKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatalf("signing key: %v", err)
	}

	tokens := &tokenIssuer{issuer: issuer, audience: *audience, key: signingKey, keyID: keyID(&signingKey.PublicKey)}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", tokens.discovery)
	mux.HandleFunc("GET /.well-known/jwks.json", tokens.jwks)
	mux.HandleFunc("POST /token", tokens.mint)

	server := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{certificate}, MinVersion: tls.VersionTLS12},
	}

	fmt.Printf("ISSUER=%s\n", issuer)

	if err := server.ServeTLS(listener, "", ""); err != nil {
		log.Fatalf("serve: %v", err)
	}
}

// selfSignedCertificate makes a certificate for the loopback address that is its own CA, and
// writes it where the Omni process will read its trusted roots from.
func selfSignedCertificate(ip net.IP, caFile string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}

	template := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "sidero-omni-client test identity provider"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{ip},
	}

	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}

	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, err
	}

	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func keyID(key *rsa.PublicKey) string {
	digest := sha256.Sum256(key.N.Bytes())

	return base64.RawURLEncoding.EncodeToString(digest[:8])
}

type tokenIssuer struct {
	key      *rsa.PrivateKey
	issuer   string
	audience string
	keyID    string
}

func (t *tokenIssuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                t.issuer,
		"jwks_uri":                              t.issuer + ".well-known/jwks.json",
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (t *tokenIssuer) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"keys": []map[string]string{{
			"kty": "RSA",
			"use": "sig",
			"alg": "RS256",
			"kid": t.keyID,
			"n":   base64.RawURLEncoding.EncodeToString(t.key.N.Bytes()),
			"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(t.key.E)).Bytes()),
		}},
	})
}

// mint answers {"email": "...", "emailVerified": true|false} with {"idToken": "..."}.
func (t *tokenIssuer) mint(w http.ResponseWriter, r *http.Request) {
	var request struct {
		EmailVerified *bool  `json:"emailVerified"`
		Email         string `json:"email"`
	}

	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&request); err != nil || request.Email == "" {
		http.Error(w, "expected {\"email\": ...}", http.StatusBadRequest)

		return
	}

	verified := request.EmailVerified == nil || *request.EmailVerified
	now := time.Now()

	token, err := t.sign(map[string]any{
		"iss":            t.issuer,
		"sub":            "test|" + request.Email,
		"aud":            t.audience,
		"iat":            now.Unix(),
		"exp":            now.Add(10 * time.Minute).Unix(),
		"auth_time":      now.Unix(),
		"email":          request.Email,
		"email_verified": verified,
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)

		return
	}

	writeJSON(w, map[string]string{"idToken": token})
}

func (t *tokenIssuer) sign(claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": t.keyID})
	if err != nil {
		return "", err
	}

	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}

	signingInput := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signingInput))

	signature, err := rsa.SignPKCS1v15(rand.Reader, t.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}

	return signingInput + "." + base64.RawURLEncoding.EncodeToString(signature), nil
}

func writeJSON(w http.ResponseWriter, value any) {
	w.Header().Set("Content-Type", "application/json")

	if err := json.NewEncoder(w).Encode(value); err != nil {
		log.Printf("write: %v", err)
	}
}
