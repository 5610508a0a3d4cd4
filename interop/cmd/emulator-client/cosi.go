package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cosi-project/runtime/pkg/resource"
	"github.com/cosi-project/runtime/pkg/safe"
	"github.com/cosi-project/runtime/pkg/state"

	"github.com/siderolabs/omni/client/pkg/omni/resources"
	"github.com/siderolabs/omni/client/pkg/omni/resources/omni"
)

// patchID is the config patch the scenario writes; the 400- prefix is Omni's order for user patches.
const patchID = "400-emulator-client-patch"

func cosiSteps() []step {
	return []step{
		{"clusters.list", listClusters},
		{"cluster.get", getCluster},
		{"machines.list", listMachines},
		{"machinestatuses.list", listMachineStatuses},
		{"machinesets.list", listMachineSets},
		{"clusterstatus.get", getClusterStatus},
		{"configpatches.list", listConfigPatches},
		{"clusters.watch", watchClusters},
		{"configpatch.write-watch", writeAndWatchConfigPatch},
	}
}

func listClusters(ctx context.Context, s *scenario) (values, error) {
	clusters, err := safe.StateListAll[*omni.Cluster](ctx, s.client.Omni().State())
	if err != nil {
		return nil, err
	}

	if clusters.Len() == 0 {
		return nil, errors.New("no clusters listed")
	}

	var names []string

	for cluster := range clusters.All() {
		names = append(names, cluster.Metadata().ID())
	}

	s.cluster = names[0]

	return values{"clusters": names}, nil
}

func getCluster(ctx context.Context, s *scenario) (values, error) {
	cluster, err := safe.StateGetByID[*omni.Cluster](ctx, s.client.Omni().State(), s.cluster)
	if err != nil {
		return nil, err
	}

	spec := cluster.TypedSpec().Value
	if spec.TalosVersion == "" || spec.KubernetesVersion == "" {
		return nil, fmt.Errorf("cluster %q decoded without versions: %v", s.cluster, spec)
	}

	return values{
		"cluster":           cluster.Metadata().ID(),
		"version":           cluster.Metadata().Version().String(),
		"talosVersion":      spec.TalosVersion,
		"kubernetesVersion": spec.KubernetesVersion,
	}, nil
}

func listMachines(ctx context.Context, s *scenario) (values, error) {
	machines, err := safe.StateListAll[*omni.Machine](ctx, s.client.Omni().State())
	if err != nil {
		return nil, err
	}

	connected := 0

	for machine := range machines.All() {
		if machine.TypedSpec().Value.Connected {
			connected++
		}
	}

	return values{"count": machines.Len(), "connected": connected}, nil
}

func listMachineStatuses(ctx context.Context, s *scenario) (values, error) {
	statuses, err := safe.StateListAll[*omni.MachineStatus](
		ctx, s.client.Omni().State(),
		state.WithLabelQuery(resource.LabelEqual(omni.LabelCluster, s.cluster)),
	)
	if err != nil {
		return nil, err
	}

	if statuses.Len() == 0 {
		return nil, fmt.Errorf("no machine statuses labelled with cluster %q", s.cluster)
	}

	first := statuses.Get(0)
	network := first.TypedSpec().Value.GetNetwork()

	if network.GetHostname() == "" {
		return nil, fmt.Errorf("machine status %q decoded without a hostname", first.Metadata().ID())
	}

	s.machine = first.Metadata().ID()

	return values{
		"count":        statuses.Len(),
		"machine":      s.machine,
		"hostname":     network.GetHostname(),
		"talosVersion": first.TypedSpec().Value.TalosVersion,
	}, nil
}

func listMachineSets(ctx context.Context, s *scenario) (values, error) {
	sets, err := safe.StateListAll[*omni.MachineSet](
		ctx, s.client.Omni().State(),
		state.WithLabelQuery(resource.LabelEqual(omni.LabelCluster, s.cluster)),
	)
	if err != nil {
		return nil, err
	}

	var ids []string

	for set := range sets.All() {
		ids = append(ids, set.Metadata().ID())
	}

	return values{"machineSets": ids}, nil
}

func getClusterStatus(ctx context.Context, s *scenario) (values, error) {
	status, err := safe.StateGetByID[*omni.ClusterStatus](ctx, s.client.Omni().State(), s.cluster)
	if err != nil {
		return nil, err
	}

	spec := status.TypedSpec().Value

	return values{
		"phase":   spec.Phase.String(),
		"ready":   spec.Ready,
		"total":   spec.GetMachines().GetTotal(),
		"healthy": spec.GetMachines().GetHealthy(),
	}, nil
}

