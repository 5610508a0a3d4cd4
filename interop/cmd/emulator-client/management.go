package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cosi-project/runtime/pkg/safe"
	"github.com/siderolabs/go-api-signature/pkg/pgp"
	"github.com/siderolabs/go-api-signature/pkg/serviceaccount"
	talosconfig "github.com/siderolabs/talos/pkg/machinery/client/config"
	"go.yaml.in/yaml/v4"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/siderolabs/omni/client/api/omni/management"
	"github.com/siderolabs/omni/client/pkg/client"
	"github.com/siderolabs/omni/client/pkg/omni/resources/omni"
	"github.com/siderolabs/omni/client/pkg/omni/resources/siderolink"
	omniconfig "github.com/siderolabs/omni/client/pkg/omnictl/config"
)

const (
	accountName = "emulator-client-bot"
	userEmail   = "emulator-client@example.org"
	tokenName   = "emulator-client"
)

func managementSteps() []step {
	return []step{
		{"omniconfig", getOmniconfig},
		{"talosconfig", getTalosconfig},
		{"kubeconfig", getKubeconfig},
		{"serviceaccounts", serviceAccounts},
		{"users", users},
		{"jointokens", joinTokens},
		{"machinelogs", machineLogs},
		{"supportbundle", supportBundle},
		{"auditlog", auditLog},
		{"schematics", schematics},
	}
}

func getOmniconfig(ctx context.Context, s *scenario) (values, error) {
	raw, err := s.client.Management().Omniconfig(ctx)
	if err != nil {
		return nil, err
	}

	var cfg omniconfig.Config
	if err = yaml.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("omniconfig is not YAML omnictl reads: %w", err)
	}

	current, ok := cfg.Contexts[cfg.Context]
	if !ok {
		return nil, fmt.Errorf("omniconfig's context %q is not among its contexts", cfg.Context)
	}

	return values{"context": cfg.Context, "url": current.URL, "identity": current.Auth.SideroV1.Identity}, nil
}

func getTalosconfig(ctx context.Context, s *scenario) (values, error) {
	raw, err := s.client.Management().WithCluster(s.cluster).Talosconfig(ctx)
	if err != nil {
		return nil, err
	}

	cfg, err := talosconfig.FromBytes(raw)
	if err != nil {
		return nil, fmt.Errorf("talosconfig is not one talosctl reads: %w", err)
	}

	current, ok := cfg.Contexts[cfg.Context]
	if !ok {
		return nil, fmt.Errorf("talosconfig's context %q is not among its contexts", cfg.Context)
	}

	return values{
		"context":   cfg.Context,
		"endpoints": current.Endpoints,
		"cluster":   current.Cluster,
		"identity":  current.Auth.SideroV1.Identity,
	}, nil
}

func getKubeconfig(ctx context.Context, s *scenario) (values, error) {
	raw, err := s.client.Management().WithCluster(s.cluster).Kubeconfig(ctx)
	if err != nil {
		return nil, err
	}

	cfg, err := clientcmd.Load(raw)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig is not one kubectl reads: %w", err)
	}

	current, ok := cfg.Contexts[cfg.CurrentContext]
	if !ok {
		return nil, fmt.Errorf("kubeconfig's current context %q is not among its contexts", cfg.CurrentContext)
	}

	cluster, user := cfg.Clusters[current.Cluster], cfg.AuthInfos[current.AuthInfo]
	if cluster == nil || user == nil || user.Exec == nil {
		return nil, fmt.Errorf("kubeconfig context %q lacks its cluster, user or exec plugin", cfg.CurrentContext)
	}

	return values{
		"currentContext": cfg.CurrentContext,
		"server":         cluster.Server,
		"execAPIVersion": user.Exec.APIVersion,
		"execArgs":       user.Exec.Args,
	}, nil
}

