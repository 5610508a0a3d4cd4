// Command versions-stand-in stands in, on loopback only, for the two places a real Omni learns
// which Talos and Kubernetes versions exist, so that TalosVersion and KubernetesVersion
// resources appear offline and Clusters can be created (Omni refuses a Cluster whose Talos
// version has no TalosVersion resource):
//
//   - a container registry whose siderolabs/kubelet repository has one tag per Kubernetes
//     version. Omni lists the tags of its `registries.kubernetes` repository and fails the whole
//     version refresh, Talos included, when it cannot. The registry is go-containerregistry's
//     in-memory one; go-containerregistry's client speaks plain HTTP to loopback registries.
//   - the few Image Factory endpoints Omni calls without machines: the Talos version list (the
//     source of TalosVersion resources), the official extensions and overlays of a version (empty)
//     and schematic creation (the ID is the SHA-256 of the canonical YAML Omni sends, which is
//     how the real factory derives it; nothing is built or served for it).
//
// Both are served on one listener. It prints "URL=http://127.0.0.1:PORT" once the tags exist.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// The defaults are the versions Omni v1.9.3 uses as its defaults (internal/pkg/constants), so
// that a test can use Omni's own defaults; every Talos version must be compatible with at least
// one Kubernetes version, or Omni does not create a TalosVersion for it.
const (
	defaultTalosVersions      = "1.12.8,1.13.2,1.13.5"
	defaultKubernetesVersions = "1.35.6,1.36.2"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback only)")
	talos := flag.String("talos-versions", defaultTalosVersions, "comma-separated Talos versions the factory lists")
	kubernetes := flag.String("kubernetes-versions", defaultKubernetesVersions, "comma-separated Kubernetes versions tagged in the registry")
	repository := flag.String("kubernetes-repository", "siderolabs/kubelet", "repository (without host) that gets the Kubernetes tags")
	flag.Parse()

	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}

	address := listener.Addr().(*net.TCPAddr)
	if !address.IP.IsLoopback() {
		log.Fatalf("refusing to listen on %s: loopback only", address)
	}

	talosTags := versionTags(*talos)

	mux := http.NewServeMux()
	mux.Handle("/v2/", registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	mux.HandleFunc("GET /versions", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, talosTags) })
	mux.HandleFunc("GET /version/{version}/extensions/official", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, []any{}) })
	mux.HandleFunc("GET /version/{version}/overlays/official", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, []any{}) })
	mux.HandleFunc("POST /schematics", createSchematic)

	go func() { log.Fatal(http.Serve(listener, mux)) }()

	if err = pushTags(fmt.Sprintf("%s/%s", address, *repository), versionTags(*kubernetes)); err != nil {
		log.Fatalf("push Kubernetes tags: %v", err)
	}

	fmt.Printf("URL=http://%s\n", address)

	select {}
}

// versionTags turns "1.2.3,v1.2.4" into registry-style tags, which carry a "v" as upstream's do.
func versionTags(list string) []string {
	var tags []string

	for version := range strings.SplitSeq(list, ",") {
		if version = strings.TrimSpace(version); version != "" {
			tags = append(tags, "v"+strings.TrimPrefix(version, "v"))
		}
	}

	return tags
}

// pushTags tags an empty image once per tag: Omni only lists the tags, it never pulls them.
func pushTags(repository string, tags []string) error {
	for _, tag := range tags {
		ref, err := name.NewTag(repository+":"+tag, name.Insecure)
		if err != nil {
			return err
		}

		if err = remote.Write(ref, empty.Image); err != nil {
			return fmt.Errorf("%s: %w", ref, err)
		}
	}

	return nil
}

func createSchematic(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)

		return
	}

	sum := sha256.Sum256(body)
	writeJSON(w, map[string]string{"id": hex.EncodeToString(sum[:]), "schematic": string(body)})
}

func writeJSON(w http.ResponseWriter, value any) {
	w.Header().Set("Content-Type", "application/json")

	if err := json.NewEncoder(w).Encode(value); err != nil {
		log.Printf("write response: %v", err)
	}
}
