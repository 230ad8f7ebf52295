package main

import (
	"testing"
)

func TestResolverRoundRobinSkipsNotReadyReplicas(t *testing.T) {
	s, _ := newTestStore(t, sampleState())
	r := resolver{store: s}
	var hosts []string
	for range 6 {
		u, err := r.Resolve("get")
		if err != nil {
			t.Fatal(err)
		}
		hosts = append(hosts, u.Host)
	}
	want := []string{"198.18.4.10:8080", "198.18.4.12:8080"}
	for i, host := range hosts {
		if host != want[i%2] {
			t.Fatalf("call %d went to %s; want the ready replicas in turn, got %v", i, host, hosts)
		}
	}
}

func TestResolverNamespacedNames(t *testing.T) {
	s, _ := newTestStore(t, sampleState())
	r := resolver{store: s}
	for _, name := range []string{"get", "get.openfaas-fn", "get."} {
		if _, err := r.Resolve(name); err != nil {
			t.Errorf("Resolve(%q): %v", name, err)
		}
	}
	for _, name := range []string{"put", "get.other-fn", "put.openfaas-fn", ""} {
		if _, err := r.Resolve(name); err == nil {
			t.Errorf("Resolve(%q) succeeded; want an unknown-function error", name)
		}
	}
}

func TestResolverWithoutReadyReplicasFails(t *testing.T) {
	state := sampleState()
	for i := range state.Functions[0].Endpoints {
		state.Functions[0].Endpoints[i].Ready = false
	}
	s, _ := newTestStore(t, state)
	if _, err := (resolver{store: s}).Resolve("get"); err == nil {
		t.Fatal("resolved a function with no ready replica")
	}
}
