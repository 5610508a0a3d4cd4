// Command emulator-client drives the Omni emulator with Omni's own Go client
// (github.com/siderolabs/omni/client) over native gRPC, signed with a service-account key.
//
// It runs a fixed scenario: management calls, then COSI list, get and watch with typed specs.
// Every step prints one JSON line ({"step": ..., "ok": true, ...values}); the first failing step
// prints {"step": ..., "ok": false, "error": ...} and the program exits with status 1. A test
// asserts the values, so that what the emulator answers is checked by the client users run.
//
// Usage: emulator-client -endpoint http://127.0.0.1:8099 -key <base64 service-account key>
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/siderolabs/omni/client/pkg/client"
)

// values is what one step reports; the test reads these keys.
type values map[string]any

// scenario carries what later steps need from earlier ones (the cluster, a machine, ...).
type scenario struct {
	client   *client.Client
	endpoint string
	cluster  string
	machine  string
}

type step struct {
	name string
	run  func(ctx context.Context, s *scenario) (values, error)
}

func report(name string, ok bool, fields values) {
	line := values{"step": name, "ok": ok}
	for key, value := range fields {
		line[key] = value
	}

	encoded, err := json.Marshal(line)
	if err != nil {
		encoded = fmt.Appendf(nil, `{"step":%q,"ok":false,"error":%q}`, name, err.Error())
	}

	fmt.Println(string(encoded))
}

func main() {
	endpoint := flag.String("endpoint", os.Getenv("OMNI_ENDPOINT"), "the emulator's native gRPC URL")
	key := flag.String("key", os.Getenv("OMNI_SERVICE_ACCOUNT_KEY"), "an Admin service-account key (base64)")
	timeout := flag.Duration("timeout", 2*time.Minute, "time limit for the whole scenario")
	flag.Parse()

	if *endpoint == "" || *key == "" {
		fmt.Fprintln(os.Stderr, "usage: emulator-client -endpoint <url> -key <base64 service-account key>")
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	c, err := client.New(*endpoint, client.WithServiceAccount(*key))
	if err != nil {
		report("connect", false, values{"error": err.Error()})
		os.Exit(1)
	}
	defer c.Close() //nolint:errcheck

	s := &scenario{client: c, endpoint: *endpoint}

	// COSI first: the management steps use the cluster and machine found there.
	steps := append(cosiSteps(), managementSteps()...)
	for _, each := range steps {
		fields, err := each.run(ctx, s)
		if err != nil {
			report(each.name, false, values{"error": err.Error()})
			cancel()
			os.Exit(1) //nolint:gocritic // the deferred close does not matter on exit
		}

		report(each.name, true, fields)
	}
}