func listConfigPatches(ctx context.Context, s *scenario) (values, error) {
	patches, err := safe.StateListAll[*omni.ConfigPatch](ctx, s.client.Omni().State())
	if err != nil {
		return nil, err
	}

	var ids []string

	for patch := range patches.All() {
		// Decoding the data proves the spec arrived as Omni's client expects it.
		if _, err := patch.TypedSpec().Value.GetUncompressedData(); err != nil {
			return nil, fmt.Errorf("config patch %q: %w", patch.Metadata().ID(), err)
		}

		ids = append(ids, patch.Metadata().ID())
	}

	return values{"configPatches": ids}, nil
}

// watchClusters reads a kind watch up to its bootstrapped marker: the initial contents must be
// exactly what a list returns.
func watchClusters(ctx context.Context, s *scenario) (values, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	events := make(chan safe.WrappedStateEvent[*omni.Cluster])
	if err := safe.StateWatchKind(ctx, s.client.Omni().State(), omni.NewCluster("").Metadata(), events,
		state.WithBootstrapContents(true)); err != nil {
		return nil, err
	}

	var names []string

	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case event := <-events:
			switch event.Type() {
			case state.Created:
				cluster, err := event.Resource()
				if err != nil {
					return nil, err
				}

				names = append(names, cluster.Metadata().ID())
			case state.Bootstrapped:
				return values{"clusters": names}, nil
			case state.Errored:
				return nil, event.Error()
			case state.Updated, state.Destroyed, state.Noop:
				return nil, fmt.Errorf("unexpected %s event before bootstrapped", event.Type())
			}
		}
	}
}

// writeAndWatchConfigPatch creates, updates and destroys a config patch while a watch of the kind
// runs, and checks that the watch reports each change with the typed spec.
func writeAndWatchConfigPatch(ctx context.Context, s *scenario) (values, error) {
	st := s.client.Omni().State()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	events := make(chan safe.WrappedStateEvent[*omni.ConfigPatch])
	if err := safe.StateWatchKind(ctx, st, omni.NewConfigPatch("").Metadata(), events); err != nil {
		return nil, err
	}

	next := func(want state.EventType) (*omni.ConfigPatch, error) {
		for {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("waiting for a %s event: %w", want, ctx.Err())
			case event := <-events:
				if event.Type() == state.Errored {
					return nil, event.Error()
				}

				patch, err := event.Resource()
				if err != nil {
					return nil, err
				}

				if patch.Metadata().ID() != patchID {
					continue
				}

				if event.Type() != want {
					return nil, fmt.Errorf("got a %s event, want %s", event.Type(), want)
				}

				return patch, nil
			}
		}
	}

	patch := omni.NewConfigPatch(patchID)
	patch.Metadata().Labels().Set(omni.LabelCluster, s.cluster)

	first := "machine:\n  env:\n    FROM: emulator-client\n"
	if err := patch.TypedSpec().Value.SetUncompressedData([]byte(first)); err != nil {
		return nil, err
	}

	if err := st.Create(ctx, patch); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}

	created, err := next(state.Created)
	if err != nil {
		return nil, err
	}

	second := strings.Replace(first, "emulator-client", "emulator-client-updated", 1)

	if _, err = safe.StateUpdateWithConflicts(ctx, st, patch.Metadata(), func(p *omni.ConfigPatch) error {
		return p.TypedSpec().Value.SetUncompressedData([]byte(second))
	}); err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}

	updated, err := next(state.Updated)
	if err != nil {
		return nil, err
	}

	data, err := updated.TypedSpec().Value.GetUncompressedData()
	if err != nil {
		return nil, err
	}

	if got := string(data.Data()); got != second {
		return nil, fmt.Errorf("updated patch data is %q, want %q", got, second)
	}

	// TeardownAndDestroy is what omnictl delete does: Omni may finish the destroy itself once
	// the resource tears down without finalizers.
	if err = st.TeardownAndDestroy(ctx, patch.Metadata()); err != nil {
		return nil, fmt.Errorf("teardown and destroy: %w", err)
	}

	if _, err = safe.StateGetByID[*omni.ConfigPatch](ctx, st, patchID); !state.IsNotFoundError(err) {
		return nil, fmt.Errorf("after destroy, get answered %v, want not found", err)
	}

	return values{
		"id":              patchID,
		"namespace":       created.Metadata().Namespace(),
		"createdVersion":  created.Metadata().Version().String(),
		"updatedVersion":  updated.Metadata().Version().String(),
		"data":            string(data.Data()),
		"defaultNs":       resources.DefaultNamespace,
		"clusterLabelSet": created.Metadata().Labels().Raw()[omni.LabelCluster] == s.cluster,
	}, nil
}