// serviceAccounts creates an account with a key of its own, calls the emulator with that key,
// renews it, lists it and destroys it.
func serviceAccounts(ctx context.Context, s *scenario) (values, error) {
	mgmt := s.client.Management()

	key, err := pgp.GenerateKey(accountName, "emulator-client", accountName+"@serviceaccount.omni.sidero.dev", time.Hour)
	if err != nil {
		return nil, err
	}

	armored, err := key.ArmorPublic()
	if err != nil {
		return nil, err
	}

	firstKeyID, err := mgmt.CreateServiceAccount(ctx, accountName, armored, "Reader", false)
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}

	encoded, err := serviceaccount.Encode(accountName, key)
	if err != nil {
		return nil, err
	}

	// The new key must sign calls the emulator accepts, with the account's role.
	own, err := client.New(s.endpoint, client.WithServiceAccount(encoded))
	if err != nil {
		return nil, err
	}
	defer own.Close() //nolint:errcheck

	clusters, err := safe.StateListAll[*omni.Cluster](ctx, own.Omni().State())
	if err != nil {
		return nil, fmt.Errorf("list clusters with the new account's key: %w", err)
	}

	renewal, err := pgp.GenerateKey(accountName, "emulator-client", accountName+"@serviceaccount.omni.sidero.dev", time.Hour)
	if err != nil {
		return nil, err
	}

	armored, err = renewal.ArmorPublic()
	if err != nil {
		return nil, err
	}

	secondKeyID, err := mgmt.RenewServiceAccount(ctx, accountName, armored)
	if err != nil {
		return nil, fmt.Errorf("renew: %w", err)
	}

	listed, err := findServiceAccount(ctx, s, accountName)
	if err != nil {
		return nil, err
	}

	if err = mgmt.DestroyServiceAccount(ctx, accountName); err != nil {
		return nil, fmt.Errorf("destroy: %w", err)
	}

	if _, err = findServiceAccount(ctx, s, accountName); err == nil {
		return nil, errors.New("the account is still listed after destroy")
	}

	keyIDs := make([]string, 0, len(listed.PgpPublicKeys))
	for _, each := range listed.PgpPublicKeys {
		keyIDs = append(keyIDs, each.Id)
	}

	return values{
		"name":              listed.Name,
		"role":              listed.Role,
		"createdKeyID":      firstKeyID,
		"renewedKeyID":      secondKeyID,
		"listedKeyIDs":      keyIDs,
		"clustersSeenByKey": clusters.Len(),
	}, nil
}

func findServiceAccount(ctx context.Context, s *scenario, name string) (*management.ListServiceAccountsResponse_ServiceAccount, error) {
	accounts, err := s.client.Management().ListServiceAccounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}

	index := slices.IndexFunc(accounts, func(a *management.ListServiceAccountsResponse_ServiceAccount) bool { return a.Name == name })
	if index < 0 {
		return nil, fmt.Errorf("service account %q is not listed", name)
	}

	return accounts[index], nil
}

func users(ctx context.Context, s *scenario) (values, error) {
	mgmt := s.client.Management()

	id, err := mgmt.CreateUser(ctx, userEmail, "Reader")
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}

	if err = mgmt.UpdateUser(ctx, userEmail, "Operator"); err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}

	list, err := mgmt.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}

	index := slices.IndexFunc(list, func(u *management.ListUsersResponse_User) bool { return u.Email == userEmail })
	if index < 0 {
		return nil, fmt.Errorf("user %q is not listed", userEmail)
	}

	if err = mgmt.DestroyUser(ctx, userEmail); err != nil {
		return nil, fmt.Errorf("destroy: %w", err)
	}

	return values{"id": id, "listedID": list[index].Id, "email": list[index].Email, "role": list[index].Role}, nil
}

// joinTokens creates a token and reads it back the way omnictl does: the token, its status
// (which a controller derives) and a join config that names it.
func joinTokens(ctx context.Context, s *scenario) (values, error) {
	st := s.client.Omni().State()

	id, err := s.client.Management().CreateJoinToken(ctx, tokenName, 24*time.Hour)
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}

	token, err := safe.StateGetByID[*siderolink.JoinToken](ctx, st, id)
	if err != nil {
		return nil, fmt.Errorf("get the token's resource: %w", err)
	}

	status, err := safe.StateGetByID[*siderolink.JoinTokenStatus](ctx, st, id)
	if err != nil {
		return nil, fmt.Errorf("get the token's status: %w", err)
	}

	joinConfig, err := s.client.Management().GetMachineJoinConfig(ctx, id, false)
	if err != nil {
		return nil, fmt.Errorf("join config: %w", err)
	}

	namesToken := slices.ContainsFunc(joinConfig.KernelArgs, func(arg string) bool { return strings.Contains(arg, "jointoken="+id) })

	return values{
		"name":            token.TypedSpec().Value.Name,
		"hasExpiration":   token.TypedSpec().Value.ExpirationTime != nil,
		"statusName":      status.TypedSpec().Value.Name,
		"statusState":     status.TypedSpec().Value.State.String(),
		"kernelArgsToken": namesToken,
	}, nil
}

func machineLogs(ctx context.Context, s *scenario) (values, error) {
	reader, err := s.client.Management().LogsReader(ctx, s.machine, false, 5)
	if err != nil {
		return nil, err
	}

	var lines []string

	scanner := bufio.NewScanner(reader)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
	}

	if err = scanner.Err(); err != nil {
		return nil, err
	}

	if len(lines) == 0 {
		return nil, fmt.Errorf("machine %q has no log lines", s.machine)
	}

	return values{"machine": s.machine, "lines": len(lines), "firstLine": lines[0]}, nil
}

func supportBundle(ctx context.Context, s *scenario) (values, error) {
	progress := make(chan *management.GetSupportBundleResponse_Progress)
	sources := map[string]struct{}{}
	drained := make(chan struct{})

	go func() {
		defer close(drained)

		for event := range progress {
			sources[event.Source] = struct{}{}
		}
	}()

	data, err := s.client.Management().GetSupportBundle(ctx, s.cluster, progress)
	<-drained

	if err != nil {
		return nil, err
	}

	archive, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("the bundle is not a zip: %w", err)
	}

	names := make([]string, 0, len(archive.File))
	for _, file := range archive.File {
		names = append(names, file.Name)
	}

	return values{"files": names, "sources": len(sources)}, nil
}

func auditLog(ctx context.Context, s *scenario) (values, error) {
	var events []map[string]any

	for response, err := range s.client.Management().ReadAuditLog(ctx, &management.ReadAuditLogRequest{}) {
		if err != nil {
			return nil, err
		}

		// Each message carries one JSON line, as in Omni's audit log files.
		var event map[string]any
		if err = json.Unmarshal(response.AuditLog, &event); err != nil {
			return nil, fmt.Errorf("audit log entry %q is not JSON: %w", response.AuditLog, err)
		}

		events = append(events, event)
	}

	if len(events) == 0 {
		return nil, errors.New("the audit log is empty")
	}

	return values{"entries": len(events), "firstEventType": events[0]["event_type"]}, nil
}

func schematics(ctx context.Context, s *scenario) (values, error) {
	mgmt := s.client.Management()

	created, err := mgmt.CreateSchematic(ctx, &management.CreateSchematicRequest{
		ExtraKernelArgs: []string{"console=ttyS0"},
		TalosVersion:    "1.10.5",
	})
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}

	raw, err := mgmt.CreateSchematicFromRaw(ctx, []byte("customization:\n  extraKernelArgs:\n    - console=ttyS0\n"))
	if err != nil {
		return nil, fmt.Errorf("create from raw: %w", err)
	}

	return values{"schematicID": created.SchematicId, "rawSchematicID": raw.SchematicId, "pxeURL": created.PxeUrl}, nil
}
